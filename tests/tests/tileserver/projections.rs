//! Issue 19's projections as periods of their own kind, on both backends: the API fixture plus
//! a year 2025 whose provinces carry the 34 age × sex groups and the flows; `popmap project`'s
//! library call publishes 2026…2035 × low/medium/high in one go (a rerun a second revision);
//! `/api/v1/periods` lists them apart (kind, variant, words, assumptions link); `latest` still
//! names the newest month; values and a province tile of `2030-medium` carry exactly what the
//! engine projects; reported series never pool them, a projection series does when asked.

use geodata::{AgeSex, Assumptions, GROUPS, NewSnapshot, Published, Store, ValueRow, Variant};
use geozero::mvt::{Message, Tile};
use popmap_tests::TestDb;
use serde_json::Value;

use crate::common::fixture::{populate, rows, serve, units_2025, unlimited};
use crate::common::ok_json as ok;

/// Vietnam-like shares by five-year group (synthetic), per sex.
const SHAPE: [f64; GROUPS] = [
    8.0, 8.2, 7.0, 6.4, 7.2, 8.2, 8.0, 7.5, 6.9, 6.4, 5.7, 5.0, 4.1, 3.0, 1.9, 1.3, 1.8,
];

/// The province rows of 2025 with age groups summing to males and females, and flows.
fn year_rows() -> (Vec<ValueRow>, Vec<(String, AgeSex, Published)>) {
    let mut values = rows(&units_2025(), 9);
    let mut inputs = Vec::new();
    for code in ["01", "79"] {
        let get = |ind: &str| {
            values
                .iter()
                .find(|r| r.unit_code == code && r.indicator == ind)
                .unwrap()
                .value
        };
        let (males, females) = (get("males"), get("females"));
        let mut s = AgeSex::default();
        s.males
            .copy_from_slice(&geodata::largest_remainder(males, &SHAPE));
        s.females
            .copy_from_slice(&geodata::largest_remainder(females, &SHAPE));
        let deaths = (males + females) / 160;
        let (inm, outm) = if code == "01" { (900, 400) } else { (300, 700) };
        let p = Published {
            births: get("births") as f64 * 12.0,
            births_by_sex: Some((
                get("births_male") as f64 * 12.0,
                get("births_female") as f64 * 12.0,
            )),
            deaths: deaths as f64,
            net_migration: vec![(inm - outm) as f64],
        };
        let row = |indicator: &str, value: i64| ValueRow {
            unit_code: code.into(),
            indicator: indicator.into(),
            value,
            reported: false,
        };
        // The fixture's births are a month's: a year has twelve.
        for r in values.iter_mut().filter(|r| r.unit_code == code) {
            if r.indicator.starts_with("births") {
                r.value *= 12;
            }
        }
        for (sex, groups) in [("males", &s.males), ("females", &s.females)] {
            for (c, v) in geodata::group_codes(sex).iter().zip(groups) {
                values.push(row(c, *v));
            }
        }
        values.push(row("deaths", deaths));
        values.push(row("in_migrants", inm));
        values.push(row("out_migrants", outm));
        inputs.push((code.to_string(), s, p));
    }
    (values, inputs)
}

async fn publish_year(store: &Store) -> Vec<(String, AgeSex, Published)> {
    let (values, inputs) = year_rows();
    store
        .publish(&NewSnapshot {
            period: "2025".parse().unwrap(),
            version: "vn-2025".into(),
            source: "2025.csv".into(),
            checksum: "00".into(),
            report_json: "{}".into(),
            complete: true,
            values,
        })
        .await
        .unwrap();
    inputs
}

fn periods_of(body: &Value, kind: &str) -> Vec<String> {
    body.as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == kind)
        .map(|p| p["period"].as_str().unwrap().to_string())
        .collect()
}

async fn projections_are_published_resolved_and_kept_apart(db: TestDb) {
    let store = db.store().await;
    populate(&store).await;
    let inputs = publish_year(&store).await;
    let all = etl::project::ProjectOptions {
        from: None,
        to: 2035,
        variants: Variant::ALL.to_vec(),
    };
    let snaps = etl::project::project(&store, &all).await.unwrap();
    assert_eq!(snaps.len(), 30);
    assert!(
        snaps
            .iter()
            .all(|s| s.revision == 1 && s.version == "vn-2025")
    );
    assert_eq!(snaps[0].period.to_string(), "2026-low");
    assert_eq!(snaps[29].period.to_string(), "2035-high");
    // A rerun of the medium variant to 2030: second revisions of those five years only.
    let medium = etl::project::ProjectOptions {
        from: Some("2025".parse().unwrap()),
        to: 2030,
        variants: vec![Variant::Medium],
    };
    let again = etl::project::project(&store, &medium).await.unwrap();
    let names: Vec<String> = again
        .iter()
        .map(|s| format!("{}@r{}", s.period, s.revision))
        .collect();
    assert_eq!(
        names,
        [
            "2026-medium@r2",
            "2027-medium@r2",
            "2028-medium@r2",
            "2029-medium@r2",
            "2030-medium@r2"
        ]
    );
    // From a month: refused with the rule.
    let bad = etl::project::ProjectOptions {
        from: Some("2025-08".parse().unwrap()),
        ..medium.clone()
    };
    let e = etl::project::project(&store, &bad)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("starts from a year's end"), "{e}");

    let addr = serve(store.clone(), unlimited()).await;
    let list = ok(addr, "/api/v1/periods").await;
    assert_eq!(
        periods_of(&list, "reported"),
        ["2025-06", "2025-07", "2025-08", "2025"]
    );
    assert_eq!(periods_of(&list, "projection").len(), 30);
    let p2030 = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == "2030-medium")
        .unwrap();
    assert_eq!(p2030["variant"], "medium");
    assert_eq!(p2030["granularity"], "projection-medium");
    assert_eq!(p2030["revision"], 2);
    assert_eq!(p2030["label_vi"], "Dự báo 2030 (phương án trung bình)");
    assert_eq!(p2030["label_en"], "Projection 2030 (medium variant)");
    assert_eq!(p2030["assumptions"], "/api/v1/projections/assumptions");
    let only = ok(addr, "/api/v1/periods?granularity=projection-high").await;
    assert_eq!(periods_of(&only, "projection").len(), 10);
    // latest never names a projection.
    assert_eq!(ok(addr, "/api/v1/values").await["period"], "2025-08");

    // The values of 2030-medium r2 are exactly the engine's projection of each province.
    let a = Assumptions::standard();
    let v = ok(
        addr,
        "/api/v1/values?period=2030-medium&level=province&indicator=population,males_0_4,females_80p",
    )
    .await;
    let mut national = 0;
    for (code, base, published) in &inputs {
        let rates = geodata::fit(base, published, &a).unwrap();
        let want = geodata::project(base, &rates, |_| 0.0, 5, &a)[4];
        let item = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == code.as_str())
            .unwrap();
        assert_eq!(item["values"]["population"], want.total(), "{code}");
        assert_eq!(item["values"]["males_0_4"], want.males[0], "{code}");
        assert_eq!(item["values"]["females_80p"], want.females[16], "{code}");
        national += want.total();
    }
    let vn = ok(
        addr,
        "/api/v1/values?period=2030-medium&level=country&indicator=population",
    )
    .await;
    assert_eq!(vn["items"][0]["values"]["population"], national);

    // A province tile of the projection carries the population.
    let t = popmap_tests::tile_of(105.85, 21.1, 5);
    let r = crate::common::get(
        addr,
        &format!(
            "/tiles/admin/2030-medium/5/{}/{}.mvt?fields=population",
            t.x, t.y
        ),
        "",
    )
    .await;
    assert_eq!(r.status, 200);
    let tile = Tile::decode(&r.body[..]).unwrap();
    let layer = tile.layers.iter().find(|l| l.name == "province").unwrap();
    let hanoi = &inputs[0];
    let want = {
        let rates = geodata::fit(&hanoi.1, &hanoi.2, &a).unwrap();
        geodata::project(&hanoi.1, &rates, |_| 0.0, 5, &a)[4].total()
    };
    let found = layer.features.iter().any(|f| {
        f.tags.chunks(2).any(|kv| {
            let value = &layer.values[kv[1] as usize];
            let n = value
                .int_value
                .or(value.sint_value)
                .or(value.uint_value.map(|u| u as i64))
                .or(value.double_value.map(|d| d as i64));
            layer.keys[kv[0] as usize] == "population" && n == Some(want)
        })
    });
    assert!(found, "no province feature with population {want}");

    // Reported series never pool projections; a projection series does when asked.
    let s = ok(
        addr,
        "/api/v1/units/01/series?indicator=population&granularity=all",
    )
    .await;
    let reported: Vec<&str> = s["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(reported, ["2025-06", "2025-07", "2025-08", "2025"], "{s}");
    let s = ok(
        addr,
        "/api/v1/units/01/series?indicator=population&granularity=projection-low",
    )
    .await;
    assert_eq!(s["points"].as_array().unwrap().len(), 10);

    // The assumptions, and the run behind a projection period.
    let doc = ok(addr, "/api/v1/projections/assumptions?period=2030-medium").await;
    assert_eq!(doc["assumptions"]["variants"]["tfr_offset"][2], 0.5);
    assert!(
        doc["assumptions"]["mortality"]["source"]
            .as_str()
            .unwrap()
            .contains("Siler")
    );
    assert_eq!(doc["run"]["base"], "2025@r1");
    assert!(
        doc["run"]["provinces"]["01"]["rates"]["tfr"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let (status, body) =
        crate::common::get_json(addr, "/api/v1/projections/assumptions?period=2025").await;
    assert_eq!(status, 400, "{body}");
    modelled_targets_are_the_runs_estimates(&store, addr, &doc).await;
}

/// The targets no count measures (TFR, life expectancy) give the run's fitted values: each
/// province's equals the assumptions endpoint's (its `rates.tfr`, its `life_expectancy.both`,
/// geodata's of its rates), the country's is their mean weighted by the base period's women
/// 15–49 or births; all with method `modelled` and never judged.
async fn modelled_targets_are_the_runs_estimates(
    store: &Store,
    addr: std::net::SocketAddr,
    doc: &Value,
) {
    let run = &doc["run"]["provinces"];
    let rates: geodata::Rates = serde_json::from_value(run["01"]["rates"].clone()).unwrap();
    let e = geodata::life_expectancy(&rates, &Assumptions::standard());
    assert_eq!(run["01"]["life_expectancy"]["both"].as_f64(), Some(e.both));
    assert!((60.0..90.0).contains(&e.both), "{e:?}");
    let base = store
        .snapshots()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.period.to_string() == "2025")
        .unwrap();
    let base_values = store.values(base.id).await.unwrap();
    for (id, read, weight) in [
        ("tfr_2030", ["rates", "tfr"], "women_15_49"),
        (
            "life_expectancy_2030",
            ["life_expectancy", "both"],
            "births",
        ),
    ] {
        let t = ok(addr, &format!("/api/v1/targets/{id}?level=province")).await;
        assert_eq!(t["projection"], "2030-medium", "{t}");
        assert_eq!(t["now_to"], "2025", "{t}");
        let (mut sum, mut total) = (0.0, 0.0);
        for item in t["items"].as_array().unwrap() {
            let code = item["code"].as_str().unwrap();
            let Some(p) = run.get(code) else {
                assert_eq!(item["status"], "no_data", "{item}");
                assert!(item["value"].is_null(), "{item}");
                continue;
            };
            let want = p[read[0]][read[1]].as_f64().unwrap();
            let got = item["value"].as_f64().unwrap();
            assert!(
                (got - want).abs() <= 0.005 + 1e-9,
                "{id} {code}: {got} vs {want}"
            );
            assert_eq!(item["method"], "modelled");
            assert_eq!(item["status"], "not_judged");
            assert!(item["meets_now"].is_null() && item["low"].is_null());
            assert!(item["estimate"].is_null());
            let w = base_values[code][weight] as f64;
            sum += w * want;
            total += w;
        }
        assert_eq!(t["counts"]["not_judged"], 2, "{t}");
        let c = ok(addr, &format!("/api/v1/targets/{id}?level=country")).await;
        let national = c["items"][0]["value"].as_f64().unwrap();
        assert!((national - sum / total).abs() <= 0.005 + 1e-9, "{national}");
        assert_eq!(c["items"][0]["status"], "not_judged");
    }
}

#[tokio::test]
async fn projections_on_sqlite() {
    projections_are_published_resolved_and_kept_apart(TestDb::sqlite()).await;
}

#[tokio::test]
async fn projections_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("skipped: POPMAP_TEST_PG is not set");
        return;
    };
    projections_are_published_resolved_and_kept_apart(db).await;
}
