//! Access-token verification, as the SDK's `get_session` function does it: locally (signature
//! against the cached JWKS, expiry, signing-key kind, anti-CSRF token), and with the core when
//! the token is fresh from a refresh or the caller asks to check the database.

use std::sync::Arc;

use supertokens_rules::session::AntiCsrf;

use super::error::SessionError;
use super::functions::{GetSessionInput, VerifiedToken};
use super::jwks::KeyError;
use super::state::Base;
use super::token::{self, AccessToken};
use crate::core::cdi;

/// Local verification: signature (RS256, key by kid), expiry, signing-key kind. A token verified
/// before is answered from the cache.
pub(super) async fn verify_locally(
    base: &Base,
    raw: &str,
) -> Result<Arc<AccessToken>, SessionError> {
    let now = base.clock.now_ms();
    if let Some(hit) = base.cache.get(raw, now) {
        return Ok(hit);
    }
    // Boxed: the key fetch it may await is large, and the cache hits above (most requests)
    // should not carry it in their future.
    Box::pin(verify_uncached(base, raw, now)).await
}

/// [`verify_locally`] for a token not in the cache.
async fn verify_uncached(
    base: &Base,
    raw: &str,
    now: i64,
) -> Result<Arc<AccessToken>, SessionError> {
    let parsed = token::parse(raw).map_err(|e| {
        SessionError::unauthorised_keep_tokens(format!("Token parsing failed: {e}"))
    })?;
    // A legacy (v2) token fails here too: it was signed with the core's legacy key, which the
    // JWKS does not hold. The reference SDKs send a v2 token to the core only when it was
    // created after their last JWKS fetch, which no core speaking our CDI versions does; a
    // refresh replaces it with a current token.
    let failed = || SessionError::try_refresh_token("Failed to verify access token");
    if !parsed.alg_rs256 {
        return Err(failed());
    }
    let keys = base
        .jwks
        .keys_for(parsed.kid.as_deref())
        .await
        .map_err(|e| {
            if let KeyError::Fetch(m) = &e {
                tracing::warn!(error = %m, "session: cannot fetch the core's signing keys");
            }
            failed()
        })?;
    if !keys
        .iter()
        .any(|k| token::signature_ok(raw, parsed.version, k))
    {
        return Err(failed());
    }
    if parsed.version >= 3
        && let Some(kid) = &parsed.kid
        && kid.starts_with("d-") != base.config.use_dynamic_signing_key
    {
        return Err(SessionError::try_refresh_token(
            "The access token doesn't match the useDynamicAccessTokenSigningKey setting",
        ));
    }
    if parsed.expiry_ms <= now {
        return Err(SessionError::try_refresh_token("Access token expired"));
    }
    let parsed = Arc::new(parsed);
    base.cache.insert(parsed.clone(), now);
    Ok(parsed)
}

/// The SDK's `get_session`: local verification, then the core when the token's refresh is not
/// committed yet (or `check_database` asks for it).
pub(super) async fn get_session(
    base: &Base,
    input: GetSessionInput,
) -> Result<VerifiedToken, SessionError> {
    let token = verify_locally(base, &input.access_token).await?;
    let enable_anti_csrf = base.config.anti_csrf_configured == Some(AntiCsrf::ViaToken);
    if input.anti_csrf_check && enable_anti_csrf {
        match (&input.anti_csrf_token, &token.anti_csrf_token) {
            (None, _) => {
                return Err(SessionError::try_refresh_token(
                    "Provided antiCsrfToken is undefined. If you do not want anti-csrf check for this API, please set doAntiCsrfCheck to false for this API",
                ));
            }
            (Some(given), expected) if !anti_csrf_matches(given, expected.as_deref()) => {
                return Err(SessionError::try_refresh_token("anti-csrf check failed"));
            }
            _ => {}
        }
    }
    let local = VerifiedToken {
        access_token: Arc::clone(&token.raw),
        access_token_updated: false,
        payload: Arc::clone(&token.payload),
        user_id: Arc::clone(&token.user_id),
        recipe_user_id: Arc::clone(&token.recipe_user_id),
        session_handle: Arc::clone(&token.session_handle),
        tenant_id: Arc::clone(&token.tenant_id),
        expiry_ms: token.expiry_ms,
    };
    if !input.check_database && token.parent_refresh_token_hash1.is_none() {
        return Ok(local);
    }
    // Boxed: the core call is large, and the requests answered locally above (most of them)
    // should not carry it in their future.
    Box::pin(verify_with_core(base, input, enable_anti_csrf, local)).await
}

/// [`get_session`] for a token the core must confirm: `local` is what the token itself says.
async fn verify_with_core(
    base: &Base,
    input: GetSessionInput,
    enable_anti_csrf: bool,
    local: VerifiedToken,
) -> Result<VerifiedToken, SessionError> {
    let answer: cdi::VerifySessionResponse = base
        .core
        .post(
            "/recipe/session/verify",
            Some("session"),
            &cdi::VerifySessionRequest {
                access_token: input.access_token.to_string(),
                anti_csrf_token: input.anti_csrf_token,
                do_anti_csrf_check: input.anti_csrf_check,
                enable_anti_csrf,
                check_database: input.check_database,
            },
        )
        .await?;
    match answer {
        cdi::VerifySessionResponse::Ok {
            session,
            access_token,
        } => match access_token {
            None => Ok(VerifiedToken {
                user_id: session.user_id.into(),
                recipe_user_id: session.recipe_user_id.into(),
                ..local
            }),
            Some(new) => {
                let parsed = token::parse(&new.token).map_err(|e| {
                    SessionError::other(format!("the core issued an unreadable access token: {e}"))
                })?;
                Ok(VerifiedToken {
                    access_token: new.token.into(),
                    access_token_updated: true,
                    payload: parsed.payload,
                    user_id: session.user_id.into(),
                    recipe_user_id: session.recipe_user_id.into(),
                    session_handle: session.handle.into(),
                    tenant_id: session.tenant_id.into(),
                    expiry_ms: new.expiry,
                })
            }
        },
        cdi::VerifySessionResponse::Unauthorised { message } => {
            Err(SessionError::unauthorised(message))
        }
        cdi::VerifySessionResponse::TryRefreshToken { message } => {
            Err(SessionError::try_refresh_token(message))
        }
    }
}

/// Whether the anti-CSRF token a request sent is the one its access token holds. Compared in
/// constant time: how long a refusal takes says nothing about how much of a guess was right.
fn anti_csrf_matches(given: &str, expected: Option<&str>) -> bool {
    expected.is_some_and(|expected| {
        aws_lc_rs::constant_time::verify_slices_are_equal(given.as_bytes(), expected.as_bytes())
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::anti_csrf_matches;

    #[test]
    fn the_anti_csrf_token_must_be_the_sessions_own() {
        let expected = "0f3c5a8e-61b2-4d7e-9a40-2b8d1c7e5f96";
        assert!(anti_csrf_matches(expected, Some(expected)));
        // Same length, one character off (first, last), and other lengths.
        assert!(!anti_csrf_matches(
            "1f3c5a8e-61b2-4d7e-9a40-2b8d1c7e5f96",
            Some(expected)
        ));
        assert!(!anti_csrf_matches(
            "0f3c5a8e-61b2-4d7e-9a40-2b8d1c7e5f97",
            Some(expected)
        ));
        assert!(!anti_csrf_matches(&expected[..35], Some(expected)));
        assert!(!anti_csrf_matches(&format!("{expected}0"), Some(expected)));
        assert!(!anti_csrf_matches("", Some(expected)));
        // A token without one accepts nothing.
        assert!(!anti_csrf_matches(expected, None));
        assert!(!anti_csrf_matches("", None));
    }
}
