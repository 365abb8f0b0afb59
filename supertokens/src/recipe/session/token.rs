//! Access tokens: parsing and structure checks (SuperTokens' JWT versions 2 to 5) and RS256
//! signature verification. Nothing here panics on bad input.

use std::sync::Arc;

use base64::Engine;
use serde_json::{Map, Value};

/// Access tokens longer than this are rejected unread (the core's are well under 2 KiB).
pub(crate) const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The exact header segments of legacy (v2) tokens.
const V2_HEADERS: [&str; 2] = [
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsInZlcnNpb24iOiIxIn0", // {"alg":"RS256","typ":"JWT","version":"1"}
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsInZlcnNpb24iOiIyIn0", // {"alg":"RS256","typ":"JWT","version":"2"}
];

/// Claims the core owns; stripped from payloads users hand in.
pub(crate) const PROTECTED_PROPS: &[&str] = &[
    "sub",
    "iat",
    "exp",
    "sessionHandle",
    "parentRefreshTokenHash1",
    "refreshTokenHash1",
    "antiCsrfToken",
    "rsub",
    "tId",
    "stt",
];

/// A structurally valid access token (signature not yet checked).
#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub(crate) raw: Arc<str>,
    pub(crate) version: u32,
    pub(crate) kid: Option<String>,
    /// Whether the header names RS256.
    pub(crate) alg_rs256: bool,
    pub(crate) payload: Arc<Map<String, Value>>,
    pub(crate) user_id: Arc<str>,
    pub(crate) recipe_user_id: Arc<str>,
    pub(crate) session_handle: Arc<str>,
    pub(crate) tenant_id: Arc<str>,
    pub(crate) expiry_ms: i64,
    pub(crate) anti_csrf_token: Option<String>,
    pub(crate) parent_refresh_token_hash1: Option<String>,
}

fn b64url(segment: &str) -> Result<Vec<u8>, &'static str> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment.trim_end_matches('='))
        .map_err(|_| "Invalid JWT")
}

fn string(payload: &Map<String, Value>, key: &str) -> Result<Arc<str>, &'static str> {
    match payload.get(key) {
        Some(Value::String(s)) => Ok(Arc::from(s.as_str())),
        _ => Err(
            "Access token does not contain all the information. Maybe the structure has changed?",
        ),
    }
}

fn number_ms(payload: &Map<String, Value>, key: &str, scale: f64) -> Result<i64, &'static str> {
    match payload.get(key).and_then(Value::as_f64) {
        #[allow(clippy::cast_possible_truncation)]
        Some(n) if n.is_finite() && n.abs() < 1e15 => Ok((n * scale) as i64),
        _ => Err(
            "Access token does not contain all the information. Maybe the structure has changed?",
        ),
    }
}

fn optional_string(payload: &Map<String, Value>, key: &str) -> Option<String> {
    payload.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Parses and structure-checks an access token.
pub(crate) fn parse(token: &str) -> Result<AccessToken, &'static str> {
    if token.len() > MAX_TOKEN_LEN {
        return Err("Invalid JWT");
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("Invalid JWT");
    };
    let (version, kid, alg_rs256) = if V2_HEADERS.contains(&header) {
        (2, None, true)
    } else {
        let header: Map<String, Value> =
            serde_json::from_slice(&b64url(header)?).map_err(|_| "JWT header mismatch")?;
        let version = match header.get("version") {
            None => 3,
            Some(Value::String(v)) => v.parse::<u32>().map_err(|_| "JWT header mismatch")?,
            Some(_) => return Err("JWT header mismatch"),
        };
        if version < 3 || header.get("typ").and_then(Value::as_str) != Some("JWT") {
            return Err("JWT header mismatch");
        }
        let Some(kid) = header.get("kid").and_then(Value::as_str) else {
            return Err("JWT header mismatch");
        };
        let alg_rs256 = header.get("alg").and_then(Value::as_str) == Some("RS256");
        (version, Some(kid.to_owned()), alg_rs256)
    };
    let payload: Map<String, Value> =
        serde_json::from_slice(&b64url(payload)?).map_err(|_| "Invalid JWT")?;
    match payload.get("stt") {
        None => {}
        Some(v) if v.as_f64() == Some(0.0) => {}
        Some(_) => return Err("Wrong token type"),
    }
    if version == 2 {
        let user_id = string(&payload, "userId")?;
        let session_handle = string(&payload, "sessionHandle")?;
        string(&payload, "refreshTokenHash1")?;
        if !payload.contains_key("userData") {
            return Err(
                "Access token does not contain all the information. Maybe the structure has changed?",
            );
        }
        let expiry_ms = number_ms(&payload, "expiryTime", 1.0)?;
        number_ms(&payload, "timeCreated", 1.0)?;
        let user_payload = payload
            .get("userData")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        return Ok(AccessToken {
            raw: Arc::from(token),
            version,
            kid,
            alg_rs256,
            recipe_user_id: user_id.clone(),
            user_id,
            session_handle,
            tenant_id: Arc::from("public"),
            expiry_ms,
            anti_csrf_token: optional_string(&payload, "antiCsrfToken"),
            parent_refresh_token_hash1: optional_string(&payload, "parentRefreshTokenHash1"),
            payload: Arc::new(user_payload),
        });
    }
    let user_id = string(&payload, "sub")?;
    let expiry_ms = number_ms(&payload, "exp", 1000.0)?;
    number_ms(&payload, "iat", 1000.0)?;
    let session_handle = string(&payload, "sessionHandle")?;
    string(&payload, "refreshTokenHash1")?;
    let tenant_id = if version >= 4 {
        string(&payload, "tId")?
    } else {
        Arc::from("public")
    };
    let recipe_user_id = if version >= 5 {
        string(&payload, "rsub")?
    } else {
        user_id.clone()
    };
    Ok(AccessToken {
        raw: Arc::from(token),
        version,
        kid,
        alg_rs256,
        anti_csrf_token: optional_string(&payload, "antiCsrfToken"),
        parent_refresh_token_hash1: optional_string(&payload, "parentRefreshTokenHash1"),
        user_id,
        recipe_user_id,
        session_handle,
        tenant_id,
        expiry_ms,
        payload: Arc::new(payload),
    })
}

/// Whether `token`'s RS256 signature verifies with `key`.
pub(crate) fn signature_ok(token: &str, key: &super::jwks::VerifyKey) -> bool {
    let Some((message, signature)) = token.rsplit_once('.') else {
        return false;
    };
    let Ok(signature) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    key.verifies(message.as_bytes(), &signature)
}

/// `payload` without the claims the core owns (and without `iss`, which the SDK sets).
pub(crate) fn user_claims(payload: &Map<String, Value>) -> Map<String, Value> {
    payload
        .iter()
        .filter(|(k, _)| !PROTECTED_PROPS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: &Value) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    }

    fn token(header: Value, payload: Value) -> String {
        format!("{}.{}.c2ln", enc(&header), enc(&payload))
    }

    fn v5_payload() -> Value {
        serde_json::json!({"sub": "u", "rsub": "u", "exp": 2, "iat": 1, "sessionHandle": "h",
            "refreshTokenHash1": "r", "parentRefreshTokenHash1": null, "antiCsrfToken": null, "tId": "public"})
    }

    #[test]
    fn parses_v5() {
        let t = token(
            serde_json::json!({"kid": "d-1", "typ": "JWT", "version": "5", "alg": "RS256"}),
            v5_payload(),
        );
        let p = parse(&t).unwrap();
        assert_eq!(p.version, 5);
        assert_eq!(p.kid.as_deref(), Some("d-1"));
        assert_eq!(p.expiry_ms, 2000);
        assert_eq!(p.parent_refresh_token_hash1, None);
        assert!(p.alg_rs256);
    }

    #[test]
    fn rejects_bad_structures() {
        let good_header =
            serde_json::json!({"kid": "d-1", "typ": "JWT", "version": "5", "alg": "RS256"});
        assert!(parse("a.b").is_err());
        assert!(parse("a.b.c.d").is_err());
        assert!(parse("!!.??.x").is_err());
        assert!(parse(&"a".repeat(MAX_TOKEN_LEN + 1)).is_err());
        // numeric version, missing kid, typ not JWT, version < 3
        assert!(
            parse(&token(
                serde_json::json!({"kid": "d-1", "typ": "JWT", "version": 5}),
                v5_payload()
            ))
            .is_err()
        );
        assert!(
            parse(&token(
                serde_json::json!({"typ": "JWT", "version": "5"}),
                v5_payload()
            ))
            .is_err()
        );
        assert!(
            parse(&token(
                serde_json::json!({"kid": "d", "typ": "JWS", "version": "5"}),
                v5_payload()
            ))
            .is_err()
        );
        assert!(
            parse(&token(
                serde_json::json!({"kid": "d", "typ": "JWT", "version": "2"}),
                v5_payload()
            ))
            .is_err()
        );
        let mut p = v5_payload();
        p["stt"] = serde_json::json!(1);
        assert!(parse(&token(good_header.clone(), p)).is_err());
        let mut p = v5_payload();
        p["exp"] = serde_json::json!("soon");
        assert!(parse(&token(good_header.clone(), p)).is_err());
        let mut p = v5_payload();
        p.as_object_mut().unwrap().remove("iat");
        assert!(parse(&token(good_header.clone(), p)).is_err());
        let mut p = v5_payload();
        p.as_object_mut().unwrap().remove("rsub");
        assert!(parse(&token(good_header, p)).is_err());
        // alg none parses (the signature check rejects it later)
        let none = token(
            serde_json::json!({"kid": "d-1", "typ": "JWT", "version": "5", "alg": "none"}),
            v5_payload(),
        );
        assert!(!parse(&none).unwrap().alg_rs256);
    }

    #[test]
    fn strips_protected_claims() {
        let p = v5_payload();
        let mut m = p.as_object().unwrap().clone();
        m.insert("role".into(), Value::from("admin"));
        let u = user_claims(&m);
        assert_eq!(u.len(), 1);
        assert_eq!(u["role"], "admin");
    }
}
