//! Over real TCP on a SQLite store with a stored crosswalk (`common::two_versions`):
//! `GET /api/v1/units/{code}/lineage`, admin tiles of a vn-2019 period on vn-2025 boundaries
//! (`?version=vn-2025`), and a crosswalk rebuilt under the running server.

use std::collections::BTreeMap;

use geozero::mvt::{Message, Tile};
use serde_json::Value;

use crate::common;
use crate::common::two_versions::{save_crosswalk, serve, tile_of};

#[tokio::test]
async fn lineage_and_harmonised_admin_tiles() {
    // Borrowed, never taken apart: dropping a `Served` deletes the SQLite folder, and the
    // pool's next new connection would fail (`Served` implements `Drop` to enforce it).
    let fixture = serve().await;
    let (addr, store, served) = (fixture.addr, &fixture.store, &fixture.state);
    let get = |path: String| async move { common::get_json(addr, &path).await };

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
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["successors"].as_array().unwrap().len(), 2);
    assert!(body["predecessors"].as_array().unwrap().is_empty());
    let (_, body) = get("/api/v1/units/00009/lineage".into()).await;
    assert_eq!(body["predecessors"][0]["share"], 0.6);
    assert_eq!(body["predecessors"][0]["exact"], false);

    let (status, body) = get("/api/v1/units/99999/lineage".into()).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "not_found");

    // Admin tiles: natively the old 00002 (200 people); on vn-2025 the new 00002 holds
    // 100 + 200 + 40% of 1,000, estimated because part of it comes from a split.
    let tile_props = |lon: f64, query: &'static str| async move {
        let (x, y) = tile_of(lon, 10.05, 12);
        let r = common::get(
            addr,
            &format!("/tiles/admin/2024-06/12/{x}/{y}.mvt{query}"),
            "",
        )
        .await;
        assert_eq!(
            r.status,
            200,
            "{query}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let t = Tile::decode(&r.body[..]).unwrap();
        let layer = &t.layers[0];
        assert_eq!(layer.features.len(), 1);
        let f = &layer.features[0];
        f.tags
            .chunks(2)
            .map(|kv| {
                let v = &layer.values[kv[1] as usize];
                let text = v
                    .string_value
                    .clone()
                    .or(v.int_value.map(|i| i.to_string()))
                    .or(v.bool_value.map(|b| b.to_string()))
                    .unwrap_or_default();
                (layer.keys[kv[0] as usize].clone(), text)
            })
            .collect::<BTreeMap<String, String>>()
    };
    let native = tile_props(1.05, "?fields=all").await;
    assert_eq!(native["code"], "00002");
    assert_eq!(native["population"], "200");
    assert!(!native.contains_key("estimated"));
    let same = tile_props(1.05, "?version=vn-2019&fields=all").await;
    assert_eq!(same["population"], "200");
    let moved = tile_props(0.05, "?version=vn-2025&fields=all").await;
    assert_eq!(moved["code"], "00002");
    assert_eq!(moved["population"], "700");
    assert_eq!(moved["estimated"], "true");
    // Compact (the default), harmonised tiles still say which units are estimated.
    let compact = tile_props(0.05, "?version=vn-2025").await;
    assert_eq!(
        compact.keys().map(String::as_str).collect::<Vec<_>>(),
        ["code", "estimated", "name"]
    );
    let moved = tile_props(2.05, "?version=vn-2025&fields=population").await;
    assert_eq!(
        (moved["code"].as_str(), moved["population"].as_str()),
        ("00009", "600")
    );

    // TileJSON says which version and that values are estimated.
    let (status, tj) = get("/tiles/admin/2024-06.json?version=vn-2025".into()).await;
    assert_eq!(status, 200, "{tj}");
    assert_eq!(tj["popmap"]["version"], "vn-2025");
    assert_eq!(tj["popmap"]["reported_on"], "vn-2019");
    assert_eq!(tj["popmap"]["estimated"], true);
    let url = tj["tiles"][0].as_str().unwrap();
    assert!(
        url.ends_with("/tiles/admin/2024-06@r1/{z}/{x}/{y}.mvt?version=vn-2025"),
        "{url}"
    );
    let (_, tj) = get("/tiles/admin/2024-06.json".into()).await;
    assert_eq!(tj["popmap"]["version"], "vn-2019");
    assert_eq!(tj["popmap"]["estimated"], false);
    for q in ["?version=vn-1999", "?version=vn-2019"] {
        let (status, _) = get(format!("/tiles/admin/2025-07.json{q}")).await;
        assert_eq!(status, 400, "{q}");
    }

    let (x, y) = tile_of(0.05, 10.05, 12);
    for (period, query) in [
        ("2024-06", "?version=vn-1999"),
        ("2024-06", "?versio=vn-2025"),
        // No crosswalk leads from vn-2025 back to vn-2019.
        ("2025-07", "?version=vn-2019"),
    ] {
        let r = common::get(
            addr,
            &format!("/tiles/admin/{period}/12/{x}/{y}.mvt{query}"),
            "",
        )
        .await;
        let body = String::from_utf8_lossy(&r.body).to_string();
        assert_eq!(r.status, 400, "{period}{query}: {body}");
        if query == "?version=vn-2019" {
            assert!(
                body.contains("no crosswalk from vn-2025 to vn-2019"),
                "{body}"
            );
        }
    }

    // A rebuilt crosswalk (00003 now split half and half) is seen after the next reload:
    // harmonised series and tiles no longer answer from the old shares.
    save_crosswalk(store, 0.5, "test, rebuilt").await;
    let outcome = tileserver::state::refresh::reload(served).await.unwrap();
    assert!(outcome.changed);
    let r = common::get(
        addr,
        "/api/v1/units/00002/series?indicator=population&view=harmonised&to=2024-12",
        "",
    )
    .await;
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["points"][0]["value"], 800, "{body}");
    let moved = tile_props(0.05, "?version=vn-2025&fields=population").await;
    assert_eq!(moved["population"], "800");
}
