//! Access tokens: parsing and structure checks (SuperTokens' JWT versions 2 to 5) and RS256
//! signature verification. Nothing here panics on bad input.

use std::sync::Arc;

use base64::Engine;
use serde_json::{Map, Value};

/// Access tokens longer than this are rejected unread (the core's are well under 2 KiB).
pub(crate) const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The header segments of legacy (v2) tokens, without their `=` padding. The core wrote v2 tokens
/// in standard base64 with padding (`…In0=`); a header is compared with its padding trimmed.
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

/// A segment of a legacy (v2) token: standard base64, as the core wrote them, padded or not. The
/// reference SDKs read these with Node's lenient base64 decoder, so base64url is accepted too.
fn b64_legacy(segment: &str) -> Result<Vec<u8>, &'static str> {
    use base64::engine::general_purpose::{STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT};
    STANDARD_PAD_INDIFFERENT
        .decode(segment)
        .or_else(|_| URL_SAFE_PAD_INDIFFERENT.decode(segment))
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
    let (version, kid, alg_rs256) = if V2_HEADERS.contains(&header.trim_end_matches('=')) {
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
    let payload = if version == 2 {
        b64_legacy(payload)?
    } else {
        b64url(payload)?
    };
    let payload: Map<String, Value> =
        serde_json::from_slice(&payload).map_err(|_| "Invalid JWT")?;
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

/// Whether the RS256 signature of `token` (of the given access-token `version`) verifies with
/// `key`. A v2 signature is in standard base64; later ones in base64url.
pub(crate) fn signature_ok(token: &str, version: u32, key: &super::jwks::VerifyKey) -> bool {
    let Some((message, signature)) = token.rsplit_once('.') else {
        return false;
    };
    let signature = if version == 2 {
        b64_legacy(signature).ok()
    } else {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(signature)
            .ok()
    };
    let Some(signature) = signature else {
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

    /// A v2 token as the core wrote it: standard base64 everywhere, the header padded.
    fn v2_token(payload: &Value, padded_header: bool) -> String {
        use base64::engine::general_purpose::STANDARD;
        let header = STANDARD.encode(r#"{"alg":"RS256","typ":"JWT","version":"2"}"#);
        assert!(header.ends_with('='));
        let header = if padded_header {
            header.as_str()
        } else {
            header.trim_end_matches('=')
        };
        let payload = STANDARD.encode(payload.to_string());
        format!("{header}.{payload}.{}", STANDARD.encode([0xfb, 0xff, 0x01]))
    }

    fn v2_payload(user_data: &str) -> Value {
        serde_json::json!({"userId": "u", "sessionHandle": "h", "refreshTokenHash1": "r",
            "parentRefreshTokenHash1": null, "antiCsrfToken": "c", "userData": {"d": user_data},
            "expiryTime": 2000, "timeCreated": 1000})
    }

    #[test]
    fn parses_v2_in_standard_base64() {
        // `??>>` makes the payload's base64 hold `+` and `/`, which base64url has not.
        let payload = v2_payload("??>>~~?");
        for padded in [true, false] {
            let t = v2_token(&payload, padded);
            assert!(t.split('.').nth(1).unwrap().contains(['+', '/']), "{t}");
            let p = parse(&t).unwrap();
            assert_eq!(p.version, 2);
            assert_eq!(p.kid, None);
            assert_eq!(&*p.user_id, "u");
            assert_eq!(&*p.session_handle, "h");
            assert_eq!(p.expiry_ms, 2000);
            assert_eq!(p.anti_csrf_token.as_deref(), Some("c"));
            assert_eq!(p.payload["d"], "??>>~~?");
        }
    }

    /// A key pair made once: generating RSA keys is slow.
    fn test_key() -> &'static (aws_lc_rs::rsa::KeyPair, super::super::jwks::VerifyKey) {
        use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
        use aws_lc_rs::signature::KeyPair as _;
        static KEY: std::sync::OnceLock<(KeyPair, super::super::jwks::VerifyKey)> =
            std::sync::OnceLock::new();
        KEY.get_or_init(|| {
            let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
            let public = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
            let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
            let key =
                super::super::jwks::VerifyKey::from_components(&b64(&public.n), &b64(&public.e))
                    .unwrap();
            (pair, key)
        })
    }

    fn rs256(message: &str) -> Vec<u8> {
        let (pair, _) = test_key();
        let mut signature = vec![0; pair.public_modulus_len()];
        pair.sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            message.as_bytes(),
            &mut signature,
        )
        .unwrap();
        signature
    }

    #[test]
    fn reads_each_versions_signature_in_its_own_base64() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let (_, key) = test_key();
        let v2 = v2_token(&v2_payload("x"), true);
        let message = v2.rsplit_once('.').unwrap().0;
        let signature = rs256(message);
        assert!(signature_ok(
            &format!("{message}.{}", STANDARD.encode(&signature)),
            2,
            key
        ));
        let v5 = token(
            serde_json::json!({"kid": "d-1", "typ": "JWT", "version": "5", "alg": "RS256"}),
            v5_payload(),
        );
        let message = v5.rsplit_once('.').unwrap().0;
        let signature = rs256(message);
        assert!(signature_ok(
            &format!("{message}.{}", URL_SAFE_NO_PAD.encode(&signature)),
            5,
            key
        ));
        // A v5 signature is base64url only (a 256-byte one in standard base64 ends in `==`),
        // and a signature of another message fails.
        assert!(!signature_ok(
            &format!("{message}.{}", STANDARD.encode(&signature)),
            5,
            key
        ));
        assert!(!signature_ok(
            &format!("{message}x.{}", URL_SAFE_NO_PAD.encode(&signature)),
            5,
            key
        ));
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

    mod properties {
        use base64::Engine as _;
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
        use proptest::prelude::*;
        use serde_json::{Map, Value};

        use super::super::{PROTECTED_PROPS, parse, signature_ok};
        use super::{test_key, v2_token};

        /// A base64 segment of `bytes`, in one of the encodings tokens arrive in.
        fn segment(bytes: &[u8], encoding: u8) -> String {
            match encoding % 3 {
                0 => URL_SAFE_NO_PAD.encode(bytes),
                1 => STANDARD.encode(bytes),
                _ => STANDARD_NO_PAD.encode(bytes),
            }
        }

        fn json_value() -> impl Strategy<Value = Value> {
            prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(Value::from),
                "\\PC{0,8}".prop_map(Value::from),
                Just(serde_json::json!({})),
            ]
        }

        /// Objects with a random choice of the claims and header fields the parser reads.
        fn json_object() -> impl Strategy<Value = Value> {
            // The claims the core owns, the v2 claims, and the header fields.
            let names: Vec<&str> = PROTECTED_PROPS
                .iter()
                .copied()
                .chain(["userId", "userData", "expiryTime", "timeCreated"])
                .chain(["kid", "typ", "version", "alg"])
                .collect();
            let keys = prop::sample::select(names);
            prop::collection::vec((keys, json_value()), 0..12).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<String, Value>>(),
                )
            })
        }

        proptest! {
            #[test]
            fn parse_never_panics(token in "\\PC{0,200}") {
                let _ = parse(&token);
            }

            #[test]
            fn parse_never_panics_on_base64_parts(
                parts in prop::collection::vec(
                    (prop::collection::vec(any::<u8>(), 0..96), any::<u8>()), 1..5),
            ) {
                let token = parts
                    .iter()
                    .map(|(bytes, encoding)| segment(bytes, *encoding))
                    .collect::<Vec<_>>()
                    .join(".");
                let _ = parse(&token);
            }

            #[test]
            fn parse_never_panics_on_json_parts(
                header in json_object(),
                payload in json_object(),
                encodings in (any::<u8>(), any::<u8>()),
                v2 in any::<bool>(),
            ) {
                let header = if v2 {
                    STANDARD.encode(r#"{"alg":"RS256","typ":"JWT","version":"2"}"#)
                } else {
                    segment(header.to_string().as_bytes(), encodings.0)
                };
                let payload = segment(payload.to_string().as_bytes(), encodings.1);
                if let Ok(p) = parse(&format!("{header}.{payload}.c2ln")) {
                    prop_assert_eq!(p.version == 2, v2);
                }
            }

            #[test]
            fn a_v2_token_reads_back_what_it_holds(
                user_id in "\\PC{1,12}",
                handle in "\\PC{1,12}",
                user_data in "\\PC{0,24}",
                expiry in 0_i64..4_000_000_000_000,
                padded in any::<bool>(),
            ) {
                let payload = serde_json::json!({"userId": user_id, "sessionHandle": handle,
                    "refreshTokenHash1": "r", "userData": {"d": user_data},
                    "expiryTime": expiry, "timeCreated": 0});
                let p = parse(&v2_token(&payload, padded)).unwrap();
                prop_assert_eq!(p.version, 2);
                prop_assert_eq!(&*p.user_id, user_id.as_str());
                prop_assert_eq!(&*p.session_handle, handle.as_str());
                prop_assert_eq!(p.expiry_ms, expiry);
                prop_assert_eq!(&p.payload["d"], &Value::from(user_data));
            }

            #[test]
            fn signature_checks_never_panic(token in "[A-Za-z0-9+/=_.-]{0,400}", version in 2_u32..6) {
                prop_assert!(!signature_ok(&token, version, &test_key().1));
            }
        }
    }
}
