//! The server over real TCP on a SQLite store: health, readiness, versions, periods, 404s.

use chrono::NaiveDate;
use geo_types::{MultiPolygon, polygon};
use geodata::{BoundaryVersion, Level, Unit};
use geodata::{NewSnapshot, ValueRow};
use popmap_tests::TestDb;
use serde_json::json;

use crate::common;

/// (status, body as text) of a GET.
async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let r = common::get(addr, path, "").await;
    (r.status, String::from_utf8(r.body).unwrap())
}

fn square(x: f64, y: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![
        (x: x, y: y), (x: x + 0.1, y: y), (x: x + 0.1, y: y + 0.1), (x: x, y: y + 0.1), (x: x, y: y)
    ]])
}

#[tokio::test]
async fn serves_status_and_lists() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let config = tileserver::ServerConfig {
        synthetic: true,
        ..Default::default()
    };
    let state = common::state(store.clone(), config).await;
    let addr = common::spawn(state.clone()).await;

    assert_eq!(get(addr, "/healthz").await, (200, "ok".to_string()));
    // No boundary version yet: not ready.
    assert_eq!(get(addr, "/readyz").await.0, 503);

    let version = BoundaryVersion {
        id: "vn-2025".into(),
        valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        valid_to: None,
        levels: vec![Level::Province, Level::Commune],
    };
    let units = vec![
        Unit {
            code: "01".into(),
            name: "Hà Nội".into(),
            level: Level::Province,
            parent_code: None,
            area_km2: 123.0,
            geometry: square(105.8, 21.0),
        },
        Unit {
            code: "00004".into(),
            name: "Phường Ba Đình".into(),
            level: Level::Commune,
            parent_code: Some("01".into()),
            area_km2: 123.0,
            geometry: square(105.8, 21.0),
        },
    ];
    store.import_version(&version, &units, false).await.unwrap();
    let row = |code: &str, reported| ValueRow {
        unit_code: code.into(),
        indicator: "population".into(),
        value: 1000,
        reported,
    };
    store
        .publish(&NewSnapshot {
            period: "2025-10".parse().unwrap(),
            version: "vn-2025".into(),
            source: "test.csv".into(),
            checksum: "00".into(),
            report_json: "{}".into(),
            complete: true,
            values: vec![row("00004", true), row("01", false)],
        })
        .await
        .unwrap();

    // The server serves what it read at start until it reloads (the poller does this in
    // `serve`; here the test calls the same function).
    assert_eq!(get(addr, "/readyz").await.0, 503);
    let outcome = tileserver::state::refresh::reload(&state).await.unwrap();
    assert!(outcome.changed);
    assert_eq!(outcome.generation, 2);
    assert_eq!(outcome.latest.as_deref(), Some("2025-10@r1"));
    assert!(
        !tileserver::state::refresh::reload(&state)
            .await
            .unwrap()
            .changed
    );
    assert_eq!(get(addr, "/readyz").await.0, 200);
    // While `serve` warms up (tile sources of every version), /readyz keeps load balancers away;
    // the warm-up task marks the state ready when it is done.
    state
        .warmed
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let (st, body) = get(addr, "/readyz").await;
    let e: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (st, &e["error"], &e["message"]),
        (
            503,
            &json!("not_ready"),
            &json!("warming up: building tile sources")
        )
    );
    tileserver::state::refresh::spawn_warm_up(state.clone())
        .await
        .unwrap();
    assert_eq!(get(addr, "/readyz").await.0, 200);
    let (st, body) = get(addr, "/api/v1/versions").await;
    assert_eq!(st, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v[0]["id"], "vn-2025");
    assert_eq!(v[0]["levels"], serde_json::json!(["province", "commune"]));

    let (st, body) = get(addr, "/api/v1/periods").await;
    assert_eq!(st, 200);
    let p: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(p.as_array().unwrap().len(), 1);
    assert_eq!(p[0]["period"], "2025-10");
    assert_eq!(p[0]["revision"], 1);

    let (st, page) = get(addr, "/status").await;
    assert_eq!(st, 200);
    assert!(
        page.contains("vn-2025") && page.contains("2025-10"),
        "{page}"
    );

    let (st, body) = get(addr, "/no/such/thing").await;
    assert_eq!(st, 404);
    let e: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(e["error"], "not_found");
}

/// Without --public-url, TileJSON and styles build their URLs from the request's Host, and say
/// `Vary: Host` so that no shared cache serves one host's URLs to another's clients; other
/// answers do not vary on it.
#[tokio::test]
async fn urls_from_the_host_header_vary_by_host() {
    let (_db, addr) = common::hanoi_server(Default::default()).await;
    let host_a = "/tiles/boundaries/vn-2025.json";
    let mut tiles = Vec::new();
    for host in ["a.example.vn", "b.example.vn:8080"] {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let req = format!("GET {host_a} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).await.unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let head = head.to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(
            head.lines()
                .any(|l| l.starts_with("vary:") && l.contains("host")),
            "{head}"
        );
        let tj: serde_json::Value = serde_json::from_str(body).unwrap();
        tiles.push(tj["tiles"][0].as_str().unwrap().to_string());
    }
    assert_eq!(
        tiles,
        [
            "http://a.example.vn/tiles/boundaries/vn-2025/{z}/{x}/{y}.mvt",
            "http://b.example.vn:8080/tiles/boundaries/vn-2025/{z}/{x}/{y}.mvt"
        ]
    );
    let tile = common::get(addr, "/tiles/boundaries/vn-2025/8/203/112.mvt", "").await;
    assert_eq!(tile.status, 200);
    assert!(
        !tile
            .headers
            .lines()
            .any(|l| l.starts_with("vary:") && l.contains("host")),
        "{}",
        tile.headers
    );
}
