//! Shared by the HTTP tests: one raw HTTP/1.1 GET over TCP (no client library between the
//! test and the server's bytes).

#![allow(dead_code)]

pub mod two_versions;

use chrono::NaiveDate;
use geo_types::{MultiPolygon, polygon};
use geodata::{BoundaryVersion, Level, Unit};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The server state of `store` with the built-in catalog and `config`.
pub async fn state(
    store: geodata::Store,
    config: tileserver::ServerConfig,
) -> tileserver::AppState {
    tileserver::AppState::new(
        store,
        std::sync::Arc::new(geodata::Catalog::builtin()),
        config,
    )
    .await
    .unwrap()
}

/// Serves `state` on a free port of 127.0.0.1 through `popmap serve`'s accept loop with its
/// default connection limits (per-address rate limits apply).
pub async fn spawn(state: tileserver::AppState) -> std::net::SocketAddr {
    spawn_with(
        state,
        tileserver::http::connections::ConnectionLimits::default(),
    )
    .await
}

/// Serves `state` on a free port of 127.0.0.1 through `popmap serve`'s accept loop within
/// `limits`.
pub async fn spawn_with(
    state: tileserver::AppState,
    limits: tileserver::http::connections::ConnectionLimits,
) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = tileserver::router(state);
    tokio::spawn(tileserver::http::connections::serve(
        listener,
        app,
        limits,
        std::future::pending(),
    ));
    addr
}

/// A server of Hà Nội's two communes (vn-2025, no period) on a new SQLite store, within
/// `limits`; keep the database alive as long as the server.
pub async fn hanoi_server(
    limits: tileserver::http::connections::ConnectionLimits,
) -> (popmap_tests::TestDb, std::net::SocketAddr) {
    let db = popmap_tests::TestDb::sqlite();
    let store = db.store().await;
    store
        .import_version(&vn_2025(), &hanoi_two_communes(), false)
        .await
        .unwrap();
    let state = state(store, tileserver::ServerConfig::default()).await;
    (db, spawn_with(state, limits).await)
}

/// The `Authorization` header line of a new admin API key in `store` (what `/metrics` and
/// `/admin/*` ask for).
pub async fn admin_bearer(store: &geodata::Store) -> String {
    let (secret, hash) = tileserver::state::access::new_key();
    store.create_key("admin", true, &hash).await.unwrap();
    format!("Authorization: Bearer {secret}\r\n")
}

/// An axis-aligned rectangle in degrees.
pub fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![
        (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)
    ]])
}

/// The vn-2025 boundary version (provinces and communes, from 2025-07-01).
pub fn vn_2025() -> BoundaryVersion {
    BoundaryVersion {
        id: "vn-2025".into(),
        valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        valid_to: None,
        levels: vec![Level::Province, Level::Commune],
    }
}

/// A unit with its geodesic area.
pub fn unit(
    code: &str,
    name: &str,
    level: Level,
    parent: Option<&str>,
    g: MultiPolygon<f64>,
) -> Unit {
    Unit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        area_km2: etl::geometry::geodesic_area_km2(&g),
        geometry: g,
    }
}

/// Hà Nội (01) split into two side-by-side communes, 00004 west and 00008 east.
pub fn hanoi_two_communes() -> Vec<Unit> {
    vec![
        unit(
            "01",
            "Hà Nội",
            Level::Province,
            None,
            rect(105.8, 21.0, 106.0, 21.2),
        ),
        unit(
            "00004",
            "Phường Ba Đình",
            Level::Commune,
            Some("01"),
            rect(105.8, 21.0, 105.9, 21.2),
        ),
        unit(
            "00008",
            "Phường Ngọc Hà",
            Level::Commune,
            Some("01"),
            rect(105.9, 21.0, 106.0, 21.2),
        ),
    ]
}

/// `GET path` with its body parsed as JSON (`Null` when it is not JSON).
pub async fn get_json(addr: std::net::SocketAddr, path: &str) -> (u16, serde_json::Value) {
    let r = get(addr, path, "").await;
    let body = serde_json::from_slice(&r.body).unwrap_or(serde_json::Value::Null);
    (r.status, body)
}

/// `GET path` as JSON, asserting 200; the body.
pub async fn ok_json(addr: std::net::SocketAddr, path: &str) -> serde_json::Value {
    let (status, body) = get_json(addr, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// `GET path` with `extra` header lines, asserting 200; the response.
pub async fn ok(addr: std::net::SocketAddr, path: &str, extra: &str) -> Resp {
    let r = get(addr, path, extra).await;
    assert_eq!(
        r.status,
        200,
        "{path}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r
}

/// A response: status, lower-cased header block, de-chunked body.
pub struct Resp {
    pub status: u16,
    pub headers: String,
    pub body: Vec<u8>,
}

/// The value of header `name` (lower case) in `r`, or "" when absent.
pub fn header<'a>(r: &'a Resp, name: &str) -> &'a str {
    r.headers
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or("")
}

/// Sends `GET path` with `extra` header lines and reads the whole response.
pub async fn get(addr: std::net::SocketAddr, path: &str, extra: &str) -> Resp {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{extra}\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let headers = String::from_utf8(buf[..split].to_vec())
        .unwrap()
        .to_ascii_lowercase();
    let mut body = buf[split + 4..].to_vec();
    if headers.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(std::str::from_utf8(&rest[..nl]).unwrap().trim(), 16)
                .unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
            rest = &rest[nl + 4 + n..];
        }
        body = out;
    }
    let status = headers.split(' ').nth(1).unwrap().parse().unwrap();
    Resp {
        status,
        headers,
        body,
    }
}
pub mod fixture;

/// Every feature's properties of a FlatGeobuf file, as text (read with the flatgeobuf crate's
/// reader), in file order.
pub fn fgb_features(bytes: &[u8]) -> Vec<std::collections::BTreeMap<String, String>> {
    use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, FgbReader};
    let mut cur = std::io::Cursor::new(bytes);
    let fgb = FgbReader::open(&mut cur).unwrap();
    let mut it = fgb.select_all_seq().unwrap();
    let mut out = Vec::new();
    while let Some(f) = it.next().unwrap() {
        assert!(f.fbs_feature().geometry().is_some());
        out.push(f.properties().unwrap().into_iter().collect());
    }
    out
}
