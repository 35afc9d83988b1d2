//! Every data-API endpoint over real TCP on SQLite and PostgreSQL: shapes, values against the
//! published counts, stable ordering, pagination and limits, CSV parsed back and compared with
//! the JSON, ETag and 304, errors as JSON.

use std::collections::BTreeMap;

use geodata::Store;
use popmap_tests::TestDb;
use serde_json::{Value, json};

use crate::common;
use crate::common::fixture::{populate, serve, unlimited};
use crate::common::get;
use crate::common::ok_json as ok;

async fn json(addr: std::net::SocketAddr, path: &str) -> (u16, Value) {
    let r = get(addr, path, "").await;
    let v = serde_json::from_slice(&r.body).unwrap_or_else(|e| {
        panic!(
            "{path}: not JSON ({e}): {}",
            String::from_utf8_lossy(&r.body)
        )
    });
    (r.status, v)
}

/// A CSV answer as rows of column → cell.
async fn csv(addr: std::net::SocketAddr, path: &str, extra: &str) -> Vec<BTreeMap<String, String>> {
    let r = common::ok(addr, path, extra).await;
    assert!(
        r.headers.contains("content-type: text/csv"),
        "{}",
        r.headers
    );
    // Every CSV starts with a UTF-8 byte order mark (for Excel); the csv crate keeps it.
    let body = r.body.strip_prefix(b"\xEF\xBB\xBF").expect("a UTF-8 BOM");
    let mut rd = csv::Reader::from_reader(body);
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    rd.records()
        .map(|rec| {
            head.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// A JSON cell as CSV writes it.
fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => n.as_f64().unwrap().to_string(),
        },
        other => other.to_string(),
    }
}

async fn check_api(store: Store) {
    populate(&store).await;
    let addr = serve(store.clone(), unlimited()).await;

    // Periods: each once, in order, with the newest revision.
    let p = ok(addr, "/api/v1/periods").await;
    let names: Vec<&str> = p
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["period"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["2025-06", "2025-07", "2025-08"]);
    assert_eq!(p[2]["revision"], 2);
    assert_eq!(p[2]["revisions"], json!([1, 2]));
    assert_eq!(p[0]["version"], "vn-2019");
    assert!(p[2]["published_at"].as_str().unwrap().contains('T'));
    let rows = csv(addr, "/api/v1/periods?format=csv", "").await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2]["revision"], "2");

    let v = ok(addr, "/api/v1/versions").await;
    assert_eq!(v[0]["id"], "vn-2019");
    assert_eq!(v[0]["valid_to"], "2025-06-30");
    assert_eq!(v[1]["levels"], json!(["province", "commune"]));

    // Indicators: the catalog, access marked.
    let ind = ok(addr, "/api/v1/indicators").await;
    let by_id = |id: &str| {
        ind.as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("divorces")["access"], "restricted");
    assert_eq!(by_id("population")["kind"], "stock");
    assert_eq!(by_id("sex_ratio")["kind"], "derived");
    assert!(
        by_id("sex_ratio")["formula"]
            .as_str()
            .unwrap()
            .contains("males / females")
    );
    let rows = csv(addr, "/api/v1/indicators", "Accept: text/csv\r\n").await;
    assert_eq!(rows.len(), ind.as_array().unwrap().len());
    assert_eq!(
        rows.iter().find(|r| r["id"] == "cpr").unwrap()["access"],
        "restricted"
    );

    // Units: search folds diacritics, codes match by prefix, filters, pagination.
    let u = ok(addr, "/api/v1/units?q=ha%20noi").await;
    assert_eq!(u["total"], 1);
    assert_eq!(u["items"][0]["code"], "01");
    assert_eq!(u["items"][0]["name"], "Hà Nội");
    assert_eq!(u["items"][0]["version"], "vn-2025");
    assert_eq!(u["items"][0]["parent_code"], Value::Null);
    let u = ok(addr, "/api/v1/units?q=PHUONG%20BEN").await;
    assert_eq!(u["items"][0]["code"], "26740");
    let u = ok(addr, "/api/v1/units?q=0000").await;
    let codes: Vec<&str> = u["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["00004", "00008"]);
    let u = ok(addr, "/api/v1/units?version=vn-2019&q=00004").await;
    assert_eq!(u["items"][0]["name"], "Phường Phúc Xá");
    let u = ok(addr, "/api/v1/units?level=commune&parent=79").await;
    assert_eq!(u["total"], 2);
    let all = ok(addr, "/api/v1/units").await;
    let order: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["01", "79", "00004", "00008", "26734", "26740"]);
    let page = ok(addr, "/api/v1/units?limit=2&offset=3").await;
    assert_eq!(page["total"], 6);
    assert_eq!(
        (page["limit"].clone(), page["offset"].clone()),
        (json!(2), json!(3))
    );
    let paged: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(paged, order[3..5]);
    let rows = csv(addr, "/api/v1/units?format=csv", "").await;
    for (r, j) in rows.iter().zip(all["items"].as_array().unwrap()) {
        for k in ["code", "name", "level", "parent_code", "version"] {
            assert_eq!(r[k], text(&j[k]), "{k}");
        }
    }
    assert_eq!(rows.len(), 6);

    // One unit: the period's version, parent chain, children, values (r2 of 2025-08).
    let d = ok(addr, "/api/v1/units/00004?period=2025-08").await;
    assert_eq!(d["revision"], 2);
    assert_eq!(d["version"], "vn-2025");
    assert_eq!(
        d["parents"],
        json!([{"code": "01", "name": "Hà Nội", "level": "province"}])
    );
    assert_eq!(d["children_count"], 0);
    let want = store
        .values(snapshot_id(&store, "2025-08", 2).await)
        .await
        .unwrap();
    assert_eq!(d["values"]["population"], want["00004"]["population"]);
    let sr = want["00004"]["males"] as f64 / want["00004"]["females"] as f64 * 100.0;
    assert!((d["values"]["sex_ratio"].as_f64().unwrap() - sr).abs() < 0.05);
    assert!(d["values"].get("divorces").is_none() && d["values"].get("cpr").is_none());
    assert_eq!(d["values"]["deaths"], Value::Null);
    let old = ok(addr, "/api/v1/units/00004?period=2025-06").await;
    assert_eq!(old["version"], "vn-2019");
    let chain: Vec<&str> = old["parents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(chain, ["001", "01"]);
    let r1 = ok(addr, "/api/v1/units/01?period=2025-08@r1").await;
    assert_eq!(r1["revision"], 1);
    assert_eq!(r1["children_count"], 2);
    let want_r1 = store
        .values(snapshot_id(&store, "2025-08", 1).await)
        .await
        .unwrap();
    assert_eq!(r1["values"]["population"], want_r1["01"]["population"]);
    let latest = ok(addr, "/api/v1/units/79").await;
    assert_eq!(
        (latest["period"].clone(), latest["revision"].clone()),
        (json!("2025-08"), json!(2))
    );
    let rows = csv(addr, "/api/v1/units/79?format=csv", "").await;
    for r in &rows {
        assert_eq!(
            r["value"],
            text(&latest["values"][&r["indicator"]]),
            "{}",
            r["indicator"]
        );
    }

    // Series: each period's newest revision, across versions; derived recomputed per period.
    let s = ok(addr, "/api/v1/units/00004/series?indicator=population").await;
    let pts = s["points"].as_array().unwrap();
    assert_eq!(pts.len(), 3);
    assert_eq!(pts[0]["version"], "vn-2019");
    assert_eq!(pts[2]["revision"], 2);
    for (pt, (period, rev)) in pts
        .iter()
        .zip([("2025-06", 1), ("2025-07", 1), ("2025-08", 2)])
    {
        let vals = store
            .values(snapshot_id(&store, period, rev).await)
            .await
            .unwrap();
        assert_eq!(pt["period"], period);
        assert_eq!(pt["value"], vals["00004"]["population"]);
    }
    let s = ok(
        addr,
        "/api/v1/units/00004/series?indicator=sex_ratio&from=2025-07&to=2025-08",
    )
    .await;
    let pts = s["points"].as_array().unwrap();
    assert_eq!(pts.len(), 2);
    assert!(pts[1]["value"].as_f64().unwrap() > 90.0);
    let rows = csv(
        addr,
        "/api/v1/units/00004/series?indicator=sex_ratio&from=2025-07&format=csv",
        "",
    )
    .await;
    assert_eq!(rows.len(), 2);
    for (r, p) in rows.iter().zip(pts) {
        assert_eq!(r["period"], text(&p["period"]));
        assert_eq!(
            r["value"].parse::<f64>().unwrap(),
            p["value"].as_f64().unwrap()
        );
    }
    let s = ok(addr, "/api/v1/units/79/series?indicator=population").await;
    assert_eq!(
        s["points"].as_array().unwrap().len(),
        2,
        "79 is not in vn-2019"
    );

    // Values: one level, by code, chosen indicators, pagination; CSV equals JSON.
    let t = ok(
        addr,
        "/api/v1/values?period=2025-08&level=commune&indicator=sex_ratio,population",
    )
    .await;
    assert_eq!(t["indicators"], json!(["population", "sex_ratio"]));
    assert_eq!(t["total"], 4);
    assert_eq!(t["revision"], 2);
    let items = t["items"].as_array().unwrap();
    let codes: Vec<&str> = items.iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["00004", "00008", "26734", "26740"]);
    for i in items {
        assert_eq!(
            i["values"]["population"],
            want[i["code"].as_str().unwrap()]["population"]
        );
    }
    let rows = csv(
        addr,
        "/api/v1/values?period=2025-08&level=commune&indicator=sex_ratio,population&format=csv",
        "",
    )
    .await;
    assert_eq!(rows.len(), 4);
    for (r, i) in rows.iter().zip(items) {
        assert_eq!(r["code"], text(&i["code"]));
        assert_eq!(r["parent_code"], text(&i["parent_code"]));
        assert_eq!(r["population"], text(&i["values"]["population"]));
        assert_eq!(
            r["sex_ratio"].parse::<f64>().unwrap(),
            i["values"]["sex_ratio"].as_f64().unwrap()
        );
    }
    let page = ok(
        addr,
        "/api/v1/values?period=2025-08&level=commune&limit=1&offset=2&code=26734,00004,26740",
    )
    .await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"][0]["code"], "26740");
    let prov = ok(addr, "/api/v1/values").await;
    assert_eq!(prov["level"], "province");
    assert_eq!(prov["items"].as_array().unwrap().len(), 2);
    let sum: i64 = items
        .iter()
        .filter(|i| i["parent_code"] == "01")
        .map(|i| i["values"]["population"].as_i64().unwrap())
        .sum();
    assert_eq!(prov["items"][0]["values"]["population"], sum);

    // Rankings: highest first, change against the previous month.
    let r = ok(
        addr,
        "/api/v1/rankings?indicator=population&level=commune&period=2025-08",
    )
    .await;
    assert_eq!(r["previous_period"], "2025-07");
    let its = r["items"].as_array().unwrap();
    assert_eq!(its.len(), 4);
    let prev = store
        .values(snapshot_id(&store, "2025-07", 1).await)
        .await
        .unwrap();
    for (n, it) in its.iter().enumerate() {
        assert_eq!(it["rank"], n + 1);
        let code = it["code"].as_str().unwrap();
        assert_eq!(
            it["value"].as_f64().unwrap(),
            want[code]["population"] as f64
        );
        assert_eq!(
            it["previous"].as_f64().unwrap(),
            prev[code]["population"] as f64
        );
        assert_eq!(
            it["change"].as_f64().unwrap(),
            (want[code]["population"] - prev[code]["population"]) as f64
        );
        if n > 0 {
            assert!(its[n - 1]["value"].as_f64() >= it["value"].as_f64());
        }
    }
    let r0 = ok(addr, "/api/v1/rankings?indicator=population&period=2025-06").await;
    assert_eq!(r0["previous_period"], Value::Null);
    assert_eq!(r0["items"][0]["previous"], Value::Null);
    let rows = csv(
        addr,
        "/api/v1/rankings?indicator=population&level=commune&period=2025-08&format=csv",
        "",
    )
    .await;
    for (row, it) in rows.iter().zip(its) {
        assert_eq!(row["code"], text(&it["code"]));
        assert_eq!(row["rank"], text(&it["rank"]));
        assert_eq!(
            row["value"].parse::<f64>().unwrap(),
            it["value"].as_f64().unwrap()
        );
        assert_eq!(
            row["change"].parse::<f64>().unwrap(),
            it["change"].as_f64().unwrap()
        );
    }

    // Downloads: CSV, GeoJSON, FlatGeobuf read back.
    let rows = csv(addr, "/api/v1/download/2025-08/commune.csv", "").await;
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[0]["population"],
        want["00004"]["population"].to_string()
    );
    let g = ok(addr, "/api/v1/download/2025-08/province.geojson").await;
    let feats = g["features"].as_array().unwrap();
    assert_eq!(feats.len(), 2);
    assert_eq!(feats[1]["properties"]["code"], "79");
    assert_eq!(
        feats[1]["properties"]["population"],
        want["79"]["population"]
    );
    assert_eq!(feats[1]["geometry"]["type"], "MultiPolygon");
    let fgb = get(addr, "/api/v1/download/latest/commune.fgb", "").await;
    assert_eq!(fgb.status, 200);
    let read = common::fgb_features(&fgb.body);
    assert_eq!(read.len(), 4);
    for f in &read {
        let code = f["code"].as_str();
        assert_eq!(
            f["population"],
            want[code]["population"].to_string(),
            "{code}"
        );
        assert_eq!(f["level"], "commune");
        assert!(!f.contains_key("divorces"));
    }

    // ETag on every GET, 304 on a match.
    for path in [
        "/api/v1/periods",
        "/api/v1/units?q=ha",
        "/api/v1/values?format=csv",
        "/api/v1/download/2025-07/province.geojson",
        "/api/openapi.json",
        "/api/docs",
    ] {
        let r = get(addr, path, "").await;
        let etag = r
            .headers
            .lines()
            .find_map(|l| l.strip_prefix("etag: "))
            .unwrap_or_else(|| panic!("{path}: no ETag"));
        let again = get(addr, path, &format!("If-None-Match: {etag}\r\n")).await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
    }

    // Errors: JSON with the right status.
    for (path, status) in [
        ("/api/v1/units?nope=1", 400),
        ("/api/v1/units?limit=1001", 400),
        ("/api/v1/units?limit=0", 400),
        ("/api/v1/units?level=village", 400),
        ("/api/v1/units?version=vn-1900", 404),
        ("/api/v1/units/99999", 404),
        ("/api/v1/units/00004?period=2030-01", 404),
        ("/api/v1/units/00004?period=2025-13", 400),
        ("/api/v1/units/00004/series", 400),
        ("/api/v1/units/00004/series?indicator=nope", 400),
        (
            "/api/v1/units/00004/series?indicator=population&from=2025-08&to=2025-07",
            400,
        ),
        ("/api/v1/units/nope/series?indicator=population", 404),
        ("/api/v1/values?limit=20001", 400),
        ("/api/v1/values?format=xml", 400),
        ("/api/v1/values?period=2025-08&period=2025-07", 400),
        ("/api/v1/rankings", 400),
        // Districts are a historical level: none on vn-2025 (2025-08), a clear 400.
        ("/api/v1/values?period=2025-08&level=district", 400),
        (
            "/api/v1/rankings?indicator=population&period=2025-08&level=district",
            400,
        ),
        ("/api/v1/download/2025-08/district.csv", 400),
        ("/api/v1/download/2025-08/commune.shp", 400),
        ("/api/v1/download/2025-08/town.csv", 400),
        ("/api/v1/download/2024-01/commune.csv", 404),
    ] {
        let (st, v) = json(addr, path).await;
        assert_eq!(st, status, "{path}: {v}");
        assert!(
            v["error"].is_string() && v["message"].is_string() && v.get("details").is_some(),
            "{path}: {v}"
        );
    }
    let (_, v) = json(addr, "/api/v1/values?bogus=1").await;
    assert_eq!(v["details"]["parameter"], "bogus");
    assert!(
        v["details"]["allowed"]
            .as_array()
            .unwrap()
            .contains(&json!("indicator"))
    );
    let many: Vec<String> = (0..201).map(|i| format!("{i:05}")).collect();
    // ... while a period on vn-2019 has its district table.
    let d = ok(addr, "/api/v1/values?period=2025-06&level=district").await;
    assert!(d["total"].as_u64().unwrap() > 0, "{d}");
    let (st, v) = json(addr, &format!("/api/v1/values?code={}", many.join(","))).await;
    assert_eq!(st, 400, "{v}");
    assert_eq!(v["details"]["max"], 200);

    // The OpenAPI document and its reference page.
    let spec = ok(addr, "/api/openapi.json").await;
    assert_eq!(spec["openapi"], "3.1.0");
    for p in [
        "/api/v1/units",
        "/api/v1/units/{code}/series",
        "/api/v1/rankings",
        "/api/v1/download/{period}/{file}",
    ] {
        assert!(spec["paths"].get(p).is_some(), "{p} missing from the spec");
    }
    let page = get(addr, "/api/docs", "").await;
    assert_eq!(page.status, 200);
    assert!(
        page.headers
            .contains("content-security-policy: default-src 'self'; script-src 'self';"),
        "{}",
        page.headers
    );
    let html = String::from_utf8(page.body).unwrap();
    assert!(
        html.contains("GET /api/v1/rankings")
            && !html.contains("http://")
            && !html.contains("https://")
    );
}

/// Store id of a published (period, revision).
async fn snapshot_id(store: &Store, period: &str, rev: i64) -> i64 {
    store
        .snapshots()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.period.to_string() == period && s.revision == rev)
        .unwrap()
        .id
}

#[tokio::test]
async fn api_on_sqlite() {
    let db = TestDb::sqlite();
    check_api(db.store().await).await;
}

#[tokio::test]
async fn api_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    check_api(db.store().await).await;
}
