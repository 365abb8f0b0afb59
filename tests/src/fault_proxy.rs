//! A TCP proxy on loopback that tests can break: it forwards every connection to a target, and
//! can be killed (its port refuses connections and the connections it carried are cut) and
//! restarted on the same port, and pointed at another target (a server restarted on a new
//! port stays reachable at the proxy's address). It counts the connections it accepted, so a test can see whether
//! a client tried a host at all.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// A proxy from `127.0.0.1:<port>` to a target address. Stopped when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    target: Arc<Mutex<SocketAddr>>,
    accepted: Arc<AtomicUsize>,
    open: Arc<AtomicUsize>,
    /// The accept loop, while the proxy is up.
    listening: tokio::sync::Mutex<Option<JoinHandle<()>>>,
    /// The connections being forwarded.
    forwarding: Arc<Mutex<JoinSet<()>>>,
}

impl FaultProxy {
    /// A proxy to `target` on a free port of 127.0.0.1.
    ///
    /// # Panics
    /// If no port can be bound.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on 127.0.0.1");
        let proxy = Self {
            addr: listener.local_addr().expect("a bound address"),
            target: Arc::new(Mutex::new(target)),
            accepted: Arc::new(AtomicUsize::new(0)),
            open: Arc::new(AtomicUsize::new(0)),
            listening: tokio::sync::Mutex::new(None),
            forwarding: Arc::new(Mutex::new(JoinSet::new())),
        };
        proxy.listen(listener).await;
        proxy
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections the proxy accepted since it started (restarts included).
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Stops listening (connections to the port are refused from now on) and cuts every
    /// connection it was forwarding; returns once they are all closed. Returns how many were
    /// open: an upper bound of the requests that were in flight through it.
    pub async fn kill(&self) -> usize {
        if let Some(accepting) = self.listening.lock().await.take() {
            accepting.abort();
            let _ = accepting.await;
        }
        let open = self.open.load(Ordering::SeqCst);
        let mut forwarding = std::mem::take(&mut *lock(&self.forwarding));
        forwarding.shutdown().await;
        open
    }

    /// Forwards the connections accepted from now on to `target`.
    pub fn set_target(&self, target: SocketAddr) {
        *lock(&self.target) = target;
    }

    /// Listens again on the same port.
    ///
    /// # Panics
    /// If the port was taken meanwhile.
    pub async fn restart(&self) {
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("the proxy's port is free again");
        self.listen(listener).await;
    }

    async fn listen(&self, listener: TcpListener) {
        let (target, accepted) = (self.target.clone(), self.accepted.clone());
        let open = self.open.clone();
        let forwarding = self.forwarding.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                open.fetch_add(1, Ordering::SeqCst);
                let open = open.clone();
                let target = *lock(&target);
                let mut forwarding = lock(&forwarding);
                // Finished connections are reaped as new ones come.
                while forwarding.try_join_next().is_some() {}
                forwarding.spawn(async move {
                    let _open = Open(open);
                    forward(inbound, target).await;
                });
            }
        });
        *self.listening.lock().await = Some(accepting);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(accepting) = self.listening.get_mut().take() {
            accepting.abort();
        }
        lock(&self.forwarding).abort_all();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One open connection, counted until its task ends or is cut.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Copies bytes both ways between a client and the target until either side closes.
async fn forward(mut inbound: TcpStream, target: SocketAddr) {
    if let Ok(mut outbound) = TcpStream::connect(target).await {
        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
    }
}
