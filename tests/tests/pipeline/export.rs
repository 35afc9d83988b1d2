//! `popmap export` to PMTiles read back with the pmtiles crate's own reader, and to MBTiles read
//! back with plain SQL: every non-empty admin tile is in the archive with exactly the bytes the
//! server would serve, the layer metadata is there, and bad requests leave no file behind.

use chrono::NaiveDate;
use geo_types::{MultiPolygon, polygon};
use geodata::TileId;
use geodata::TileSource;
use geodata::{BoundaryVersion, Catalog, Level, Store, Unit, UnitInfo};
use geodata::{FieldSet, admin_tile};
use geodata::{NewSnapshot, Snapshot, ValueRow, ValueTable};
use geozero::mvt::{Message, Tile};
use pmtiles::AsyncPmTilesReader;
use popmap_tests::TestDb;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![
        (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)
    ]])
}

/// Two communes of one province, published for 2025-10.
async fn fixture(store: &Store) -> Snapshot {
    let version = BoundaryVersion {
        id: "vn-2025".into(),
        valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        valid_to: None,
        levels: vec![Level::Province, Level::Commune],
    };
    let unit = |code: &str, level, parent: Option<&str>, g: MultiPolygon<f64>| Unit {
        code: code.into(),
        name: format!("Đơn vị {code}"),
        level,
        parent_code: parent.map(Into::into),
        area_km2: etl::geometry::geodesic_area_km2(&g),
        geometry: g,
    };
    let units = vec![
        unit("01", Level::Province, None, rect(105.8, 21.0, 106.0, 21.2)),
        unit(
            "00004",
            Level::Commune,
            Some("01"),
            rect(105.8, 21.0, 105.9, 21.2),
        ),
        unit(
            "00008",
            Level::Commune,
            Some("01"),
            rect(105.9, 21.0, 106.0, 21.2),
        ),
    ];
    store.import_version(&version, &units, false).await.unwrap();
    let mut values = Vec::new();
    for (code, pop, reported) in [
        ("00004", 1000, true),
        ("00008", 2000, true),
        ("01", 3000, false),
    ] {
        for (ind, v) in [
            ("population", pop),
            ("males", pop / 2),
            ("females", pop / 2),
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
            values,
        })
        .await
        .unwrap()
}

/// What the server renders for `snap`: the tile source, values and default fields.
async fn served(store: &Store, snap: &Snapshot) -> (TileSource, ValueTable, FieldSet) {
    let pairs: Vec<(UnitInfo, MultiPolygon<f64>)> = store
        .units_with_geometry(&snap.version)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.info(), u.geometry))
        .collect();
    let vals = store.values(snap.id).await.unwrap();
    (
        TileSource::new(pairs),
        vals,
        FieldSet::all_public(&Catalog::builtin()),
    )
}

/// Tiles around the fixture's units at zoom z (a ring of empty tiles included).
fn nearby(z: u8) -> Vec<TileId> {
    let n = 1u32 << z;
    let fx = |lon: f64| ((lon + 180.0) / 360.0 * f64::from(n)) as u32;
    let fy = |lat: f64| {
        let r = f64::to_radians(lat);
        ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * f64::from(n)) as u32
    };
    let mut out = Vec::new();
    for x in fx(105.8).saturating_sub(1)..=(fx(106.0) + 1).min(n - 1) {
        for y in fy(21.2).saturating_sub(1)..=(fy(21.0) + 1).min(n - 1) {
            out.push(TileId::new(u32::from(z), x, y).unwrap());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pmtiles_archive_holds_the_served_tiles() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let snap = fixture(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("2025-10.pmtiles");
    let catalog = Catalog::builtin();
    let opts = etl::export::ExportOptions {
        format: etl::export::Format::Pmtiles,
        period: "latest".into(),
        min_zoom: 0,
        max_zoom: 10,
        fields: None,
        force: false,
    };
    let summary = etl::export::export(&store, &catalog, &opts, &out)
        .await
        .unwrap();
    assert_eq!(summary.snapshot.id, snap.id);
    assert!(!dir.path().join("2025-10.pmtiles.partial").exists());

    let (src, vals, fields) = served(&store, &snap).await;

    let reader = AsyncPmTilesReader::new_with_path(&out).await.unwrap();
    let mut found = 0;
    for z in 0..=10u8 {
        for id in nearby(z) {
            let want = admin_tile(&src, id, &catalog, &fields, &vals, 1);
            let got = reader
                .get_tile_decompressed(pmtiles::TileCoord::new(z, id.x, id.y).unwrap())
                .await
                .unwrap();
            match got {
                Some(bytes) => {
                    assert_eq!(&bytes[..], &want[..], "tile {z}/{}/{}", id.x, id.y);
                    let t = Tile::decode(&bytes[..]).unwrap();
                    assert!(!t.layers.is_empty());
                    found += 1;
                }
                None => assert!(want.is_empty(), "tile {z}/{}/{} missing", id.x, id.y),
            }
        }
    }
    assert!(found >= 11, "one tile per zoom at least, got {found}");
    assert_eq!(summary.tiles as usize, found);
    let meta: serde_json::Value =
        serde_json::from_str(&reader.get_metadata().await.unwrap()).unwrap();
    assert!(meta["name"].as_str().unwrap().contains("2025-10"), "{meta}");
    let layers: Vec<&str> = meta["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        layers,
        [
            "province",
            "commune",
            "province_label",
            "commune_label",
            "province_outline"
        ]
    );

    // An existing output is refused without --force and left untouched; bad requests write nothing.
    let before = std::fs::read(&out).unwrap();
    let e = etl::export::export(&store, &catalog, &opts, &out)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("exists"), "{e}");
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let other = dir.path().join("x.pmtiles");
    for (period, max) in [("2020-01", 5u8), ("2025-10", 17)] {
        let o = etl::export::ExportOptions {
            period: period.into(),
            max_zoom: max,
            ..opts.clone()
        };
        assert!(
            etl::export::export(&store, &catalog, &o, &other)
                .await
                .is_err()
        );
        assert!(!other.exists());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbtiles_archive_holds_the_served_tiles_in_tms_rows() {
    use sqlx::{Connection, Row};
    use std::io::Read;
    let db = TestDb::sqlite();
    let store = db.store().await;
    let snap = fixture(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("2025-10.mbtiles");
    let catalog = Catalog::builtin();
    let opts = etl::export::ExportOptions {
        format: etl::export::Format::from_path(&out),
        period: "2025-10".into(),
        min_zoom: 2,
        max_zoom: 9,
        fields: None,
        force: false,
    };
    assert_eq!(opts.format, etl::export::Format::Mbtiles);
    let summary = etl::export::export(&store, &catalog, &opts, &out)
        .await
        .unwrap();
    assert!(!dir.path().join("2025-10.mbtiles.partial").exists());
    let (src, vals, fields) = served(&store, &snap).await;

    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", out.display()))
        .await
        .unwrap();
    let meta: std::collections::HashMap<String, String> =
        sqlx::query("SELECT name, value FROM metadata")
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    assert_eq!(meta["format"], "pbf");
    assert_eq!(
        (meta["minzoom"].as_str(), meta["maxzoom"].as_str()),
        ("2", "9")
    );
    let b: Vec<f64> = meta["bounds"]
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    assert!(
        (b[0] - 105.8).abs() < 1e-9 && (b[3] - 21.2).abs() < 1e-9,
        "{b:?}"
    );
    let json: serde_json::Value = serde_json::from_str(&meta["json"]).unwrap();
    assert_eq!(json["vector_layers"][1]["id"], "commune");
    assert!(json["vector_layers"][0]["fields"]["population"].is_string());

    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tiles")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(count as u64, summary.tiles);
    let mut found = 0;
    for z in 0..=10u8 {
        for id in nearby(z) {
            let want = admin_tile(&src, id, &catalog, &fields, &vals, 1);
            let tms = (1i64 << z) - 1 - i64::from(id.y);
            let got: Option<Vec<u8>> = sqlx::query_scalar(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            )
            .bind(i64::from(z))
            .bind(i64::from(id.x))
            .bind(tms)
            .fetch_optional(&mut conn)
            .await
            .unwrap();
            let in_range = (2..=9).contains(&z);
            match got {
                Some(gz) => {
                    assert!(in_range, "zoom {z} outside the export");
                    let mut raw = Vec::new();
                    flate2::read::GzDecoder::new(&gz[..])
                        .read_to_end(&mut raw)
                        .unwrap();
                    assert_eq!(raw, want, "tile {z}/{}/{}", id.x, id.y);
                    found += 1;
                }
                None => assert!(
                    !in_range || want.is_empty(),
                    "tile {z}/{}/{} missing",
                    id.x,
                    id.y
                ),
            }
        }
    }
    assert_eq!(found as u64, summary.tiles);
    assert!(found >= 8);
}
