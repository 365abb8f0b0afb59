//! Wrong codes and tokens that are certain to be wrong.
//!
//! Changing the last character of unpadded base64 is not enough: it carries only some bits of
//! the last byte, and the rest are padding a decoder may ignore, so a "changed" link code or
//! signature can decode to the same bytes and be accepted (this made a test fail now and then).
//! [`flip_a_bit`] changes the decoded bytes themselves.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Base64url (unpadded, like link codes and JWT segments) whose decoded bytes differ from those
/// of `text` in the lowest bit of the first byte.
///
/// # Panics
/// If `text` is not unpadded base64url of at least one byte.
pub fn flip_a_bit(text: &str) -> String {
    let right = URL_SAFE_NO_PAD.decode(text).expect("unpadded base64url");
    let mut bytes = right.clone();
    *bytes.first_mut().expect("at least one byte") ^= 1;
    let wrong = URL_SAFE_NO_PAD.encode(&bytes);
    assert_ne!(
        URL_SAFE_NO_PAD.decode(&wrong).expect("unpadded base64url"),
        right,
        "the wrong text must decode to other bytes"
    );
    wrong
}

/// A magic link's code that decodes to other bytes than `link_code`.
pub fn wrong_link_code(link_code: &str) -> String {
    flip_a_bit(link_code)
}

/// A one-time code of the same length that is not `code`: each digit moved up by one.
pub fn wrong_user_input_code(code: &str) -> String {
    code.chars()
        .map(|c| {
            let digit = c.to_digit(10).expect("a digit");
            char::from_digit((digit + 1) % 10, 10).expect("a digit")
        })
        .collect()
}

/// `token` (a JWT) with its signature changed in one bit: the same header and claims, a
/// signature that cannot verify.
pub fn forge_signature(token: &str) -> String {
    let (signed, signature) = token.rsplit_once('.').expect("a JWT");
    format!("{signed}.{}", flip_a_bit(signature))
}
