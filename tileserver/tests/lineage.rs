//! `GET /api/v1/units/{code}/lineage` over real TCP on a SQLite store with a stored crosswalk.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use geo_types::{MultiPolygon, polygon};
use geodata::crosswalk::{Crosswalk, Part};
use geodata::testdb::TestDb;
use geodata::{BoundaryVersion, Catalog, Level, Unit};
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
async fn lineage_lists_predecessors_and_successors_with_shares_and_date() {
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

    let state = tileserver::AppState::new(
        store.clone(),
        Arc::new(Catalog::builtin()),
        tileserver::ServerConfig::default(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
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
}
