//! Every integration test of supertokens-rs, in one binary: a module per area, the shared
//! harness in the `tests` crate (`tests/src/`). Run one area with
//! `cargo test -p tests --test it <area>::`.

mod claims_node;
mod concurrency;
mod core_client;
mod custom_example;
mod embedded_core;
mod embedded_core_apps;
mod embedded_core_durability;
mod embedded_core_recipes;
mod embedded_core_roles;
mod embedded_core_session;
mod embedded_core_tenants;
mod macros_runtime;
mod multitenancy;
mod passwordless_delivery;
mod passwordless_flows;
mod passwordless_functions;
mod passwordless_input;
mod passwordless_limits;
mod passwordless_redis;
mod roles_flow;
mod session_claims;
mod session_jwks;
mod session_lifecycle;
mod session_testing;
mod ui;
mod user_metadata;
mod user_roles;
