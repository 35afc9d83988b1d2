//! The foundation end to end on the demo data, on SQLite and PostgreSQL: generate the demo,
//! import both boundary versions, publish real monthly tables through the validator, and check
//! what the store holds — hierarchy sums, time aggregation, continuity across the 2025
//! reorganisation, and that a refused publish leaves the store exactly as it was.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use etl::publish::{Options, PublishError};
use geodata::Kind;
use geodata::ValueTable;
use geodata::{Catalog, Level, Period, Store, UnitInfo};
use popmap_tests::TestDb;

fn p(s: &str) -> Period {
    s.parse().unwrap()
}

/// Every non-commune unit's value equals the sum of its descendant communes, for every base
/// indicator present; returns the national sums (sum over all communes).
fn assert_hierarchy_sums(
    units: &[UnitInfo],
    values: &ValueTable,
    what: &str,
) -> BTreeMap<String, i64> {
    let parent: HashMap<&str, &str> = units
        .iter()
        .filter_map(|u| u.parent_code.as_deref().map(|p| (u.code.as_str(), p)))
        .collect();
    let mut sums: HashMap<(&str, &str), i64> = HashMap::new();
    let mut national: BTreeMap<String, i64> = BTreeMap::new();
    for u in units.iter().filter(|u| u.level == Level::Commune) {
        let vals = values
            .get(&u.code)
            .unwrap_or_else(|| panic!("{what}: no values for commune {}", u.code));
        for (ind, v) in vals {
            *national.entry(ind.clone()).or_default() += v;
            let mut cur = u.code.as_str();
            while let Some(&up) = parent.get(cur) {
                *sums.entry((up, ind.as_str())).or_default() += v;
                cur = up;
            }
        }
    }
    let mut checked = 0;
    for u in units.iter().filter(|u| u.level != Level::Commune) {
        let vals = values
            .get(&u.code)
            .unwrap_or_else(|| panic!("{what}: no values for {} {}", u.level, u.code));
        for (ind, v) in vals {
            let want = sums
                .get(&(u.code.as_str(), ind.as_str()))
                .copied()
                .unwrap_or(0);
            assert_eq!(*v, want, "{what}: {} {} {ind}", u.level, u.code);
            checked += 1;
        }
    }
    assert!(
        checked > 500,
        "{what}: only {checked} upper-level values checked"
    );
    national
}

async fn publish(store: &Store, catalog: &Catalog, demo: &Path, month: &str) {
    let path = demo.join(format!("tables/{month}.csv"));
    etl::publish::publish(store, catalog, p(month), &path, &Options::default())
        .await
        .unwrap_or_else(|e| panic!("publishing {month}: {e}"));
}

async fn values_of(store: &Store, period: &str) -> ValueTable {
    let snap = store.latest_snapshot(&p(period)).await.unwrap().unwrap();
    store.values(snap.id).await.unwrap()
}

async fn run(
    store: Store,
    sqlite_file: Option<PathBuf>,
    demo: &Path,
    manifest: &etl::demo::DemoManifest,
) {
    let catalog = Catalog::builtin();
    for (id, report) in popmap_tests::import_boundaries(&store, demo, manifest).await {
        // The demo country is Vietnam's area within 2% (~331,000 km²).
        assert!(
            (report.total_area_km2 / 331_000.0 - 1.0).abs() < 0.02,
            "{id}: {} km²",
            report.total_area_km2
        );
    }
    for m in ["2025-06", "2025-07", "2025-08", "2025-09"] {
        publish(&store, &catalog, demo, m).await;
    }

    let u2019 = store.units("vn-2019").await.unwrap();
    let u2025 = store.units("vn-2025").await.unwrap();
    let june = assert_hierarchy_sums(
        &u2019,
        &values_of(&store, "2025-06").await,
        "2025-06 on vn-2019",
    );
    let july = assert_hierarchy_sums(
        &u2025,
        &values_of(&store, "2025-07").await,
        "2025-07 on vn-2025",
    );
    assert_eq!(
        june.len(),
        catalog.base_ids_except_ages().count(),
        "every base indicator but the age groups (December only) is published"
    );
    // The series is continuous across the reorganisation (the demo is built that way).
    let (a, b) = (june["population"] as f64, july["population"] as f64);
    assert!((b / a - 1.0).abs() < 0.002, "population {a} → {b}");
    assert!((96e6..104e6).contains(&b), "national population {b}");

    // Quarter from months: flows summed, stocks at period end, up the whole hierarchy.
    let q = etl::publish::aggregate(&store, &catalog, p("2025-Q3"))
        .await
        .unwrap();
    assert_eq!(q.source, "aggregate:2025-07,2025-08,2025-09");
    let quarter = values_of(&store, "2025-Q3").await;
    let months = [
        values_of(&store, "2025-07").await,
        values_of(&store, "2025-08").await,
        values_of(&store, "2025-09").await,
    ];
    assert_eq!(quarter.len(), months[2].len());
    for (unit, vals) in &quarter {
        for (ind, v) in vals {
            let want = match catalog.base(ind).unwrap().kind {
                Kind::Flow => months.iter().map(|m| m[unit][ind]).sum(),
                Kind::Stock => months[2][unit][ind],
            };
            assert_eq!(*v, want, "2025-Q3 {unit} {ind}");
        }
    }
    assert_hierarchy_sums(&u2025, &quarter, "2025-Q3 on vn-2025");

    // A table with one broken row is refused whole and nothing changes, byte for byte.
    let good = std::fs::read_to_string(demo.join("tables/2025-09.csv")).unwrap();
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let males = header.iter().position(|h| *h == "males").unwrap();
    let mut cells: Vec<String> = lines[1500].split(',').map(str::to_string).collect();
    cells[males] = (cells[males].parse::<i64>().unwrap() + 1).to_string();
    lines[1500] = cells.join(",");
    let bad = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(bad.path(), lines.join("\n") + "\n").unwrap();

    store.checkpoint().await.unwrap();
    let dump_before = store.dump().await.unwrap();
    let bytes_before = sqlite_file.as_ref().map(|f| std::fs::read(f).unwrap());
    let err = etl::publish::publish(
        &store,
        &catalog,
        p("2025-09"),
        bad.path(),
        &Options::default(),
    )
    .await
    .unwrap_err();
    let PublishError::Refused { report, .. } = err else {
        panic!("expected a refusal, got {err}")
    };
    assert_eq!(report.errors.len(), 1, "{report}");
    assert_eq!(report.errors[0].rule, "males_females_sum");
    assert_eq!(report.errors[0].line, Some(1501));
    store.checkpoint().await.unwrap();
    assert_eq!(store.dump().await.unwrap(), dump_before);
    if let (Some(f), Some(before)) = (&sqlite_file, bytes_before) {
        assert!(
            std::fs::read(f).unwrap() == before,
            "SQLite file bytes changed"
        );
    }
    // Re-publishing the good table is a new revision; the old one is kept as it was.
    publish(&store, &catalog, demo, "2025-09").await;
    let snaps: Vec<_> = store
        .snapshots()
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.period == p("2025-09"))
        .collect();
    let revisions: Vec<i64> = snaps.iter().map(|s| s.revision).collect();
    assert_eq!(revisions, [1, 2]);
    assert_eq!(
        store.values(snaps[0].id).await.unwrap(),
        store.values(snaps[1].id).await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_pipeline_on_sqlite_and_postgres() {
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/vn");
    let out = tempfile::tempdir().unwrap();
    let manifest = etl::demo::generate(&inputs, out.path()).unwrap();

    let sqlite = TestDb::sqlite();
    run(
        sqlite.store().await,
        sqlite.sqlite_path(),
        out.path(),
        &manifest,
    )
    .await;
    if let Some(pg) = TestDb::postgres().await {
        run(pg.store().await, None, out.path(), &manifest).await;
    }
}
