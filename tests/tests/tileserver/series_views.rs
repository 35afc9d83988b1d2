//! Over real TCP on the two-version fixture (`common::two_versions`): the three views of a
//! unit's series (`?view=`) and a vn-2019 period drawn on vn-2025 units through styles, map
//! values and classes (`?version=`).

use h3o::Resolution;
use serde_json::Value;

use crate::common;
use crate::common::two_versions::{commune, serve};

#[tokio::test]
async fn harmonised_styles_values_and_classes() {
    harmonised_styles_and_values(serve().await.addr).await;
}

#[tokio::test]
async fn series_in_three_views() {
    series_views(serve().await.addr).await;
}

/// `?version=` on styles, map values and classes: a vn-2019 period drawn on vn-2025 units.
async fn harmonised_styles_and_values(addr: std::net::SocketAddr) {
    let get = |path: String| async move { common::get_json(addr, &path).await };
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
        url.ends_with("/tiles/admin/2024-06@r1.json?fields=population&version=vn-2025"),
        "{url}"
    );
    let (status, tj) = get(url[url.find("/tiles/").unwrap()..].to_string()).await;
    assert_eq!(status, 200, "{tj}");
    assert_eq!(tj["popmap"]["estimated"], true);
    let tiles = tj["tiles"][0].as_str().unwrap();
    assert!(
        tiles.ends_with("/{z}/{x}/{y}.mvt?fields=population&version=vn-2025"),
        "{tiles}"
    );
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
    let get = |path: String| async move { common::get_json(addr, &path).await };
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
    // The point says so: the first point on vn-2025 follows one on vn-2019.
    let marks: Vec<&Value> = body["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["boundary_change"])
        .collect();
    assert_eq!(marks, [&Value::Bool(false), &Value::Bool(true)]);
    assert_eq!(body["boundary_changes"], serde_json::json!(["2025-07"]));

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
    // Harmonised, every point is on one version: no boundary change.
    assert_eq!(body["boundary_changes"], serde_json::json!([]));
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
    // Each point gives its period's first and last day (a chart's time axis).
    assert_eq!(body["points"][0]["period"], "2024-06");
    assert_eq!(body["points"][0]["start"], "2024-06-01");
    assert_eq!(body["points"][0]["end"], "2024-06-30");
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
        "\u{feff}code,indicator,period,revision,version,value,estimated,suppressed,boundary_change,start,end"
    );
    assert!(
        csv.contains(
            "00002,population,2024-06,1,vn-2025,700,true,false,false,2024-06-01,2024-06-30"
        ),
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
