//! The store suite, run against SQLite and (with `POPMAP_TEST_PG`, see scripts/pg.sh) PostgreSQL.

use std::time::Instant;

use chrono::NaiveDate;
use geo_types::{LineString, MultiPolygon, Polygon};
use geodata::store::{Backend, NewSnapshot, StoreError, ValueRow};
use geodata::testdb::TestDb;
use geodata::{BoundaryVersion, Level, Period, Store, Unit, UnitInfo};

/// Runs `$name(db)` once on a SQLite file and once on a PostgreSQL database.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(geodata::testdb::TestDb::sqlite()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(db) = geodata::testdb::TestDb::postgres().await {
                    super::$name(db).await;
                }
            }
        }
    )*};
}

on_both_backends!(
    import_and_read_back,
    versions_are_ordered_with_derived_end,
    publish_makes_revisions_and_values_round_trip,
    failed_publish_leaves_store_unchanged,
    import_refuses_existing_and_used_versions,
    empty_geometry_is_refused,
    concurrent_publishes_get_distinct_revisions,
);

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
    let ring = LineString::from(vec![
        (x, y),
        (x + size, y),
        (x + size, y + size),
        (x, y + size),
        (x, y),
    ]);
    MultiPolygon(vec![Polygon::new(ring, vec![])])
}

fn unit(
    code: &str,
    name: &str,
    level: Level,
    parent: Option<&str>,
    area: f64,
    geom: MultiPolygon<f64>,
) -> Unit {
    Unit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        area_km2: area,
        geometry: geom,
    }
}

fn version(id: &str, from: NaiveDate) -> BoundaryVersion {
    BoundaryVersion {
        id: id.into(),
        valid_from: from,
        valid_to: None,
        levels: vec![Level::Province, Level::Commune],
    }
}

/// Two provinces of two communes each, given out of order on purpose.
fn small_units() -> Vec<Unit> {
    vec![
        unit(
            "00007",
            "Phường Ba Đình",
            Level::Commune,
            Some("01"),
            0.1 + 0.2,
            square(105.8, 21.0, 0.01),
        ),
        unit(
            "01",
            "Thành phố Hà Nội",
            Level::Province,
            None,
            3_359.823_456_789_012,
            {
                let mut mp = square(105.8, 21.0, 0.02);
                mp.0.push(square(106.5, 21.5, 0.001).0.remove(0));
                mp
            },
        ),
        unit(
            "00004",
            "Phường Hoàn Kiếm",
            Level::Commune,
            Some("01"),
            1.000_000_000_000_2,
            square(105.81, 21.0, 0.01),
        ),
        unit(
            "79",
            "Thành phố Hồ Chí Minh",
            Level::Province,
            None,
            6772.59,
            square(106.6, 10.7, 0.3),
        ),
        unit(
            "26734",
            "Phường Sài Gòn",
            Level::Commune,
            Some("79"),
            2.5e-3,
            square(106.7, 10.77, 0.01),
        ),
        unit(
            "26737",
            "Xã Cần Giờ",
            Level::Commune,
            Some("79"),
            704.22,
            square(106.8, 10.4, 0.2),
        ),
    ]
}

fn sorted(mut units: Vec<Unit>) -> Vec<Unit> {
    units.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
    units
}

fn row(unit: &str, indicator: &str, value: i64, reported: bool) -> ValueRow {
    ValueRow {
        unit_code: unit.into(),
        indicator: indicator.into(),
        value,
        reported,
    }
}

fn new_snapshot(period: &str, version: &str, values: Vec<ValueRow>) -> NewSnapshot {
    NewSnapshot {
        period: period.parse().unwrap(),
        version: version.into(),
        source: format!("{period}.csv"),
        checksum: "ab".repeat(32),
        report_json: format!(r#"{{"period":"{period}","rows":{}}}"#, values.len()),
        values,
    }
}

async fn import_and_read_back(db: TestDb) {
    let store = db.store().await;
    let v = version("vn-test", date(2025, 7, 1));
    store
        .import_version(&v, &small_units(), false)
        .await
        .unwrap();

    let expected = sorted(small_units());
    let got = store.units_with_geometry("vn-test").await.unwrap();
    assert_eq!(got, expected);
    assert_eq!(
        got[0].area_km2.to_bits(),
        3_359.823_456_789_012_f64.to_bits()
    );
    assert_eq!(got[3].area_km2, 0.1 + 0.2);

    let infos = store.units("vn-test").await.unwrap();
    let codes: Vec<&str> = infos.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes, ["01", "79", "00004", "00007", "26734", "26737"]);
    assert_eq!(
        infos,
        expected.iter().map(Unit::info).collect::<Vec<UnitInfo>>()
    );

    assert!(matches!(
        store.units("vn-nope").await,
        Err(StoreError::UnknownVersion(v)) if v == "vn-nope"
    ));

    // A second open of the same database sees the same data (migrations are idempotent).
    let again = db.store().await;
    assert_eq!(
        again.units_with_geometry("vn-test").await.unwrap(),
        expected
    );
    assert_eq!(
        again.backend(),
        if db.sqlite_path().is_some() {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    );
}

async fn versions_are_ordered_with_derived_end(db: TestDb) {
    let store = db.store().await;
    assert_eq!(store.versions().await.unwrap(), vec![]);
    assert_eq!(store.version_for(date(2025, 1, 1)).await.unwrap(), None);

    let mut v2025 = version("vn-2025", date(2025, 7, 1));
    let mut v2019 = version("vn-2019", date(2019, 1, 1));
    v2019.levels = vec![Level::Province, Level::District, Level::Commune];
    store
        .import_version(&v2025, &small_units(), false)
        .await
        .unwrap();
    store
        .import_version(&v2019, &small_units(), false)
        .await
        .unwrap();

    v2019.valid_to = Some(date(2025, 6, 30));
    v2025.valid_to = None;
    assert_eq!(
        store.versions().await.unwrap(),
        vec![v2019.clone(), v2025.clone()]
    );
    assert_eq!(store.version("vn-2019").await.unwrap(), Some(v2019.clone()));
    assert_eq!(store.version("vn-2030").await.unwrap(), None);

    let at = |d| {
        let store = store.clone();
        async move { store.version_for(d).await.unwrap().map(|v| v.id) }
    };
    assert_eq!(at(date(2018, 12, 31)).await, None);
    assert_eq!(at(date(2019, 1, 1)).await.as_deref(), Some("vn-2019"));
    assert_eq!(at(date(2025, 6, 30)).await.as_deref(), Some("vn-2019"));
    assert_eq!(at(date(2025, 7, 1)).await.as_deref(), Some("vn-2025"));
    assert_eq!(at(date(2099, 12, 31)).await.as_deref(), Some("vn-2025"));
}

/// 1,100 units × 17 indicators = 18,700 rows: more than one INSERT batch on both backends.
fn many_values(seed: i64) -> Vec<ValueRow> {
    let mut values = Vec::new();
    for u in 0..1100 {
        for i in 0..17 {
            let value = seed * 1_000_000 + u * 17 + i;
            values.push(row(
                &format!("{u:05}"),
                &format!("ind_{i:02}"),
                value,
                (u + i) % 3 != 0,
            ));
        }
    }
    values
}

async fn publish_makes_revisions_and_values_round_trip(db: TestDb) {
    let store = db.store().await;
    store
        .import_version(&version("vn-test", date(2025, 7, 1)), &small_units(), false)
        .await
        .unwrap();
    let oct: Period = "2025-10".parse().unwrap();

    let first_values = vec![
        row("00004", "population", 9_007_199_254_740_993, true), // not representable as f64
        row("00004", "males", -3, true),
        row("01", "population", i64::MAX, false),
        row("00007", "births", 0, true),
    ];
    let first = store
        .publish(&new_snapshot("2025-10", "vn-test", first_values.clone()))
        .await
        .unwrap();
    assert_eq!((first.period, first.revision), (oct, 1));
    assert_eq!(first.version, "vn-test");
    assert_eq!(first.source, "2025-10.csv");

    let second = store
        .publish(&new_snapshot("2025-10", "vn-test", many_values(7)))
        .await
        .unwrap();
    assert_eq!((second.period, second.revision), (oct, 2));
    assert_ne!(second.id, first.id);
    let sept = store
        .publish(&new_snapshot(
            "2025-09",
            "vn-test",
            vec![row("01", "population", 5, false)],
        ))
        .await
        .unwrap();
    assert_eq!(sept.revision, 1);

    // Listing: ordered by period then revision, and equal to what publish returned.
    assert_eq!(
        store.snapshots().await.unwrap(),
        vec![sept.clone(), first.clone(), second.clone()]
    );
    assert_eq!(
        store.latest_snapshot(&oct).await.unwrap(),
        Some(second.clone())
    );
    assert_eq!(
        store
            .latest_snapshot(&"2025-11".parse().unwrap())
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.snapshot(first.id).await.unwrap(), Some(first.clone()));

    // Values round-trip exactly, with their reported flags.
    let mut expected_rows = first_values.clone();
    expected_rows.sort_by(|a, b| (&a.unit_code, &a.indicator).cmp(&(&b.unit_code, &b.indicator)));
    assert_eq!(store.value_rows(first.id).await.unwrap(), expected_rows);
    let table = store.values(first.id).await.unwrap();
    assert_eq!(table["00004"]["population"], 9_007_199_254_740_993);
    assert_eq!(table["00004"]["males"], -3);
    assert_eq!(table["01"]["population"], i64::MAX);
    assert_eq!(table.len(), 3);

    let mut many = many_values(7);
    many.sort_by(|a, b| (&a.unit_code, &a.indicator).cmp(&(&b.unit_code, &b.indicator)));
    let got = store.value_rows(second.id).await.unwrap();
    assert_eq!(got.len(), 18_700);
    assert_eq!(got, many);
    let sum: i64 = store
        .values(second.id)
        .await
        .unwrap()
        .values()
        .flat_map(|m| m.values())
        .sum();
    assert_eq!(sum, many.iter().map(|v| v.value).sum::<i64>());

    assert_eq!(
        store.report(first.id).await.unwrap().as_deref(),
        Some(r#"{"period":"2025-10","rows":4}"#)
    );
    assert_eq!(store.report(9_999).await.unwrap(), None);

    // One unit's series across snapshots, in period order.
    assert_eq!(
        store.series("01", "population").await.unwrap(),
        vec![(sept.id, 5), (first.id, i64::MAX)]
    );
    assert_eq!(
        store.series("00004", "ind_03").await.unwrap(),
        vec![(second.id, 7_000_071)]
    );

    // Publishing against an unknown version is refused.
    let err = store
        .publish(&new_snapshot("2025-11", "vn-9999", vec![]))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "unknown boundary version 'vn-9999'");
}

async fn failed_publish_leaves_store_unchanged(db: TestDb) {
    let store = db.store().await;
    store
        .import_version(&version("vn-test", date(2025, 7, 1)), &small_units(), false)
        .await
        .unwrap();
    store
        .publish(&new_snapshot("2025-10", "vn-test", many_values(1)))
        .await
        .unwrap();
    store.checkpoint().await.unwrap();
    let before = store.dump().await.unwrap();
    let file_before = db.sqlite_path().map(|p| std::fs::read(p).unwrap());
    assert!(
        before.contains("== snapshot_values (18700 rows)"),
        "{}",
        &before[..200]
    );
    assert!(before.contains(
        "\"vn-test\" | \"01\" | \"province\" | \"Thành phố Hà Nội\" | \"thanh pho ha noi\""
    ));

    // The duplicate (unit, indicator) is in the last batch, after a full batch and a new
    // indicator were written inside the transaction.
    let mut values = many_values(2);
    values.push(row("00009", "brand_new_indicator", 1, true));
    values.push(row("01099", "ind_16", 5, true));
    let err = store
        .publish(&new_snapshot("2025-10", "vn-test", values))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Sqlx(_)), "{err:?}");
    let msg = err.to_string().to_lowercase();
    assert!(msg.contains("unique") || msg.contains("duplicate"), "{msg}");

    store.checkpoint().await.unwrap();
    assert_eq!(store.dump().await.unwrap(), before);
    if let Some(file_before) = file_before {
        let file_after = std::fs::read(db.sqlite_path().unwrap()).unwrap();
        assert!(
            file_after == file_before,
            "SQLite file bytes changed after a failed publish"
        );
    }
    // The next publish still gets revision 2: the failed one left no trace.
    let next = store
        .publish(&new_snapshot("2025-10", "vn-test", vec![]))
        .await
        .unwrap();
    assert_eq!(next.revision, 2);
}

async fn import_refuses_existing_and_used_versions(db: TestDb) {
    let store = db.store().await;
    let v = version("vn-test", date(2025, 7, 1));
    store
        .import_version(&v, &small_units(), false)
        .await
        .unwrap();
    let before = store.dump().await.unwrap();

    let err = store
        .import_version(&v, &small_units(), false)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "boundary version 'vn-test' already exists (use --replace to replace it)"
    );
    assert_eq!(store.dump().await.unwrap(), before);

    // Replace without snapshots: the units are swapped, the version's dates updated.
    let mut moved = v.clone();
    moved.valid_from = date(2025, 8, 1);
    let fewer: Vec<Unit> = small_units()
        .into_iter()
        .filter(|u| u.code != "26737")
        .collect();
    store.import_version(&moved, &fewer, true).await.unwrap();
    assert_eq!(
        store.units_with_geometry("vn-test").await.unwrap(),
        sorted(fewer.clone())
    );
    assert_eq!(store.versions().await.unwrap(), vec![moved.clone()]);

    store
        .publish(&new_snapshot(
            "2025-10",
            "vn-test",
            vec![row("01", "population", 1, true)],
        ))
        .await
        .unwrap();
    let before = store.dump().await.unwrap();
    let err = store
        .import_version(&moved, &small_units(), true)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "boundary version 'vn-test' has published snapshots and cannot be replaced"
    );
    assert_eq!(store.dump().await.unwrap(), before);

    // A failing import (duplicate unit code) writes nothing.
    let mut dup = small_units();
    dup.push(small_units().remove(0));
    let err = store
        .import_version(&version("vn-dup", date(2030, 1, 1)), &dup, false)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Sqlx(_)), "{err:?}");
    assert_eq!(store.dump().await.unwrap(), before);
    assert_eq!(store.version("vn-dup").await.unwrap(), None);
}

async fn empty_geometry_is_refused(db: TestDb) {
    let store = db.store().await;
    let mut units = small_units();
    units[3].geometry = MultiPolygon(vec![]);
    let err = store
        .import_version(&version("vn-test", date(2025, 7, 1)), &units, false)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: boundary version 'vn-test', unit '79': the geometry is empty"
    );
    assert_eq!(store.versions().await.unwrap(), vec![]);
}

async fn concurrent_publishes_get_distinct_revisions(db: TestDb) {
    let store = db.store().await;
    store
        .import_version(&version("vn-test", date(2025, 7, 1)), &small_units(), false)
        .await
        .unwrap();
    // Four publishers of one period at once, each through its own pool connection.
    let tasks: Vec<_> = (0..4)
        .map(|k| {
            let store = store.clone();
            tokio::spawn(async move {
                let values = vec![
                    row("01", "population", k, true),
                    row("79", &format!("new_{k}"), k, true),
                ];
                store
                    .publish(&new_snapshot("2025-10", "vn-test", values))
                    .await
            })
        })
        .collect();
    let mut revisions = Vec::new();
    for t in tasks {
        revisions.push(t.await.unwrap().unwrap().revision);
    }
    revisions.sort();
    assert_eq!(revisions, [1, 2, 3, 4]);
    // Each new indicator got its own id: every snapshot reads back its own values.
    for s in store.snapshots().await.unwrap() {
        let values = store.values(s.id).await.unwrap();
        let k = values["01"]["population"];
        assert_eq!(values["79"][&format!("new_{k}")], k);
    }
}

#[tokio::test]
async fn unknown_scheme_is_refused() {
    for url in [
        "mysql://root@localhost/popmap",
        "popmap.db",
        "file:popmap.db",
    ] {
        let err = Store::open(url).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "unsupported database URL '{url}': use sqlite://FILE or postgres://USER@HOST/DB"
            )
        );
    }
}

#[tokio::test]
async fn sqlite_file_is_created_in_wal_mode() {
    let db = TestDb::sqlite();
    let path = db.sqlite_path().unwrap();
    assert!(!path.exists());
    let store = db.store().await;
    assert!(path.exists());
    assert_eq!(store.backend(), Backend::Sqlite);
    drop(store);
    let opts: sqlx::sqlite::SqliteConnectOptions = db.url().parse().unwrap();
    use sqlx::ConnectOptions;
    let mut conn = opts.connect().await.unwrap();
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

/// Timings, printed: `cargo test -p geodata --test store bench -- --ignored --nocapture`.
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

/// `dump` with every RFC 3339 timestamp (`"2026-11-23T11:38:30.174003Z"`) replaced by `"<time>"`.
fn mask_times(dump: &str) -> String {
    let mut out = String::new();
    let mut rest = dump;
    while let Some(i) = rest.find("Z\"") {
        // `"` + 26 characters (`2026-11-23T11:38:30.174003`) + `Z`.
        let start = i.saturating_sub(27);
        let candidate = &rest.as_bytes()[start..i];
        if i >= 27 && candidate[0] == b'"' && candidate[11] == b'T' && candidate[20] == b'.' {
            out.push_str(&rest[..start]);
            out.push_str("\"<time>");
        } else {
            out.push_str(&rest[..i + 1]);
        }
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out
}

async fn small_store_dump(db: &TestDb) -> String {
    let store = db.store().await;
    let v = version("vn-test", date(2025, 7, 1));
    store
        .import_version(&v, &small_units()[..2], false)
        .await
        .unwrap();
    let values = vec![
        row("01", "population", 5, true),
        row("00007", "births", -1, false),
    ];
    store
        .publish(&new_snapshot("2025-10", "vn-test", values))
        .await
        .unwrap();
    mask_times(&store.dump().await.unwrap())
}

#[tokio::test]
async fn dump_is_canonical_and_the_same_on_both_backends() {
    let sqlite = small_store_dump(&TestDb::sqlite()).await;
    let tail = sqlite[sqlite.find("== indicators").unwrap()..].to_string();
    assert_eq!(
        tail,
        r#"== indicators (2 rows)
# id | name
1 | "births"
2 | "population"
== snapshots (1 rows)
# id | period | revision | version | published_at | source | checksum | report
1 | "2025-10" | 1 | "vn-test" | "<time>" | "2025-10.csv" | "abababababababababababababababababababababababababababababababab" | "{\"period\":\"2025-10\",\"rows\":2}"
== snapshot_values (2 rows)
# snapshot_id | unit_code | indicator_id | value | reported
1 | "00007" | 1 | -1 | 0
1 | "01" | 2 | 5 | 1
"#
    );
    assert!(
        sqlite.starts_with(
            "== boundary_versions (1 rows)\n# id | valid_from | levels | imported_at\n\
         \"vn-test\" | \"2025-07-01\" | \"province,commune\" | \"<time>\"\n== units (2 rows)\n"
        ),
        "{sqlite}"
    );
    // Unit rows: exact floats and the WKB as hex (little-endian multipolygon header first).
    assert!(sqlite.contains(
        "\n\"vn-test\" | \"00007\" | \"commune\" | \"Phường Ba Đình\" | \"phuong ba dinh\" | \"01\" | \
         0.30000000000000004 | 105.8 | 21.0 | 105.81 | 21.01 | x'0106000000010000000103000000"
    ), "{sqlite}");
    if let Some(pg) = TestDb::postgres().await {
        assert_eq!(small_store_dump(&pg).await, sqlite);
    }
}
