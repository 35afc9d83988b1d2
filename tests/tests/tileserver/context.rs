//! The country context tiles over real TCP: the TileJSON (four layers with their fields, tile
//! URLs versioned by the data's digest, ETag and 304), a national-view tile decoded (land of
//! Vietnam and its neighbours, the islands and both archipelago labels), gzip, immutable
//! caching, ETag and 304, 204 for open sea, and 400 JSON errors for bad addresses.

use std::collections::BTreeSet;
use std::io::Read;
use std::net::SocketAddr;

use geozero::mvt::{Message, Tile};
use popmap_tests::TestDb;

use crate::common::{self, get, get_json, header};

async fn server() -> (SocketAddr, TestDb) {
    let db = TestDb::sqlite();
    let config = tileserver::ServerConfig {
        poll: None,
        ..Default::default()
    };
    let addr = common::spawn(common::state(db.store().await, config).await).await;
    (addr, db)
}

/// `(layer, property name, string value)` of every feature property of a tile.
fn properties(t: &Tile) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for l in &t.layers {
        for f in &l.features {
            for kv in f.tags.chunks(2) {
                let v = &l.values[kv[1] as usize];
                out.insert((
                    l.name.clone(),
                    l.keys[kv[0] as usize].clone(),
                    v.string_value.clone().unwrap_or_default(),
                ));
            }
        }
    }
    out
}

#[tokio::test]
async fn tilejson_lists_the_four_layers_and_versioned_immutable_tiles() {
    let (addr, _db) = server().await;
    let r = get(addr, "/tiles/context.json", "").await;
    assert_eq!(r.status, 200);
    assert_eq!(header(&r, "cache-control"), "public, max-age=60");
    let etag = header(&r, "etag").to_string();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    let again = get(
        addr,
        "/tiles/context.json",
        &format!("If-None-Match: {etag}\r\n"),
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    let doc: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(doc["tilejson"], "3.0.0");
    let ids: Vec<&str> = doc["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["land", "country_label", "island", "archipelago_label"]
    );
    for l in doc["vector_layers"].as_array().unwrap() {
        assert_eq!(
            (l["minzoom"].as_u64(), l["maxzoom"].as_u64()),
            (Some(0), Some(14))
        );
        assert!(l["fields"]["name"].is_string(), "{l}");
    }
    assert!(doc["vector_layers"][0]["fields"]["iso3"].is_string());
    assert!(doc["vector_layers"][2]["fields"]["group"].is_string());
    let url = doc["tiles"][0].as_str().unwrap();
    let (prefix, version) = url.split_once("?v=").unwrap();
    assert_eq!(prefix, "http://t/tiles/context/{z}/{x}/{y}.mvt");
    assert!(
        version.len() == 16 && version.bytes().all(|b| b.is_ascii_hexdigit()),
        "{url}"
    );

    // The Trường Sa label's z5 tile, by the TileJSON's own URL, gzip-coded.
    let path = format!("/tiles/context/5/26/15.mvt?v={version}");
    let r = get(addr, &path, "Accept-Encoding: gzip\r\n").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        header(&r, "content-type"),
        "application/vnd.mapbox-vector-tile"
    );
    assert_eq!(header(&r, "content-encoding"), "gzip");
    assert_eq!(
        header(&r, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let etag = header(&r, "etag").to_string();
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_end(&mut raw)
        .unwrap();
    let props = properties(&Tile::decode(&raw[..]).unwrap());
    let has = |layer: &str, key: &str, value: &str| {
        props.contains(&(layer.to_string(), key.to_string(), value.to_string()))
    };
    assert!(
        has(
            "archipelago_label",
            "name",
            "Quần đảo Trường Sa (Khánh Hòa)"
        ),
        "{props:?}"
    );
    assert!(has(
        "archipelago_label",
        "name_en",
        "Truong Sa Archipelago (Khanh Hoa)"
    ));
    assert!(has("island", "name", "Đảo Nam Yết"));
    assert!(has("island", "group", "truong_sa"));
    let again = get(
        addr,
        &path,
        &format!("Accept-Encoding: gzip\r\nIf-None-Match: {etag}\r\n"),
    )
    .await;
    assert_eq!(again.status, 304);
}

#[tokio::test]
async fn national_view_tiles_carry_vietnam_its_neighbours_and_both_archipelagos() {
    let (addr, _db) = server().await;
    let mut props = BTreeSet::new();
    // z4 tiles over Vietnam and the East Sea: columns 12–13, rows 6–7.
    for (x, y) in [(12, 6), (13, 6), (12, 7), (13, 7)] {
        let r = get(addr, &format!("/tiles/context/4/{x}/{y}.mvt"), "").await;
        assert_eq!(r.status, 200, "4/{x}/{y}");
        assert!(header(&r, "etag").starts_with('"'));
        props.extend(properties(&Tile::decode(&r.body[..]).unwrap()));
    }
    let has = |layer: &str, key: &str, value: &str| {
        props.contains(&(layer.to_string(), key.to_string(), value.to_string()))
    };
    for iso3 in ["VNM", "CHN", "LAO", "KHM", "THA"] {
        assert!(has("land", "iso3", iso3), "no land of {iso3}");
    }
    assert!(has("land", "name", "Việt Nam"));
    assert!(has("country_label", "name", "Trung Quốc"));
    assert!(has("country_label", "name", "Lào"));
    assert!(has("island", "group", "hoang_sa"));
    assert!(has("island", "group", "truong_sa"));
    assert!(has("island", "name", "Đảo Phú Lâm"));
    assert!(has(
        "archipelago_label",
        "name",
        "Quần đảo Hoàng Sa (Đà Nẵng)"
    ));
    assert!(has(
        "archipelago_label",
        "name",
        "Quần đảo Trường Sa (Khánh Hòa)"
    ));
}

#[tokio::test]
async fn open_sea_is_204_and_bad_addresses_are_400() {
    let (addr, _db) = server().await;
    let r = get(addr, "/tiles/context/4/0/0.mvt", "").await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    for (path, parameter) in [
        ("/tiles/context/4/16/0.mvt", "x"),
        ("/tiles/context/4/0/16.mvt", "y"),
        ("/tiles/context/25/0/0.mvt", "z"),
        ("/tiles/context/a/0/0.mvt", "z"),
        ("/tiles/context/4/0/0.png", "y"),
        ("/tiles/context/4/0/0.mvt?x=1", "x"),
    ] {
        let (status, body) = get_json(addr, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body["message"].is_string(), "{path}: {body}");
        assert_eq!(body["details"]["parameter"], parameter, "{path}: {body}");
    }
    let (status, _) = get_json(addr, "/tiles/context.json?v=1").await;
    assert_eq!(status, 400);
}
