//! Issue 15's period model, series and national row over real TCP, on the API fixture
//! (`common::fixture`) plus a month, a quarter and a year that end together: `latest` is the
//! newest month (never the quarter that ends the same day), `/api/v1/periods?granularity=`,
//! comparisons refused across lengths, series of one length with `boundary_change` marks, the
//! national row `VN` (sums of the provinces, and of the communes), `level=region` refused and
//! the `unstable` flags of `/api/v1/map/values`.

use serde_json::{Value, json};

use crate::common::fixture::{populate, rows, serve, units_2025, unlimited};
use crate::common::get_json;
use crate::common::ok_json as ok;
use geodata::NewSnapshot;
use geozero::mvt::{Message, Tile};
use popmap_tests::TestDb;

/// The fixture plus 2025-09 (k = 4), 2025-Q3 and 2025 (k = 9) on vn-2025.
async fn store() -> (TestDb, geodata::Store) {
    let db = TestDb::sqlite();
    let store = db.store().await;
    populate(&store).await;
    for (period, k) in [("2025-09", 4), ("2025-Q3", 9), ("2025", 9)] {
        store
            .publish(&NewSnapshot {
                period: period.parse().unwrap(),
                version: "vn-2025".into(),
                source: format!("{period}.csv"),
                checksum: "00".into(),
                report_json: "{}".into(),
                complete: true,
                values: rows(&units_2025(), k),
            })
            .await
            .unwrap();
    }
    (db, store)
}

async fn bad(addr: std::net::SocketAddr, path: &str, parameter: &str) -> String {
    let (status, body) = get_json(addr, path).await;
    assert_eq!(status, 400, "{path}: {body}");
    assert_eq!(body["error"], "bad_request", "{path}: {body}");
    assert_eq!(body["details"]["parameter"], parameter, "{path}: {body}");
    body["message"].as_str().unwrap().to_string()
}

fn periods(body: &Value) -> Vec<String> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn latest_is_the_newest_month_and_lengths_never_mix() {
    let (_db, store) = store().await;
    let addr = serve(store, unlimited()).await;

    // 2025-Q3 and 2025 sort after 2025-09 (same end, longer), yet latest is the month.
    let all = periods(&ok(addr, "/api/v1/periods").await);
    assert_eq!(all.last().unwrap(), "2025");
    let tj = ok(addr, "/tiles/admin/latest.json").await;
    let url = tj["tiles"][0].as_str().unwrap();
    assert!(url.contains("/tiles/admin/2025-09@r1/"), "{url}");
    let mv = ok(addr, "/api/v1/map/values").await;
    assert_eq!(mv["period"], "2025-09");
    assert_eq!(ok(addr, "/api/v1/units/01").await["period"], "2025-09");
    assert_eq!(ok(addr, "/api/v1/values").await["period"], "2025-09");
    let style = ok(addr, "/styles/population.json").await;
    let src = style["sources"]["popmap"]["url"].as_str().unwrap();
    assert!(src.contains("2025-09@r1"), "{src}");

    // ?granularity= filters; an unknown length is a 400 naming the parameter.
    let months = periods(&ok(addr, "/api/v1/periods?granularity=month").await);
    assert_eq!(months, ["2025-06", "2025-07", "2025-08", "2025-09"]);
    assert_eq!(
        periods(&ok(addr, "/api/v1/periods?granularity=quarter").await),
        ["2025-Q3"]
    );
    assert_eq!(
        periods(&ok(addr, "/api/v1/periods?granularity=year").await),
        ["2025"]
    );
    bad(addr, "/api/v1/periods?granularity=week", "granularity").await;
    bad(addr, "/api/v1/periods?granularity=all", "granularity").await;

    // A quarter is never compared with a month.
    let msg = bad(
        addr,
        "/api/v1/map/change?indicator=births&period=2025-09&base=2025-Q3",
        "base",
    )
    .await;
    assert_eq!(
        msg,
        "2025-Q3 is a quarter and 2025-09 a month: compare periods of the same length"
    );
    ok(
        addr,
        "/api/v1/map/change?indicator=births&period=2025-09&base=2025-08",
    )
    .await;
}

#[tokio::test]
async fn series_keep_one_length_and_mark_boundary_changes() {
    let (_db, store) = store().await;
    let addr = serve(store, unlimited()).await;
    let pts = |b: &Value| -> Vec<(String, String, bool)> {
        b["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["period"].as_str().unwrap().to_string(),
                    p["version"].as_str().unwrap().to_string(),
                    p["boundary_change"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let pt = |p: &str, v: &str, b: bool| (p.to_string(), v.to_string(), b);

    // Default: months only; 2025-07 is the first point on vn-2025 after a vn-2019 point.
    let s = ok(addr, "/api/v1/units/01/series?indicator=population").await;
    assert_eq!(s["granularity"], "month");
    assert_eq!(
        pts(&s),
        [
            pt("2025-06", "vn-2019", false),
            pt("2025-07", "vn-2025", true),
            pt("2025-08", "vn-2025", false),
            pt("2025-09", "vn-2025", false),
        ]
    );
    assert_eq!(s["boundary_changes"], json!(["2025-07"]));

    // The length of period= is the default; granularity= overrides it; all interleaves.
    let q = ok(
        addr,
        "/api/v1/units/01/series?indicator=population&period=2025-Q3",
    )
    .await;
    assert_eq!(q["granularity"], "quarter");
    assert_eq!(pts(&q), [pt("2025-Q3", "vn-2025", false)]);
    assert_eq!(q["boundary_changes"], json!([]));
    let y = ok(
        addr,
        "/api/v1/units/01/series?indicator=population&period=2025-Q3&granularity=year",
    )
    .await;
    assert_eq!(pts(&y), [pt("2025", "vn-2025", false)]);
    let a = ok(
        addr,
        "/api/v1/units/01/series?indicator=population&granularity=all",
    )
    .await;
    let names: Vec<String> = pts(&a).into_iter().map(|p| p.0).collect();
    assert_eq!(
        names,
        [
            "2025-06", "2025-07", "2025-08", "2025-09", "2025-Q3", "2025"
        ]
    );
    assert_eq!(a["granularity"], "all");
    bad(
        addr,
        "/api/v1/units/01/series?indicator=population&granularity=week",
        "granularity",
    )
    .await;
    bad(
        addr,
        "/api/v1/units/01/series?indicator=population&period=2025-13",
        "period",
    )
    .await;

    // The CSV carries the same column.
    let csv = crate::common::get(
        addr,
        "/api/v1/units/01/series?indicator=population&format=csv",
        "",
    )
    .await;
    let text = String::from_utf8(csv.body).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",boundary_change,start,end"),
        "{text}"
    );
    // boundary_change is the third column from the end (start and end follow it).
    let flags: Vec<&str> = lines.map(|l| l.rsplit(',').nth(2).unwrap()).collect();
    assert_eq!(flags, ["false", "true", "false", "false"]);
}

/// Σ of one column of `/api/v1/map/values` (all values present).
fn sum(body: &Value, indicator: &str) -> f64 {
    body["values"][indicator]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .sum()
}

#[tokio::test]
async fn the_national_row_sums_the_provinces() {
    let (_db, store) = store().await;
    let addr = serve(store, unlimited()).await;
    let ind = "indicators=population,births,density,sex_ratio";
    for period in ["2025-06", "2025-09"] {
        let at = |level: &str| format!("/api/v1/map/values?period={period}&level={level}&{ind}");
        let vn = ok(addr, &at("country")).await;
        let prov = ok(addr, &at("province")).await;
        let comm = ok(addr, &at("commune")).await;
        assert_eq!(vn["codes"], json!(["VN"]), "{vn}");
        assert_eq!(vn["names"], json!(["Việt Nam"]));
        assert_eq!(vn["level"], "country");
        assert_eq!(vn["parents"], json!([null]));
        let pop = vn["values"]["population"][0].as_f64().unwrap();
        assert_eq!(pop, sum(&prov, "population"), "{period}");
        assert_eq!(pop, sum(&comm, "population"), "{period}");
        assert_eq!(
            vn["values"]["births"][0].as_f64().unwrap(),
            sum(&comm, "births")
        );
        // Density over the provinces' summed area, not an average of densities.
        let units = ok(
            addr,
            &format!(
                "/api/v1/units?level=province&version={}",
                vn["version"].as_str().unwrap()
            ),
        )
        .await;
        let area: f64 = units["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["area_km2"].as_f64().unwrap())
            .sum();
        let density = vn["values"]["density"][0].as_f64().unwrap();
        assert!(
            (density - pop / area).abs() < 0.06,
            "{density} vs {}",
            pop / area
        );

        // The same row in the table API, the unit API and its series.
        let t = ok(
            addr,
            &format!("/api/v1/values?period={period}&level=country&indicator=population"),
        )
        .await;
        assert_eq!(t["items"][0]["code"], "VN");
        assert_eq!(t["items"][0]["values"]["population"].as_f64(), Some(pop));
        let d = ok(addr, &format!("/api/v1/units/VN?period={period}")).await;
        assert_eq!(d["name"], "Việt Nam");
        assert_eq!(d["level"], "country");
        assert_eq!(d["values"]["population"].as_f64(), Some(pop));
        assert!((d["area_km2"].as_f64().unwrap() - area).abs() < 1e-6);
        let csv = crate::common::get(
            addr,
            &format!("/api/v1/download/{period}/country.csv?indicator=population"),
            "",
        )
        .await;
        assert_eq!(csv.status, 200);
        let text = String::from_utf8(csv.body).unwrap();
        let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
        assert_eq!(row[..3], ["VN", "Việt Nam", "country"], "{text}");
        // code, name, level, parent_code, parent_name, area_km2, population, …
        assert_eq!(row[6].parse::<f64>().unwrap(), pop, "{text}");
    }
    bad(addr, "/api/v1/download/latest/country.geojson", "file").await;
    let list = ok(addr, "/api/v1/units?level=country").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["code"], "VN");
    let s = ok(addr, "/api/v1/units/VN/series?indicator=population").await;
    let totals: Vec<f64> = s["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    assert_eq!(totals.len(), 4);
    for (p, total) in ["2025-06", "2025-07", "2025-08", "2025-09"]
        .iter()
        .zip(&totals)
    {
        let comm = ok(
            addr,
            &format!("/api/v1/map/values?period={p}&level=commune&indicators=population"),
        )
        .await;
        assert_eq!(*total, sum(&comm, "population"), "{p}");
    }
    assert_eq!(s["boundary_changes"], json!(["2025-07"]));

    // Classes and change maps get the row through the same values.
    ok(
        addr,
        "/api/v1/classes?indicator=population&level=country&period=2025-09",
    )
    .await;
    let c = ok(
        addr,
        "/api/v1/map/change?indicator=population&level=country&period=2025-09&base=2025-08",
    )
    .await;
    assert_eq!(c["codes"], json!(["VN"]));

    // No regions are defined in the catalog.
    for path in [
        "/api/v1/map/values?level=region",
        "/api/v1/values?level=region",
        "/api/v1/units?level=region",
        "/api/v1/classes?indicator=population&level=region",
    ] {
        let msg = bad(addr, path, "level").await;
        assert!(
            msg.contains("no regions are defined in the catalog"),
            "{path}: {msg}"
        );
    }
}

#[tokio::test]
async fn map_values_flag_small_numbers_like_the_tiles() {
    let (_db, store) = store().await;
    let addr = serve(store, unlimited()).await;
    let mv = ok(
        addr,
        "/api/v1/map/values?period=2025-09&level=commune&indicators=srb,births,population",
    )
    .await;
    let births = mv["values"]["births"].as_array().unwrap();
    let flags = mv["unstable"]["srb"].as_array().unwrap();
    assert_eq!(flags.len(), mv["codes"].as_array().unwrap().len());
    // The catalog's rule for the SRB: fewer than 100 births.
    let want: Vec<Value> = births
        .iter()
        .map(|b| json!(b.as_f64().unwrap() < 100.0))
        .collect();
    assert_eq!(flags, &want);
    assert!(
        want.contains(&json!(true)),
        "the fixture has small communes"
    );
    // The same flags as the tiles' srb_unstable fields, decoded from the served tiles.
    let boxes = ok(
        addr,
        "/api/v1/map/values?period=2025-09&level=commune&indicators=srb&bbox=1",
    )
    .await;
    for (i, id) in mv["ids"].as_array().unwrap().iter().enumerate() {
        let b: Vec<f64> = boxes["bbox"][i]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let t = popmap_tests::tile_of((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0, 10);
        let r = crate::common::get(
            addr,
            &format!("/tiles/admin/2025-09/10/{}/{}.mvt?fields=srb", t.x, t.y),
            "",
        )
        .await;
        assert_eq!(r.status, 200);
        let tile = Tile::decode(&r.body[..]).unwrap();
        let layer = tile.layers.iter().find(|l| l.name == "commune").unwrap();
        let f = layer.features.iter().find(|f| f.id == id.as_u64()).unwrap();
        let flagged = f
            .tags
            .chunks(2)
            .any(|kv| layer.keys[kv[0] as usize] == "srb_unstable");
        assert_eq!(json!(flagged), flags[i], "unit {}", mv["codes"][i]);
    }
    // Base counts are never flagged.
    assert!(
        mv["unstable"]["population"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f == false)
    );
}
