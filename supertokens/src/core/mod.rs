//! The SuperTokens Core client: the Core Driver Interface (CDI) spoken over HTTP to remote cores,
//! or in-process to the embedded core. One client, one set of wire types ([`cdi`]).

mod client;
mod error;
mod hosts;
mod negotiation;
mod transport;

pub use supertokens_cdi as cdi;

pub use client::CoreClient;
pub use error::CoreError;
pub use hosts::CoreHost;
pub use negotiation::CDI_VERSIONS;
