//! Passwordless sign-in: one-time codes and magic links, by e-mail and/or SMS.
//!
//! Configure it with [`PasswordlessConfig`]; the frontend APIs (`/signinup/code`,
//! `/signinup/code/resend`, `/signinup/code/consume`, the exists checks) are served by
//! [`crate::router`]. For custom flows (sign-in from your own handlers, admin tools, tests) use
//! the recipe functions of [`PasswordlessRecipe`], reached with
//! [`SuperTokens::passwordless`](crate::SuperTokens::passwordless):
//!
//! ```no_run
//! # async fn demo(st: supertokens::SuperTokens) -> Result<(), Box<dyn std::error::Error>> {
//! use supertokens::passwordless::Contact;
//!
//! let passwordless = st.passwordless().expect("the passwordless recipe is enabled");
//! let link = passwordless
//!     .create_magic_link("public", Contact::Email("ada@example.com".into()))
//!     .await?;
//! println!("invite link: {link}");
//! # Ok(()) }
//! ```
//!
//! # Frontend API
//!
//! | method | path (under `api_base_path`, optionally after `/<tenantId>`) | |
//! |---|---|---|
//! | POST | `/signinup/code` | creates a code and sends it |
//! | POST | `/signinup/code/resend` | sends a new code to the same device |
//! | POST | `/signinup/code/consume` | signs in with the code or the magic link, and creates a session |
//! | GET | `/passwordless/email/exists`, `/signup/email/exists` | `?email=` |
//! | GET | `/passwordless/phonenumber/exists`, `/signup/phonenumber/exists` | `?phoneNumber=` |
//!
//! Answers follow the official SuperTokens SDKs (same messages, status codes and JSON shapes;
//! the consume answer follows the request's `fdi-version`). Magic links have the form
//! `{website_domain}{website_base_path}/verify?preAuthSessionId=…&tenantId=…#{linkCode}`; the
//! website's page posts the link code to `/signinup/code/consume` (opening a link never signs
//! anyone in by itself).
//!
//! Where this SDK deliberately differs:
//!
//! * **Send limits** (on by default, see [`SendLimits`]): too many sends answer
//!   `429 {"status":"RATE_LIMITED","message":…,"retryAfterSeconds":N}` with `Retry-After`.
//! * **Malformed requests** (invalid JSON, a body that is not an object, a field of the wrong
//!   type) answer `400 {"message":…}`; the official SDKs answer some of them with a 500.
//! * **Input the flow never sent** is refused with a 400: a one-time code when the flow type is
//!   `MAGIC_LINK`, a link code when it is `USER_INPUT_CODE` (the official SDKs accept both,
//!   which only gives guessers another way in).
//! * **A tenant the core does not know** answers `404 {"message":"Unknown tenant"}` (not a 500).
//! * `shouldTryLinkingWithSessionUser` is type-checked and otherwise ignored: there is no
//!   account linking.

pub(crate) mod api;
mod client_ip;
mod config;
mod error;
mod functions;
mod limits;
mod recipe;
mod validate;

pub use client_ip::ClientIp;
pub use config::{
    CodeGenerator, EmailValidator, PasswordlessApi, PasswordlessConfig, PhoneValidator,
};
pub use error::PasswordlessError;
pub use functions::{CodesFilter, Contact, PasswordlessFunctions};
#[cfg(feature = "redis")]
pub use limits::RedisStore;
pub use limits::{
    Attempt, BackOff, Key, KeyKind, LimitStore, LimitStoreError, MemoryStore, RateLimited, Record,
    Refusal, Rule, SendLimits,
};
pub use recipe::{CreatedCode, PasswordlessRecipe, SignedInUp};
pub use supertokens_rules::passwordless::{ContactMethod, FlowType};

// What a delivery service or a functions override names, so one `use` of this module does.
pub use crate::core::CoreError;
pub use crate::core::cdi::{
    CheckCodeResponse, ConsumeCodeRequest, ConsumeCodeResponse, ConsumedDevice, CreateCodeRequest,
    CreateCodeResponse, DeviceInfo, LoginMethod, UpdateUserRequest, UpdateUserResponse, User,
};
pub use crate::delivery::{DeliveryError, EmailDelivery, LoginMessage, SmsDelivery};
pub use crate::future::BoxFuture;
