//! Connections (issue 18): half-open, silent and greedy clients never stop the server
//! answering others. Real sockets against `popmap serve`'s accept loop; the greedy client
//! connects from 127.0.0.2 (Linux routes all of 127.0.0.0/8 to the loopback), the one that must
//! still be served from 127.0.0.1.

use std::net::SocketAddr;
use std::time::Duration;

use tileserver::http::connections::ConnectionLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::common;

use common::hanoi_server as server;

/// A connection to `server` from the loopback address `from`.
async fn connect_from(from: &str, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(format!("{from}:0").parse().unwrap())?;
    socket.connect(server).await
}

/// Whether the server closed `stream` (end of file or reset) within `wait`.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // A 408 or other answer before the close: keep reading to the close.
            Ok(Ok(_)) => {}
        }
    }
}

/// The boundary tile over Hà Nội at z8, as `common::get` reads it.
const TILE: &str = "/tiles/boundaries/vn-2025/8/203/112.mvt";

#[tokio::test]
async fn twelve_hundred_half_open_connections_from_one_address_do_not_stop_another_client() {
    // The test process holds both ends of the connections it keeps: room for them.
    let _ = rlimit::increase_nofile_limit(8192);
    let (_db, addr) = server(ConnectionLimits::default()).await;
    let mut half_open = Vec::new();
    for _ in 0..1200 {
        let Ok(mut s) = connect_from("127.0.0.2", addr).await else {
            continue;
        };
        // A partial request line, then nothing (slowloris).
        let _ = s.write_all(b"GET /tiles/boundaries/vn-2025/8/2").await;
        half_open.push(s);
    }
    assert!(half_open.len() >= 1000, "{} connected", half_open.len());
    let started = std::time::Instant::now();
    let tile = tokio::time::timeout(Duration::from_secs(1), common::get(addr, TILE, ""))
        .await
        .expect("another client's tile within 1 s");
    assert_eq!(tile.status, 200);
    assert!(!tile.body.is_empty());
    eprintln!(
        "tile answered in {:?} beside 1,200 half-open connections",
        started.elapsed()
    );
    // Beyond the per-address cap the server closed them at once; the rest wait for the head
    // timeout.
    let mut closed = 0;
    for s in half_open.iter_mut().rev().take(100) {
        if closed_within(s, Duration::from_millis(50)).await {
            closed += 1;
        }
    }
    assert_eq!(closed, 100, "connections past the cap of 256 are closed");
}

#[tokio::test]
async fn a_silent_or_slow_connection_is_closed_after_the_head_timeout() {
    let limits = ConnectionLimits {
        head_timeout: Duration::from_secs(1),
        ..ConnectionLimits::default()
    };
    let (_db, addr) = server(limits).await;
    let mut silent = connect_from("127.0.0.1", addr).await.unwrap();
    let mut partial = connect_from("127.0.0.1", addr).await.unwrap();
    partial
        .write_all(b"GET /healthz HTTP/1.1\r\nHo")
        .await
        .unwrap();
    assert!(closed_within(&mut silent, Duration::from_secs(5)).await);
    assert!(closed_within(&mut partial, Duration::from_secs(5)).await);

    // Idle between requests (keep-alive) counts the same: answered, then closed.
    let mut idle = connect_from("127.0.0.1", addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 512];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{:?}", &buf[..n]);
    assert!(closed_within(&mut idle, Duration::from_secs(5)).await);
}

#[tokio::test]
async fn an_address_past_its_cap_is_closed_and_others_still_get_in() {
    let limits = ConnectionLimits {
        per_address: 3,
        ..ConnectionLimits::default()
    };
    let (_db, addr) = server(limits).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from("127.0.0.2", addr).await.unwrap());
    }
    // The three are open: the server has not closed them.
    tokio::time::sleep(Duration::from_millis(100)).await;
    for s in &mut held {
        assert!(!closed_within(s, Duration::from_millis(20)).await);
    }
    let mut fourth = connect_from("127.0.0.2", addr).await.unwrap();
    assert!(closed_within(&mut fourth, Duration::from_secs(2)).await);
    // Another address is served meanwhile, and a place given back is taken again.
    assert_eq!(common::get(addr, "/healthz", "").await.status, 200);
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut again = connect_from("127.0.0.2", addr).await.unwrap();
    again
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    again.read_to_end(&mut answer).await.unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200"));
}
