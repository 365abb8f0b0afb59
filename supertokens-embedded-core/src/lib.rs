//! An embedded SuperTokens core: a Core Driver Interface (CDI) server for passwordless sign-in
//! and sessions, over SQLite.
//!
//! The `supertokens` SDK opens it in-process when no `connection_uri` is set (its default
//! `embedded-core` feature) and calls it with no socket in between. The `embedded-core` binary
//! serves it on a port, so any SuperTokens backend can use it as its core:
//!
//! ```text
//! cargo run -p supertokens-embedded-core -- --addr 127.0.0.1:3567 --db <path | :memory:>
//! ```
//!
//! It is for one machine: development, tests and small deployments. Many app instances share a
//! SuperTokens Core cluster instead (set `connection_uri` in the SDK).
//!
//! [`EmbeddedCore::open`] opens the database with an [`EmbeddedCoreConfig`];
//! [`EmbeddedCore::service`] is the CDI server as a tower service.
//!
//! # Layout
//!
//! Leaves first: `config` (the settings), `store` (SQLite: one writer thread with group commit,
//! a pool of readers), `http` (extractors and error answers in the core's words), `cdi_version`,
//! `state` (what every handler of one app shares); then the components `users`, `passwordless`,
//! `session`, `multitenancy`, `tenants`, `metadata` and `user_roles`, each with its storage and
//! endpoints; `components` puts their routes and schema migrations together; `apps` holds every
//! app's state and routes; `service` is the public [`EmbeddedCore`], with the gate every request
//! passes (api key, tenant, CDI version) and the optional `request_log`.
//!
//! Apps: as in SuperTokens' "multi app setup", one core serves the `public` app and any created
//! with `PUT /recipe/multitenancy/app/v2`, each under `/appid-<appId>/…`, with its own users,
//! sessions, signing keys and core config (`access_token_validity`, `refresh_token_validity`,
//! `access_token_dynamic_signing_key_update_interval`, `passwordless_code_lifetime`,
//! `passwordless_max_code_input_attempts`; other settings are kept and shown but change
//! nothing here).
//!
//! Routing: a request's optional `/appid-<app>` prefix picks the app's routes, and its
//! `/<tenant>` prefix is taken off before routing, so handlers are registered at the plain CDI
//! path (`/recipe/signinup/code`) and read the tenant from the request's scope.
#![deny(missing_docs)]

mod apps;
mod cdi_version;
mod components;
mod config;
mod db_files;
mod http;
mod metadata;
mod multitenancy;
mod passwordless;
mod request_log;
mod service;
mod session;
mod state;
mod store;
mod tenants;
mod user_roles;
mod users;

pub use config::{Database, EmbeddedCoreConfig};
pub use request_log::RequestLogTarget;
pub use service::{EmbeddedCore, EmbeddedCoreError, EmbeddedCoreService};
pub use supertokens_cdi::Secret;
