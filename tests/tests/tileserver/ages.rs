//! Age × sex through the server (issue 19): `/api/v1/periods` says which periods carry the age
//! groups, `/api/v1/indicators` marks the 34 groups with their sex and ages (what a pyramid is
//! drawn from), `/api/v1/map/indicators` offers the derived age indicators and not the groups,
//! and the map's values of a period without ages are null, not zero.

use geodata::{Catalog, FEMALE_GROUPS, MALE_GROUPS};
use popmap_tests::TestDb;
use serde_json::{Value, json};

use crate::common;

/// A table of the two wards; with ages, `n` people in each group of each sex of ward 1 and
/// twice that in ward 2.
fn table(n: i64, ages: bool) -> String {
    let mut head = "code,name,population,males,females,women_15_49".to_string();
    if ages {
        for g in MALE_GROUPS.iter().chain(&FEMALE_GROUPS) {
            head.push(',');
            head.push_str(g);
        }
    }
    let mut out = head + "\n";
    for (code, name, k) in [
        ("00004", "Phường Ba Đình", 1),
        ("00008", "Phường Ngọc Hà", 2),
    ] {
        let g = n * k;
        out.push_str(&format!(
            "{code},{name},{},{},{},{}",
            34 * g,
            17 * g,
            17 * g,
            7 * g
        ));
        if ages {
            out.push_str(&format!(",{g}").repeat(34));
        }
        out.push('\n');
    }
    out
}

async fn publish(store: &geodata::Store, period: &str, csv: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{period}.csv"));
    std::fs::write(&path, csv).unwrap();
    etl::publish::publish(
        store,
        &Catalog::builtin(),
        period.parse().unwrap(),
        &path,
        &Default::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{period}: {e}"));
}

async fn check(db: TestDb) {
    let store = db.store().await;
    store
        .import_version(&common::vn_2025(), &common::hanoi_two_communes(), false)
        .await
        .unwrap();
    publish(&store, "2025-11", &table(30, false)).await;
    publish(&store, "2025-12", &table(30, true)).await;
    let state = common::state(store.clone(), tileserver::ServerConfig::default()).await;
    let addr = common::spawn(state).await;

    let periods = common::ok_json(addr, "/api/v1/periods").await;
    let ages = |p: &str| -> Value {
        let items = periods.as_array().unwrap();
        items.iter().find(|i| i["period"] == p).unwrap()["ages"].clone()
    };
    assert_eq!(
        (ages("2025-11"), ages("2025-12")),
        (json!(false), json!(true))
    );

    let catalog = common::ok_json(addr, "/api/v1/indicators").await;
    let entry = |id: &str| -> Value {
        let items = catalog.as_array().unwrap();
        items.iter().find(|i| i["id"] == id).unwrap().clone()
    };
    let m = entry("males_0_4");
    assert_eq!(
        (&m["group"], &m["sex"], &m["age"]),
        (&json!("age"), &json!("male"), &json!([0, 4]))
    );
    let f = entry("females_80p");
    assert_eq!(
        (&f["sex"], &f["age"]),
        (&json!("female"), &json!([80, null]))
    );
    assert!(entry("males").get("group").is_none());
    let groups = catalog
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["group"] == "age")
        .count();
    assert_eq!(groups, 34);

    let map = common::ok_json(addr, "/api/v1/map/indicators").await;
    let ids: Vec<&str> = map["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.iter()
            .any(|i| i.starts_with("males_") || i.starts_with("females_"))
    );
    for id in [
        "dependency_total",
        "ageing_index",
        "median_age",
        "working_age",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }

    // Province: 3 × 30 per group and sex: 0–14 540, 15–64 1,800, 65+ 720 → 70 per 100.
    let url =
        "/api/v1/map/values?level=province&indicators=dependency_total,median_age,working_age";
    let dec = common::ok_json(addr, &format!("{url}&period=2025-12")).await;
    assert_eq!(dec["values"]["dependency_total"][0], 70.0);
    assert_eq!(dec["values"]["median_age"][0], 42.5);
    assert_eq!(dec["values"]["working_age"][0], 1800.0);
    let nov = common::ok_json(addr, &format!("{url}&period=2025-11")).await;
    assert_eq!(nov["values"]["dependency_total"][0], Value::Null);
    assert_eq!(nov["values"]["median_age"][0], Value::Null);
}

#[tokio::test]
async fn age_periods_and_indicators_are_served_on_sqlite() {
    check(TestDb::sqlite()).await;
}

#[tokio::test]
async fn age_periods_and_indicators_are_served_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        check(db).await;
    }
}
