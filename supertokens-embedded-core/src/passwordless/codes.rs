//! The identifiers and codes of a sign-in attempt, derived as the real core derives them.

use aws_lc_rs::{digest, hmac, rand};
use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, PAD_INDIFFERENT, URL_SAFE_NO_PAD};

use crate::http::CoreHttpError;

pub(super) fn random<const N: usize>() -> Result<[u8; N], CoreHttpError> {
    let mut bytes = [0u8; N];
    rand::fill(&mut bytes).map_err(|_| CoreHttpError::internal("the system CSPRNG failed"))?;
    Ok(bytes)
}

/// Six uniformly random digits (rejection sampling, so no digit is more likely than another).
pub(super) fn random_user_input_code() -> Result<String, CoreHttpError> {
    const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000);
    loop {
        let n = u32::from_le_bytes(random::<4>()?);
        if n < LIMIT {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// The preAuthSessionId of a device id.
pub(super) fn device_id_hash(device_id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, device_id))
}

pub(super) fn link_code(device_id: &[u8], salt: &[u8], user_input_code: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(device_id.len() + salt.len());
    key.extend_from_slice(device_id);
    key.extend_from_slice(salt);
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key);
    hmac::sign(&key, user_input_code.as_bytes())
        .as_ref()
        .to_vec()
}

pub(super) fn link_code_hash(link_code: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, link_code))
}

/// Decoders as lenient as the real core's: padding optional, unused trailing bits ignored.
const LENIENT_STANDARD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    PAD_INDIFFERENT.with_decode_allow_trailing_bits(true),
);
const LENIENT_URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    PAD_INDIFFERENT.with_decode_allow_trailing_bits(true),
);

pub(super) fn decode_device_id(device_id: &str) -> Result<Vec<u8>, CoreHttpError> {
    LENIENT_STANDARD
        .decode(device_id.trim())
        .map_err(|_| CoreHttpError::bad_request("Input encoding error in deviceId"))
}

pub(super) fn decode_link_code(link_code: &str) -> Result<Vec<u8>, CoreHttpError> {
    LENIENT_URL_SAFE
        .decode(link_code.trim())
        .map_err(|_| CoreHttpError::bad_request("Input encoding error in linkCode"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_auth_session_id_matches_a_real_core_pair() {
        // deviceId and preAuthSessionId returned together by a SuperTokens Core 10.1.4.
        let device_id = decode_device_id("GzdKblivqYuM+XLRquuxCR2T4sWZtbSwoCroINH9oQ8=").unwrap();
        assert_eq!(
            device_id_hash(&device_id),
            "sTNCDJ0p7cIz9Wi9fnSOkkMyq1Z1AXR-Omd21o_uzVw"
        );
        // Padding is optional on input.
        let unpadded = decode_device_id("GzdKblivqYuM+XLRquuxCR2T4sWZtbSwoCroINH9oQ8").unwrap();
        assert_eq!(unpadded, device_id);
    }

    #[test]
    fn link_codes_are_hmacs_of_the_code_keyed_by_device_and_salt() {
        let device = [7u8; 32];
        let salt = [9u8; 32];
        let link = link_code(&device, &salt, "123456");
        assert_eq!(link.len(), 32);
        assert_eq!(URL_SAFE_NO_PAD.encode(&link).len(), 43);
        assert_eq!(link, link_code(&device, &salt, "123456"));
        assert_ne!(link, link_code(&device, &salt, "123457"));
        assert_ne!(link, link_code(&device, &[8u8; 32], "123456"));
        assert_ne!(link, link_code(&[6u8; 32], &salt, "123456"));
        // HMAC-SHA256 with key = device ‖ salt, computed independently.
        let mut key = device.to_vec();
        key.extend_from_slice(&salt);
        let expected = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), b"123456");
        assert_eq!(link, expected.as_ref());
        // Only the hash is stored, and it is not the link code itself.
        let stored = link_code_hash(&link);
        assert_ne!(stored, URL_SAFE_NO_PAD.encode(&link));
        let decoded = decode_link_code(&format!("{}=", URL_SAFE_NO_PAD.encode(&link))).unwrap();
        assert_eq!(link_code_hash(&decoded), stored);
    }

    #[test]
    fn user_input_codes_are_six_uniform_digits() {
        let mut seen = [[false; 10]; 6];
        for _ in 0..2000 {
            let code = random_user_input_code().unwrap();
            assert_eq!(code.len(), 6);
            for (pos, c) in code.chars().enumerate() {
                let d = c.to_digit(10).expect("a digit") as usize;
                seen[pos][d] = true;
            }
        }
        assert!(seen.iter().all(|p| p.iter().all(|d| *d)), "{seen:?}");
    }

    #[test]
    fn malformed_identifiers_are_bad_requests() {
        assert_eq!(decode_device_id("%%%").unwrap_err().status, 400);
        assert_eq!(decode_link_code("not base64!").unwrap_err().status, 400);
    }
}
