//! H3 operators in the store, on SQLite and (with `POPMAP_TEST_PG`) PostgreSQL: exact round
//! trip, replacement, refusal for unknown versions, and removal when the version is replaced.

use std::collections::BTreeMap;

use geodata::Level;
use geodata::StoreError;
use geodata::{Operator, area_weights};
use h3o::Resolution;
use popmap_tests::TestDb;

use crate::fixtures::*;

on_both_backends!(operator_round_trips_and_is_replaced);

/// The area operator of the fixture communes at `res`.
fn operator(res: Resolution) -> Operator {
    let weights: BTreeMap<String, _> = small_units()
        .iter()
        .filter(|u| u.level == Level::Commune)
        .map(|u| {
            let w = area_weights(&u.code, &u.geometry, res).expect("valid polygon");
            (u.code.clone(), w)
        })
        .collect();
    Operator::from_weights(res, weights).expect("positive areas")
}

async fn operator_round_trips_and_is_replaced(db: TestDb) {
    let store = db.store().await;
    let v = version("vn-test", date(2025, 7, 1));
    store
        .import_version(&v, &small_units(), false)
        .await
        .unwrap();
    assert!(store.operator("vn-test").await.unwrap().is_none());

    let op = operator(Resolution::Nine);
    assert!(op.entries() > 100, "{} entries", op.entries());
    let info = store.save_operator("vn-test", &op, "area").await.unwrap();
    let (back_info, back) = store.operator("vn-test").await.unwrap().expect("stored");
    assert_eq!(back, op, "shares and cells come back bit for bit");
    assert_eq!(back_info, info);
    assert_eq!(info.resolution, Resolution::Nine);
    assert_eq!(info.cells, op.cells().len() as i64);
    assert_eq!(store.operators().await.unwrap(), vec![info]);

    // Saving again replaces the operator whole.
    let coarse = operator(Resolution::Seven);
    store
        .save_operator(
            "vn-test",
            &coarse,
            "points:x.csv (0 units fell back to area)",
        )
        .await
        .unwrap();
    let (info, back) = store.operator("vn-test").await.unwrap().expect("stored");
    assert_eq!(back, coarse);
    assert_eq!(info.weights, "points:x.csv (0 units fell back to area)");

    let err = store
        .save_operator("vn-nope", &op, "area")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownVersion(ref v) if v == "vn-nope"),
        "{err}"
    );

    // Replacing the boundary version drops the operator built from the old polygons.
    store
        .import_version(&v, &small_units(), true)
        .await
        .unwrap();
    assert!(store.operator("vn-test").await.unwrap().is_none());
    assert!(store.operators().await.unwrap().is_empty());
}
