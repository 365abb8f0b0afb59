//! The SuperTokens Core client: the Core Driver Interface (CDI) spoken over HTTP to remote cores,
//! or in-process to the embedded core. One client, one set of wire types ([`cdi`]).

mod client;

pub use supertokens_cdi as cdi;

pub use client::{CDI_VERSIONS, CoreClient, CoreError};
