//! `popmap export` to PMTiles read back with the pmtiles crate's own reader, and to MBTiles read
//! back with plain SQL: every non-empty admin tile is in the archive with exactly the bytes the
//! server would serve (compact by default, every public indicator with `fields = all`), the
//! layer metadata is there, bad requests leave no file behind, and the archive is the same cut
//! on one thread or on four.

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
    publish_october(store, values).await
}

/// What the server renders for `snap` with `fields`: the tile source, values and fields.
async fn served(
    store: &Store,
    snap: &Snapshot,
    fields: FieldSet,
) -> (TileSource, ValueTable, FieldSet) {
    let pairs: Vec<(UnitInfo, MultiPolygon<f64>)> = store
        .units_with_geometry(&snap.version)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.info(), u.geometry))
        .collect();
    let vals = store.values(snap.id).await.unwrap();
    (TileSource::new(pairs), vals, fields)
}

/// The property names of the polygon layers' features of an MVT tile.
fn polygon_keys(bytes: &[u8]) -> std::collections::BTreeSet<String> {
    let t = Tile::decode(bytes).unwrap();
    t.layers
        .iter()
        .filter(|l| !l.name.ends_with("_label"))
        .flat_map(|l| {
            l.features
                .iter()
                .flat_map(|f| f.tags.chunks(2).map(|kv| l.keys[kv[0] as usize].clone()))
        })
        .collect()
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
        threads: None,
    };
    let summary = etl::export::export(&store, &catalog, &opts, &out)
        .await
        .unwrap();
    assert_eq!(summary.snapshot.id, snap.id);
    assert!(!dir.path().join("2025-10.pmtiles.partial").exists());

    // The default is the server's default: compact tiles, codes and names only.
    let (src, vals, fields) = served(&store, &snap, FieldSet::compact()).await;

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
                    let keys = polygon_keys(&bytes);
                    assert!(
                        keys.iter().all(|k| k == "code" || k == "name") && keys.contains("code"),
                        "tile {z}/{}/{}: {keys:?}",
                        id.x,
                        id.y
                    );
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
    let described: Vec<&String> = meta["vector_layers"][1]["fields"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        described,
        ["code", "name"],
        "compact layers describe no value"
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

    // Store::import_version stores no generalisation: the export generalised the version
    // itself. With the generalisation stored (as `popmap import boundaries` does and the server
    // reads), the export reads it and writes the same archive.
    assert!(!summary.stored_generalisation);
    store
        .save_generalisation(&snap.version, &src.to_stored())
        .await
        .unwrap();
    let again = etl::export::export(
        &store,
        &catalog,
        &etl::export::ExportOptions {
            force: true,
            ..opts.clone()
        },
        &out,
    )
    .await
    .unwrap();
    assert!(again.stored_generalisation);
    assert!(std::fs::read(&out).unwrap() == before, "same archive");
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
        // The full set, one flag away: the tiles of `?fields=all`.
        fields: Some("all".into()),
        force: false,
        threads: Some(2),
    };
    assert_eq!(opts.format, etl::export::Format::Mbtiles);
    let summary = etl::export::export(&store, &catalog, &opts, &out)
        .await
        .unwrap();
    assert!(!dir.path().join("2025-10.mbtiles.partial").exists());
    let (src, vals, fields) = served(&store, &snap, FieldSet::all_public(&catalog)).await;

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
                    let keys = polygon_keys(&raw);
                    assert!(
                        keys.contains("population") && keys.contains("sex_ratio"),
                        "{keys:?}"
                    );
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

/// A province of 20 × 20 communes (0.05° squares) published for 2025-10: exported to z14 it
/// makes several of the export's parallel batches.
async fn grid_fixture(store: &Store) {
    let version = BoundaryVersion {
        id: "vn-2025".into(),
        valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        valid_to: None,
        levels: vec![Level::Province, Level::Commune],
    };
    let (x0, y0, step, n) = (105.4, 20.6, 0.05, 20);
    let unit = |code: String, level, parent: Option<&str>, g: MultiPolygon<f64>| Unit {
        name: format!("Đơn vị {code}"),
        code,
        level,
        parent_code: parent.map(Into::into),
        area_km2: etl::geometry::geodesic_area_km2(&g),
        geometry: g,
    };
    let side = step * f64::from(n);
    let mut units = vec![unit(
        "01".into(),
        Level::Province,
        None,
        rect(x0, y0, x0 + side, y0 + side),
    )];
    let mut values = Vec::new();
    let mut total = 0;
    for i in 0..n {
        for j in 0..n {
            let (x, y) = (x0 + step * f64::from(i), y0 + step * f64::from(j));
            let code = format!("{:05}", 4 * (i * n + j + 1));
            let pop = i64::from(1000 + 37 * i + 101 * j);
            total += pop;
            units.push(unit(
                code.clone(),
                Level::Commune,
                Some("01"),
                rect(x, y, x + step, y + step),
            ));
            for (ind, v) in [
                ("population", pop),
                ("males", pop / 2),
                ("females", pop - pop / 2),
            ] {
                values.push(ValueRow {
                    unit_code: code.clone(),
                    indicator: ind.into(),
                    value: v,
                    reported: true,
                });
            }
        }
    }
    for (ind, v) in [
        ("population", total),
        ("males", total / 2),
        ("females", total - total / 2),
    ] {
        values.push(ValueRow {
            unit_code: "01".into(),
            indicator: ind.into(),
            value: v,
            reported: false,
        });
    }
    store.import_version(&version, &units, false).await.unwrap();
    publish_october(store, values).await;
}

/// Publishes `values` as 2025-10 on vn-2025, the period both fixtures export.
async fn publish_october(store: &Store, values: Vec<ValueRow>) -> Snapshot {
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
        .unwrap()
}

/// The tile rows of an MBTiles file, in key order.
async fn mbtiles_rows(path: &std::path::Path) -> Vec<(i64, i64, i64, Vec<u8>)> {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles ORDER BY 1, 2, 3")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archives_are_the_same_on_one_thread_and_on_many() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    grid_fixture(&store).await;
    let catalog = Catalog::builtin();
    let dir = tempfile::tempdir().unwrap();
    for (format, fields) in [
        (etl::export::Format::Pmtiles, None),
        (etl::export::Format::Mbtiles, Some("all".to_string())),
    ] {
        let mut written = Vec::new();
        for threads in [1usize, 4] {
            let out = dir
                .path()
                .join(format!("{format:?}-{}-{threads}", fields.is_some()));
            let opts = etl::export::ExportOptions {
                format,
                period: "2025-10".into(),
                min_zoom: 0,
                max_zoom: 14,
                fields: fields.clone(),
                force: false,
                threads: Some(threads),
            };
            let sum = etl::export::export(&store, &catalog, &opts, &out)
                .await
                .unwrap();
            assert!(
                sum.tiles as usize > 2 * etl::export::cut::BATCH,
                "{} tiles: several parallel batches",
                sum.tiles
            );
            written.push((sum.tiles, out));
        }
        let ((n1, one), (n4, four)) = (&written[0], &written[1]);
        assert_eq!(n1, n4, "{format:?} {fields:?}");
        match format {
            etl::export::Format::Pmtiles => assert!(
                std::fs::read(one).unwrap() == std::fs::read(four).unwrap(),
                "{format:?} {fields:?}: the archives differ"
            ),
            etl::export::Format::Mbtiles => {
                assert_eq!(mbtiles_rows(one).await, mbtiles_rows(four).await)
            }
        }
    }
}
