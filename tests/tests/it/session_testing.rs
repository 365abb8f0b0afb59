//! `supertokens::testing` used exactly as its documentation shows: a protected handler tested in
//! three lines, in header and cookie mode, and with an expired session.

use std::time::Duration;

use axum::{Router, body::Body, http::Request, routing::get};
use supertokens::session::SessionContainer;
use tower::ServiceExt;

async fn whoami(session: SessionContainer) -> String {
    session.user_id().to_owned()
}

#[tokio::test]
async fn a_protected_handler_in_three_lines() -> Result<(), Box<dyn std::error::Error>> {
    let st = supertokens::testing::instance()?;
    let app = Router::new()
        .route("/whoami", get(whoami))
        .layer(st.layer());

    let session = supertokens::testing::session(&st, "user-1").await?;
    let response = app
        .clone()
        .oneshot(
            session
                .authorize(Request::get("/whoami"))
                .body(Body::empty())?,
        )
        .await?;
    assert_eq!(response.status(), 200);
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await?
        .to_bytes();
    assert_eq!(&body[..], b"user-1");

    // Cookie mode; without a session; after expiry.
    let status = async |request: http::request::Builder| {
        let response = app.clone().oneshot(request.body(Body::empty())?).await?;
        Ok::<_, Box<dyn std::error::Error>>(response.status())
    };
    let whoami = || Request::get("/whoami");
    assert_eq!(status(session.with_cookies(whoami())).await?, 200);
    assert_eq!(status(whoami()).await?, 401);
    st.clock().advance(Duration::from_secs(2 * 3600));
    assert_eq!(status(session.authorize(whoami())).await?, 401);
    Ok(())
}

#[tokio::test]
async fn test_sessions_refresh_like_real_ones() -> Result<(), Box<dyn std::error::Error>> {
    let st = supertokens::testing::instance()?;
    let app = st.router();
    let session = supertokens::testing::session(&st, "user-2").await?;
    let response = app
        .oneshot(
            Request::post("/auth/session/refresh")
                .header("cookie", session.refresh_cookie_header())
                .body(Body::empty())?,
        )
        .await?;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("front-token").is_some());
    Ok(())
}
