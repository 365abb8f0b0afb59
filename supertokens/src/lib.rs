//! SuperTokens for Rust: passwordless sign-in (one-time codes and magic links over SMS and e-mail)
//! and SuperTokens sessions for [axum], compatible with the official SuperTokens frontend SDKs.
//!
//! The quickest way in is the declarative style:
//!
//! ```no_run
//! use axum::{Json, Router, routing::get};
//! use serde_json::{Value, json};
//! use supertokens::{protected, session::SessionContainer};
//!
//! #[supertokens::app(
//!     app_name = "Demo",
//!     api_domain = "http://localhost:3001",
//!     website_domain = "http://localhost:3000",
//!     passwordless(flow_type = "USER_INPUT_CODE", contact_method = "PHONE"),
//!     session(),
//! )]
//! #[tokio::main]
//! async fn main() {
//!     let app = Router::new()
//!         .route("/sessioninfo", get(session_info))
//!         .merge(supertokens::router())
//!         .layer(supertokens::cors());
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3001").await.unwrap();
//!     // the peer address: what the send limits count clients by
//!     let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
//!     axum::serve(listener, app).await.unwrap();
//! }
//!
//! #[protected]
//! async fn session_info(session: SessionContainer) -> Json<Value> {
//!     Json(json!({ "userId": session.user_id() }))
//! }
//! ```
//!
//! Everything the macros do can be done by hand with [`Config::builder`] and [`init`].
#![deny(missing_docs)]

mod app_info;
pub mod config;
pub mod core;
pub mod delivery;
#[cfg(feature = "embedded-core")]
pub mod embedded;
mod error;
mod framework;
mod future;
mod instance;
mod recipe;
mod setters;
#[cfg(feature = "embedded-core")]
pub mod testing;

#[doc(hidden)]
pub mod __private;

pub use config::{Config, ConfigBuilder};
pub use error::{Error, StartError};
pub use framework::{
    MissingInstance, SuperTokensLayer, SuperTokensService, all_cors_headers, cors, router,
};
pub use future::BoxFuture;
pub use instance::{SuperTokens, init};
pub use recipe::{multitenancy, passwordless, session, user_metadata, user_roles};
pub use supertokens_cdi::{Clock, Secret};
pub use supertokens_macros::{app, protected};
