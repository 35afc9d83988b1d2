//! Connections: the accept loop, with limits so that slow, idle or greedy clients never stop
//! the server answering others.
//!
//! `axum::serve` hides hyper's connection settings and never times a request head out: a
//! client that sent half a request line and then nothing held its socket for ever, and 1,124
//! of them against 1,024 file descriptors left the server answering nobody. Here every
//! connection is admitted against a cap per client address and a cap in total (set below the
//! process's file-descriptor limit), the excess is closed at once, and hyper's HTTP/1.1
//! connection is given a timer, a head deadline and a bounded read buffer.
//!
//! HTTP/1.1 only: a proxy in front speaks HTTP/2 to browsers if wanted. (hyper-util's
//! automatic version detection reads the first bytes with no deadline of its own, so a
//! silent connection would escape the head timeout.)

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tower::ServiceExt;

/// How many connections, and for how long, the server keeps open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Time a connection has to send a complete request head, counted from its opening or
    /// from the end of its previous answer: slow clients and idle keep-alive connections
    /// alike are closed when it runs out.
    pub head_timeout: Duration,
    /// Open connections from one client address at most.
    pub per_address: usize,
    /// Open connections in total at most.
    pub total: usize,
    /// Bytes of a request head hyper buffers at most (the access guard's 431 checks come
    /// after it for heads that fit).
    pub max_head_bytes: usize,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            head_timeout: Duration::from_secs(15),
            per_address: 256,
            total: 4096,
            max_head_bytes: 64 * 1024,
        }
    }
}

impl ConnectionLimits {
    /// File descriptors kept back from connections for the store, the logs and fonts.
    pub const RESERVED_FDS: u64 = 128;

    /// These limits with `total` lowered, if needed, below `fd_limit` less
    /// [`Self::RESERVED_FDS`] (and `per_address` no higher than `total`).
    pub fn within_fd_limit(mut self, fd_limit: u64) -> ConnectionLimits {
        let room = fd_limit.saturating_sub(Self::RESERVED_FDS).max(1);
        self.total = self.total.min(usize::try_from(room).unwrap_or(usize::MAX));
        self.per_address = self.per_address.min(self.total);
        self
    }
}

/// The connections open now, per client address and in total.
#[derive(Debug)]
struct Admission {
    limits: ConnectionLimits,
    open: Mutex<Counts>,
}

/// Open connections: the total, and per address (addresses with none are removed).
#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// One admitted connection; dropping it gives its place back.
#[derive(Debug)]
struct Place {
    admission: Arc<Admission>,
    ip: IpAddr,
}

impl Admission {
    /// A place for a connection from `ip`, or `None` when its address or the server is full.
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Place> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.total >= self.limits.total {
            return None;
        }
        let mine = open.per_address.entry(ip).or_insert(0);
        if *mine >= self.limits.per_address {
            return None;
        }
        *mine += 1;
        open.total += 1;
        Some(Place {
            admission: Arc::clone(self),
            ip,
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self
            .admission
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        open.total -= 1;
        if let Some(n) = open.per_address.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.per_address.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then lets the
/// answers in flight finish (idle connections are closed at once). Each request carries its
/// peer's `ConnectInfo<SocketAddr>`, as the access guard expects.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let admission = Arc::new(Admission {
        limits,
        open: Mutex::new(Counts::default()),
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.head_timeout)
        .max_buf_size(limits.max_head_bytes.max(8192))
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                pause_after(&e).await;
                continue;
            }
        };
        // A refused connection is closed before a byte is read: its client sees the close.
        let Some(place) = admission.admit(peer.ip()) else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let answer = app.clone().oneshot(req);
            async move { Ok::<_, Infallible>(answer.await.unwrap_or_else(|e| match e {})) }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A connection's own failure (reset, head timeout, malformed head) concerns
            // only that client.
            let _ = connection.await;
            drop(place);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// After a failed accept: connection-level errors (the client gave up) are retried at once;
/// others (out of file descriptors) after a short pause, so the loop does not spin.
async fn pause_after(e: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!("cannot accept a connection ({e}); retrying in 100 ms");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission(per_address: usize, total: usize) -> Arc<Admission> {
        Arc::new(Admission {
            limits: ConnectionLimits {
                per_address,
                total,
                ..ConnectionLimits::default()
            },
            open: Mutex::new(Counts::default()),
        })
    }

    #[test]
    fn an_address_gets_its_cap_and_others_still_get_in() {
        let a = admission(2, 3);
        let one: IpAddr = "10.0.0.1".parse().unwrap();
        let two: IpAddr = "10.0.0.2".parse().unwrap();
        let p1 = a.admit(one).unwrap();
        let _p2 = a.admit(one).unwrap();
        assert!(a.admit(one).is_none(), "a third from one address");
        let _q = a.admit(two).unwrap();
        assert!(a.admit(two).is_none(), "the total is reached");
        drop(p1);
        assert!(
            a.admit(one).is_some(),
            "a closed connection gives its place back"
        );
    }

    #[test]
    fn places_given_back_leave_no_address_behind() {
        let a = admission(4, 8);
        let ip: IpAddr = "::1".parse().unwrap();
        let places: Vec<_> = (0..4).map(|_| a.admit(ip).unwrap()).collect();
        drop(places);
        let open = a.open.lock().unwrap();
        assert_eq!(open.total, 0);
        assert!(open.per_address.is_empty());
    }

    #[test]
    fn the_total_stays_below_the_file_descriptor_limit() {
        let l = ConnectionLimits::default().within_fd_limit(1024);
        assert_eq!(l.total, 1024 - 128);
        assert_eq!(l.per_address, 256);
        let tiny = ConnectionLimits::default().within_fd_limit(100);
        assert_eq!((tiny.total, tiny.per_address), (1, 1));
        let big = ConnectionLimits::default().within_fd_limit(1 << 20);
        assert_eq!(big.total, 4096);
    }
}
