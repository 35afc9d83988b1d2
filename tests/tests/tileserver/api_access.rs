//! Access control over real TCP: restricted indicators never leak without a key or with a
//! revoked one (API values, series, rankings, downloads, tiles), and appear with a valid key;
//! admin keys guard /admin/*; rate limits answer 429 with Retry-After.

use geodata::Store;
use geozero::mvt::{Message, Tile};
use popmap_tests::TestDb;
use serde_json::Value;
use tileserver::state::access::new_key;
use tileserver::state::config::RateLimit;

use crate::common;
use crate::common::fixture::{populate, serve, unlimited};
use crate::common::get;

fn bearer(key: &str) -> String {
    format!("Authorization: Bearer {key}\r\n")
}

async fn post(addr: std::net::SocketAddr, path: &str, extra: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 0\r\n{extra}\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.unwrap();
    buf.split(' ').nth(1).unwrap().parse().unwrap()
}

/// Creates a key; returns the secret.
async fn key(store: &Store, admin: bool) -> (i64, String) {
    let (secret, hash) = new_key();
    let k = store.create_key("test", admin, &hash).await.unwrap();
    (k.id, secret)
}

/// Whether the body (JSON, CSV, GeoJSON...) names a restricted indicator anywhere.
fn mentions_restricted(body: &[u8]) -> bool {
    let s = String::from_utf8_lossy(body);
    ["divorces", "women_15_49_contraception", "\"cpr\"", ",cpr"]
        .iter()
        .any(|w| s.contains(w))
}

fn tile_keys(body: &[u8]) -> Vec<String> {
    let t = Tile::decode(body).unwrap();
    t.layers.iter().flat_map(|l| l.keys.clone()).collect()
}

async fn check_access(store: Store) {
    populate(&store).await;
    let (_, user) = key(&store, false).await;
    let (_, admin) = key(&store, true).await;
    let (revoked_id, revoked) = key(&store, false).await;
    store.revoke_key(revoked_id).await.unwrap();
    let addr = serve(store.clone(), unlimited()).await;
    let vals = store
        .values(store.snapshots().await.unwrap().last().unwrap().id)
        .await
        .unwrap();

    // Tables that default to "every indicator the caller may see".
    let defaults = [
        "/api/v1/units/00004",
        "/api/v1/values?level=commune",
        "/api/v1/values?level=commune&format=csv",
        "/api/v1/download/latest/commune.csv",
        "/api/v1/download/latest/commune.geojson",
        "/api/v1/download/latest/commune.fgb",
    ];
    for path in defaults {
        let anon = get(addr, path, "").await;
        assert_eq!(anon.status, 200, "{path}");
        assert!(
            !mentions_restricted(&anon.body),
            "{path} leaks without a key"
        );
        assert!(anon.headers.contains("cache-control: public"), "{path}");
        for bad in [revoked.as_str(), "pm_not_a_key", ""] {
            let r = get(addr, path, &bearer(bad)).await;
            assert_eq!(r.status, 401, "{path} with key '{bad}'");
            assert!(
                !mentions_restricted(&r.body),
                "{path} leaks with key '{bad}'"
            );
            assert!(r.headers.contains("www-authenticate: bearer"));
        }
        let ok = get(addr, path, &bearer(&user)).await;
        assert_eq!(ok.status, 200, "{path}");
        assert!(
            mentions_restricted(&ok.body),
            "{path}: restricted values missing with a key"
        );
        assert!(ok.headers.contains("cache-control: private"), "{path}");
        // Answers are cached per snapshot: the key holder's must not be served to others.
        let again = get(addr, path, "").await;
        assert!(
            !mentions_restricted(&again.body),
            "{path} leaks from the cache"
        );
        assert_eq!(again.body, anon.body, "{path}");
    }
    let d: Value =
        serde_json::from_slice(&get(addr, "/api/v1/units/00004", &bearer(&user)).await.body)
            .unwrap();
    assert_eq!(d["values"]["divorces"], vals["00004"]["divorces"]);
    assert!(d["values"]["cpr"].as_f64().unwrap() > 0.0);
    let fgb = get(addr, "/api/v1/download/latest/commune.fgb", &bearer(&admin)).await;
    for f in common::fgb_features(&fgb.body) {
        assert_eq!(
            f["divorces"],
            vals[f["code"].as_str()]["divorces"].to_string()
        );
    }

    // Asking for a restricted indicator by name: 401 without a valid key.
    for path in [
        "/api/v1/values?indicator=population,divorces",
        "/api/v1/units/00004/series?indicator=cpr",
        "/api/v1/units/00004/series?indicator=divorces",
        "/api/v1/rankings?indicator=cpr",
        "/api/v1/rankings?indicator=women_15_49_contraception&level=commune",
        "/api/v1/download/latest/province.geojson?indicator=divorces",
    ] {
        for extra in [String::new(), bearer(&revoked)] {
            let r = get(addr, path, &extra).await;
            assert_eq!(r.status, 401, "{path} {extra}");
            assert!(
                !String::from_utf8_lossy(&r.body).contains("\"value\""),
                "{path}"
            );
        }
        let r = get(addr, path, &bearer(&user)).await;
        assert_eq!(r.status, 200, "{path}");
    }
    let s: Value = serde_json::from_slice(
        &get(
            addr,
            "/api/v1/units/00004/series?indicator=divorces",
            &bearer(&user),
        )
        .await
        .body,
    )
    .unwrap();
    assert_eq!(s["points"][2]["value"], vals["00004"]["divorces"]);

    // Tiles: `fields=all` and `fields=a,b` follow the caller; the compact default is the same
    // for everyone.
    let compact = "/tiles/admin/latest/12/3252/1802.mvt";
    let anon = get(addr, compact, "").await;
    assert_eq!(anon.status, 200);
    assert!(!tile_keys(&anon.body).contains(&"population".to_string()));
    let keyed = get(addr, compact, &bearer(&user)).await;
    assert_eq!(
        keyed.body, anon.body,
        "the compact tile carries no restricted value"
    );
    let tile = "/tiles/admin/latest/12/3252/1802.mvt?fields=all";
    let anon = get(addr, tile, "").await;
    assert_eq!(anon.status, 200);
    let keys = tile_keys(&anon.body);
    assert!(
        keys.contains(&"population".to_string()) && !keys.contains(&"divorces".to_string()),
        "{keys:?}"
    );
    assert!(
        anon.headers
            .contains("vary: accept-encoding, authorization")
    );
    assert_eq!(
        get(addr, &format!("{compact}?fields=divorces"), "")
            .await
            .status,
        401
    );
    assert_eq!(get(addr, tile, &bearer(&revoked)).await.status, 401);
    assert_eq!(
        get(
            addr,
            &format!("{compact}?fields=divorces"),
            &bearer(&revoked)
        )
        .await
        .status,
        401
    );
    let with = get(addr, tile, &bearer(&user)).await;
    assert_eq!(with.status, 200);
    assert!(tile_keys(&with.body).contains(&"divorces".to_string()));
    assert!(with.headers.contains("cache-control: private"));
    let only = get(addr, &format!("{compact}?fields=cpr"), &bearer(&user)).await;
    assert_eq!(only.status, 200);
    assert!(tile_keys(&only.body).contains(&"cpr".to_string()));
    // The anonymous answer after a key holder's is still the public one (separate cache keys).
    assert!(!tile_keys(&get(addr, tile, "").await.body).contains(&"divorces".to_string()));

    restricted_is_one_answer_everywhere(addr, &user).await;

    // Admin endpoints: admin keys only.
    assert_eq!(post(addr, "/admin/reload", "").await, 403);
    assert_eq!(post(addr, "/admin/reload", &bearer(&user)).await, 403);
    assert_eq!(post(addr, "/admin/reload", &bearer(&revoked)).await, 401);
    assert_eq!(post(addr, "/admin/reload", &bearer(&admin)).await, 200);
    assert_eq!(post(addr, "/admin/cache/purge", &bearer(&admin)).await, 200);
}

/// A restricted indicator asked for without a key is the same 401 (JSON, code, message) from
/// the data API, tiles, TileJSON, the map routes and styles; with a key the tiles and the API
/// serve it, and the map routes, which serve public indicators only, answer 403.
async fn restricted_is_one_answer_everywhere(addr: std::net::SocketAddr, user: &str) {
    let asked = [
        ("/api/v1/values?indicator=divorces", 200),
        ("/tiles/admin/latest/12/3252/1802.mvt?fields=divorces", 200),
        ("/tiles/admin/latest.json?fields=divorces", 403),
        ("/api/v1/map/values?level=commune&indicators=divorces", 403),
        ("/api/v1/classes?indicator=divorces", 403),
        ("/api/v1/map/change?indicator=divorces&base=2025-07", 403),
        ("/styles/divorces.json", 403),
    ];
    for (path, with_key) in asked {
        let r = get(addr, path, "").await;
        assert_eq!(r.status, 401, "{path}");
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["error"], "unauthorized", "{path}");
        assert_eq!(
            body["message"],
            "indicator 'divorces' is restricted: send Authorization: Bearer <API key>",
            "{path}"
        );
        assert!(r.headers.contains("www-authenticate: bearer"), "{path}");
        let k = get(addr, path, &bearer(user)).await;
        assert_eq!(k.status, with_key, "{path} with a key");
    }
}

#[tokio::test]
async fn access_on_sqlite() {
    let db = TestDb::sqlite();
    check_access(db.store().await).await;
}

#[tokio::test]
async fn access_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    check_access(db.store().await).await;
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    populate(&store).await;
    let (_, user) = key(&store, false).await;
    let config = tileserver::ServerConfig {
        rate_per_ip: RateLimit {
            per_second: 1,
            burst: 2,
        },
        rate_per_key: RateLimit {
            per_second: 1,
            burst: 3,
        },
        ..Default::default()
    };
    let addr = serve(store, config).await;
    let statuses: Vec<u16> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(get(addr, "/api/v1/periods", "").await.status);
        }
        v
    };
    assert_eq!(statuses, [200, 200, 429]);
    let r = get(addr, "/api/v1/periods", "").await;
    assert_eq!(r.status, 429);
    let retry: u64 = r
        .headers
        .lines()
        .find_map(|l| l.strip_prefix("retry-after: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    let e: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(e["error"], "rate_limited");
    // The web map's static files do not spend the budget: served (or 404 without a built web
    // folder), never 429.
    let asset = get(addr, "/assets/main.js", "").await.status;
    assert!(matches!(asset, 200 | 404), "{asset}");
    // Health probes (often from behind the same proxy address as every user) are never
    // limited: the address's budget is spent, yet both answer.
    for _ in 0..3 {
        assert_eq!(get(addr, "/healthz", "").await.status, 200);
        assert_eq!(get(addr, "/readyz", "").await.status, 200);
    }
    assert_eq!(get(addr, "/api/v1/periods", "").await.status, 429);
    // A key has its own budget, independent of the address's.
    let mut v = Vec::new();
    for _ in 0..4 {
        v.push(get(addr, "/api/v1/periods", &bearer(&user)).await.status);
    }
    assert_eq!(v, [200, 200, 200, 429]);
}

#[tokio::test]
async fn unknown_keys_spend_the_address_budget() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    populate(&store).await;
    let config = tileserver::ServerConfig {
        rate_per_ip: RateLimit {
            per_second: 1,
            burst: 3,
        },
        ..Default::default()
    };
    let addr = serve(store, config).await;
    // Guessing keys from one address: 401 while the address has budget, then 429.
    let mut v = Vec::new();
    for i in 0..5 {
        let guess = bearer(&format!("pm_{i:064}"));
        v.push(get(addr, "/api/v1/periods", &guess).await.status);
    }
    assert_eq!(v, [401, 401, 401, 429, 429]);
}

#[tokio::test]
async fn oversized_headers_are_refused_with_431() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    populate(&store).await;
    let addr = serve(store, unlimited()).await;
    // A 100 kB header value (the case), and a block of many 4 kB headers.
    let big = format!("X-Junk: {}\r\n", "a".repeat(100_000));
    let many: String = (0..10)
        .map(|i| format!("X-Junk-{i}: {}\r\n", "b".repeat(4_000)))
        .collect();
    for extra in [big, many] {
        let r = get(addr, "/api/v1/periods", &extra).await;
        assert_eq!(r.status, 431);
        let e: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(e["error"], "headers_too_large", "{e}");
    }
    // Ordinary headers, a long Referer included, still pass.
    let referer = format!("Referer: https://a.gov.vn/{}\r\n", "p".repeat(2_000));
    assert_eq!(get(addr, "/api/v1/periods", &referer).await.status, 200);
}

/// Collects what the tracing subscriber writes.
#[derive(Clone, Default)]
struct Buf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buf {
    type Writer = Buf;
    fn make_writer(&'a self) -> Buf {
        self.clone()
    }
}

/// Does nothing with what it is sent, but is interested in every callsite.
struct Interested;

impl tracing::Subscriber for Interested {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        false
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// The tileserver suite is one process whose other tests run servers (and so hit the access
/// log's callsite) on their own threads. tracing caches one interest per callsite for the whole
/// process; while a test's `set_default` subscriber is the only one registered, a callsite
/// first hit on another thread gets its interest from that thread's dispatcher (none), is cached
/// as `never`, and the test's own log lines vanish. A process-wide subscriber that is
/// interested in every callsite (and records nothing) keeps any callsite from being `never`.
fn keep_every_callsite_interested() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        tracing::subscriber::set_global_default(Interested)
            .expect("no other global tracing subscriber in the tileserver suite");
    });
}

#[tokio::test]
async fn access_log_names_the_key_id_never_the_key_or_the_query() {
    keep_every_callsite_interested();
    let buf = Buf::default();
    let sub = tracing_subscriber::fmt()
        .with_writer(buf.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    // The test runtime is single-threaded: the server's tasks log through this subscriber.
    let _guard = tracing::subscriber::set_default(sub);
    let db = TestDb::sqlite();
    let store = db.store().await;
    populate(&store).await;
    let (id, user) = key(&store, false).await;
    let addr = serve(store, unlimited()).await;
    let r = get(
        addr,
        "/api/v1/values?indicator=divorces&token=s3cret",
        &bearer(&user),
    )
    .await;
    assert_eq!(r.status, 400);
    let r = get(addr, "/api/v1/values?indicator=divorces", &bearer(&user)).await;
    assert_eq!(r.status, 200);
    let r = get(
        addr,
        "/api/v1/values?indicator=divorces",
        &bearer("pm_wrong"),
    )
    .await;
    assert_eq!(r.status, 401);
    // The server writes a request's log line once its response has gone out, so the client
    // can see the last answer before the line exists: give the server's task a moment.
    let access_lines = || {
        let log = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let n = log.lines().filter(|l| l.contains("popmap::access")).count();
        (log, n)
    };
    for _ in 0..200 {
        if access_lines().1 >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let (log, _) = access_lines();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("popmap::access"))
        .collect();
    assert_eq!(lines.len(), 3, "{log}");
    for (l, status, key) in [
        (lines[0], 400, id.to_string()),
        (lines[1], 200, id.to_string()),
        (lines[2], 401, "-".to_string()),
    ] {
        assert!(
            l.contains("method=GET") && l.contains("path=/api/v1/values"),
            "{l}"
        );
        assert!(
            l.contains(&format!("status={status}")) && l.contains(&format!("key={key}")),
            "{l}"
        );
        assert!(l.contains("ms="), "{l}");
    }
    assert!(
        !log.contains(&user) && !log.contains("pm_wrong") && !log.contains("s3cret"),
        "{log}"
    );
}

#[tokio::test]
async fn metrics_count_every_answer_once_with_its_route_and_status() {
    // The access guard counts requests (one middleware for keys, limits, log and metrics):
    // answers it refuses itself (401) are counted like the others, each exactly once.
    let db = TestDb::sqlite();
    let store = db.store().await;
    populate(&store).await;
    let (_, user) = key(&store, false).await;
    let (_, admin) = key(&store, true).await;
    let addr = serve(store, unlimited()).await;
    let path = "/api/v1/values?indicator=divorces";
    for _ in 0..2 {
        assert_eq!(get(addr, path, &bearer(&user)).await.status, 200);
    }
    assert_eq!(get(addr, path, &bearer("pm_wrong")).await.status, 401);
    assert_eq!(get(addr, "/no/such/thing", "").await.status, 404);
    // Metrics are for admins: a user key is 403, no key 403 (no admin token configured).
    assert_eq!(get(addr, "/metrics", &bearer(&user)).await.status, 403);
    assert_eq!(get(addr, "/metrics", "").await.status, 403);
    let m = get(addr, "/metrics", &bearer(&admin)).await;
    let text = String::from_utf8(m.body).unwrap();
    let count = |route: &str, status: u16| {
        let needle = format!(
            "popmap_http_requests_total{{route=\"{route}\",method=\"GET\",status=\"{status}\"}} "
        );
        text.lines()
            .find_map(|l| l.strip_prefix(&needle))
            .unwrap_or_else(|| panic!("no {needle} in\n{text}"))
            .to_string()
    };
    assert_eq!(count("/api/v1/values", 200), "2");
    assert_eq!(count("/api/v1/values", 401), "1");
    assert_eq!(count("unmatched", 404), "1");
    assert!(
        text.contains("popmap_http_request_duration_seconds_count{route=\"/api/v1/values\"} 3"),
        "{text}"
    );
}
