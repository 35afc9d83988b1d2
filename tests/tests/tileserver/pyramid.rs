//! Population pyramids over real TCP on SQLite and PostgreSQL (issue 19 item 3): each group's
//! count equals the stored value (communes, provinces summed, the country summed from the
//! provinces), shares sum to 100 within rounding, the outlines are the parent's and the
//! national shares, `compare=` overlays a second period, the default period is the newest with
//! age groups, CSV matches JSON, ETag gives 304, and every bad request is a 4xx in our words.

use std::collections::BTreeMap;

use geodata::{NewSnapshot, Store, ValueRow};
use popmap_tests::TestDb;
use serde_json::Value;

use crate::common;
use crate::common::fixture::{populate, rows, serve, units_2025, unlimited};
use crate::common::get;

/// The 17 groups' first ages and the ids' suffixes.
const GROUPS: [&str; 17] = [
    "0_4", "5_9", "10_14", "15_19", "20_24", "25_29", "30_34", "35_39", "40_44", "45_49", "50_54",
    "55_59", "60_64", "65_69", "70_74", "75_79", "80p",
];

/// A commune's males (`female` false) or females of group `i` in a period scaled by `k`.
fn group_count(code: &str, i: usize, female: bool, k: i64) -> i64 {
    let base = code.parse::<i64>().unwrap() % 89 + 7;
    let i = i as i64;
    base * (40 - 2 * i) + if female { 3 * i } else { 0 } + k
}

/// The age rows of every vn-2025 unit: communes from `group_count`, provinces summed.
fn age_rows(k: i64) -> Vec<ValueRow> {
    let units = units_2025();
    let mut out = Vec::new();
    for u in &units {
        let communes: Vec<&str> = units
            .iter()
            .filter(|c| c.code == u.code || c.parent_code.as_deref() == Some(u.code.as_str()))
            .filter(|c| c.level == geodata::Level::Commune)
            .map(|c| c.code.as_str())
            .collect();
        for (i, g) in GROUPS.iter().enumerate() {
            for (sex, female) in [("males", false), ("females", true)] {
                out.push(ValueRow {
                    unit_code: u.code.clone(),
                    indicator: format!("{sex}_{g}"),
                    value: communes.iter().map(|c| group_count(c, i, female, k)).sum(),
                    reported: u.level == geodata::Level::Commune,
                });
            }
        }
    }
    out
}

/// `units` summed over communes `codes`: (males, females) of group `i`.
fn expected(codes: &[&str], i: usize, k: i64) -> (i64, i64) {
    let m = codes.iter().map(|c| group_count(c, i, false, k)).sum();
    let f = codes.iter().map(|c| group_count(c, i, true, k)).sum();
    (m, f)
}

async fn publish(store: &Store, period: &str, k: i64, age: bool) {
    let mut values = rows(&units_2025(), k);
    if age {
        values.extend(age_rows(k));
    }
    store
        .publish(&NewSnapshot {
            period: period.parse().unwrap(),
            version: "vn-2025".into(),
            source: format!("{period}.csv"),
            checksum: "00".into(),
            report_json: "{}".into(),
            complete: true,
            values,
        })
        .await
        .unwrap();
}

async fn json(addr: std::net::SocketAddr, path: &str) -> (u16, Value) {
    let r = get(addr, path, "").await;
    let v = serde_json::from_slice(&r.body)
        .unwrap_or_else(|e| panic!("{path}: {e}: {}", String::from_utf8_lossy(&r.body)));
    (r.status, v)
}

/// Checks one pyramid's groups against communes `codes` in a period scaled by `k`.
fn check_groups(p: &Value, codes: &[&str], k: i64) {
    let groups = p["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 17);
    assert_eq!(groups[0]["age"], "0–4");
    assert_eq!(groups[16]["age"], "80+");
    assert_eq!(groups[16]["age_to"], Value::Null);
    let (mut males, mut females, mut shares) = (0, 0, 0.0);
    for (i, g) in groups.iter().enumerate() {
        let (m, f) = expected(codes, i, k);
        assert_eq!(
            (g["males"].as_i64(), g["females"].as_i64()),
            (Some(m), Some(f))
        );
        males += m;
        females += f;
        shares += g["males_share"].as_f64().unwrap() + g["females_share"].as_f64().unwrap();
    }
    assert_eq!(p["totals"]["males"], males);
    assert_eq!(p["totals"]["females"], females);
    assert_eq!(p["totals"]["population"], males + females);
    // 34 shares rounded to 0.01 each.
    assert!((shares - 100.0).abs() <= 0.17, "shares sum to {shares}");
    let g0 = &groups[0];
    let (m0, _) = expected(codes, 0, k);
    let want = (10_000.0 * m0 as f64 / (males + females) as f64).round() / 100.0;
    assert_eq!(g0["males_share"].as_f64(), Some(want));
}

async fn check(db: TestDb) {
    let store = db.store().await;
    populate(&store).await;
    publish(&store, "2024-12", 5, true).await;
    publish(&store, "2025-12", 9, true).await;
    publish(&store, "2026-01", 10, false).await;
    let addr = serve(store, unlimited()).await;

    // No period: the newest with age groups (2025-12), not latest (2026-01).
    let (s, p) = json(addr, "/api/v1/units/00004/pyramid").await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["period"]["period"], "2025-12");
    assert_eq!(p["period"]["words_vi"], "Tháng 12/2025");
    assert_eq!(p["period"]["words_en"], "December 2025");
    assert_eq!(p["period"]["reference"], "2025-12@r1");
    assert_eq!(p["unit"]["code"], "00004");
    assert_eq!(p["estimated"], false);
    check_groups(&p, &["00004"], 9);
    // Outlines: the parent (01 = 00004 + 00008) and the country (01 + 79), as shares.
    let hanoi = json(addr, "/api/v1/units/01/pyramid?period=2025-12")
        .await
        .1;
    check_groups(&hanoi, &["00004", "00008"], 9);
    assert_eq!(p["outline"]["parent"]["code"], "01");
    let hanoi_shares: Vec<Value> = hanoi["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["males_share"].clone())
        .collect();
    let parent_shares: Vec<Value> = p["outline"]["parent"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["males_share"].clone())
        .collect();
    assert_eq!(parent_shares, hanoi_shares);
    assert_eq!(hanoi["outline"]["parent"], Value::Null);
    let all = ["00004", "00008", "26734", "26740"];
    let vn = json(addr, "/api/v1/units/VN/pyramid?period=2025-12")
        .await
        .1;
    check_groups(&vn, &all, 9);
    assert_eq!(vn["outline"]["national"], Value::Null);
    assert_eq!(hanoi["outline"]["national"]["code"], "VN");
    assert_eq!(
        hanoi["outline"]["national"]["groups"][3]["females_share"],
        vn["groups"][3]["females_share"]
    );

    // compare=: the second period's exact counts.
    let (s, c) = json(
        addr,
        "/api/v1/units/79/pyramid?period=2025-12&compare=2024-12",
    )
    .await;
    assert_eq!(s, 200, "{c}");
    check_groups(&c, &["26734", "26740"], 9);
    assert_eq!(c["compare"]["period"]["words_vi"], "Tháng 12/2024");
    check_groups(&c["compare"], &["26734", "26740"], 5);

    // A set of units, in the order asked.
    let (s, set) = json(addr, "/api/v1/pyramid?units=79,01,VN&period=2024-12").await;
    assert_eq!(s, 200, "{set}");
    let items = set["items"].as_array().unwrap();
    let codes: Vec<&str> = items
        .iter()
        .map(|i| i["unit"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["79", "01", "VN"]);
    check_groups(&items[0], &["26734", "26740"], 5);
    check_groups(&items[2], &all, 5);
    assert_eq!(set["period"]["period"], "2024-12");

    // CSV: 17 rows per unit and period, the JSON's counts.
    let r = common::ok(
        addr,
        "/api/v1/units/01/pyramid?period=2025-12&format=csv",
        "",
    )
    .await;
    let body = r.body.strip_prefix(b"\xEF\xBB\xBF").expect("BOM");
    let mut rd = csv::Reader::from_reader(body);
    let recs: Vec<BTreeMap<String, String>> = rd
        .deserialize()
        .map(|r: Result<BTreeMap<String, String>, _>| r.unwrap())
        .collect();
    assert_eq!(recs.len(), 17);
    assert_eq!(recs[16]["age"], "80+");
    let (m, f) = expected(&["00004", "00008"], 16, 9);
    assert_eq!(
        (recs[16]["males"].clone(), recs[16]["females"].clone()),
        (m.to_string(), f.to_string())
    );

    // ETag: 304 for the same answer.
    let r = common::ok(addr, "/api/v1/units/01/pyramid?period=2025-12", "").await;
    let etag = common::header(&r, "etag").to_string();
    assert!(!etag.is_empty());
    let again = get(
        addr,
        "/api/v1/units/01/pyramid?period=2025-12",
        &format!("If-None-Match: {etag}\r\n"),
    )
    .await;
    assert_eq!(again.status, 304);

    // 4xx, in our words.
    for (path, status, says) in [
        (
            "/api/v1/units/01/pyramid?period=2026-01",
            404,
            "the newest period with them is 2025-12 (Tháng 12/2025)",
        ),
        (
            "/api/v1/units/01/pyramid?period=2025-12&compare=2025-07",
            404,
            "period 2025-07@r1 has no age and sex groups",
        ),
        (
            "/api/v1/units/99999/pyramid?period=2025-12",
            404,
            "no unit '99999'",
        ),
        ("/api/v1/units/01/pyramid?period=2025-13", 400, "period"),
        ("/api/v1/units/01/pyramid?period=2030", 404, "not published"),
        ("/api/v1/units/01/pyramid?version=vn-1990", 400, "vn-1990"),
        ("/api/v1/units/01/pyramid?colour=red", 400, "colour"),
        ("/api/v1/pyramid", 400, "units"),
        ("/api/v1/pyramid?units=,", 400, "units"),
    ] {
        let (s, e) = json(addr, path).await;
        assert_eq!(s, status, "{path}: {e}");
        let msg = e["message"].as_str().unwrap();
        assert!(msg.contains(says), "{path}: {msg}");
        assert!(e["error"].is_string(), "{path}: {e}");
    }
    let many = (0..51)
        .map(|i| format!("{i:02}"))
        .collect::<Vec<_>>()
        .join(",");
    let (s, _) = json(addr, &format!("/api/v1/pyramid?units={many}")).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn pyramids_are_the_stored_counts_on_sqlite() {
    check(TestDb::sqlite()).await;
}

#[tokio::test]
async fn pyramids_are_the_stored_counts_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    check(db).await;
}
