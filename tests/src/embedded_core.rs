//! The embedded core under test, reached through the SDK's CDI client over either transport:
//! in-process (the core's tower service called directly, the SDK's default) or HTTP on
//! loopback (the core as a standalone server). Scenarios take a [`Transport`] and run on both
//! with [`both_transports!`](crate::both_transports).

use std::time::Duration;

use http::Method;
use serde_json::Value;
use supertokens::config::CoreHost;
use supertokens::core::CoreClient;
use supertokens::embedded::{Database, EmbeddedCore, EmbeddedCoreConfig};
use supertokens::{Clock, Secret};

use crate::client::{Client, Reply};
use crate::server::Server;

/// How long a CDI call may take before the client gives up.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// How the SDK's client reaches the core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// The core's tower service, called in this process.
    InProcess,
    /// The core served on `127.0.0.1`, called over HTTP.
    Http,
}

/// The default embedded-core configuration on an in-memory database.
pub fn in_memory() -> EmbeddedCoreConfig {
    EmbeddedCoreConfig {
        database: Database::Memory,
        ..EmbeddedCoreConfig::default()
    }
}

/// An embedded core and the SDK's client of it over one transport. Cheap to clone; a loopback
/// server stops with the last clone.
#[derive(Clone)]
pub struct CoreHarness {
    /// The core.
    pub core: EmbeddedCore,
    /// The SDK's CDI client of it, with the configured api key.
    pub client: CoreClient,
    /// Requests exactly as written, over the same transport, with no CDI client in between.
    pub raw: Client,
    server: Option<Server>,
}

impl CoreHarness {
    /// A core on a fresh in-memory database with the default settings.
    pub async fn new(transport: Transport) -> Self {
        Self::with(transport, in_memory()).await
    }

    /// A core with `config` (its database as given: see [`in_memory`]).
    ///
    /// # Panics
    /// If the core cannot open its database.
    pub async fn with(transport: Transport, config: EmbeddedCoreConfig) -> Self {
        let api_key = config.api_key.clone();
        let core = EmbeddedCore::open_with_clock(config, Clock::system()).expect("the core opens");
        Self::serve(transport, core, api_key).await
    }

    /// Serves an opened `core`; its client sends `api_key` (the core's own, or another one to
    /// see it refused).
    pub async fn serve(transport: Transport, core: EmbeddedCore, api_key: Option<Secret>) -> Self {
        let server = match transport {
            Transport::InProcess => None,
            Transport::Http => Some(Server::serve(core.service()).await),
        };
        let raw = match &server {
            None => Client::service(core.service()),
            Some(server) => server.client(),
        };
        let client = client_of(&core, server.as_ref(), api_key);
        Self {
            core,
            client,
            raw,
            server,
        }
    }

    /// Another client of the same core over the same transport, sending `api_key`.
    pub fn client_with_api_key(&self, api_key: Option<Secret>) -> CoreClient {
        client_of(&self.core, self.server.as_ref(), api_key)
    }

    /// The core's address (`http://127.0.0.1:<port>`) when it is served over HTTP, for other
    /// clients (another SDK) to use.
    pub fn url(&self) -> Option<String> {
        self.server.as_ref().map(Server::url)
    }

    /// Sends `method path` as written, with `body` as its JSON body when given, over the raw
    /// client.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let request = self.raw.request(method, path);
        match body {
            Some(body) => request.json(&body),
            None => request,
        }
        .send()
        .await
    }

    /// The core's clock (tests move it forward).
    pub fn clock(&self) -> &Clock {
        self.core.clock()
    }
}

fn client_of(core: &EmbeddedCore, server: Option<&Server>, api_key: Option<Secret>) -> CoreClient {
    match server {
        None => CoreClient::in_process(core.service(), api_key, TIMEOUT),
        Some(server) => {
            let host = CoreHost {
                domain: server.url(),
                base_path: String::new(),
            };
            CoreClient::http(vec![host], api_key, TIMEOUT).expect("a usable client")
        }
    }
}

/// Runs each named scenario (an `async fn(Transport)` in scope) as two tests, in the modules
/// `in_process` and `over_http`.
///
/// ```text
/// async fn hello(t: Transport) { … }
/// tests::both_transports!(hello);
/// ```
#[macro_export]
macro_rules! both_transports {
    ($($name:ident),* $(,)?) => {
        mod in_process {
            $(
                #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::embedded_core::Transport::InProcess).await;
                }
            )*
        }
        mod over_http {
            $(
                #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::embedded_core::Transport::Http).await;
                }
            )*
        }
    };
}
