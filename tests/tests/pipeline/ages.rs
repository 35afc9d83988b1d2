//! Age × sex on the demo (issue 19's must-hold), on SQLite and PostgreSQL: the December tables
//! carry the 34 groups and publish through the validator; for every period with ages and every
//! level, the groups sum to the sex totals at every unit (and the female groups 15–49 to women
//! 15–49); a quarter has ages when its last month does, a month without the age report has
//! none; the store says which snapshots carry them; and a vn-2019 period with ages harmonised
//! across the 2025 crosswalk keeps the sums in every new unit.

use std::collections::BTreeSet;
use std::path::Path;

use etl::publish::Options;
use geodata::{Catalog, FEMALE_GROUPS, MALE_GROUPS, Period, Store, ValueTable};
use popmap_tests::TestDb;

fn p(s: &str) -> Period {
    s.parse().unwrap()
}

async fn values_of(store: &Store, period: &str) -> (i64, ValueTable) {
    let snap = store.latest_snapshot(&p(period)).await.unwrap().unwrap();
    (snap.id, store.values(snap.id).await.unwrap())
}

/// Every unit of `values` gives all 34 groups, and they sum to its males, females and women
/// 15–49; returns how many units were checked.
fn assert_age_sums(values: &ValueTable, what: &str) -> usize {
    for (code, row) in values {
        let get = |id: &str| {
            *row.get(id)
                .unwrap_or_else(|| panic!("{what}: unit {code} has no {id}"))
        };
        let sum = |ids: &[&str]| ids.iter().map(|i| get(i)).sum::<i64>();
        assert_eq!(sum(&MALE_GROUPS), get("males"), "{what}: {code} males");
        assert_eq!(
            sum(&FEMALE_GROUPS),
            get("females"),
            "{what}: {code} females"
        );
        assert_eq!(
            sum(&FEMALE_GROUPS[3..10]),
            get("women_15_49"),
            "{what}: {code} women 15–49"
        );
    }
    values.len()
}

fn has_no_ages(values: &ValueTable, what: &str) {
    let with: Vec<&String> = values
        .iter()
        .filter(|(_, r)| r.keys().any(|k| MALE_GROUPS.contains(&k.as_str())))
        .map(|(c, _)| c)
        .collect();
    assert!(
        with.is_empty(),
        "{what}: {} units have age groups",
        with.len()
    );
}

async fn run(store: Store, demo: &Path) {
    let catalog = Catalog::builtin();
    let opts = Options::default();
    for m in ["2024-12", "2025-10", "2025-11", "2025-12"] {
        let path = demo.join(format!("tables/{m}.csv"));
        etl::publish::publish(&store, &catalog, p(m), &path, &opts)
            .await
            .unwrap_or_else(|e| panic!("publishing {m}: {e}"));
    }
    etl::publish::aggregate(&store, &catalog, p("2025-Q4"))
        .await
        .unwrap();

    // Every level: provinces, districts (vn-2019) and communes are all in the value tables.
    let (dec24, v) = values_of(&store, "2024-12").await;
    assert_eq!(assert_age_sums(&v, "2024-12 on vn-2019"), 63 + 696 + 10_040);
    let (dec25, v) = values_of(&store, "2025-12").await;
    assert_eq!(assert_age_sums(&v, "2025-12 on vn-2025"), 34 + 3_321);
    let (q4, quarter) = values_of(&store, "2025-Q4").await;
    assert_age_sums(&quarter, "2025-Q4");
    for (code, row) in &quarter {
        for id in MALE_GROUPS.iter().chain(&FEMALE_GROUPS) {
            assert_eq!(
                row[*id], v[code][*id],
                "2025-Q4 {code} {id}: December's stock"
            );
        }
    }
    let (_, nov) = values_of(&store, "2025-11").await;
    has_no_ages(&nov, "2025-11");
    assert_eq!(
        store.snapshots_with("males_0_4").await.unwrap(),
        BTreeSet::from([dec24, dec25, q4]),
        "the store says which snapshots carry ages"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn age_groups_sum_to_the_sexes_at_every_level_on_both_backends() {
    let demo = popmap_tests::DemoStore::boundaries().await;
    run(demo.store.clone(), demo.out.path()).await;
    if let Some(pg) = TestDb::postgres().await {
        let store = pg.store().await;
        popmap_tests::import_boundaries(&store, demo.out.path(), &demo.manifest).await;
        run(store, demo.out.path()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn age_groups_stay_exact_across_the_2025_crosswalk() {
    let demo = popmap_tests::DemoStore::boundaries().await;
    let store = demo.store.clone();
    let catalog = Catalog::builtin();
    let path = demo.path("tables/2024-12.csv");
    etl::publish::publish(&store, &catalog, p("2024-12"), &path, &Options::default())
        .await
        .unwrap();
    etl::crosswalk::build_and_store(
        &store,
        "vn-2019",
        "vn-2025",
        Some(&demo.inputs.join("mapping-2025.csv")),
    )
    .await
    .unwrap();
    let snap = store.latest_snapshot(&p("2024-12")).await.unwrap().unwrap();
    let old = store.values(snap.id).await.unwrap();
    let harmonised = geodata::harmonise(&store, &catalog, &snap, "vn-2025")
        .await
        .unwrap();
    let units = &harmonised.values;
    assert_eq!(assert_age_sums(units, "2024-12 onto vn-2025"), 34 + 3_321);
    // Conserved: the national sum of every group is the old one.
    let national = |t: &ValueTable, id: &str| -> i64 {
        t.iter()
            .filter(|(c, _)| c.len() == 5)
            .map(|(_, r)| r.get(id).copied().unwrap_or(0))
            .sum()
    };
    for id in MALE_GROUPS.iter().chain(&FEMALE_GROUPS) {
        assert_eq!(national(units, id), national(&old, id), "{id}");
    }
}
