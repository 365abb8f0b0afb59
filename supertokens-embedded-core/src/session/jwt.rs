//! Access tokens: JWT v5, RS256, signed with aws-lc-rs.
//!
//! The header is written byte for byte as the SuperTokens Core writes it
//! (`{"kid":…,"typ":"JWT","version":"5","alg":"RS256"}`), which a JSON library with sorted maps
//! would not do, so header and payload are assembled here.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::KeyPair as _;
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Map, Value};

use super::keys::SigningKey;

/// Claims the core sets itself; a custom payload may not contain them.
pub(super) const PROTECTED_CLAIMS: &[&str] = &[
    "sub",
    "exp",
    "iat",
    "sessionHandle",
    "refreshTokenHash1",
    "parentRefreshTokenHash1",
    "antiCsrfToken",
    "tId",
    "rsub",
];

/// The answer to a custom payload that names a protected claim.
pub(super) const PROTECTED_FIELD_MESSAGE: &str = "The user payload contains protected field";

/// Whether `payload` contains a claim the core sets itself.
pub(super) fn has_protected_claim(payload: &Map<String, Value>) -> bool {
    PROTECTED_CLAIMS.iter().any(|c| payload.contains_key(*c))
}

/// A request's payload that sets a claim the core sets itself is a bad request.
pub(super) fn refuse_protected_claims(
    payload: &Map<String, Value>,
) -> Result<(), crate::http::CoreHttpError> {
    if has_protected_claim(payload) {
        return Err(crate::http::CoreHttpError::bad_request(
            PROTECTED_FIELD_MESSAGE,
        ));
    }
    Ok(())
}

/// The content of an access token.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct AccessClaims {
    /// Primary user id.
    pub(super) sub: String,
    /// Recipe user id.
    pub(super) rsub: String,
    /// Expiry, seconds since the epoch.
    pub(super) exp: i64,
    /// Issue time, seconds since the epoch.
    pub(super) iat: i64,
    pub(super) session_handle: String,
    pub(super) refresh_token_hash1: String,
    pub(super) parent_refresh_token_hash1: Option<String>,
    pub(super) anti_csrf_token: Option<String>,
    pub(super) tenant_id: String,
    /// Custom claims, at the top level of the payload.
    pub(super) custom: Map<String, Value>,
}

/// The payload in the order the core writes it; the custom claims follow.
#[derive(Serialize)]
struct Payload<'a> {
    sub: &'a str,
    exp: i64,
    iat: i64,
    #[serde(rename = "tId")]
    tenant_id: &'a str,
    rsub: &'a str,
    #[serde(rename = "sessionHandle")]
    session_handle: &'a str,
    #[serde(rename = "refreshTokenHash1")]
    refresh_token_hash1: &'a str,
    #[serde(rename = "parentRefreshTokenHash1")]
    parent_refresh_token_hash1: Option<&'a str>,
    #[serde(rename = "antiCsrfToken")]
    anti_csrf_token: Option<&'a str>,
    #[serde(flatten)]
    custom: &'a Map<String, Value>,
}

/// A token could not be signed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(super) struct SignError(String);

/// Signs `claims` with `key`. The custom claims must not contain a protected claim (checked by
/// the callers, which answer 400 for it); a collision is refused here as well.
pub(super) fn sign(key: &SigningKey, claims: &AccessClaims) -> Result<String, SignError> {
    if has_protected_claim(&claims.custom) {
        return Err(SignError(PROTECTED_FIELD_MESSAGE.into()));
    }
    let header = format!(
        r#"{{"kid":{},"typ":"JWT","version":"5","alg":"RS256"}}"#,
        Value::String(key.kid.clone())
    );
    let payload = serde_json::to_vec(&Payload {
        sub: &claims.sub,
        exp: claims.exp,
        iat: claims.iat,
        tenant_id: &claims.tenant_id,
        rsub: &claims.rsub,
        session_handle: &claims.session_handle,
        refresh_token_hash1: &claims.refresh_token_hash1,
        parent_refresh_token_hash1: claims.parent_refresh_token_hash1.as_deref(),
        anti_csrf_token: claims.anti_csrf_token.as_deref(),
        custom: &claims.custom,
    })
    .map_err(|e| SignError(format!("cannot encode the payload: {e}")))?;
    sign_compact(
        &key.pair,
        &URL_SAFE_NO_PAD.encode(header),
        &URL_SAFE_NO_PAD.encode(payload),
    )
}

/// The compact JWS `header.payload.signature` for already encoded parts (RS256,
/// RSASSA-PKCS1-v1_5 with SHA-256, deterministic).
pub(super) fn sign_compact(
    pair: &aws_lc_rs::rsa::KeyPair,
    header_b64: &str,
    payload_b64: &str,
) -> Result<String, SignError> {
    let signing_input = format!("{header_b64}.{payload_b64}");
    let mut signature = vec![0u8; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| SignError("RSA signing failed".into()))?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

/// Why an access token was not accepted. The messages are the core's: the SDK passes them on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TokenError {
    /// Not a JWT, or not one of ours (v3+ with a `kid`).
    Malformed(&'static str),
    /// Signed with a key we do not have (any more).
    KeyNotFound,
    /// The signature does not match.
    BadSignature,
    /// A required claim is missing or has the wrong type.
    MissingClaim(&'static str),
}

impl TokenError {
    pub(super) fn message(&self) -> String {
        match self {
            TokenError::Malformed(m) => (*m).to_owned(),
            TokenError::KeyNotFound => "Key not found".to_owned(),
            TokenError::BadSignature => "JWT verification failed".to_owned(),
            TokenError::MissingClaim(c) => format!(
                "Access token does not contain all the information. Maybe the structure has changed? {c}"
            ),
        }
    }
}

/// A JWT split into its parts, signature not yet checked.
pub(super) struct Unverified<'a> {
    pub(super) kid: String,
    version: u32,
    signing_input: &'a str,
    signature: Vec<u8>,
    payload: Map<String, Value>,
}

/// Splits and decodes `token` (no signature check).
pub(super) fn decode(token: &str) -> Result<Unverified<'_>, TokenError> {
    const INVALID: TokenError = TokenError::Malformed("Invalid JWT");
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(INVALID);
    };
    let signing_input = &token[..header.len() + 1 + payload.len()];
    let header: Map<String, Value> = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(INVALID)?;
    let mismatch = TokenError::Malformed("JWT header mismatch");
    if header.get("alg").and_then(Value::as_str) != Some("RS256")
        || header.get("typ").and_then(Value::as_str) != Some("JWT")
    {
        return Err(mismatch);
    }
    // Legacy v1/v2 tokens carry no `kid`; we never issued them.
    let version = match header.get("version") {
        Some(Value::String(v)) => v.parse::<u32>().map_err(|_| mismatch.clone())?,
        None => 3,
        Some(_) => return Err(mismatch),
    };
    if version < 3 {
        return Err(mismatch);
    }
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or(mismatch)?
        .to_owned();
    let payload: Map<String, Value> = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(INVALID)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| INVALID)?;
    Ok(Unverified {
        kid,
        version,
        signing_input,
        signature,
        payload,
    })
}

impl Unverified<'_> {
    /// Checks the signature with `key` and reads the claims.
    pub(super) fn verify(self, key: &SigningKey) -> Result<AccessClaims, TokenError> {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.pair.public_key().as_ref())
            .verify(self.signing_input.as_bytes(), &self.signature)
            .map_err(|_| TokenError::BadSignature)?;
        self.claims()
    }

    /// Reads the claims without checking the signature.
    pub(super) fn claims(self) -> Result<AccessClaims, TokenError> {
        let mut payload = self.payload;
        let string = |p: &mut Map<String, Value>, name: &'static str| match p.remove(name) {
            Some(Value::String(s)) => Ok(s),
            _ => Err(TokenError::MissingClaim(name)),
        };
        let seconds = |p: &mut Map<String, Value>, name: &'static str| {
            p.remove(name)
                .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
                .ok_or(TokenError::MissingClaim(name))
        };
        let nullable = |p: &mut Map<String, Value>, name: &'static str| match p.remove(name) {
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Null) => Ok(None),
            _ => Err(TokenError::MissingClaim(name)),
        };
        let sub = string(&mut payload, "sub")?;
        let exp = seconds(&mut payload, "exp")?;
        let iat = seconds(&mut payload, "iat")?;
        let session_handle = string(&mut payload, "sessionHandle")?;
        let refresh_token_hash1 = string(&mut payload, "refreshTokenHash1")?;
        let parent_refresh_token_hash1 = nullable(&mut payload, "parentRefreshTokenHash1")?;
        let anti_csrf_token = nullable(&mut payload, "antiCsrfToken")?;
        // v3 tokens predate tenants, v4 tokens recipe user ids.
        let tenant_id = if self.version >= 4 {
            string(&mut payload, "tId")?
        } else {
            "public".to_owned()
        };
        let rsub = if self.version >= 5 {
            string(&mut payload, "rsub")?
        } else {
            sub.clone()
        };
        Ok(AccessClaims {
            sub,
            rsub,
            exp,
            iat,
            session_handle,
            refresh_token_hash1,
            parent_refresh_token_hash1,
            anti_csrf_token,
            tenant_id,
            custom: payload,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rsa::{KeyPair, KeySize};

    /// RFC 7520 §4.1 ("RSA v1.5 Signature"): the key of §3.4, the payload of §4, the protected
    /// header and the compact serialization of §4.1. PKCS#1 v1.5 is deterministic, so our signer
    /// must reproduce the RFC's output byte for byte.
    #[test]
    fn reproduces_the_rfc7520_rs256_example_byte_for_byte() {
        let vector: Value =
            serde_json::from_str(include_str!("testdata/rfc7520_4_1.json")).unwrap();
        let b = |name: &str| {
            URL_SAFE_NO_PAD
                .decode(vector["key"][name].as_str().unwrap())
                .unwrap()
        };
        let pair = KeyPair::from_components(&aws_lc_rs::rsa::KeyPairComponents {
            public_key: aws_lc_rs::rsa::PublicKeyComponents {
                n: b("n"),
                e: b("e"),
            },
            d: b("d"),
            p: b("p"),
            q: b("q"),
            dP: b("dp"),
            dQ: b("dq"),
            qInv: b("qi"),
        })
        .unwrap();
        let text = |name: &str| vector[name].as_str().unwrap().to_owned();
        let jws = sign_compact(&pair, &text("protected"), &text("payload")).unwrap();
        assert_eq!(jws, text("compact"));
        assert!(jws.ends_with(&text("signature")));
    }

    fn test_key(kid: &str) -> SigningKey {
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let jwk = super::super::keys::public_jwk(kid, &pair);
        SigningKey {
            kid: kid.into(),
            created_at: 0,
            pair,
            jwk,
        }
    }

    fn claims() -> AccessClaims {
        let mut custom = Map::new();
        custom.insert("iss".into(), "https://api.example.com/auth".into());
        custom.insert("st-ev".into(), serde_json::json!({"v": true}));
        AccessClaims {
            sub: "user-1".into(),
            rsub: "user-1".into(),
            exp: 1_700_003_600,
            iat: 1_700_000_000,
            session_handle: "h-1".into(),
            refresh_token_hash1: "abc".into(),
            parent_refresh_token_hash1: None,
            anti_csrf_token: Some("csrf".into()),
            tenant_id: "public".into(),
            custom,
        }
    }

    #[test]
    fn header_is_written_in_the_cores_order() {
        let key = test_key("d-1700000000000");
        let token = sign(&key, &claims()).unwrap();
        let header = URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap();
        assert_eq!(
            String::from_utf8(header).unwrap(),
            r#"{"kid":"d-1700000000000","typ":"JWT","version":"5","alg":"RS256"}"#
        );
    }

    #[test]
    fn payload_has_every_v5_claim_and_the_custom_ones_at_the_top_level() {
        let key = test_key("d-1");
        let token = sign(&key, &claims()).unwrap();
        let payload: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            payload,
            serde_json::json!({
                "sub": "user-1", "exp": 1_700_003_600, "iat": 1_700_000_000, "tId": "public",
                "rsub": "user-1", "sessionHandle": "h-1", "refreshTokenHash1": "abc",
                "parentRefreshTokenHash1": null, "antiCsrfToken": "csrf",
                "iss": "https://api.example.com/auth", "st-ev": {"v": true}
            })
        );
    }

    #[test]
    fn a_signed_token_verifies_and_round_trips() {
        let key = test_key("d-1");
        let token = sign(&key, &claims()).unwrap();
        let decoded = decode(&token).unwrap();
        assert_eq!(decoded.kid, "d-1");
        assert_eq!(decoded.verify(&key).unwrap(), claims());
    }

    #[test]
    fn a_token_verifies_with_jsonwebtoken_against_our_jwk() {
        let key = test_key("d-42");
        let token = sign(&key, &claims()).unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some("d-42"));
        assert_eq!(
            header.extras.get::<String>("version").unwrap().as_deref(),
            Some("5")
        );
        let decoding =
            jsonwebtoken::DecodingKey::from_rsa_components(&key.jwk.n, &key.jwk.e).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Value>(&token, &decoding, &validation).unwrap();
        assert_eq!(data.claims["sessionHandle"], "h-1");
        // A different key must not verify it.
        let other = test_key("d-43");
        let wrong =
            jsonwebtoken::DecodingKey::from_rsa_components(&other.jwk.n, &other.jwk.e).unwrap();
        assert!(jsonwebtoken::decode::<Value>(&token, &wrong, &validation).is_err());
    }

    #[test]
    fn tampering_is_detected() {
        let key = test_key("d-1");
        let token = sign(&key, &claims()).unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut forged = claims();
        forged.sub = "someone-else".into();
        let forged_token = sign(&key, &forged).unwrap();
        parts[1] = forged_token.split('.').nth(1).unwrap().to_owned();
        let tampered = parts.join(".");
        assert_eq!(
            decode(&tampered).unwrap().verify(&key),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            decode(&token).unwrap().verify(&test_key("d-1")),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            "!!.??.##",
            "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
            // {"alg":"RS256","typ":"JWT","version":5} – a number, not a string
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsInZlcnNpb24iOjV9.e30.c2ln",
        ] {
            assert!(
                matches!(decode(bad), Err(TokenError::Malformed(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn missing_claims_are_named() {
        let key = test_key("d-1");
        let header =
            URL_SAFE_NO_PAD.encode(r#"{"kid":"d-1","typ":"JWT","version":"5","alg":"RS256"}"#);
        let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"u","exp":1,"iat":1}"#);
        let token = sign_compact(&key.pair, &header, &payload).unwrap();
        assert_eq!(
            decode(&token).unwrap().verify(&key),
            Err(TokenError::MissingClaim("sessionHandle"))
        );
    }

    #[test]
    fn protected_claims_in_the_custom_payload_are_refused() {
        let key = test_key("d-1");
        let mut c = claims();
        c.custom.insert("sub".into(), "x".into());
        assert!(sign(&key, &c).is_err());
        assert!(has_protected_claim(&c.custom));
        assert!(!has_protected_claim(&claims().custom));
    }
}
