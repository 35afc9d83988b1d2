//! Classes over time and change maps over real TCP: timeline breaks shared by every period of a
//! granularity (across boundary versions) and recomputed after a publish, `breaks=period`
//! classes of one period, and `/api/v1/map/change` (exact values, harmonised base, refusals).

use geodata::Level;
use geodata::{NewSnapshot, Store, ValueRow};
use popmap_tests::TestDb;
use serde_json::{Value, json};

use crate::common;
use crate::common::get_json;
use crate::common::ok_json as ok;
use crate::common::two_versions;

/// 20 communes of province 01 on vn-2025.
fn units() -> Vec<geodata::Unit> {
    let mut u = vec![common::unit(
        "01",
        "Hà Nội",
        Level::Province,
        None,
        common::rect(105.0, 21.0, 107.0, 21.1),
    )];
    for i in 0..20 {
        let x = 105.0 + 0.1 * f64::from(i);
        u.push(common::unit(
            &format!("{:05}", i + 1),
            &format!("Xã {i}"),
            Level::Commune,
            Some("01"),
            common::rect(x, 21.0, x + 0.1, 21.1),
        ));
    }
    u
}

/// Publishes `period` with commune i's population `pop(i)` (and the province's sum).
async fn publish(store: &Store, period: &str, pop: impl Fn(i64) -> i64) {
    let mut values: Vec<ValueRow> = (0..20)
        .map(|i| ValueRow {
            unit_code: format!("{:05}", i + 1),
            indicator: "population".into(),
            value: pop(i),
            reported: true,
        })
        .collect();
    values.push(ValueRow {
        unit_code: "01".into(),
        indicator: "population".into(),
        value: (0..20).map(&pop).sum(),
        reported: false,
    });
    store
        .publish(&NewSnapshot {
            period: period.parse().unwrap(),
            version: "vn-2025".into(),
            source: "test".into(),
            checksum: period.into(),
            report_json: "{}".into(),
            complete: true,
            values,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn timeline_breaks_are_one_legend_and_follow_publishes() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    store
        .import_version(&common::vn_2025(), &units(), false)
        .await
        .unwrap();
    // Four months whose values grow: each month alone would get its own thresholds.
    for m in 1..=4 {
        publish(&store, &format!("2025-0{m}"), |i| 1000 * (i + 1) * m).await;
    }
    publish(&store, "2025-Q1", |i| 3000 * (i + 1)).await;
    let state = common::state(store.clone(), Default::default()).await;
    let addr = common::spawn(state.clone()).await;

    let url = |p: &str, extra: &str| {
        format!("/api/v1/classes?indicator=population&level=commune&period={p}{extra}")
    };
    let first = ok(addr, &url("2025-01", "")).await;
    assert_eq!(first["breaks"], "timeline");
    assert_eq!(
        first["periods"],
        json!(["2025-01", "2025-02", "2025-03", "2025-04"])
    );
    let mut own = Vec::new();
    for m in 1..=4 {
        let p = format!("2025-0{m}");
        let c = ok(addr, &url(&p, "")).await;
        assert_eq!(c["thresholds"], first["thresholds"], "{p}");
        assert_eq!(c["classes"][0]["min"], first["classes"][0]["min"], "{p}");
        // Counts are this period's: every commune once.
        let n: u64 = c["classes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["count"].as_u64().unwrap())
            .sum();
        assert_eq!(n, 20, "{p}");
        let alone = ok(addr, &url(&p, "&breaks=period")).await;
        assert_eq!(alone["breaks"], "period");
        assert_eq!(alone["periods"], json!([p]));
        own.push(alone["thresholds"].clone());
    }
    // Each month alone has its own thresholds; the timeline's differ from at least one.
    assert_ne!(own[0], own[3]);
    assert!(own.iter().any(|t| *t != first["thresholds"]));
    // Timeline thresholds are round numbers, and readable in every month.
    for t in first["thresholds"].as_array().unwrap() {
        let t = t.as_f64().unwrap();
        assert_eq!(t % 500.0, 0.0, "{first}");
    }
    // A quarter pools quarters only.
    let q = ok(addr, &url("2025-Q1", "")).await;
    assert_eq!(q["periods"], json!(["2025-Q1"]));
    // Styles carry the same classes.
    let style = ok(addr, "/styles/population.json?period=2025-02&join=state").await;
    let meta = &style["metadata"]["popmap:classes"]["commune"];
    assert_eq!(meta["thresholds"], first["thresholds"]);
    assert_eq!(meta["breaks"], "timeline");
    let bad = get_json(addr, &url("2025-01", "&breaks=month")).await;
    assert_eq!(bad.0, 400);
    assert_eq!(bad.1["details"]["parameter"], "breaks");

    // Each month's commune column was read once (the province's and the quarter's too).
    let columns = state.columns.meter();
    let (hits, misses) = (columns.hits(), columns.misses());
    assert_eq!(
        misses,
        4 + 1 + 4,
        "commune months, the quarter, province months"
    );

    // A publish (and the reload that serves it) pools the new month in: the reload remakes
    // the timelines in use before the new state is served, reading only the new month's
    // columns (commune and province: two).
    publish(&store, "2025-05", |i| 100_000 * (i + 1)).await;
    tileserver::state::refresh::reload(&state).await.unwrap();
    assert_eq!(columns.misses(), misses + 2);
    let prepared = columns.hits();
    assert!(
        prepared > hits,
        "the other months' columns came from the cache"
    );
    let after = ok(addr, &url("2025-01", "")).await;
    assert_eq!(after["periods"].as_array().unwrap().len(), 5);
    assert_ne!(after["thresholds"], first["thresholds"]);
    // Served from what the reload prepared: nothing pooled again.
    assert_eq!((columns.hits(), columns.misses()), (prepared, misses + 2));

    // A change across granularities is refused, naming `base`.
    let (status, e) = get_json(
        addr,
        "/api/v1/map/change?indicator=population&period=2025-Q1&base=2025-03&level=commune",
    )
    .await;
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["error"], "bad_request");
    assert_eq!(e["details"]["parameter"], "base");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("compare periods of the same length"),
        "{e}"
    );
    // Unpublished and malformed bases: 404 and 400, as JSON.
    let (status, e) = get_json(addr, "/api/v1/map/change?indicator=population&base=2019-01").await;
    assert_eq!((status, &e["error"]), (404, &json!("not_found")));
    let (status, e) = get_json(addr, "/api/v1/map/change?indicator=population&base=x").await;
    assert_eq!((status, &e["details"]["parameter"]), (400, &json!("base")));
    let (status, _) = get_json(addr, "/api/v1/map/change?indicator=population").await;
    assert_eq!(status, 400);
    let (status, _) = get_json(
        addr,
        "/api/v1/map/change?indicator=population&base=2025-01&measure=ratio",
    )
    .await;
    assert_eq!(status, 400);

    // Change 2025-01 → 2025-04 by commune: population × 4, so +3000·(i+1), +300 %.
    let c = ok(
        addr,
        "/api/v1/map/change?indicator=population&period=2025-04&base=2025-01&level=commune",
    )
    .await;
    let want: Vec<Value> = (0..20).map(|i| json!(3000.0 * f64::from(i + 1))).collect();
    assert_eq!(c["values"], json!(want));
    assert_eq!(c["harmonised_from"], Value::Null);
    assert_eq!(c["unit_en"], "persons");
    let n = c["neutral"][1].as_f64().unwrap();
    assert_eq!(c["neutral"], json!([-n, n]));
    let t: Vec<f64> = c["thresholds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    for i in 0..t.len() {
        assert_eq!(t[i], -t[t.len() - 1 - i], "symmetric: {t:?}");
    }
    let counts: Vec<u64> = c["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts.iter().sum::<u64>(), 20);
    assert!(counts.iter().all(|k| *k <= 8), "{counts:?}");
    let p = ok(
        addr,
        "/api/v1/map/change?indicator=population&period=2025-04&base=2025-01&level=commune&measure=pct",
    )
    .await;
    assert_eq!(p["values"], json!(vec![300.0; 20]));
    assert_eq!(p["unit_en"], "%");
}

#[tokio::test]
async fn change_harmonises_the_base_onto_the_period_boundaries() {
    let s = two_versions::serve().await;
    // 2024-06 on vn-2019 (100, 200, 1000), moved onto vn-2025: 00002 = 100 + 200 + 0.4 × 1000,
    // 00009 = 0.6 × 1000. 2025-08 has 5 people in 00002 and nothing in 00009.
    let c = ok(
        s.addr,
        "/api/v1/map/change?indicator=population&period=2025-08&base=2024-06&level=commune",
    )
    .await;
    assert_eq!(c["version"], "vn-2025");
    assert_eq!(c["harmonised_from"], "vn-2019");
    assert_eq!(c["codes"], json!(["00002", "00009"]));
    assert_eq!(c["from"], json!([700.0, 600.0]));
    assert_eq!(c["to"], json!([5.0, null]));
    assert_eq!(c["values"], json!([-695.0, null]));
    assert_eq!(c["estimated"], json!([true, true]));
    assert_eq!(c["unstable"], json!([false, false]));
    assert_eq!(c["no_data"]["count"], 1);
    let p = ok(
        s.addr,
        "/api/v1/map/change?indicator=population&period=2025-08&base=2024-06&level=commune&measure=pct",
    )
    .await;
    assert_eq!(p["values"], json!([-99.29, null]));
    // Same boundaries: nothing harmonised, nothing estimated.
    let same = ok(
        s.addr,
        "/api/v1/map/change?indicator=population&period=2025-08&base=2025-07&level=commune",
    )
    .await;
    assert_eq!(same["harmonised_from"], Value::Null);
    assert_eq!(same["values"], json!([-695.0, null]));
    assert_eq!(same["estimated"], json!([false, false]));
    // One legend for the periods of both boundary versions.
    let mut seen = Vec::new();
    for p in ["2024-06", "2025-07", "2025-08"] {
        let c = ok(
            s.addr,
            &format!("/api/v1/classes?indicator=population&level=commune&period={p}"),
        )
        .await;
        assert_eq!(c["periods"], json!(["2024-06", "2025-07", "2025-08"]));
        seen.push(c["thresholds"].clone());
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
    // H3 classes come from H3 cells, and the H3 style uses them.
    let h = ok(
        s.addr,
        "/api/v1/classes?indicator=population&level=h3&period=2024-06",
    )
    .await;
    assert_eq!(h["level"], "h3");
    let style = ok(s.addr, "/styles/population.json?level=h3&period=2024-06").await;
    assert_eq!(style["metadata"]["popmap:level"], "h3");
    assert_eq!(
        style["metadata"]["popmap:classes"]["h3"]["thresholds"],
        h["thresholds"]
    );
    let fill = style["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "h3-fill")
        .unwrap();
    assert_eq!(fill["source-layer"], "h3");
    // ["case", ["==", ["typeof", <input>], "number"], <step>, <no data>]
    assert_eq!(
        fill["paint"]["fill-color"][1][1][1],
        json!(["get", "population"])
    );
    let old = ok(s.addr, "/styles/h3-density.json?period=2024-06").await;
    assert_eq!(old["metadata"]["popmap:level"], "h3");
}
