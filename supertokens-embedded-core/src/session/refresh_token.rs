//! Refresh tokens: `<sealed>.<nonce>.V2`, opaque to everyone but this core.
//!
//! The sealed part is AES-256-GCM over a small JSON record (session handle, user, the hash of the
//! parent token for a child token, the anti-CSRF token). Sealing, not just random bytes, is what
//! lets the legacy rotation recognise a child token without storing it: the database keeps only
//! `sha256(sha256(parent))`, and the child proves its parent with an authenticated
//! `parentRefreshTokenHash1`.

use aws_lc_rs::aead::{Aad, LessSafeKey, NONCE_LEN, Nonce};
use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// Binds sealed records to their use.
const AAD: &[u8] = b"supertokens refresh token v2";

/// What a refresh token carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RefreshTokenInfo {
    pub(super) session_handle: String,
    pub(super) user_id: String,
    /// `sha256(parent)` for a child token, `None` for a token the database holds.
    pub(super) parent_refresh_token_hash1: Option<String>,
    pub(super) anti_csrf_token: Option<String>,
}

/// Seals `info` into a new refresh token.
pub(super) fn seal(key: &LessSafeKey, info: &RefreshTokenInfo) -> Option<String> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).ok()?;
    let mut data = serde_json::to_vec(info).ok()?;
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(AAD),
        &mut data,
    )
    .ok()?;
    Some(format!("{}.{}.V2", STANDARD.encode(&data), hex(&nonce)))
}

/// Opens a refresh token; `None` if it is not one of ours (or was altered).
pub(super) fn open(key: &LessSafeKey, token: &str) -> Option<RefreshTokenInfo> {
    let mut parts = token.split('.');
    let (Some(sealed), Some(nonce), Some("V2"), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let nonce: [u8; NONCE_LEN] = unhex(nonce)?.try_into().ok()?;
    let mut data = STANDARD.decode(sealed).ok()?;
    let plain = key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(AAD),
            &mut data,
        )
        .ok()?;
    serde_json::from_slice(plain).ok()
}

/// Lower-case hex of SHA-256.
pub(super) fn sha256_hex(data: &str) -> String {
    hex(digest(&SHA256, data.as_bytes()).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::aead::{AES_256_GCM, UnboundKey};

    fn key(byte: u8) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[byte; 32]).unwrap())
    }

    fn info() -> RefreshTokenInfo {
        RefreshTokenInfo {
            session_handle: "h".into(),
            user_id: "u".into(),
            parent_refresh_token_hash1: Some("p".into()),
            anti_csrf_token: None,
        }
    }

    #[test]
    fn sealed_tokens_open_with_the_same_key_only() {
        let token = seal(&key(1), &info()).unwrap();
        assert!(token.ends_with(".V2"));
        assert_eq!(open(&key(1), &token), Some(info()));
        assert_eq!(open(&key(2), &token), None);
    }

    #[test]
    fn two_tokens_for_the_same_session_differ() {
        assert_ne!(seal(&key(1), &info()), seal(&key(1), &info()));
    }

    #[test]
    fn altered_or_foreign_tokens_do_not_open() {
        let token = seal(&key(1), &info()).unwrap();
        let mut bytes = token.clone().into_bytes();
        bytes[3] = if bytes[3] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(bytes).unwrap();
        for bad in [
            altered.as_str(),
            "",
            "x.y.V2",
            "abc",
            "a.b.c.d",
            &token.replace(".V2", ".V1"),
        ] {
            assert_eq!(open(&key(1), bad), None, "{bad:?}");
        }
    }

    #[test]
    fn sha256_is_lower_case_hex() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
