//! What the catalog tells the map, over real TCP: every public indicator explained in both
//! languages (definition, source, a formula in words naming the indicators it divides), the
//! capabilities the page reads instead of probing (`methods`, `k_range`, `stable`, `h3` of
//! `/api/v1/map/indicators`; `onto`, `h3` of `/api/v1/versions`), each checked against what the
//! server then actually serves, and refreshed by a reload.

use geodata::{Catalog, Operator, area_weights, is_nfc};
use h3o::Resolution;
use popmap_tests::TestDb;
use serde_json::{Value, json};

use crate::common::fixture::{populate, serve, units_2025, unlimited};
use crate::common::ok_json as ok;
use crate::common::{get_json, two_versions};

/// `about.<field>` of `entry` in both languages: non-empty NFC text.
fn texts<'a>(entry: &'a Value, field: &str) -> (&'a str, &'a str) {
    let id = &entry["id"];
    let t = &entry["about"][field];
    let (vi, en) = (t["vi"].as_str(), t["en"].as_str());
    let (Some(vi), Some(en)) = (vi, en) else {
        panic!("{id}: about.{field} lacks a language: {t}");
    };
    for s in [vi, en] {
        assert!(
            s.trim().len() > 10,
            "{id}: about.{field} is too short: {s:?}"
        );
        assert!(is_nfc(s), "{id}: about.{field} is not NFC: {s:?}");
    }
    (vi, en)
}

#[tokio::test]
async fn every_public_indicator_is_explained_and_its_formula_names_its_terms() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    populate(&store).await;
    let addr = serve(store, unlimited()).await;
    let catalog = Catalog::builtin();
    let all = ok(addr, "/api/v1/indicators").await;
    let all = all.as_array().unwrap();
    let name = |id: &str| -> (String, String) {
        if id == geodata::AREA {
            return ("diện tích".into(), "area".into());
        }
        if let Some(s) = catalog.sum(id) {
            return (s.name_vi.to_lowercase(), s.name_en.to_lowercase());
        }
        let e = all.iter().find(|e| e["id"] == id).unwrap();
        (
            e["name_vi"].as_str().unwrap().to_lowercase(),
            e["name_en"].as_str().unwrap().to_lowercase(),
        )
    };
    let map = ok(addr, "/api/v1/map/indicators").await;
    let map = map["indicators"].as_array().unwrap();
    assert!(map.len() >= 20, "{} public indicators", map.len());
    for entry in all.iter().filter(|e| e["access"] == "public") {
        let id = entry["id"].as_str().unwrap();
        texts(entry, "definition");
        texts(entry, "source");
        if !entry["about"]["caveats"].is_null() {
            texts(entry, "caveats");
        }
        if entry["group"] == "age" {
            // Drawn as pyramids, not offered as map colours.
            assert!(
                !map.iter().any(|m| m["id"] == id),
                "{id} on the map's picker"
            );
            continue;
        }
        let on_map = map.iter().find(|m| m["id"] == id).unwrap();
        assert_eq!(on_map["about"], entry["about"], "{id}: one explanation");
        match catalog.derived(id) {
            None => assert!(entry["about"]["formula"].is_null(), "{id}"),
            Some(d) => {
                let (vi, en) = texts(entry, "formula");
                let (vi, en) = (vi.to_lowercase(), en.to_lowercase());
                for t in d.numerator.iter().chain(&d.denominator) {
                    let (nvi, nen) = name(t.trim_start_matches('-'));
                    assert!(vi.contains(&nvi), "{id}: {vi:?} does not name {nvi:?}");
                    assert!(en.contains(&nen), "{id}: {en:?} does not name {nen:?}");
                }
                if d.annualised {
                    assert!(vi.contains("quy về năm") && en.contains("per year"), "{id}");
                }
            }
        }
    }
    // The CSV carries the texts too.
    let csv = crate::common::get(addr, "/api/v1/indicators?format=csv", "").await;
    let text = String::from_utf8(csv.body).unwrap();
    assert!(text.lines().next().unwrap().contains("definition_vi"));
    assert!(text.contains("Tỷ số giới tính khi sinh"));

    // The noisy ratios name where they are stable; the others do not.
    let by_id = |id: &str| map.iter().find(|m| m["id"] == id).unwrap().clone();
    assert_eq!(
        by_id("srb")["stable"],
        json!({"level": "province", "granularity": "year"})
    );
    for id in ["cbr", "cdr", "net_migration_rate"] {
        assert_eq!(
            by_id(id)["stable"],
            json!({"level": "province", "granularity": "month"}),
            "{id}"
        );
    }
    assert_eq!(by_id("density")["stable"], Value::Null);
    assert_eq!(by_id("population")["stable"], Value::Null);
    assert!(
        texts(&by_id("srb"), "caveats").0.contains("48.000"),
        "the SRB caveat says how many births a reading needs"
    );
}

#[tokio::test]
async fn map_indicators_offer_only_the_methods_and_k_the_server_serves() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    populate(&store).await;
    let addr = serve(store, unlimited()).await;
    let map = ok(addr, "/api/v1/map/indicators").await;
    let map = map["indicators"].as_array().unwrap();
    let catalog = Catalog::builtin();
    let methods = |m: &Value| -> Vec<String> {
        m["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    let density = map.iter().find(|m| m["id"] == "density").unwrap();
    assert_eq!(
        methods(density),
        ["quantile", "equal_interval", "jenks"],
        "density has no fixed breaks configured"
    );
    let srb = map.iter().find(|m| m["id"] == "srb").unwrap();
    assert!(methods(srb).contains(&"fixed".to_string()));
    for m in map {
        let id = m["id"].as_str().unwrap();
        assert_eq!(m["k_range"], json!([2, 9]), "{id}");
        // Every public indicator is on H3 (the age ones on the age grid, made on demand), but
        // this fixture's 2025-07 has no ages to classify.
        let aged = catalog.derived(id).is_some_and(|d| catalog.reads_ages(d));
        assert_eq!(
            m["h3"], true,
            "{id}: every public indicator is a field of H3 tiles"
        );
        if aged {
            continue;
        }
        let offered = methods(m);
        assert_eq!(offered.contains(&"fixed".to_string()), m["fixed"] == true);
        assert!(offered.contains(&m["method"].as_str().unwrap().to_string()));
        let url =
            |q: &str| format!("/api/v1/classes?indicator={id}&level=province&period=2025-07{q}");
        for method in ["quantile", "equal_interval", "jenks", "fixed"] {
            let (status, body) = get_json(addr, &url(&format!("&method={method}"))).await;
            let want = if offered.contains(&method.to_string()) {
                200
            } else {
                400
            };
            assert_eq!(status, want, "{id} method={method}: {body}");
        }
        let [lo, hi] = [
            m["k_range"][0].as_u64().unwrap(),
            m["k_range"][1].as_u64().unwrap(),
        ];
        for (k, want) in [(lo - 1, 400), (lo, 200), (hi, 200), (hi + 1, 400)] {
            let (status, body) = get_json(addr, &url(&format!("&k={k}"))).await;
            assert_eq!(status, want, "{id} k={k}: {body}");
        }
    }
}

/// `onto` and `h3` of every version, by id.
async fn capabilities(addr: std::net::SocketAddr) -> Vec<(String, Value, Value)> {
    ok(addr, "/api/v1/versions")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_string(),
                v["onto"].clone(),
                v["h3"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn versions_say_where_they_harmonise_onto_and_whether_h3_exists() {
    // A store with a crosswalk vn-2019 → vn-2025 and an H3 operator for both versions.
    let served = two_versions::serve().await;
    let addr = served.addr;
    assert_eq!(
        capabilities(addr).await,
        [
            ("vn-2019".to_string(), json!(["vn-2025"]), json!(true)),
            ("vn-2025".to_string(), json!([]), json!(true)),
        ]
    );
    // What `onto` offers is served, what it does not offer is refused.
    let (status, body) = get_json(
        addr,
        "/api/v1/map/values?level=commune&period=2024-06&version=vn-2025&indicators=population",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = get_json(
        addr,
        "/api/v1/map/values?level=commune&period=2025-07&version=vn-2019&indicators=population",
    )
    .await;
    assert_eq!(status, 400);
    let csv = crate::common::get(addr, "/api/v1/versions?format=csv", "").await;
    let text = String::from_utf8(csv.body).unwrap();
    assert!(
        text.starts_with("\u{feff}id,valid_from,valid_to,levels,onto,h3"),
        "{text}"
    );
    assert!(text.contains(",vn-2025,true"), "{text}");

    // A store without crosswalk or operator says so; a stored operator shows after a reload.
    let db = TestDb::sqlite();
    let store = db.store().await;
    populate(&store).await;
    let state = crate::common::state(store.clone(), unlimited()).await;
    let addr = crate::common::spawn(state.clone()).await;
    assert_eq!(
        capabilities(addr).await,
        [
            ("vn-2019".to_string(), json!([]), json!(false)),
            ("vn-2025".to_string(), json!([]), json!(false)),
        ]
    );
    let (status, _) = get_json(addr, "/api/v1/h3/2025-07/871f1d489ffffff").await;
    assert_eq!(
        status, 404,
        "no operator: the H3 cell API has nothing to serve"
    );
    let weights = units_2025()
        .iter()
        .filter(|u| u.level == geodata::Level::Commune)
        .map(|u| {
            let w = area_weights(&u.code, &u.geometry, Resolution::Seven).unwrap();
            (u.code.clone(), w)
        })
        .collect();
    let op = Operator::from_weights(Resolution::Seven, weights).unwrap();
    store.save_operator("vn-2025", &op, "area").await.unwrap();
    tileserver::state::refresh::reload(&state).await.unwrap();
    assert_eq!(
        capabilities(addr).await,
        [
            ("vn-2019".to_string(), json!([]), json!(false)),
            ("vn-2025".to_string(), json!([]), json!(true)),
        ]
    );
    let (status, body) = get_json(addr, "/tiles/h3/2025-07.json").await;
    assert_eq!(status, 200, "h3 = true: its tiles are served: {body}");
}
