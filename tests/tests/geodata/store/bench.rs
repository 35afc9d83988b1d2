//! Publish and import timings (ignored tests; they print, they do not assert speed).

use std::time::Instant;

use geo_types::{LineString, MultiPolygon, Polygon};
use geodata::ValueRow;
use geodata::{Level, Unit};
use popmap_tests::TestDb;

use crate::fixtures::{date, new_snapshot, row, unit, version};

/// Timings, printed:
/// `cargo test -p popmap-tests --test geodata store::bench -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "benchmark: prints timings"]
async fn bench_sqlite() {
    bench_publish_and_import(TestDb::sqlite()).await;
}

/// The same timings on PostgreSQL (needs `POPMAP_TEST_PG`).
#[tokio::test]
#[ignore = "benchmark: prints timings"]
async fn bench_postgres() {
    if let Some(db) = TestDb::postgres().await {
        bench_publish_and_import(db).await;
    }
}

/// Imports ~10,600 communes with geometry and publishes one national period of 190,400 values.
async fn bench_publish_and_import(db: TestDb) {
    let store = db.store().await;
    // ~10,600 communes of 16-vertex polygons.
    let units: Vec<Unit> = (0..10_600)
        .map(|i| {
            let (x, y) = (
                102.0 + (i % 100) as f64 * 0.08,
                8.5 + (i / 100) as f64 * 0.14,
            );
            let ring: Vec<(f64, f64)> = (0..=16)
                .map(|k| {
                    let a = std::f64::consts::TAU * (k % 16) as f64 / 16.0;
                    (x + 0.03 * a.cos(), y + 0.03 * a.sin())
                })
                .collect();
            unit(
                &format!("{i:05}"),
                &format!("Xã Số {i}"),
                Level::Commune,
                None,
                30.0 + i as f64 / 7.0,
                MultiPolygon(vec![Polygon::new(LineString::from(ring), vec![])]),
            )
        })
        .collect();
    let t = Instant::now();
    store
        .import_version(&version("vn-bench", date(2025, 7, 1)), &units, false)
        .await
        .unwrap();
    let import = t.elapsed();
    // 11,200 units × 17 indicators = 190,400 rows.
    let values: Vec<ValueRow> = (0..11_200)
        .flat_map(|u| {
            (0..17).map(move |i| row(&format!("{u:05}"), &format!("ind_{i:02}"), u * 31 + i, true))
        })
        .collect();
    let t = Instant::now();
    let snap = store
        .publish(&new_snapshot("2025-10", "vn-bench", values))
        .await
        .unwrap();
    let publish = t.elapsed();
    let t = Instant::now();
    let table = store.values(snap.id).await.unwrap();
    let read = t.elapsed();
    assert_eq!(table.len(), 11_200);
    eprintln!(
        "BENCH {:?}: import 10,600 units {:.2?}, publish 190,400 values {:.2?}, read them back {:.2?}",
        store.backend(),
        import,
        publish,
        read
    );
}
