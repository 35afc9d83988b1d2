//! The H3 family over real TCP: tiles decoded with geozero's MVT reader (cell ids, properties,
//! exact totals), disclosure control in tiles and in the cell API (suppressed values never
//! appear), TileJSON, caching headers and status codes.

use std::collections::{BTreeMap, BTreeSet};

use geodata::{NewSnapshot, ValueRow};
use geozero::mvt::{Message, Tile, tile};
use h3o::{CellIndex, LatLng, Resolution};
use popmap_tests::TestDb;

use crate::common;
use crate::common::get;
use crate::common::two_versions::tile_of;

fn props(layer: &tile::Layer, f: &tile::Feature) -> BTreeMap<String, tile::Value> {
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

/// Keys a suppressed cell may carry: the total, values over the total and area, identity, flag.
const SUPPRESSED_KEYS: [&str; 6] = [
    "cell",
    "resolution",
    "population",
    "density",
    "density_unstable",
    "suppressed",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h3_tiles_and_cells_are_exact_and_protected() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let version = common::vn_2025();
    let units = common::hanoi_two_communes();
    store.import_version(&version, &units, false).await.unwrap();
    // 00004 is sparse (a few people per r7 cell: mostly suppressed), 00008 dense.
    let mut values = Vec::new();
    for (code, pop, males, reported) in [
        ("00004", 300, 149, true),
        ("00008", 200_000, 99_000, true),
        ("01", 200_300, 99_149, false),
    ] {
        for (ind, v) in [
            ("population", pop),
            ("males", males),
            ("females", pop - males),
            ("births", pop / 100),
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

    let addr = common::spawn(common::state(store.clone(), Default::default()).await).await;

    // No operator yet: 404 naming the command.
    let (x, y) = tile_of(105.95, 21.1, 11);
    let r = get(addr, &format!("/tiles/h3/2025-10/11/{x}/{y}.mvt"), "").await;
    assert_eq!(r.status, 404);
    assert!(String::from_utf8_lossy(&r.body).contains("popmap h3 build"));

    etl::h3::build_and_store(
        &store,
        "vn-2025",
        Resolution::Seven,
        &etl::h3::Weights::Area,
        indicatif::ProgressBar::hidden(),
    )
    .await
    .unwrap();

    // z11 shows r7: every tile over the two communes, features merged by cell id.
    let mut cells: BTreeMap<u64, BTreeMap<String, tile::Value>> = BTreeMap::new();
    let (x0, y0) = tile_of(105.79, 21.21, 11);
    let (x1, y1) = tile_of(106.01, 20.99, 11);
    for tx in x0..=x1 {
        for ty in y0..=y1 {
            let r = get(addr, &format!("/tiles/h3/2025-10@r1/11/{tx}/{ty}.mvt"), "").await;
            assert_eq!(r.status, 200, "11/{tx}/{ty}");
            assert!(
                r.headers
                    .contains("cache-control: public, max-age=31536000, immutable")
            );
            let t = Tile::decode(&r.body[..]).unwrap();
            assert_eq!(t.layers.len(), 1);
            let layer = &t.layers[0];
            assert_eq!(layer.name, "h3");
            for f in &layer.features {
                let p = props(layer, f);
                let id = f.id.expect("feature id");
                let cell: CellIndex = p["cell"].string_value.as_deref().unwrap().parse().unwrap();
                assert_eq!(u64::from(cell), id, "id is the cell index");
                assert_eq!(cell.resolution(), Resolution::Seven);
                assert_eq!(p["resolution"].uint_value, Some(7));
                assert!(
                    !p.contains_key("divorces"),
                    "restricted indicator in a tile"
                );
                if let Some(old) = cells.insert(id, p.clone()) {
                    assert_eq!(old, p, "a cell is the same in every tile");
                }
            }
        }
    }
    let int = |p: &BTreeMap<String, tile::Value>, k: &str| p.get(k).and_then(|v| v.int_value);
    let total: i64 = cells.values().map(|p| int(p, "population").unwrap()).sum();
    assert_eq!(total, 200_300, "cells sum to the national total");
    let suppressed: Vec<_> = cells
        .values()
        .filter(|p| p.get("suppressed").and_then(|v| v.bool_value) == Some(true))
        .collect();
    assert!(suppressed.len() >= 2, "{} suppressed", suppressed.len());
    for p in &suppressed {
        assert!(int(p, "population").unwrap() >= 0);
        for k in p.keys() {
            assert!(
                SUPPRESSED_KEYS.contains(&k.as_str()),
                "suppressed cell shows '{k}'"
            );
        }
    }
    let open: Vec<_> = cells
        .values()
        .filter(|p| !p.contains_key("suppressed"))
        .collect();
    assert!(!open.is_empty());
    for p in &open {
        assert!(int(p, "population").unwrap() >= 10);
        assert_eq!(
            int(p, "males").unwrap() + int(p, "females").unwrap(),
            int(p, "population").unwrap()
        );
    }

    // Differencing: under each published r6 parent, 0 or ≥ 2 children are suppressed.
    let mut by_parent: BTreeMap<CellIndex, (usize, usize)> = BTreeMap::new();
    for (id, p) in &cells {
        let c = CellIndex::try_from(*id).unwrap();
        let e = by_parent
            .entry(c.parent(Resolution::Six).unwrap())
            .or_default();
        e.0 += 1;
        e.1 += usize::from(p.contains_key("suppressed"));
    }
    for (parent, (_, hidden)) in &by_parent {
        let r = get(addr, &format!("/api/v1/h3/2025-10/{parent}"), "").await;
        assert_eq!(r.status, 200, "{parent}");
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        if v["flags"]["suppressed"] == false {
            assert_ne!(
                *hidden, 1,
                "r6 {parent}: one suppressed child can be differenced out"
            );
        }
    }

    // The cell API: values, flags and communes with their shares.
    let (sid, sp) = cells
        .iter()
        .find(|(_, p)| p.contains_key("suppressed"))
        .unwrap();
    let sc = CellIndex::try_from(*sid).unwrap();
    let r = get(addr, &format!("/api/v1/h3/latest/{sc}"), "").await;
    assert_eq!(r.status, 200);
    assert!(r.headers.contains("cache-control: public, max-age=60"));
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["cell"], sc.to_string());
    assert_eq!(v["resolution"], 7);
    assert_eq!(v["revision"], 1);
    assert_eq!(v["flags"]["suppressed"], true);
    let keys: BTreeSet<&str> = v["values"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(keys.iter().all(|k| SUPPRESSED_KEYS.contains(k)), "{keys:?}");
    assert_eq!(v["values"]["population"], int(sp, "population").unwrap());
    let communes = v["communes"].as_array().unwrap();
    assert!(!communes.is_empty());
    for c in communes {
        let share = c["share"].as_f64().unwrap();
        assert!(share > 0.0 && share <= 1.0, "{c}");
        assert!(["00004", "00008"].contains(&c["code"].as_str().unwrap()));
        assert!(c["name"].as_str().unwrap().starts_with("Phường"));
    }
    let (oid, _) = cells
        .iter()
        .find(|(_, p)| !p.contains_key("suppressed"))
        .unwrap();
    let oc = CellIndex::try_from(*oid).unwrap();
    let r = get(addr, &format!("/api/v1/h3/2025-10@r1/{oc}"), "").await;
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert!(v["values"]["males"].as_i64().is_some());
    assert!(v["values"]["sex_ratio"].as_f64().is_some());
    assert!(v["values"].get("divorces").is_none());

    // TileJSON next to the tiles.
    let r = get(addr, "/tiles/h3/latest.json", "").await;
    assert_eq!(r.status, 200);
    let tj: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(
        tj["tiles"][0],
        "http://t/tiles/h3/2025-10@r1/{z}/{x}/{y}.mvt"
    );
    assert_eq!(tj["vector_layers"][0]["id"], "h3");
    assert!(tj["vector_layers"][0]["fields"]["suppressed"].is_string());
    assert_eq!(tj["popmap"]["resolutions"][11]["resolution"], 7);

    // latest names its revision; ETag and 304; an empty area is 204.
    let r = get(addr, &format!("/tiles/h3/latest/11/{x}/{y}.mvt"), "").await;
    assert_eq!(r.status, 200);
    assert!(r.headers.contains(&format!(
        "content-location: /tiles/h3/2025-10@r1/11/{x}/{y}.mvt"
    )));
    let etag = r
        .headers
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .unwrap()
        .to_string();
    let again = get(
        addr,
        &format!("/tiles/h3/latest/11/{x}/{y}.mvt"),
        &format!("If-None-Match: {etag}\r\n"),
    )
    .await;
    assert_eq!(again.status, 304);
    let (ex, ey) = tile_of(-30.0, 40.0, 11);
    assert_eq!(
        get(addr, &format!("/tiles/h3/2025-10/11/{ex}/{ey}.mvt"), "")
            .await
            .status,
        204
    );
    // Coarse zooms keep the total.
    let (x4, y4) = tile_of(105.9, 21.1, 4);
    let r = get(addr, &format!("/tiles/h3/2025-10/4/{x4}/{y4}.mvt"), "").await;
    let t = Tile::decode(&r.body[..]).unwrap();
    let layer = &t.layers[0];
    let sum: i64 = layer
        .features
        .iter()
        .map(|f| props(layer, f)["population"].int_value.unwrap())
        .sum();
    assert_eq!(sum, 200_300);

    let paris = LatLng::new(48.85, 2.35).unwrap().to_cell(Resolution::Seven);
    let fine = LatLng::new(21.1, 105.95)
        .unwrap()
        .to_cell(Resolution::Twelve);
    for (path, status) in [
        (format!("/api/v1/h3/2025-10/{paris}"), 404),
        ("/api/v1/h3/2025-10/zzz".to_owned(), 400),
        ("/api/v1/h3/2025-10/8928308280fffff1".to_owned(), 400),
        (format!("/api/v1/h3/2025-10/{fine}"), 400),
        (format!("/api/v1/h3/2020-01/{oc}"), 404),
        (format!("/api/v1/h3/2025-13/{oc}"), 400),
        ("/tiles/h3/2025-10/99/0/0.mvt".to_owned(), 400),
        (
            "/tiles/h3/2025-10/2/0/0.mvt?fields=population".to_owned(),
            400,
        ),
        ("/tiles/h3/2020-01/2/0/0.mvt".to_owned(), 404),
        ("/tiles/h3/2020-01.json".to_owned(), 404),
    ] {
        assert_eq!(get(addr, &path, "").await.status, status, "{path}");
    }
    let metrics = String::from_utf8(
        get(addr, "/metrics", &common::admin_bearer(&store).await)
            .await
            .body,
    )
    .unwrap();
    assert!(metrics.contains("family=\"h3\""), "h3 in the tile metrics");
}
