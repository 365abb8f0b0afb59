//! The CDI client: version negotiation, hosts, api key, retries, timeouts, typed errors.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::CoreHost;

/// The CDI versions this SDK speaks; the highest one the core also offers is used.
pub const CDI_VERSIONS: &[&str] = &["5.3", "5.4"];

/// A failed call to the core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The core answered with a non-200 status.
    #[error("SuperTokens core answered {method} {path} with status {status}: {body}")]
    Status {
        /// HTTP method of the request.
        method: String,
        /// Path of the request (without host).
        path: String,
        /// HTTP status code.
        status: u16,
        /// The response body, as text.
        body: String,
    },
    /// No host could be reached.
    #[error("no SuperTokens core available to query: {0}")]
    Unavailable(String),
    /// The core and the SDK share no CDI version.
    #[error(
        "the SuperTokens core offers CDI versions {core:?} and this SDK speaks {ours:?}; use a core that supports one of ours"
    )]
    IncompatibleVersion {
        /// What the core offers.
        core: Vec<String>,
        /// What the SDK speaks.
        ours: Vec<String>,
    },
    /// The request timed out.
    #[error("request to the SuperTokens core timed out after {0:?}")]
    Timeout(Duration),
    /// The core's answer could not be decoded as the expected type.
    #[error("unexpected answer from the SuperTokens core for {path}: {message}")]
    Decode {
        /// Path of the request.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// A client of a SuperTokens Core. Cheap to clone.
#[derive(Clone)]
pub struct CoreClient {
    _private: (),
}

impl std::fmt::Debug for CoreClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreClient").finish_non_exhaustive()
    }
}

impl CoreClient {
    /// A client of remote cores over HTTP(S).
    pub fn http(
        _hosts: Vec<CoreHost>,
        _api_key: Option<String>,
        _timeout: Duration,
    ) -> Result<Self, CoreError> {
        unimplemented!("issue 2")
    }

    /// A client of an in-process CDI server (a tower service such as the embedded core's router).
    pub fn in_process<S>(_service: S, _api_key: Option<String>, _timeout: Duration) -> Self
    where
        S: tower_service::Service<
                http::Request<Body>,
                Response = http::Response<Body>,
                Error = Infallible,
            > + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        unimplemented!("issue 2")
    }

    /// `GET path?query`, decoding a 200 JSON answer as `R`.
    pub async fn get<R: DeserializeOwned>(
        &self,
        _path: &str,
        _rid: Option<&str>,
        _query: &[(&str, &str)],
    ) -> Result<R, CoreError> {
        unimplemented!("issue 2")
    }

    /// `POST path` with a JSON body, decoding a 200 JSON answer as `R`.
    pub async fn post<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        _path: &str,
        _rid: Option<&str>,
        _body: &B,
    ) -> Result<R, CoreError> {
        unimplemented!("issue 2")
    }

    /// `PUT path` with a JSON body, decoding a 200 JSON answer as `R`.
    pub async fn put<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        _path: &str,
        _rid: Option<&str>,
        _body: &B,
    ) -> Result<R, CoreError> {
        unimplemented!("issue 2")
    }

    /// `GET /.well-known/jwks.json` (no api key, no cdi-version): the keys and the cache lifetime
    /// the core asks for (`Cache-Control: max-age`).
    pub async fn jwks(&self) -> Result<(crate::core::cdi::Jwks, Option<Duration>), CoreError> {
        unimplemented!("issue 2")
    }

    /// The negotiated CDI version (negotiated once, lazily, with `GET /apiversion`).
    pub async fn cdi_version(&self) -> Result<String, CoreError> {
        unimplemented!("issue 2")
    }
}
