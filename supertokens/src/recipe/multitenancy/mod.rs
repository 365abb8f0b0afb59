//! Multitenancy: the tenants of an app and which users belong to them, over the core's
//! multitenancy APIs, and the frontend's `GET /auth/<tenantId>/loginmethods`.
//!
//! Every app has the `public` tenant; create others with
//! [`MultitenancyRecipe::create_or_update_tenant`]. A tenant's frontend routes are the same
//! routes under `/auth/<tenantId>/…`; a sign-in there gives a user of that tenant and a session
//! whose [`tenant_id`](crate::session::SessionContainer::tenant_id) is it. A tenant that lists
//! its `first_factors` allows only those: a sign-in with a factor it does not list is answered
//! 401, as the official SDKs answer it.
//!
//! ```no_run
//! # async fn demo(st: supertokens::SuperTokens) -> Result<(), supertokens::core::CoreError> {
//! use supertokens::multitenancy::TenantSettings;
//!
//! let tenants = st.multitenancy();
//! tenants
//!     .create_or_update_tenant("customer1", TenantSettings::new().first_factors(["otp-email"]))
//!     .await?;
//! # Ok(())
//! # }
//! ```

pub(crate) mod api;
mod recipe;

pub use recipe::{MultitenancyRecipe, TenantSettings};
pub use supertokens_cdi::{AssociateUserResponse, TenantConfig};
