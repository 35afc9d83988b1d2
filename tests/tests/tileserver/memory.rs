//! The memory budget (issue 18 item 1): many periods, H3 grids, harmonised values and API
//! variants driven through the real router with a budget far smaller than what they would
//! keep; `/metrics` (the caches' own accounting) shows every cache within its share and all of
//! them within the budget, after having had to let things go.

use std::collections::BTreeMap;

use geodata::{NewSnapshot, Operator, Store, ValueRow, area_weights};
use h3o::Resolution;
use popmap_tests::TestDb;
use tileserver::state::budget::{Cache, MemoryBudget};

use super::common::two_versions::{commune, save_crosswalk, tile_of, version};
use super::common::{fixture, get, ok, ok_json};

/// Bytes the caches share in this test: a few H3 grids, tiles and answers each, so the
/// requests below overflow them.
const CACHES: u64 = 72 << 10;

const INDICATORS: [&str; 5] = ["population", "males", "females", "births", "households"];

/// The two versions of `two_versions` with their crosswalk and r7 operators, and 12 months
/// on vn-2019 and 6 on vn-2025 whose counts differ month to month.
async fn populate(store: &Store) -> Vec<(String, &'static str)> {
    let old = vec![
        commune("00001", 0.0),
        commune("00002", 1.0),
        commune("00003", 2.0),
    ];
    let new = vec![commune("00002", 0.0), commune("00009", 2.0)];
    let v = version("vn-2019", 2019, 1);
    store.import_version(&v, &old, false).await.unwrap();
    let v = version("vn-2025", 2025, 7);
    store.import_version(&v, &new, false).await.unwrap();
    save_crosswalk(store, 0.4, "test").await;
    for (id, units) in [("vn-2019", &old), ("vn-2025", &new)] {
        let weights = units
            .iter()
            .map(|u| {
                (
                    u.code.clone(),
                    area_weights(&u.code, &u.geometry, Resolution::Seven).unwrap(),
                )
            })
            .collect();
        let op = Operator::from_weights(Resolution::Seven, weights).unwrap();
        store.save_operator(id, &op, "area").await.unwrap();
    }
    let months = (1..=12)
        .map(|m| (format!("2024-{m:02}"), "vn-2019"))
        .chain((7..=12).map(|m| (format!("2025-{m:02}"), "vn-2025")));
    let mut periods = Vec::new();
    for (k, (period, v)) in months.enumerate() {
        let units = if v == "vn-2019" { &old } else { &new };
        let values = units
            .iter()
            .enumerate()
            .flat_map(|(u, unit)| {
                INDICATORS.iter().enumerate().map(move |(i, ind)| ValueRow {
                    unit_code: unit.code.clone(),
                    indicator: (*ind).into(),
                    value: 1000 * (u as i64 + 1) + 10 * k as i64 + i as i64,
                    reported: true,
                })
            })
            .collect();
        let snap = NewSnapshot {
            period: period.parse().unwrap(),
            version: v.into(),
            source: format!("{period}.csv"),
            checksum: period.clone(),
            report_json: "{}".into(),
            complete: true,
            values,
        };
        store.publish(&snap).await.unwrap();
        periods.push((period, v));
    }
    periods
}

/// Every `popmap_<name>{cache="…"} value` line of a `/metrics` text, by cache.
fn series(metrics: &str, name: &str) -> BTreeMap<String, u64> {
    let prefix = format!("popmap_{name}{{cache=\"");
    metrics
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|rest| {
            let (cache, value) = rest.split_once("\"} ").unwrap();
            (cache.to_string(), value.trim().parse().unwrap())
        })
        .collect()
}

/// The requests that make a server keep the most, for every period.
fn requests(periods: &[(String, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    for (p, v) in periods {
        for z in [3u32, 5, 7, 9] {
            let (x, y) = tile_of(0.05, 10.05, z);
            out.push(format!("/tiles/h3/{p}/{z}/{x}/{y}.mvt"));
        }
        if *v == "vn-2019" {
            for z in [4u32, 8, 10] {
                let (x, y) = tile_of(0.05, 10.05, z);
                out.push(format!("/tiles/admin/{p}/{z}/{x}/{y}.mvt?version=vn-2025"));
            }
            out.push(format!(
                "/api/v1/map/values?period={p}&level=commune&indicators=population&version=vn-2025"
            ));
        }
        for i in INDICATORS {
            out.push(format!(
                "/api/v1/values?period={p}&level=commune&indicator={i}"
            ));
            let (x, y) = tile_of(0.05, 10.05, 10);
            out.push(format!("/tiles/admin/{p}/10/{x}/{y}.mvt?fields={i}"));
        }
        out.push(format!(
            "/api/v1/rankings?period={p}&level=commune&indicator=population"
        ));
        out.push(format!("/api/v1/download/{p}/commune.csv"));
    }
    for level in ["commune", "h3"] {
        for method in ["quantile", "equal"] {
            out.push(format!(
                "/api/v1/classes?indicator=population&level={level}&method={method}"
            ));
        }
    }
    out
}

#[tokio::test]
async fn no_cache_outgrows_its_share_and_together_they_stay_within_the_budget() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let periods = populate(&store).await;
    let budget = MemoryBudget::of_caches(CACHES);
    let config = tileserver::ServerConfig {
        memory: budget.clone(),
        ..fixture::unlimited()
    };
    let admin = crate::common::admin_bearer(&store).await;
    let addr = fixture::serve(store, config).await;

    let (z, first_period) = (9u32, &periods[0].0);
    let (x, y) = tile_of(0.05, 10.05, z);
    let h3_first = format!("/tiles/h3/{first_period}/{z}/{x}/{y}.mvt");
    let before = ok(addr, &h3_first, "").await.body;
    for path in requests(&periods) {
        let r = get(addr, &path, "").await;
        assert!(
            r.status == 200 || r.status == 204,
            "{path}: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
    }
    // The first period's grid was let go long ago: made again, it gives the same tile.
    assert_eq!(ok(addr, &h3_first, "").await.body, before);

    let text = String::from_utf8(ok(addr, "/metrics", &admin).await.body).unwrap();
    let bytes = series(&text, "cache_bytes");
    let shares = series(&text, "cache_budget_bytes");
    let entries = series(&text, "cache_entries");
    let hits = series(&text, "cache_hits_total");
    let misses = series(&text, "cache_misses_total");
    assert_eq!(bytes.len(), Cache::ALL.len(), "{text}");
    for c in Cache::ALL {
        let name = c.name();
        assert_eq!(shares[name], budget.share(c), "{name}");
        assert!(
            bytes[name] <= shares[name],
            "{name}: {} > {}",
            bytes[name],
            shares[name]
        );
    }
    let total: u64 = bytes.values().sum();
    let budget_line = format!("popmap_memory_budget_bytes {CACHES}");
    assert!(text.contains(&budget_line), "{text}");
    assert!(total <= CACHES, "{total} > {CACHES}");
    // The budget was binding: each of these caches had to let values go (more made than
    // kept) and still holds some.
    for name in ["tiles", "h3_grids", "values", "responses"] {
        assert!(
            misses[name] > entries[name],
            "{name}: {misses:?} {entries:?}"
        );
        assert!(entries[name] > 0 && bytes[name] > 0, "{name}: {bytes:?}");
    }
    // Both tile sources fit, and were read once each.
    assert_eq!(entries["sources"], 2, "{entries:?}");
    assert_eq!(misses["sources"], 2, "{misses:?}");
    assert!(hits["sources"] > 0 && hits["tiles"] > 0, "{hits:?}");

    // Periods as the API lists them: every one of them still answers.
    let listed = ok_json(addr, "/api/v1/periods").await;
    assert_eq!(listed.as_array().unwrap().len(), periods.len());
    drop(db);
}
