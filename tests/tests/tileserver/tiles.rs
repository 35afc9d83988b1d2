//! Tile endpoints over real TCP: decoded MVT (independent geozero decoder), status codes for
//! bad requests, 204 for empty tiles, ETag and 304, restricted indicators kept out.

use geodata::{NewSnapshot, ValueRow};
use geozero::mvt::{Message, Tile, tile};
use popmap_tests::TestDb;

use crate::common;
use crate::common::get;
use crate::common::two_versions::tile_of;

fn props(layer: &tile::Layer, f: &tile::Feature) -> Vec<(String, tile::Value)> {
    f.tags
        .chunks(2)
        .map(|kv| {
            (
                layer.keys[kv[0] as usize].clone(),
                layer.values[kv[1] as usize].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn tiles_decode_and_answer_the_right_status() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let version = common::vn_2025();
    let units = common::hanoi_two_communes();
    store.import_version(&version, &units, false).await.unwrap();
    let mut values = Vec::new();
    for (code, pop, males, reported) in [
        ("00004", 1000, 495, true),
        ("00008", 2000, 990, true),
        ("01", 3000, 1485, false),
    ] {
        for (ind, v) in [
            ("population", pop),
            ("males", males),
            ("females", pop - males),
            ("divorces", 3),
        ] {
            values.push(ValueRow {
                unit_code: code.into(),
                indicator: ind.into(),
                value: v,
                reported,
            });
        }
    }
    store
        .publish(&NewSnapshot {
            period: "2025-10".parse().unwrap(),
            version: "vn-2025".into(),
            source: "t.csv".into(),
            checksum: "00".into(),
            report_json: "{}".into(),
            complete: true,
            values,
        })
        .await
        .unwrap();

    let addr = common::spawn(common::state(store, Default::default()).await).await;

    let (x, y) = tile_of(105.95, 21.1, 12);
    let r = get(
        addr,
        &format!("/tiles/boundaries/vn-2025/12/{x}/{y}.mvt"),
        "",
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(
        r.headers
            .contains("content-type: application/vnd.mapbox-vector-tile")
    );
    assert!(
        r.headers
            .contains("cache-control: public, max-age=31536000, immutable")
    );
    let t = Tile::decode(&r.body[..]).unwrap();
    let names: Vec<&str> = t.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["commune", "commune_label", "province_outline"]);
    let ids: Vec<u64> = t.layers[0].features.iter().filter_map(|f| f.id).collect();
    assert_eq!(ids, [4_000_000_008]);
    let labelled: Vec<u64> = t.layers[1].features.iter().filter_map(|f| f.id).collect();
    assert_eq!(labelled, [4_000_000_008], "its label point is in this tile");

    // ETag and 304.
    let etag = r
        .headers
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .unwrap()
        .to_string();
    let again = get(
        addr,
        &format!("/tiles/boundaries/vn-2025/12/{x}/{y}.mvt"),
        &format!("If-None-Match: {etag}\r\n"),
    )
    .await;
    assert_eq!(again.status, 304);

    // Admin tiles are compact by default: the feature id, code and name, no value (the map
    // joins values by feature id). `fields=all` gives every public value, typed, and never a
    // restricted indicator; `fields=a,b` just those.
    let compact = get(addr, &format!("/tiles/admin/latest/12/{x}/{y}.mvt"), "").await;
    assert_eq!(compact.status, 200);
    let t = Tile::decode(&compact.body[..]).unwrap();
    let layer = &t.layers[0];
    assert_eq!(layer.features[0].id, Some(4_000_000_008));
    let keys: Vec<String> = props(layer, &layer.features[0])
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, ["code", "name"]);
    for (period, query) in [("2025-10", "?fields=all"), ("latest", "?fields=all")] {
        let r = get(
            addr,
            &format!("/tiles/admin/{period}/12/{x}/{y}.mvt{query}"),
            "",
        )
        .await;
        assert_eq!(r.status, 200, "{period}");
        assert!(r.headers.contains("cache-control: public, max-age=60"));
        assert!(r.body.len() > compact.body.len());
        let t = Tile::decode(&r.body[..]).unwrap();
        let layer = &t.layers[0];
        let p = props(layer, &layer.features[0]);
        let find = |k: &str| p.iter().find(|(kk, _)| kk == k).map(|(_, v)| v.clone());
        assert_eq!(find("code").unwrap().string_value.as_deref(), Some("00008"));
        assert_eq!(find("population").unwrap().int_value, Some(2000));
        assert_eq!(find("sex_ratio").unwrap().double_value, Some(98.0));
        assert!(
            find("births").is_none(),
            "no births published, none in the tile"
        );
        assert!(find("divorces").is_none(), "restricted indicator in a tile");
    }
    let r = get(
        addr,
        &format!("/tiles/admin/latest/12/{x}/{y}.mvt?fields=sex_ratio"),
        "",
    )
    .await;
    let t = Tile::decode(&r.body[..]).unwrap();
    let keys: Vec<String> = props(&t.layers[0], &t.layers[0].features[0])
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, ["code", "name", "sex_ratio"]);
    assert!(r.headers.contains(&format!(
        "content-location: /tiles/admin/2025-10@r1/12/{x}/{y}.mvt?fields=sex_ratio"
    )));
    // The TileJSON of the default describes what the compact tiles carry, and `fields=` names
    // the chosen set in its tile URL.
    let tj: serde_json::Value =
        serde_json::from_slice(&get(addr, "/tiles/admin/latest.json", "").await.body).unwrap();
    let url = tj["tiles"][0].as_str().unwrap();
    assert!(
        url.ends_with("/tiles/admin/2025-10@r1/{z}/{x}/{y}.mvt"),
        "{url}"
    );
    let described: Vec<&String> = tj["vector_layers"][0]["fields"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(described, ["code", "name"]);
    assert_eq!(tj["popmap"]["fields"], serde_json::json!([]));
    let tj: serde_json::Value = serde_json::from_slice(
        &get(addr, "/tiles/admin/latest.json?fields=all", "")
            .await
            .body,
    )
    .unwrap();
    let url = tj["tiles"][0].as_str().unwrap();
    assert!(url.contains("?fields=population,"), "{url}");
    assert!(!url.contains("divorces"), "{url}");
    assert!(tj["vector_layers"][0]["fields"]["sex_ratio"].is_string());
    // At z5 only provinces are drawn.
    let (x5, y5) = tile_of(105.9, 21.1, 5);
    let r = get(addr, &format!("/tiles/admin/2025-10/5/{x5}/{y5}.mvt"), "").await;
    let t = Tile::decode(&r.body[..]).unwrap();
    assert_eq!(t.layers[0].name, "province");
    assert_eq!(t.layers[0].features[0].id, Some(2_000_000_001));

    // Empty area: 204. Bad requests: 400. Unknown things: 404.
    let (ex, ey) = tile_of(-30.0, 40.0, 12);
    let r = get(
        addr,
        &format!("/tiles/boundaries/vn-2025/12/{ex}/{ey}.mvt"),
        "",
    )
    .await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    for (path, status) in [
        ("/tiles/boundaries/vn-2025/99/0/0.mvt", 400),
        ("/tiles/boundaries/vn-2025/2/4/0.mvt", 400),
        ("/tiles/boundaries/vn-2025/2/0/9.mvt", 400),
        ("/tiles/boundaries/vn-2025/-1/0/0.mvt", 400),
        ("/tiles/boundaries/vn-2025/a/0/0.mvt", 400),
        ("/tiles/boundaries/vn-2025/2/0/0.png", 400),
        ("/tiles/admin/2025-13/2/0/0.mvt", 400),
        ("/tiles/boundaries/vn-1999/2/0/0.mvt", 404),
        ("/tiles/boundaries/..%2F..%2Fetc/2/0/0.mvt", 404),
        ("/tiles/admin/2020-01/2/0/0.mvt", 404),
        ("/tiles/admin/2025-10/2/0.mvt", 404),
        ("/tiles/admin/2025-10@r2/2/0/0.mvt", 404),
        ("/tiles/admin/2025-10@r0/2/0/0.mvt", 400),
        ("/tiles/admin/2025-10/2/+1/0.mvt", 400),
        ("/tiles/admin/2025-10/2/0/0.mvt?fields=nope", 400),
        ("/tiles/admin/2025-10/2/0/0.mvt?fields=divorces", 401),
        ("/tiles/admin/2025-10/2/0/0.mvt?fields=all,population", 400),
        ("/tiles/admin/2025-10.json?fields=al", 400),
        ("/tiles/admin/2025-10/2/0/0.mvt?v=1", 400),
        ("/tiles/boundaries/vn-2025/2/0/0.mvt?fields=population", 400),
        ("/tiles/admin/2025-10.png", 404),
        ("/tiles/admin/2020-01.json", 404),
        ("/tiles/boundaries/vn-1999.json", 404),
        ("/tiles/admin/%FF/2/0/0.mvt", 400),
        ("/tiles/boundaries/%C3%28/2/0/0.mvt", 400),
        ("/api/v1/units/%FF", 400),
        (
            "/tiles/admin/2025-10/2/0/0.mvt?fields=population&fields=births",
            400,
        ),
        ("/tiles/admin/2025-10/2/0/0.mvt?fields=%FF", 400),
    ] {
        let r = get(addr, path, "").await;
        assert_eq!(r.status, status, "{path}");
        // Every error is the documented JSON, also those the framework writes itself (a path
        // that is not UTF-8), with a message of ours, never the library's.
        let e: serde_json::Value = serde_json::from_slice(&r.body)
            .unwrap_or_else(|_| panic!("{path}: {}", String::from_utf8_lossy(&r.body)));
        assert!(
            e["error"].is_string() && e["message"].is_string(),
            "{path}: {e}"
        );
        assert!(
            !e["message"].as_str().unwrap().contains("Invalid URL"),
            "{path}: {e}"
        );
    }
}
