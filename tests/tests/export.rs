//! `popmap export` to PMTiles read back with the pmtiles crate's own reader: every non-empty
//! admin tile is in the archive with exactly the bytes the server would serve, and bad requests
//! leave no file behind.

use chrono::NaiveDate;
use geo_types::{MultiPolygon, polygon};
use geodata::fields::{FieldSet, admin_tile};
use geodata::store::{NewSnapshot, ValueRow};
use geodata::testdb::TestDb;
use geodata::tile::TileId;
use geodata::tileset::TileSource;
use geodata::{BoundaryVersion, Catalog, Level, Unit, UnitInfo};
use geozero::mvt::{Message, Tile};
use pmtiles::AsyncPmTilesReader;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![
        (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)
    ]])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pmtiles_archive_holds_the_served_tiles() {
    let db = TestDb::sqlite();
    let store = db.store().await;
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
        area_km2: geodata::geometry::geodesic_area_km2(&g),
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
    let snap = store
        .publish(&NewSnapshot {
            period: "2025-10".parse().unwrap(),
            version: "vn-2025".into(),
            source: "t.csv".into(),
            checksum: "00".into(),
            report_json: "{}".into(),
            values,
        })
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("2025-10.pmtiles");
    let catalog = Catalog::builtin();
    let opts = etl::export::ExportOptions {
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

    // What the server renders for the same snapshot.
    let pairs: Vec<(UnitInfo, MultiPolygon<f64>)> = store
        .units_with_geometry("vn-2025")
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.info(), u.geometry))
        .collect();
    let src = TileSource::new(pairs);
    let vals = store.values(snap.id).await.unwrap();
    let fields = FieldSet::all_public(&catalog);

    let reader = AsyncPmTilesReader::new_with_path(&out).await.unwrap();
    let mut found = 0;
    for z in 0..=10u8 {
        let n = 1u32 << z;
        // Tiles near the units (and a ring around them, which must be absent when empty).
        let fx = |lon: f64| ((lon + 180.0) / 360.0 * f64::from(n)) as u32;
        let fy = |lat: f64| {
            let r = f64::to_radians(lat);
            ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * f64::from(n))
                as u32
        };
        for x in fx(105.8).saturating_sub(1)..=(fx(106.0) + 1).min(n - 1) {
            for y in fy(21.2).saturating_sub(1)..=(fy(21.0) + 1).min(n - 1) {
                let id = TileId::new(u32::from(z), x, y).unwrap();
                let want = admin_tile(&src, id, &catalog, &fields, &vals, 1);
                let got = reader
                    .get_tile_decompressed(pmtiles::TileCoord::new(z, x, y).unwrap())
                    .await
                    .unwrap();
                match got {
                    Some(bytes) => {
                        assert_eq!(&bytes[..], &want[..], "tile {z}/{x}/{y}");
                        let t = Tile::decode(&bytes[..]).unwrap();
                        assert!(!t.layers.is_empty());
                        found += 1;
                    }
                    None => assert!(want.is_empty(), "tile {z}/{x}/{y} missing"),
                }
            }
        }
    }
    assert!(found >= 11, "one tile per zoom at least, got {found}");
    assert_eq!(summary.tiles as usize, found);
    let meta = reader.get_metadata().await.unwrap();
    assert!(meta.contains("2025-10"), "{meta}");

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
