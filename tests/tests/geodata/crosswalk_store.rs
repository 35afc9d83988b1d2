//! Crosswalks in the store, on SQLite and (with `POPMAP_TEST_PG`) PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};

use geodata::StoreError;
use geodata::{Crosswalk, Part};
use popmap_tests::TestDb;

use crate::fixtures::*;

on_both_backends!(crosswalk_round_trips, crosswalk_needs_known_versions);

fn part(code: &str, share: f64, exact: bool) -> Part {
    Part {
        new_code: code.into(),
        share,
        exact,
    }
}

/// 5,000 old units (more than one INSERT batch), half merged whole, half split three ways with
/// shares that are not short decimals, so the f64 round trip is tested bit for bit.
fn big() -> Crosswalk {
    let mut rows = BTreeMap::new();
    let mut new = BTreeSet::new();
    for i in 0..5_000 {
        let n = format!("N{:04}", i / 2);
        new.insert(n.clone());
        let parts = if i % 2 == 0 {
            vec![part(&n, 1.0, true)]
        } else {
            let a = 1.0 / 3.0 + f64::from(i) * 1e-7;
            vec![
                part(&n, a, false),
                part("N9998", 0.25, false),
                part("N9999", 1.0 - a - 0.25, false),
            ]
        };
        rows.insert(format!("O{i:05}"), parts);
    }
    new.extend(["N9998".to_string(), "N9999".to_string()]);
    Crosswalk::new("vn-old", "vn-new", rows, &new).unwrap()
}

async fn crosswalk_round_trips(db: TestDb) {
    let store = db.store().await;
    for (id, from) in [("vn-old", date(2019, 1, 1)), ("vn-new", date(2025, 7, 1))] {
        store
            .import_version(&version(id, from), &small_units(), false)
            .await
            .unwrap();
    }
    assert_eq!(store.crosswalk("vn-old", "vn-new").await.unwrap(), None);
    let cw = big();
    let sources: BTreeMap<String, String> = cw
        .rows
        .iter()
        .map(|(old, p)| {
            let s = if p[0].exact { "mapping" } else { "geometry" };
            (old.clone(), s.to_string())
        })
        .collect();
    let meta = store
        .save_crosswalk(&cw, "test method", 3, &sources)
        .await
        .unwrap();
    assert_eq!(store.crosswalk_metas().await.unwrap(), vec![meta.clone()]);
    assert_eq!(meta.disagreements, 3);
    assert_eq!(
        store.crosswalk("vn-old", "vn-new").await.unwrap(),
        Some(cw.clone())
    );

    let rows = store.crosswalk_rows_of("N0001").await.unwrap();
    let olds: Vec<(&str, bool, &str)> = rows
        .iter()
        .map(|r| (r.old_code.as_str(), r.exact, r.source.as_str()))
        .collect();
    assert_eq!(
        olds,
        [("O00002", true, "mapping"), ("O00003", false, "geometry")]
    );
    assert_eq!(store.crosswalk_rows_of("O00003").await.unwrap().len(), 3);

    // Saving again replaces, never duplicates.
    let mut smaller = cw.clone();
    smaller.rows.retain(|k, _| k.as_str() < "O00010");
    store
        .save_crosswalk(&smaller, "again", 0, &BTreeMap::new())
        .await
        .unwrap();
    assert_eq!(
        store.crosswalk("vn-old", "vn-new").await.unwrap(),
        Some(smaller)
    );
    assert_eq!(store.crosswalk_metas().await.unwrap().len(), 1);

    // Re-importing a version's units drops the crosswalks that depended on them.
    store
        .import_version(&version("vn-new", date(2025, 7, 1)), &small_units(), true)
        .await
        .unwrap();
    assert_eq!(store.crosswalk("vn-old", "vn-new").await.unwrap(), None);
    assert!(store.crosswalk_rows_of("N0001").await.unwrap().is_empty());
}

async fn crosswalk_needs_known_versions(db: TestDb) {
    let store = db.store().await;
    let err = store
        .save_crosswalk(&big(), "m", 0, &BTreeMap::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownVersion(ref v) if v == "vn-old"),
        "{err}"
    );
    assert!(store.crosswalk_metas().await.unwrap().is_empty());
}
