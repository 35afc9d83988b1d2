//! A stored generalisation's bands in parts of `BAND_PART_BYTES` (migration 0008): bands
//! shorter than, as long as and longer than a part (the parts' boundary inside a band) read
//! back byte for byte through every write path, and a band stored whole by a store migrated
//! before 0008 reads back after it.

use std::path::Path;

use geodata::{BAND_PART_BYTES, STORED_FORMAT, Store, StoredBand, StoredGeneralisation};
use popmap_tests::TestDb;
use sqlx::{AnyPool, Row};

use crate::fixtures::*;

on_both_backends!(
    bands_across_parts_round_trip,
    a_band_stored_whole_before_parts_reads_back,
);

/// `n` pseudo-random bytes: a part lost, repeated, cut or out of order changes them.
fn bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A generalisation whose band `b` holds `sizes[b]` bytes (the store does not unpack them).
fn generalisation(sizes: &[usize], seed: u64) -> StoredGeneralisation {
    StoredGeneralisation {
        format: STORED_FORMAT,
        units: bytes(64, seed),
        bands: sizes
            .iter()
            .enumerate()
            .map(|(b, &n)| StoredBand {
                min_zoom: b as u8,
                max_zoom: b as u8,
                geometry: bytes(n, seed + 1 + b as u64),
            })
            .collect(),
    }
}

/// `g` without its bands' bytes, as the import hands it with the bands read apart.
fn head(g: &StoredGeneralisation) -> StoredGeneralisation {
    let mut head = g.clone();
    for b in &mut head.bands {
        b.geometry.clear();
    }
    head
}

/// The number of parts of each band of `version`, in band order.
async fn parts(url: &str, version: &str) -> Vec<i64> {
    let pool = AnyPool::connect(url).await.unwrap();
    let rows = sqlx::query(
        "SELECT band, COUNT(*) AS n FROM generalised_band_parts WHERE version = $1 \
         GROUP BY band ORDER BY band",
    )
    .bind(version)
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows.iter().map(|r| r.get::<i64, _>("n")).collect()
}

/// `g` read back whole and band by band from `store`.
async fn assert_stored(store: &Store, version: &str, g: &StoredGeneralisation, what: &str) {
    let back = store.generalisation(version).await.unwrap().unwrap();
    assert!(back == *g, "{what}: the generalisation differs");
    for (b, band) in g.bands.iter().enumerate() {
        let blob = store
            .generalisation_band(version, b)
            .await
            .unwrap()
            .unwrap();
        assert!(blob == band.geometry, "{what}: band {b} differs");
    }
    assert_eq!(
        store
            .generalisation_band(version, g.bands.len())
            .await
            .unwrap(),
        None
    );
}

async fn bands_across_parts_round_trip(db: TestDb) {
    sqlx::any::install_default_drivers();
    let p = BAND_PART_BYTES;
    let sizes = [0, 1, p - 1, p, p + 1, 2 * p + p / 2 + 3];
    let g = generalisation(&sizes, 7);
    let store = db.store().await;
    let v = version("vn-test", date(2025, 7, 1));
    let units = small_units();

    store
        .import_generalised_version(&v, &units, g.clone(), false)
        .await
        .unwrap();
    assert_stored(&store, "vn-test", &g, "whole").await;
    assert_eq!(parts(db.url(), "vn-test").await, [1, 1, 1, 1, 2, 3]);

    // The import's path: each band read from a reader when written.
    let g2 = generalisation(&sizes, 11);
    store
        .import_generalised_version_with(
            &v,
            &units,
            &head(&g2),
            |b| Ok(g2.bands[b].geometry.as_slice()),
            true,
        )
        .await
        .unwrap();
    assert_stored(&store, "vn-test", &g2, "read").await;

    // A smaller replacement leaves none of the old parts behind.
    let g3 = generalisation(&[p / 2, 3 * p], 13);
    store.save_generalisation("vn-test", &g3).await.unwrap();
    assert_stored(&store, "vn-test", &g3, "saved").await;
    assert_eq!(parts(db.url(), "vn-test").await, [1, 3]);

    store.import_version(&v, &units, true).await.unwrap();
    assert!(store.generalisation("vn-test").await.unwrap().is_none());
    assert_eq!(store.generalisation_band("vn-test", 0).await.unwrap(), None);
    assert!(parts(db.url(), "vn-test").await.is_empty());
}

/// A store migrated up to 0008 (not included) holding a generalisation (its bands whole, in
/// `generalised_bands.geometry`), then opened by this build: 0008 moves each band into its
/// first part and every byte reads back; the store then takes a new generalisation in parts.
async fn a_band_stored_whole_before_parts_reads_back(db: TestDb) {
    sqlx::any::install_default_drivers();
    let (folder, url) = if db.url().starts_with("sqlite:") {
        ("sqlite", format!("{}?mode=rwc", db.url()))
    } else {
        ("postgres", db.url().to_string())
    };
    let old = tempfile::tempdir().unwrap();
    let all = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../geodata/migrations")
        .join(folder);
    let mut copied = 0;
    for entry in std::fs::read_dir(&all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.as_str() < "0008" {
            std::fs::copy(&path, old.path().join(name)).unwrap();
            copied += 1;
        }
    }
    assert!(copied >= 6, "{copied} migrations before 0008");
    let g = generalisation(&[10, 2 * BAND_PART_BYTES + 5], 3);
    let pool = AnyPool::connect(&url).await.unwrap();
    let migrator = sqlx::migrate::Migrator::new(old.path()).await.unwrap();
    assert_eq!(migrator.iter().count(), copied);
    migrator.run(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO boundary_versions (id, valid_from, levels, imported_at) \
         VALUES ('vn-old', '2019-04-01', 'province,commune', '2026-01-01T00:00:00Z')",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO generalisations (version, format, units, built_at) \
         VALUES ('vn-old', $1, $2, '2026-01-01T00:00:00Z')",
    )
    .bind(g.format)
    .bind(&g.units)
    .execute(&pool)
    .await
    .unwrap();
    for (b, band) in g.bands.iter().enumerate() {
        sqlx::query(
            "INSERT INTO generalised_bands (version, band, min_zoom, max_zoom, geometry) \
             VALUES ('vn-old', $1, $2, $3, $4)",
        )
        .bind(b as i64)
        .bind(i64::from(band.min_zoom))
        .bind(i64::from(band.max_zoom))
        .bind(&band.geometry)
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;

    let store = db.store().await;
    assert_stored(&store, "vn-old", &g, "migrated").await;
    assert_eq!(parts(db.url(), "vn-old").await, [1, 1]);
    let g2 = generalisation(&[BAND_PART_BYTES + 1, 4], 5);
    store.save_generalisation("vn-old", &g2).await.unwrap();
    assert_stored(&store, "vn-old", &g2, "saved after").await;
    assert_eq!(parts(db.url(), "vn-old").await, [2, 1]);
}
