//! Reading and writing the parts of a JWT (base64url JSON segments), to inspect access tokens
//! or build malformed ones.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// A segment decoded: base64url (unpadded) JSON.
///
/// # Panics
/// If it is not.
pub fn decode_segment(segment: &str) -> Value {
    let bytes = URL_SAFE_NO_PAD.decode(segment).expect("unpadded base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}

/// `value` as a segment: its JSON text in base64url, unpadded.
pub fn encode_segment(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// The header of `token`, as written (its JSON text, key order kept).
pub fn header_text(token: &str) -> String {
    let segment = token.split('.').next().expect("a header");
    String::from_utf8(URL_SAFE_NO_PAD.decode(segment).expect("unpadded base64url")).expect("UTF-8")
}

/// The header of `token`.
pub fn header(token: &str) -> Value {
    decode_segment(token.split('.').next().expect("a header"))
}

/// The claims of `token`.
pub fn payload(token: &str) -> Value {
    decode_segment(token.split('.').nth(1).expect("a payload"))
}

/// The `kid` of `token`'s header.
pub fn kid(token: &str) -> String {
    header(token)["kid"].as_str().expect("a kid").to_owned()
}

/// `token` with its header replaced by `header` (signature kept).
pub fn with_header(token: &str, header: &Value) -> String {
    let (_, rest) = token.split_once('.').expect("a JWT");
    format!("{}.{rest}", encode_segment(header))
}
