//! Issue 19 item 5 over real TCP: `/api/v1/targets` lists the Strategy's targets with their
//! source, and `/api/v1/targets/{id}` judges each province (and the country) against one. Four
//! quarters on vn-2025: province 01 has ~48,000 births a year at a sex ratio at birth of ~115
//! (tight interval: off track), province 79 has 840 at ~110 (its interval straddles 109:
//! uncertain, never a finding); the country's population grows every quarter (a trend carried to
//! 2030). Values and intervals are checked against the counts, computed here from the formulas.

use chrono::NaiveDate;
use geodata::{BoundaryVersion, Level, NewSnapshot, Store, ValueRow};
use serde_json::Value;

use crate::common::fixture::{serve, units_2025, unlimited};
use crate::common::{get, get_json, header, ok_json};
use popmap_tests::TestDb;

const QUARTERS: [&str; 4] = ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"];

/// Province rows of quarter `q` (0–3): (code, population, boys, girls); communes get half each.
fn province_counts(q: i64) -> [(&'static str, i64, i64, i64); 2] {
    [
        ("01", 8_000_000 + 10_000 * q, 6_400, 5_565),
        ("79", 9_000_000 + 20_000 * q, 110, 100),
    ]
}

fn rows(q: i64) -> Vec<ValueRow> {
    let communes = [("01", ["00004", "00008"]), ("79", ["26734", "26740"])];
    let mut out = Vec::new();
    let mut push = |code: &str, pop: i64, boys: i64, girls: i64, reported: bool| {
        for (ind, v) in [
            ("population", pop),
            ("births", boys + girls),
            ("births_male", boys),
            ("births_female", girls),
        ] {
            out.push(ValueRow {
                unit_code: code.into(),
                indicator: ind.into(),
                value: v,
                reported,
            });
        }
    };
    for (code, pop, boys, girls) in province_counts(q) {
        push(code, pop, boys, girls, false);
        let kids = communes.iter().find(|(p, _)| *p == code).unwrap().1;
        push(kids[0], pop / 2, boys / 2, girls / 2, true);
        push(
            kids[1],
            pop - pop / 2,
            boys - boys / 2,
            girls - girls / 2,
            true,
        );
    }
    out
}

/// A store with vn-2025 imported and nothing published.
async fn empty_store() -> (TestDb, Store) {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let v2025 = BoundaryVersion {
        id: "vn-2025".into(),
        valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        valid_to: None,
        levels: vec![Level::Province, Level::Commune],
    };
    store
        .import_version(&v2025, &units_2025(), false)
        .await
        .unwrap();
    (db, store)
}

async fn store() -> (TestDb, Store) {
    let (db, store) = empty_store().await;
    for (q, period) in QUARTERS.iter().enumerate() {
        store
            .publish(&NewSnapshot {
                period: period.parse().unwrap(),
                version: "vn-2025".into(),
                source: format!("{period}.csv"),
                checksum: "00".into(),
                report_json: "{}".into(),
                complete: true,
                values: rows(q as i64),
            })
            .await
            .unwrap();
    }
    (db, store)
}

/// The 95 % Wilson interval of boys / (boys + girls), as boys per 100 girls.
fn srb_interval(boys: f64, girls: f64) -> (f64, f64) {
    let (n, z) = (boys + girls, 1.959_963_984_540_054_f64);
    let p = boys / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    let odds = |p: f64| p / (1.0 - p) * 100.0;
    (odds(centre - half), odds(centre + half))
}

fn item<'a>(body: &'a Value, code: &str) -> &'a Value {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {body}"))
}

#[tokio::test]
async fn the_targets_are_listed_with_their_source_and_what_cannot_be_measured() {
    let (_db, store) = store().await;
    let addr = serve(store, unlimited()).await;
    let body = ok_json(addr, "/api/v1/targets").await;
    assert!(body["source_vi"].as_str().unwrap().contains("1679/QĐ-TTg"));
    let targets = body["targets"].as_array().unwrap();
    let srb = targets.iter().find(|t| t["id"] == "srb_2030").unwrap();
    assert_eq!(srb["comparison"], "below");
    assert_eq!(srb["value"], 109.0);
    assert_eq!(srb["interval"], true);
    assert_eq!(srb["levels"], serde_json::json!(["country", "province"]));
    let pop = targets
        .iter()
        .find(|t| t["id"] == "population_2030")
        .unwrap();
    assert_eq!(pop["levels"], serde_json::json!(["country"]));
    // TFR and life expectancy: not measured by any count, but modelled by the projection's fit.
    let tfr = targets.iter().find(|t| t["id"] == "tfr_2030").unwrap();
    assert_eq!(tfr["measured"], false);
    assert_eq!(tfr["modelled"], "tfr");
    assert_eq!(tfr["levels"], serde_json::json!(["country", "province"]));
    assert!(tfr["unmeasured_vi"].as_str().unwrap().contains("tuổi mẹ"));
    let e0 = targets
        .iter()
        .find(|t| t["id"] == "life_expectancy_2030")
        .unwrap();
    assert_eq!(e0["modelled"], "life_expectancy");
    assert!(srb["modelled"].is_null());
    // Without a projection of 2030 there is nothing modelled: every province no_data, not a 404.
    let body = ok_json(addr, "/api/v1/targets/tfr_2030").await;
    assert!(body["projection"].is_null(), "{body}");
    let items = body["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|i| i["status"] == "no_data" && i["value"].is_null())
    );
}

#[tokio::test]
async fn each_province_is_judged_with_the_uncertainty_of_its_births() {
    let (_db, store) = store().await;
    let addr = serve(store, unlimited()).await;
    let body = ok_json(addr, "/api/v1/targets/srb_2030").await;
    assert_eq!(body["level"], "province");
    assert_eq!(
        (body["now_from"].as_str(), body["now_to"].as_str()),
        (Some("2025-Q4"), Some("2026-Q3"))
    );
    assert_eq!(body["trend_periods"].as_array().unwrap().len(), 4);

    // Province 01: four quarters of 6,400 boys and 5,565 girls.
    let hn = item(&body, "01");
    let (boys, girls) = (4.0 * 6_400.0, 4.0 * 5_565.0);
    assert!(
        (hn["value"].as_f64().unwrap() - boys / girls * 100.0).abs() <= 0.05,
        "{hn}"
    );
    let (low, high) = srb_interval(boys, girls);
    assert!(
        (hn["low"].as_f64().unwrap() - low).abs() < 0.006,
        "{hn} vs {low}"
    );
    assert!(
        (hn["high"].as_f64().unwrap() - high).abs() < 0.006,
        "{hn} vs {high}"
    );
    assert!(
        low > 109.0,
        "the fixture's interval must clear the target: {low}"
    );
    assert_eq!(hn["status"], "off_track", "{hn}");
    assert_eq!(hn["method"], "latest", "a flat series is no trend: {hn}");
    assert_eq!(hn["meets_now"], false);

    // Province 79: 840 births a year; its interval holds 109, so it cannot be judged.
    let hcm = item(&body, "79");
    let (low, high) = srb_interval(440.0, 400.0);
    assert!(low < 109.0 && high > 109.0);
    assert_eq!(hcm["status"], "uncertain", "{hcm}");
    assert_eq!(
        body["counts"],
        serde_json::json!({"off_track": 1, "uncertain": 1})
    );

    // The country sums both provinces' births (SRB is shown to one decimal).
    let vn = ok_json(addr, "/api/v1/targets/srb_2030?level=country").await;
    let vn = item(&vn, "VN");
    let expected = (boys + 440.0) / (girls + 400.0) * 100.0;
    assert!(
        (vn["value"].as_f64().unwrap() - expected).abs() <= 0.05,
        "{vn}"
    );
    assert_eq!(vn["status"], "off_track");
}

#[tokio::test]
async fn a_national_total_is_carried_by_its_trend_and_only_at_the_country() {
    let (_db, store) = store().await;
    let addr = serve(store, unlimited()).await;
    let body = ok_json(addr, "/api/v1/targets/population_2030?level=country").await;
    let vn = item(&body, "VN");
    // Population at the end of 2026-Q3, growing 30,000 a quarter (120,000 a year): by the end
    // of 2030 (4.25 years on) about 17,090,000 + 510,000.
    assert_eq!(vn["value"], 17_090_000.0);
    assert_eq!(vn["method"], "trend", "{vn}");
    let est = vn["estimate"].as_f64().unwrap();
    assert!((17_550_000.0..17_650_000.0).contains(&est), "{vn}");
    assert_eq!(vn["status"], "off_track");
    assert!(
        vn["low"].is_null(),
        "complete counts carry no interval: {vn}"
    );

    let (status, err) = get_json(addr, "/api/v1/targets/population_2030?level=province").await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["details"]["parameter"], "level");
    assert!(
        err["message"].as_str().unwrap().contains("national total"),
        "{err}"
    );
    let (status, _) = get_json(addr, "/api/v1/targets/nope").await;
    assert_eq!(status, 404);
    let (status, err) = get_json(addr, "/api/v1/targets/srb_2030?colour=red").await;
    assert_eq!(status, 400, "{err}");

    let csv = get(addr, "/api/v1/targets/srb_2030?format=csv", "").await;
    assert_eq!(csv.status, 200);
    assert!(header(&csv, "content-type").starts_with("text/csv"));
    let text = String::from_utf8(csv.body).unwrap();
    assert!(
        text.trim_start_matches('\u{feff}')
            .starts_with("code,name,value,low,high"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 3, "{text}");
}

#[tokio::test]
async fn a_version_without_quarters_is_no_data_not_a_failure() {
    // Only a month published: nothing to judge, every province says so (schemathesis found the
    // empty case answering 500).
    let (_db, store) = empty_store().await;
    store
        .publish(&NewSnapshot {
            period: "2026-09".parse().unwrap(),
            version: "vn-2025".into(),
            source: "2026-09.csv".into(),
            checksum: "00".into(),
            report_json: "{}".into(),
            complete: true,
            values: rows(0),
        })
        .await
        .unwrap();
    let addr = serve(store, unlimited()).await;
    for path in [
        "/api/v1/targets/srb_2030",
        "/api/v1/targets/population_2030?level=country",
    ] {
        let body = ok_json(addr, path).await;
        assert!(body["now_to"].is_null(), "{body}");
        assert!(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["status"] == "no_data"),
            "{body}"
        );
    }
}
