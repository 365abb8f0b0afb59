//! Handlers acting on their own user: the `SuperTokens` extractor, and revoking the request's
//! session, whose response then clears its tokens instead of handing out new ones.

use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Extension, Router};
use supertokens::__private::{ANTI_CSRF_DEFAULT, Verified};
use supertokens::SuperTokens;
use supertokens::session::{SessionConfig, SessionContainer, SessionError};
use tests::client::{Client, Reply, RequestBuilder};

use super::{
    app_with, assert_cleared_cookies, local, login_with_cookies, login_with_headers, with_layer,
};

/// Revokes every session of the request's user through the instance the route was given.
async fn revoke_through_instance(
    st: SuperTokens,
    session: SessionContainer,
) -> Result<String, SessionError> {
    let revoked = st
        .session()
        .revoke_all_sessions_for_user(session.user_id())
        .await?;
    Ok(revoked.len().to_string())
}

async fn sign_out_everywhere(session: SessionContainer) -> Result<String, SessionError> {
    Ok(session.revoke_all_for_user().await?.len().to_string())
}

async fn sign_out_here(session: SessionContainer) -> Result<&'static str, SessionError> {
    session.revoke_session().await?;
    Ok("signed out")
}

/// As `#[protected]` generates it: the verification's changes go back with the answer.
async fn protected_sign_out(v: Verified<false, ANTI_CSRF_DEFAULT>) -> impl IntoResponse {
    match v.session.revoke_all_for_user().await {
        Ok(_) => (v.changes, "signed out").into_response(),
        Err(e) => e.into_response(),
    }
}

/// The routes that revoke the request's session beside the usual test routes.
fn revoking_app(st: &SuperTokens) -> Client {
    let routes = Router::new()
        .route("/everywhere", post(sign_out_everywhere))
        .route("/here", post(sign_out_here))
        .route("/protected", post(protected_sign_out));
    app_with(st, routes)
}

const REVOKING_ROUTES: [&str; 3] = ["/everywhere", "/here", "/protected"];

/// `/protected` with the instance as a plain extension: no layer writes anything, the response
/// has only the changes the handler returns.
fn revoking_without_layer(st: &SuperTokens) -> Client {
    Client::router(
        Router::new()
            .route("/protected", post(protected_sign_out))
            .layer(Extension(st.clone())),
    )
}

#[tokio::test]
async fn the_instance_is_an_extractor_where_the_layer_put_it() {
    // Not installed process-wide: the handler can only have it from the layer.
    let st = supertokens::testing::instance().unwrap();
    let app = with_layer(
        &st,
        Router::new().route("/revoke", post(revoke_through_instance)),
    );
    let first = supertokens::testing::session(&st, "user-a").await.unwrap();
    let _second = supertokens::testing::session(&st, "user-a").await.unwrap();
    let _other = supertokens::testing::session(&st, "user-b").await.unwrap();

    let r = app.post("/revoke").session(&first).send().await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.text, "2", "both sessions of user-a");
    let sessions = |user: &'static str| {
        let st = st.clone();
        async move {
            st.session()
                .get_all_session_handles_for_user(user)
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(sessions("user-a").await, 0);
    assert_eq!(sessions("user-b").await, 1);
}

/// How the client carries its tokens.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Cookies,
    Headers,
}

impl Mode {
    /// A token the answer set: the cookie `cookie`, or the header `header`.
    fn token(self, answer: &Reply, cookie: &str, header: &str) -> String {
        match self {
            Mode::Cookies => answer.cookie_value(cookie),
            Mode::Headers => answer.header(header),
        }
        .unwrap_or_else(|| panic!("{self:?}: no {cookie} / {header}"))
    }

    /// `request` carrying `token`, an access or refresh token.
    fn carrying<'a>(
        self,
        request: RequestBuilder<'a>,
        cookie: &str,
        token: &str,
    ) -> RequestBuilder<'a> {
        match self {
            Mode::Cookies => request.cookie(&format!("{cookie}={token}")),
            Mode::Headers => request.bearer(token),
        }
    }

    /// Signs in to `app` with these tokens, refreshes, and posts to `path` of `revoking` with
    /// the refreshed access token (whose first use gets a replacement from the core). The
    /// answer, and the answer of refreshing again with the newest refresh token.
    async fn revoke_after_refresh(
        self,
        app: &Client,
        revoking: &Client,
        path: &str,
    ) -> (Reply, Reply) {
        let login = match self {
            Mode::Cookies => login_with_cookies(app).await.0,
            Mode::Headers => login_with_headers(app).await,
        };
        let refresh = |rt: &str| {
            self.carrying(app.post("/auth/session/refresh"), "sRefreshToken", rt)
                .send()
        };
        let refreshed = refresh(&self.token(&login, "sRefreshToken", "st-refresh-token")).await;
        assert_eq!(refreshed.status, 200, "{}", refreshed.text);
        let at1 = self.token(&refreshed, "sAccessToken", "st-access-token");
        let rt1 = self.token(&refreshed, "sRefreshToken", "st-refresh-token");
        let answer = self
            .carrying(revoking.post(path), "sAccessToken", &at1)
            .send()
            .await;
        (answer, refresh(&rt1).await)
    }
}

#[tokio::test]
async fn revoking_the_session_clears_its_tokens_instead_of_replacing_them() {
    let st = local(SessionConfig::new());
    let app = revoking_app(&st);
    let without_layer = revoking_without_layer(&st);
    let routes = REVOKING_ROUTES
        .map(|path| (&app, path))
        .into_iter()
        .chain([(&without_layer, "/protected")]);
    for mode in [Mode::Cookies, Mode::Headers] {
        for (revoking, path) in routes.clone() {
            let (answer, again) = mode.revoke_after_refresh(&app, revoking, path).await;
            assert_eq!(answer.status, 200, "{mode:?} {path}: {}", answer.text);
            match mode {
                Mode::Cookies => {
                    assert_cleared_cookies(&answer);
                    assert_eq!(answer.cookies().len(), 2, "{path}: {:?}", answer.cookies());
                    assert_eq!(answer.header("st-access-token"), None, "{path}");
                }
                Mode::Headers => {
                    assert_eq!(answer.header("st-access-token").as_deref(), Some(""));
                    assert_eq!(answer.header("st-refresh-token").as_deref(), Some(""));
                    assert_eq!(answer.header("front-token").as_deref(), Some("remove"));
                    assert!(
                        answer.cookies().is_empty(),
                        "{path}: {:?}",
                        answer.cookies()
                    );
                }
            }
            assert_eq!(again.status, 401, "{mode:?} {path}: the session is gone");
        }
    }
}

#[tokio::test]
async fn a_revoked_session_answers_as_sign_out_does() {
    let st = local(SessionConfig::new());
    let app = revoking_app(&st);
    let signed_in = async |path: &str| {
        let (_, at, _) = login_with_cookies(&app).await;
        app.post(path)
            .cookie(&format!("sAccessToken={at}"))
            .send()
            .await
    };
    let sign_out = signed_in("/auth/signout").await;
    let here = signed_in("/here").await;
    assert_eq!(sign_out.status, 200);
    assert_eq!(here.status, 200);
    assert_eq!(here.cookies(), sign_out.cookies());
    assert_eq!(here.header("front-token"), sign_out.header("front-token"));
}
