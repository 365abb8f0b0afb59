//! The Core Driver Interface (CDI) shared by the SDK's core client and the embedded core: the
//! typed requests and responses of the CDI endpoints the passwordless and session flows use, and
//! the [`Clock`] both sides read, and
//! [`Secret`], the string type of keys and passwords.
//!
//! Both sides use these types: the SDK's recipes send requests and read responses, and the
//! embedded core reads requests and writes responses. Field names are the core's (camelCase);
//! business outcomes are HTTP 200 with a `status` tag, as the core answers them.
//!
//! Users of the SDK reach them as `supertokens::core::cdi` and `supertokens::Clock`.
#![deny(missing_docs)]

mod clock;
mod multitenancy;
mod passwordless;
mod secret;
mod session;
mod user_metadata;
mod user_roles;
mod users;

pub use clock::Clock;
pub use multitenancy::*;
pub use passwordless::*;
pub use secret::Secret;
pub use session::*;
pub use user_metadata::*;
pub use user_roles::*;
pub use users::*;

use serde::{Deserialize, Serialize};

/// `GET /apiversion`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiVersionResponse {
    /// Supported CDI versions, unordered.
    pub versions: Vec<String>,
}

/// One RSA public key of the core's JWKS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Always `RSA`.
    pub kty: String,
    /// `d-<createdAtMs>` for dynamic keys, `s-<uuid>` for the static key.
    pub kid: String,
    /// Modulus, base64url.
    pub n: String,
    /// Exponent, base64url.
    pub e: String,
    /// Always `RS256`.
    pub alg: String,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub use_: String,
}

/// `GET /.well-known/jwks.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

/// `GET /<tenant>/recipe/multitenancy/tenant/v2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum TenantResponse {
    /// The tenant exists.
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// The tenant id.
        tenant_id: String,
        /// Third-party providers (always empty here).
        third_party: serde_json::Value,
        /// Per-tenant core configuration.
        core_config: serde_json::Value,
    },
    /// No such tenant.
    #[serde(rename = "TENANT_NOT_FOUND_ERROR")]
    TenantNotFound,
}

/// The path of a tenant-scoped CDI endpoint: `/<tenant_id><path>`.
pub fn tenant_path(tenant_id: &str, path: &str) -> String {
    format!("/{tenant_id}{path}")
}
