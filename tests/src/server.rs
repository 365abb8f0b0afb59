//! Servers on loopback for tests: bound to `127.0.0.1:0` (a free port, so tests may run side by
//! side), served on a tokio task, stopped when the last handle is dropped.

use std::convert::Infallible;
use std::future::{Future, IntoFuture as _};
use std::net::SocketAddr;
use std::sync::Arc;

use axum::ServiceExt as _;
use axum::body::Body;
use http::{Request, Response};
use tokio::net::TcpListener;

use crate::client::Client;

/// A server on `127.0.0.1`. Cheap to clone; the server stops with the last clone.
#[derive(Clone)]
pub struct Server {
    addr: SocketAddr,
    _task: Arc<AbortOnDrop>,
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Server {
    /// Serves a tower service (an axum `Router`, the embedded core's service, …).
    pub async fn serve<S>(service: S) -> Self
    where
        S: tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible>
            + Clone
            + Send
            + 'static,
        S::Future: Send,
    {
        Self::spawn(|listener| axum::serve(listener, service.into_make_service()).into_future())
            .await
    }

    /// Binds a listener and runs `serve(listener)` on a task: for servers [`Server::serve`] does
    /// not cover (e.g. `into_make_service_with_connect_info`).
    ///
    /// # Panics
    /// If no port can be bound, or (on its task) if serving fails.
    pub async fn spawn<F>(serve: impl FnOnce(TcpListener) -> F) -> Self
    where
        F: Future<Output = std::io::Result<()>> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on 127.0.0.1");
        let addr = listener.local_addr().expect("a bound address");
        let serving = serve(listener);
        let task = tokio::spawn(async move { serving.await.expect("the server runs") });
        Self {
            addr,
            _task: Arc::new(AbortOnDrop(task)),
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client of this server over HTTP.
    pub fn client(&self) -> Client {
        Client::http(self.url())
    }
}

/// An address on `127.0.0.1` where nothing listens (a port bound, then closed): connections to
/// it are refused.
pub fn refusing_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port on 127.0.0.1")
}
