//! The store suite, run against SQLite and (with `POPMAP_TEST_PG`, see scripts/pg.sh) PostgreSQL.

#[path = "store/bench.rs"]
mod bench;

use geo_types::MultiPolygon;
use geodata::{Backend, StoreError};
use geodata::{Level, Period, Store, Unit, UnitInfo};
use popmap_tests::TestDb;

use crate::fixtures::*;

on_both_backends!(
    import_and_read_back,
    versions_are_ordered_with_derived_end,
    publish_makes_revisions_and_values_round_trip,
    failed_publish_leaves_store_unchanged,
    import_refuses_existing_and_used_versions,
    empty_geometry_is_refused,
    concurrent_publishes_get_distinct_revisions,
);

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

    // The version's extent is the union of its units' boxes.
    let pts = expected
        .iter()
        .flat_map(|u| u.geometry.0.iter().flat_map(|p| p.exterior().0.clone()));
    let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for c in pts {
        (w, s, e, n) = (w.min(c.x), s.min(c.y), e.max(c.x), n.max(c.y));
    }
    assert_eq!(
        store.version_bounds("vn-test").await.unwrap(),
        Some([w, s, e, n])
    );
    assert!(store.version_bounds("vn-nope").await.is_err());

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
    // In our words (geodata's store::failure), not the driver's ("UNIQUE constraint failed").
    let msg = err.to_string();
    assert_eq!(
        msg, "the store already holds a row with the same key",
        "{err:?}"
    );

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
# id | period | revision | version | published_at | source | checksum | report | complete
1 | "2025-10" | 1 | "vn-test" | "<time>" | "2025-10.csv" | "abababababababababababababababababababababababababababababababab" | "{\"period\":\"2025-10\",\"rows\":2}" | 1
== snapshot_values (2 rows)
# snapshot_id | unit_code | indicator_id | value | reported
1 | "00007" | 1 | -1 | 0
1 | "01" | 2 | 5 | 1
== snapshot_indicators (2 rows)
# snapshot_id | indicator_id
1 | 1
1 | 2
== crosswalk_meta (0 rows)
== crosswalk (0 rows)
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

#[tokio::test]
async fn sqlite_in_memory_store_keeps_its_data() {
    let store = Store::open("sqlite::memory:").await.unwrap();
    let v = version("vn-mem", date(2019, 1, 1));
    store
        .import_version(&v, &small_units(), false)
        .await
        .unwrap();
    let snap = store
        .publish(&new_snapshot(
            "2019-12",
            "vn-mem",
            vec![row("79", "population", 42, true)],
        ))
        .await
        .unwrap();
    assert_eq!(store.values(snap.id).await.unwrap()["79"]["population"], 42);
    assert_eq!(store.units("vn-mem").await.unwrap().len(), 6);
}
