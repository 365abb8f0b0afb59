//! The embedded core: a SuperTokens Core for passwordless sign-in and sessions over SQLite, from
//! the `supertokens-embedded-core` crate (the default `embedded-core` feature).
//!
//! Without `connection_uri`, [`SuperTokens::new`](crate::SuperTokens::new) opens it with the
//! settings given to [`ConfigBuilder::embedded_core`](crate::ConfigBuilder::embedded_core) and
//! calls it in-process. It is for one machine; many app instances share a SuperTokens Core
//! cluster instead.
//!
//! ```
//! use supertokens::embedded::{Database, EmbeddedCoreConfig};
//!
//! let builder = supertokens::Config::builder().embedded_core(EmbeddedCoreConfig {
//!     database: Database::Memory,
//!     ..EmbeddedCoreConfig::default()
//! });
//! ```

pub use supertokens_embedded_core::{
    Database, EmbeddedCore, EmbeddedCoreConfig, EmbeddedCoreError, EmbeddedCoreService,
    RequestLogTarget,
};
