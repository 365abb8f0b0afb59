//! Passwordless: devices, codes and the `/<t>/recipe/signinup/...` endpoints.
//!
//! A *device* is one sign-in attempt for one e-mail or phone number; it holds one or more codes
//! (one per send or resend). The identifiers are the real core's:
//!
//! * `deviceId`: standard base64 (padded) of 32 random bytes. Never stored.
//! * `preAuthSessionId`: base64url (unpadded) of sha256(deviceId bytes): the device's key.
//! * `userInputCode`: 6 random digits, or the caller's own code.
//! * `linkCode`: base64url (unpadded) of HMAC-SHA256(key = deviceId bytes ‖ salt, userInputCode).
//!   Only sha256(linkCode) is stored, so a database leak reveals neither codes nor links.
//!
//! Rules (as the real core): a wrong code counts as a failed attempt, and so does a right code
//! that has expired (the device is kept, so a resend then works); the attempt that reaches
//! `max_code_input_attempts` deletes the device and answers `RESTART_FLOW_ERROR`. A wrong or
//! expired link code restarts the flow without counting. A successful consume deletes every
//! device of that e-mail or phone number and creates the user if there is none.
//!
//! **Code lifetime: 10 minutes by default** ([`EmbeddedCoreConfig::code_lifetime`]), stricter
//! than the real core's 15 minutes, following OWASP ASVS. Devices whose codes have all been
//! expired for a further code lifetime are deleted lazily (checked at most once a minute, on
//! code creation).
//!
//! * [`codes`]: the identifiers and codes, and how they are derived.
//! * [`storage`]: devices and codes in SQLite.
//! * [`handlers`]: the endpoints.
//!
//! [`EmbeddedCoreConfig::code_lifetime`]: crate::EmbeddedCoreConfig::code_lifetime

mod codes;
mod handlers;
pub(crate) mod state;
mod storage;

use axum::Router;
use axum::routing::{get, post};

use crate::state::SharedState;

pub(crate) use storage::MIGRATIONS;

pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/recipe/signinup/code", post(handlers::create_code))
        .route(
            "/recipe/signinup/code/consume",
            post(handlers::consume_code),
        )
        .route("/recipe/signinup/code/check", post(handlers::check_code))
        .route("/recipe/signinup/code/remove", post(handlers::remove_code))
        .route(
            "/recipe/signinup/codes/remove",
            post(handlers::remove_codes),
        )
        .route("/recipe/signinup/codes", get(handlers::list_codes))
}
