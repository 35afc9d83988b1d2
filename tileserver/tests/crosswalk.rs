//! Over real TCP on a SQLite store with a stored crosswalk: `GET /api/v1/units/{code}/lineage`
//! and admin tiles of a vn-2019 period on vn-2025 boundaries (`?version=vn-2025`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use geo_types::{MultiPolygon, polygon};
use geodata::crosswalk::{Crosswalk, Part};
use geodata::operator::{Operator, area_weights};
use geodata::store::{NewSnapshot, ValueRow};
use geodata::testdb::TestDb;
use geodata::{BoundaryVersion, Catalog, Level, Unit};
use geozero::mvt::{Message, Tile};
use h3o::Resolution;
use serde_json::Value;
mod common;

fn commune(code: &str, x: f64) -> Unit {
    Unit {
        code: code.into(),
        name: format!("Xã {code}"),
        level: Level::Commune,
        parent_code: None,
        area_km2: 100.0,
        geometry: MultiPolygon(vec![polygon![
            (x: x, y: 10.0), (x: x + 0.1, y: 10.0), (x: x + 0.1, y: 10.1), (x: x, y: 10.1), (x: x, y: 10.0)
        ]]),
    }
}

fn version(id: &str, y: i32, m: u32) -> BoundaryVersion {
    BoundaryVersion {
        id: id.into(),
        valid_from: NaiveDate::from_ymd_opt(y, m, 1).unwrap(),
        valid_to: None,
        levels: vec![Level::Commune],
    }
}

fn part(code: &str, share: f64, exact: bool) -> Part {
    Part {
        new_code: code.into(),
        share,
        exact,
    }
}

#[tokio::test]
async fn lineage_and_harmonised_admin_tiles() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let old = vec![
        commune("00001", 0.0),
        commune("00002", 1.0),
        commune("00003", 2.0),
    ];
    let new = vec![commune("00002", 0.0), commune("00009", 2.0)];
    store
        .import_version(&version("vn-2019", 2019, 1), &old, false)
        .await
        .unwrap();
    store
        .import_version(&version("vn-2025", 2025, 7), &new, false)
        .await
        .unwrap();
    let mut rows = BTreeMap::new();
    rows.insert("00001".to_string(), vec![part("00002", 1.0, true)]);
    rows.insert("00002".to_string(), vec![part("00002", 1.0, true)]);
    rows.insert(
        "00003".to_string(),
        vec![part("00002", 0.4, false), part("00009", 0.6, false)],
    );
    let new_codes: BTreeSet<String> = ["00002".to_string(), "00009".to_string()].into();
    let cw = Crosswalk::new("vn-2019", "vn-2025", rows, &new_codes).unwrap();
    let sources = [("00003".to_string(), "geometry".to_string())].into();
    store
        .save_crosswalk(&cw, "test", 0, &sources)
        .await
        .unwrap();

    let values = [("00001", 100), ("00002", 200), ("00003", 1000)]
        .into_iter()
        .map(|(code, v)| ValueRow {
            unit_code: code.into(),
            indicator: "population".into(),
            value: v,
            reported: true,
        })
        .collect();
    store
        .publish(&NewSnapshot {
            period: "2024-06".parse().unwrap(),
            version: "vn-2019".into(),
            source: "test".into(),
            checksum: "0".into(),
            report_json: "{}".into(),
            values,
        })
        .await
        .unwrap();

    store
        .publish(&NewSnapshot {
            period: "2025-07".parse().unwrap(),
            version: "vn-2025".into(),
            source: "test".into(),
            checksum: "0".into(),
            report_json: "{}".into(),
            values: vec![ValueRow {
                unit_code: "00002".into(),
                indicator: "population".into(),
                value: 700,
                reported: true,
            }],
        })
        .await
        .unwrap();

    // A month with 5 people in 00002: its H3 footprint is below the disclosure total.
    store
        .publish(&NewSnapshot {
            period: "2025-08".parse().unwrap(),
            version: "vn-2025".into(),
            source: "test".into(),
            checksum: "1".into(),
            report_json: "{}".into(),
            values: [("population", 5), ("males", 2), ("females", 3)]
                .into_iter()
                .map(|(indicator, value)| ValueRow {
                    unit_code: "00002".into(),
                    indicator: indicator.into(),
                    value,
                    reported: true,
                })
                .collect(),
        })
        .await
        .unwrap();

    // Area-weighted r7 operators for both versions, for the h3 view of a series.
    for (id, units) in [("vn-2019", &old), ("vn-2025", &new)] {
        let weights = units
            .iter()
            .map(|u| {
                let w = area_weights(&u.code, &u.geometry, Resolution::Seven).unwrap();
                (u.code.clone(), w)
            })
            .collect();
        let op = Operator::from_weights(Resolution::Seven, weights).unwrap();
        store.save_operator(id, &op, "area").await.unwrap();
    }

    let state = tileserver::AppState::new(
        store.clone(),
        Arc::new(Catalog::builtin()),
        tileserver::ServerConfig::default(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = state.clone();
    tokio::spawn(async move {
        axum::serve(listener, tileserver::router(state))
            .await
            .unwrap();
    });
    let get = |path: String| async move {
        let r = common::get(addr, &path, "").await;
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        (r.status, body)
    };

    // 00002 names a unit in both versions: three predecessors in vn-2019 and one successor.
    let (status, body) = get("/api/v1/units/00002/lineage".into()).await;
    assert_eq!(status, 200, "{body}");
    let links = |side: &str| -> Vec<(String, String, f64, bool, String)> {
        body[side]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["version"].as_str().unwrap().to_string(),
                    l["code"].as_str().unwrap().to_string(),
                    l["share"].as_f64().unwrap(),
                    l["exact"].as_bool().unwrap(),
                    l["effective"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let d = "2025-07-01".to_string();
    assert_eq!(
        links("predecessors"),
        [
            ("vn-2019".into(), "00001".into(), 1.0, true, d.clone()),
            ("vn-2019".into(), "00002".into(), 1.0, true, d.clone()),
            ("vn-2019".into(), "00003".into(), 0.4, false, d.clone()),
        ]
    );
    assert_eq!(
        links("successors"),
        [("vn-2025".into(), "00002".into(), 1.0, true, d.clone())]
    );
    assert_eq!(body["units"].as_array().unwrap().len(), 2);
    assert_eq!(body["predecessors"][0]["name"], "Xã 00001");
    assert_eq!(body["predecessors"][2]["source"], "geometry");

    // A split old unit: two successors; a new unit fed by the split: one estimated predecessor.
    let (status, body) = get("/api/v1/units/00003/lineage".into()).await;
    assert_eq!(status, 200);
    assert_eq!(body["successors"].as_array().unwrap().len(), 2);
    assert!(body["predecessors"].as_array().unwrap().is_empty());
    let (_, body) = get("/api/v1/units/00009/lineage".into()).await;
    assert_eq!(body["predecessors"][0]["share"], 0.6);
    assert_eq!(body["predecessors"][0]["exact"], false);

    let (status, body) = get("/api/v1/units/99999/lineage".into()).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "not_found");

    // Admin tiles: natively the old 00002 (200 people); on vn-2025 the new 00002 holds
    // 100 + 200 + 40% of 1,000, estimated because part of it comes from a split.
    let tile_props = |lon: f64, query: &'static str| async move {
        let (x, y) = tile_of(lon, 10.05, 12);
        let r = common::get(
            addr,
            &format!("/tiles/admin/2024-06/12/{x}/{y}.mvt{query}"),
            "",
        )
        .await;
        assert_eq!(
            r.status,
            200,
            "{query}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let t = Tile::decode(&r.body[..]).unwrap();
        let layer = &t.layers[0];
        assert_eq!(layer.features.len(), 1);
        let f = &layer.features[0];
        f.tags
            .chunks(2)
            .map(|kv| {
                let v = &layer.values[kv[1] as usize];
                let text = v
                    .string_value
                    .clone()
                    .or(v.int_value.map(|i| i.to_string()))
                    .or(v.bool_value.map(|b| b.to_string()))
                    .unwrap_or_default();
                (layer.keys[kv[0] as usize].clone(), text)
            })
            .collect::<BTreeMap<String, String>>()
    };
    let native = tile_props(1.05, "").await;
    assert_eq!(native["code"], "00002");
    assert_eq!(native["population"], "200");
    assert!(!native.contains_key("estimated"));
    let same = tile_props(1.05, "?version=vn-2019").await;
    assert_eq!(same["population"], "200");
    let moved = tile_props(0.05, "?version=vn-2025").await;
    assert_eq!(moved["code"], "00002");
    assert_eq!(moved["population"], "700");
    assert_eq!(moved["estimated"], "true");
    let moved = tile_props(2.05, "?version=vn-2025&fields=population").await;
    assert_eq!(
        (moved["code"].as_str(), moved["population"].as_str()),
        ("00009", "600")
    );

    // TileJSON says which version and that values are estimated.
    let (status, tj) = get("/tiles/admin/2024-06.json?version=vn-2025".into()).await;
    assert_eq!(status, 200, "{tj}");
    assert_eq!(tj["popmap"]["version"], "vn-2025");
    assert_eq!(tj["popmap"]["reported_on"], "vn-2019");
    assert_eq!(tj["popmap"]["estimated"], true);
    let url = tj["tiles"][0].as_str().unwrap();
    assert!(
        url.ends_with("/tiles/admin/2024-06@r1/{z}/{x}/{y}.mvt?version=vn-2025"),
        "{url}"
    );
    let (_, tj) = get("/tiles/admin/2024-06.json".into()).await;
    assert_eq!(tj["popmap"]["version"], "vn-2019");
    assert_eq!(tj["popmap"]["estimated"], false);
    for q in ["?version=vn-1999", "?version=vn-2019"] {
        let (status, _) = get(format!("/tiles/admin/2025-07.json{q}")).await;
        assert_eq!(status, 400, "{q}");
    }

    let (x, y) = tile_of(0.05, 10.05, 12);
    for (period, query) in [
        ("2024-06", "?version=vn-1999"),
        ("2024-06", "?versio=vn-2025"),
        // No crosswalk leads from vn-2025 back to vn-2019.
        ("2025-07", "?version=vn-2019"),
    ] {
        let r = common::get(
            addr,
            &format!("/tiles/admin/{period}/12/{x}/{y}.mvt{query}"),
            "",
        )
        .await;
        let body = String::from_utf8_lossy(&r.body).to_string();
        assert_eq!(r.status, 400, "{period}{query}: {body}");
        if query == "?version=vn-2019" {
            assert!(
                body.contains("no crosswalk from vn-2025 to vn-2019"),
                "{body}"
            );
        }
    }

    harmonised_styles_and_values(addr).await;
    series_views(addr).await;

    // A rebuilt crosswalk (00003 now split half and half) is seen after the next reload:
    // harmonised series and tiles no longer answer from the old shares.
    let mut rows = BTreeMap::new();
    rows.insert("00001".to_string(), vec![part("00002", 1.0, true)]);
    rows.insert("00002".to_string(), vec![part("00002", 1.0, true)]);
    rows.insert(
        "00003".to_string(),
        vec![part("00002", 0.5, false), part("00009", 0.5, false)],
    );
    let new_codes: BTreeSet<String> = ["00002".to_string(), "00009".to_string()].into();
    let cw = Crosswalk::new("vn-2019", "vn-2025", rows, &new_codes).unwrap();
    let sources = [("00003".to_string(), "geometry".to_string())].into();
    store
        .save_crosswalk(&cw, "test, rebuilt", 0, &sources)
        .await
        .unwrap();
    let outcome = tileserver::refresh::reload(&served).await.unwrap();
    assert!(outcome.changed);
    let r = common::get(
        addr,
        "/api/v1/units/00002/series?indicator=population&view=harmonised&to=2024-12",
        "",
    )
    .await;
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["points"][0]["value"], 800, "{body}");
    let moved = tile_props(0.05, "?version=vn-2025").await;
    assert_eq!(moved["population"], "800");
}

/// `?version=` on styles, map values and classes: a vn-2019 period drawn on vn-2025 units.
async fn harmonised_styles_and_values(addr: std::net::SocketAddr) {
    let get = |path: String| async move {
        let r = common::get(addr, &path, "").await;
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        (r.status, body)
    };
    let (status, v) = get(
        "/api/v1/map/values?period=2024-06&level=commune&indicators=population,density&version=vn-2025"
            .into(),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["version"], "vn-2025");
    assert_eq!(v["reported_on"], "vn-2019");
    assert_eq!(v["codes"], serde_json::json!(["00002", "00009"]));
    assert_eq!(v["values"]["population"], serde_json::json!([700.0, 600.0]));
    assert_eq!(v["values"]["density"], serde_json::json!([7.0, 6.0]));
    assert_eq!(v["estimated"], serde_json::json!([true, true]));
    // Unharmonised, the same period has its three vn-2019 communes and no estimated flags.
    let (_, v) =
        get("/api/v1/map/values?period=2024-06&level=commune&indicators=population".into()).await;
    assert_eq!(v["codes"].as_array().unwrap().len(), 3);
    assert!(v.get("estimated").is_none());

    let (status, c) = get(
        "/api/v1/classes?indicator=population&period=2024-06&level=commune&version=vn-2025&method=quantile&k=2"
            .into(),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["version"], "vn-2025");
    let counted: u64 = c["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 2, "{c}");

    let (status, style) =
        get("/styles/population.json?period=2024-06&version=vn-2025".into()).await;
    assert_eq!(status, 200, "{style}");
    assert_eq!(style["metadata"]["popmap:version"], "vn-2025");
    assert_eq!(style["metadata"]["popmap:reported_on"], "vn-2019");
    assert_eq!(style["metadata"]["popmap:harmonised"], true);
    let url = style["sources"]["popmap"]["url"].as_str().unwrap();
    assert!(
        url.ends_with("/tiles/admin/2024-06@r1.json?version=vn-2025"),
        "{url}"
    );
    let (status, tj) = get(url[url.find("/tiles/").unwrap()..].to_string()).await;
    assert_eq!(status, 200, "{tj}");
    assert_eq!(tj["popmap"]["estimated"], true);
    let (_, style) =
        get("/styles/population.json?period=2024-06&version=vn-2025&join=state".into()).await;
    let url = style["sources"]["popmap"]["url"].as_str().unwrap();
    assert!(url.ends_with("/tiles/boundaries/vn-2025.json"), "{url}");
    let (_, style) = get("/styles/population.json?period=2024-06".into()).await;
    assert_eq!(style["metadata"]["popmap:harmonised"], false);

    for (q, needle) in [
        (
            "/styles/population.json?period=2024-06&version=vn-1999",
            "vn-1999",
        ),
        (
            "/styles/population.json?period=2025-07&version=vn-2019",
            "no crosswalk from vn-2025 to vn-2019",
        ),
        (
            "/api/v1/map/values?period=2025-07&level=commune&indicators=population&version=vn-2019",
            "no crosswalk",
        ),
    ] {
        let (status, body) = get(q.into()).await;
        assert_eq!(status, 400, "{q}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(needle),
            "{q}: {body}"
        );
    }
}

/// `?view=` on `/api/v1/units/{code}/series` over the same store.
async fn series_views(addr: std::net::SocketAddr) {
    let get = |path: String| async move {
        let r = common::get(addr, &path, "").await;
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        (r.status, body)
    };
    let points = |body: &Value| -> Vec<(String, String, Value, bool)> {
        body["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["period"].as_str().unwrap().to_string(),
                    p["version"].as_str().unwrap().to_string(),
                    p["value"].clone(),
                    p["estimated"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let pt = |period: &str, version: &str, value: Value, estimated: bool| {
        (period.to_string(), version.to_string(), value, estimated)
    };

    // As reported, code 00002 is the old commune (200) then the merged one (700): a jump.
    let (status, body) =
        get("/api/v1/units/00002/series?indicator=population&to=2025-07".into()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["view"], "as-reported");
    assert!(body.get("target").is_none());
    assert_eq!(
        points(&body),
        [
            pt("2024-06", "vn-2019", 200.into(), false),
            pt("2025-07", "vn-2025", 700.into(), false)
        ]
    );

    // Harmonised on vn-2025 (the newest period's version by default): 100 + 200 + 40 % of
    // 1,000 in 2024-06, estimated because a split fed it; no jump.
    let (status, body) =
        get("/api/v1/units/00002/series?indicator=population&view=harmonised&to=2025-07".into())
            .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["view"], "harmonised");
    assert_eq!(body["target"], "vn-2025");
    assert_eq!(
        points(&body),
        [
            pt("2024-06", "vn-2025", 700.into(), true),
            pt("2025-07", "vn-2025", 700.into(), false)
        ]
    );
    // The new commune fed only by the split: 600 estimated, nothing reported in 2025-07.
    let (_, body) =
        get("/api/v1/units/00009/series?indicator=population&view=harmonised&to=2025-07".into())
            .await;
    assert_eq!(
        points(&body),
        [
            pt("2024-06", "vn-2025", 600.into(), true),
            pt("2025-07", "vn-2025", Value::Null, false)
        ]
    );
    // Derived values are recomputed from the moved counts over the target unit's area.
    let (_, body) =
        get("/api/v1/units/00009/series?indicator=density&view=harmonised&to=2024-12".into()).await;
    let density = body["points"][0]["value"].as_f64().unwrap();
    // The fixture's communes declare 100 km².
    assert!((density - 600.0 / 100.0).abs() < 1e-9, "{density}");
    // CSV carries the flags.
    let r = common::get(
        addr,
        "/api/v1/units/00002/series?indicator=population&view=harmonised&format=csv",
        "",
    )
    .await;
    let csv = String::from_utf8(r.body).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        "code,indicator,period,revision,version,value,estimated,suppressed"
    );
    assert!(
        csv.contains("00002,population,2024-06,1,vn-2025,700,true,false"),
        "{csv}"
    );

    // Harmonised on vn-2019: fine up to 2024, a clear 400 once a period has no way back.
    let (status, body) = get(
        "/api/v1/units/00001/series?indicator=population&view=harmonised&version=vn-2019&to=2024-12"
            .into(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(points(&body), [pt("2024-06", "vn-2019", 100.into(), false)]);
    for (query, status, needle) in [
        (
            "00001?indicator=population&view=harmonised&version=vn-2019",
            400,
            "no crosswalk from vn-2025 to vn-2019",
        ),
        (
            "00001?indicator=population&view=harmonised",
            404,
            "no unit '00001' in boundary version vn-2025",
        ),
        (
            "00002?indicator=population&view=harmonised&version=vn-1999",
            404,
            "vn-1999",
        ),
        (
            "00002?indicator=population&view=hexagons",
            400,
            "view='hexagons'",
        ),
        (
            "00002?indicator=population&version=vn-2025",
            400,
            "version=",
        ),
    ] {
        let (code, rest) = query.split_once('?').unwrap();
        let (got, body) = get(format!("/api/v1/units/{code}/series?{rest}")).await;
        assert_eq!(got, status, "{query}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(needle),
            "{query}: {body}"
        );
    }

    // H3: the r7 cells whose centre lies in vn-2025's 00002, filled in each period by that
    // period's operator. The same cells' values from the cell API add up to each point.
    let (status, body) =
        get("/api/v1/units/00002/series?indicator=population&view=h3&to=2025-07".into()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["view"], "h3");
    assert_eq!(body["footprint"]["resolution"], 7);
    let mut tiler = h3o::geom::TilerBuilder::new(Resolution::Seven)
        .containment_mode(h3o::geom::ContainmentMode::ContainsCentroid)
        .build();
    tiler
        .add(commune("00002", 0.0).geometry.0[0].clone())
        .unwrap();
    let cells: Vec<h3o::CellIndex> = tiler.into_coverage().collect();
    assert!(cells.len() > 10, "{} cells", cells.len());
    assert_eq!(body["footprint"]["cells"], cells.len());
    let pts = body["points"].as_array().unwrap();
    assert_eq!(pts.len(), 2);
    for p in pts {
        let period = p["period"].as_str().unwrap();
        let mut sum = 0;
        for c in &cells {
            let (status, cell) = get(format!("/api/v1/h3/{period}/{c}")).await;
            match status {
                200 => sum += cell["values"]["population"].as_i64().unwrap(),
                404 => {}
                other => panic!("{period} {c}: {other} {cell}"),
            }
        }
        assert!(sum > 0);
        assert_eq!(p["value"].as_i64().unwrap(), sum, "{period}");
        assert_eq!(p["estimated"], true);
    }
    // Both periods read the same cells: old 00001 (100 people) and new 00002 (700) cover
    // the same square, so the footprint holds about a seventh as many people in 2024-06.
    let (a, b) = (
        pts[0]["value"].as_f64().unwrap(),
        pts[1]["value"].as_f64().unwrap(),
    );
    println!("h3 footprint of 00002: {a} people in 2024-06, {b} in 2025-07");

    // 2025-08: about 4 people in the footprint, under the disclosure total of 10: the total is
    // shown, anything else (here the sex ratio) is withheld and the point says so.
    let (_, body) =
        get("/api/v1/units/00002/series?indicator=population&view=h3&from=2025-08".into()).await;
    let p = &body["points"][0];
    assert_eq!(p["period"], "2025-08");
    assert_eq!(p["suppressed"], true, "{body}");
    assert!((1..10).contains(&p["value"].as_i64().unwrap()), "{p}");
    let (_, body) =
        get("/api/v1/units/00002/series?indicator=sex_ratio&view=h3&from=2025-07".into()).await;
    let pts = body["points"].as_array().unwrap();
    assert_eq!(
        (pts[0]["suppressed"].as_bool(), pts[0]["value"].is_null()),
        (Some(false), true)
    );
    assert_eq!(
        (pts[1]["suppressed"].as_bool(), pts[1]["value"].is_null()),
        (Some(true), true)
    );
    // As reported, the unit's own 5 people carry a sex ratio (no footprint to protect).
    let (_, body) = get("/api/v1/units/00002/series?indicator=sex_ratio&from=2025-08".into()).await;
    assert!(
        (body["points"][0]["value"].as_f64().unwrap() - 200.0 / 3.0).abs() < 0.1,
        "{body}"
    );
    assert!((b / a - 7.0).abs() < 0.5, "{a} then {b}");
    assert!(
        a <= 100.0,
        "border cells are shared with the neighbours: {a}"
    );
}

fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = 2f64.powi(z as i32);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let r = lat.to_radians();
    let y = ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    (x, y as u32)
}
