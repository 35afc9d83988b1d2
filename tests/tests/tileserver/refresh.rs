//! Over real TCP: TileJSON, revision URLs, content codings, metrics, CORS, and hot refresh —
//! a publish made after the server started is served after a reload while the old revision's
//! URL keeps its bytes.

use std::io::Read;

use chrono::NaiveDate;
use geodata::{BoundaryVersion, Level, Store, Unit};
use geodata::{NewSnapshot, ValueRow};
use geozero::mvt::{Message, Tile};
use popmap_tests::TestDb;

use crate::common;
use crate::common::get;

async fn publish(store: &Store, pop: i64) {
    let mut values = Vec::new();
    for (code, p, reported) in [("00004", pop, true), ("01", pop, false)] {
        for (ind, v) in [("population", p), ("males", p / 2), ("females", p - p / 2)] {
            values.push(ValueRow {
                unit_code: code.into(),
                indicator: ind.into(),
                value: v,
                reported,
            });
        }
    }
    store
        .publish(&NewSnapshot {
            period: "2025-10".parse().unwrap(),
            version: "vn-2025".into(),
            source: format!("{pop}.csv"),
            checksum: "00".into(),
            report_json: "{}".into(),
            complete: true,
            values,
        })
        .await
        .unwrap();
}

fn header<'a>(r: &'a common::Resp, name: &str) -> Option<&'a str> {
    r.headers
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
}

fn population(mvt: &[u8]) -> i64 {
    let t = Tile::decode(mvt).unwrap();
    let layer = &t.layers[0];
    let f = &layer.features[0];
    f.tags
        .chunks(2)
        .find(|kv| layer.keys[kv[0] as usize] == "population")
        .and_then(|kv| layer.values[kv[1] as usize].int_value)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tilejson_codings_metrics_and_hot_refresh() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let version = BoundaryVersion {
        id: "vn-2025".into(),
        valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        valid_to: None,
        levels: vec![Level::Province, Level::Commune],
    };
    let g = common::rect(105.8, 21.0, 106.0, 21.2);
    let units = vec![
        Unit {
            code: "01".into(),
            name: "Hà Nội".into(),
            level: Level::Province,
            parent_code: None,
            area_km2: etl::geometry::geodesic_area_km2(&g),
            geometry: g.clone(),
        },
        Unit {
            code: "00004".into(),
            name: "Phường Ba Đình".into(),
            level: Level::Commune,
            parent_code: Some("01".into()),
            area_km2: etl::geometry::geodesic_area_km2(&g),
            geometry: g,
        },
    ];
    store.import_version(&version, &units, false).await.unwrap();
    publish(&store, 1000).await;

    let config = tileserver::ServerConfig {
        public_url: Some("https://maps.example.gov.vn/popmap/".into()),
        cors: tileserver::CorsOrigins::parse("https://portal.example.gov.vn").unwrap(),
        poll: None,
        ..Default::default()
    }
    .with_admin_token("a-long-admin-token-for-tests");
    let state = common::state(store.clone(), config).await;
    let addr = common::spawn(state.clone()).await;

    // TileJSON for `latest` names the revision, behind the public URL, with the layers.
    let r = get(
        addr,
        "/tiles/admin/latest.json?fields=population,sex_ratio",
        "",
    )
    .await;
    assert_eq!(r.status, 200);
    // URLs from --public-url are the same for every Host: no Vary on it.
    assert!(
        !r.headers
            .lines()
            .any(|l| l.starts_with("vary:") && l.contains("host")),
        "{}",
        r.headers
    );
    let tj: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(
        tj["tiles"][0],
        "https://maps.example.gov.vn/popmap/tiles/admin/2025-10@r1/{z}/{x}/{y}.mvt?fields=population,sex_ratio"
    );
    let layers: Vec<&str> = tj["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        layers,
        [
            "province",
            "commune",
            "province_label",
            "commune_label",
            "province_outline"
        ]
    );
    assert_eq!(tj["vector_layers"][1]["minzoom"], 8);
    assert!(tj["vector_layers"][1]["fields"]["sex_ratio"].is_string());
    assert!(tj["vector_layers"][1]["fields"]["births"].is_null());
    let b = tj["bounds"].as_array().unwrap();
    assert_eq!(b[0].as_f64().unwrap(), 105.8);
    assert_eq!(b[3].as_f64().unwrap(), 21.2);
    let r = get(addr, "/tiles/boundaries/vn-2025.json", "").await;
    let tj: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        tj["tiles"][0],
        "https://maps.example.gov.vn/popmap/tiles/boundaries/vn-2025/{z}/{x}/{y}.mvt"
    );

    // `latest` resolves (short max-age, Content-Location); the revision URL is immutable.
    let latest = get(
        addr,
        "/tiles/admin/latest/9/406/225.mvt?fields=population",
        "",
    )
    .await;
    assert_eq!(latest.status, 200);
    assert_eq!(header(&latest, "cache-control"), Some("public, max-age=60"));
    assert_eq!(
        header(&latest, "content-location"),
        Some("/tiles/admin/2025-10@r1/9/406/225.mvt?fields=population")
    );
    let r1 = get(
        addr,
        "/tiles/admin/2025-10@r1/9/406/225.mvt?fields=population",
        "",
    )
    .await;
    assert_eq!(
        header(&r1, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(r1.body, latest.body);
    assert_eq!(population(&r1.body), 1000);

    // gzip and brotli decode to the same bytes; each coding has its own ETag; any of them
    // validates a conditional request.
    let gz = get(
        addr,
        "/tiles/admin/2025-10@r1/9/406/225.mvt?fields=population",
        "Accept-Encoding: gzip\r\n",
    )
    .await;
    assert_eq!(header(&gz, "content-encoding"), Some("gzip"));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, r1.body);
    let br = get(
        addr,
        "/tiles/admin/2025-10@r1/9/406/225.mvt?fields=population",
        "Accept-Encoding: gzip, br\r\n",
    )
    .await;
    assert_eq!(header(&br, "content-encoding"), Some("br"));
    out.clear();
    brotli::Decompressor::new(&br.body[..], 4096)
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, r1.body);
    assert_ne!(header(&gz, "etag"), header(&br, "etag"));
    assert_eq!(header(&br, "vary"), Some("accept-encoding, authorization"));
    let nm = get(
        addr,
        "/tiles/admin/2025-10@r1/9/406/225.mvt?fields=population",
        &format!("If-None-Match: {}\r\n", header(&gz, "etag").unwrap()),
    )
    .await;
    assert_eq!(nm.status, 304);

    // CORS: the listed portal is allowed, another origin gets no allow header.
    let ok = get(
        addr,
        "/tiles/admin/2025-10@r1/9/406/225.mvt?fields=population",
        "Origin: https://portal.example.gov.vn\r\n",
    )
    .await;
    assert_eq!(
        header(&ok, "access-control-allow-origin"),
        Some("https://portal.example.gov.vn")
    );
    let other = get(
        addr,
        "/tiles/admin/2025-10@r1/9/406/225.mvt?fields=population",
        "Origin: https://elsewhere.example\r\n",
    )
    .await;
    assert_eq!(header(&other, "access-control-allow-origin"), None);

    // A publish by "another process": the old state is served until the reload.
    publish(&store, 2000).await;
    assert_eq!(
        population(
            &get(
                addr,
                "/tiles/admin/latest/9/406/225.mvt?fields=population",
                ""
            )
            .await
            .body
        ),
        1000
    );
    let post = |extra: &'static str| async move {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!(
            "POST /admin/reload HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 0\r\n{extra}\r\n"
        );
        tokio::io::AsyncWriteExt::write_all(&mut s, req.as_bytes())
            .await
            .unwrap();
        let mut buf = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut s, &mut buf)
            .await
            .unwrap();
        buf
    };
    assert!(post("").await.starts_with("HTTP/1.1 401"));
    assert!(
        post("Authorization: Bearer wrong-token-wrong-token\r\n")
            .await
            .starts_with("HTTP/1.1 401")
    );
    let reloaded = post("Authorization: Bearer a-long-admin-token-for-tests\r\n").await;
    assert!(reloaded.starts_with("HTTP/1.1 200"), "{reloaded}");
    assert!(reloaded.contains("\"latest\":\"2025-10@r2\""), "{reloaded}");
    let now = get(
        addr,
        "/tiles/admin/latest/9/406/225.mvt?fields=population",
        "",
    )
    .await;
    assert_eq!(population(&now.body), 2000);
    assert_eq!(
        header(&now, "content-location"),
        Some("/tiles/admin/2025-10@r2/9/406/225.mvt?fields=population")
    );
    // The old revision's URL keeps its bytes.
    let old = get(
        addr,
        "/tiles/admin/2025-10@r1/9/406/225.mvt?fields=population",
        "",
    )
    .await;
    assert_eq!(old.body, r1.body);

    // Metrics count requests per route, cache hits and misses, and tile bytes.
    assert_eq!(get(addr, "/metrics", "").await.status, 401);
    let m = get(
        addr,
        "/metrics",
        "Authorization: Bearer a-long-admin-token-for-tests\r\n",
    )
    .await;
    assert_eq!(m.status, 200);
    let text = String::from_utf8(m.body).unwrap();
    for needle in [
        "popmap_http_requests_total{route=\"/tiles/admin/{period}/{z}/{x}/{y}\",method=\"GET\",status=\"200\"}",
        "popmap_tile_cache_hits_total{family=\"admin\"}",
        "popmap_tile_cache_misses_total{family=\"admin\"} 2",
        "popmap_tile_bytes_total{family=\"admin\",encoding=\"br\"}",
        "popmap_state_generation 2",
        "popmap_http_request_duration_seconds_bucket",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
}

#[tokio::test]
async fn admin_endpoints_are_off_without_a_token() {
    let db = TestDb::sqlite();
    let addr = common::spawn(common::state(db.store().await, Default::default()).await).await;
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(
        &mut s,
        b"POST /admin/reload HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    )
    .await
    .unwrap();
    let mut buf = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut s, &mut buf)
        .await
        .unwrap();
    assert!(buf.starts_with("HTTP/1.1 403"), "{buf}");
    // GET on a POST route is 405, not 500: JSON like every error, and Allow says POST.
    let r = get(addr, "/admin/reload", "").await;
    assert_eq!(r.status, 405);
    assert_eq!(common::header(&r, "allow"), "post"); // the helper lower-cases headers
    assert_eq!(common::header(&r, "content-type"), "application/json");
    let e: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(e["error"], "method_not_allowed");
}
