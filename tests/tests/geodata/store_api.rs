//! The store queries of the data API, on SQLite and (with `POPMAP_TEST_PG`) PostgreSQL: unit
//! search, one unit, children counts, one unit's values across snapshots, API keys.

use geodata::{Level, Store};
use geodata::{StoreError, UnitQuery};
use popmap_tests::TestDb;

use crate::fixtures::*;

on_both_backends!(
    unit_search_pages_and_folds,
    unit_values_span_snapshots,
    keys_store_hashes
);

async fn store_with_units(db: &TestDb) -> Store {
    let store = db.store().await;
    store
        .import_version(&version("vn-t", date(2025, 7, 1)), &small_units(), false)
        .await
        .unwrap();
    store
}

fn codes(page: &geodata::UnitPage) -> Vec<&str> {
    page.items.iter().map(|u| u.code.as_str()).collect()
}

async fn unit_search_pages_and_folds(db: TestDb) {
    let store = store_with_units(&db).await;
    let q = |f: &dyn Fn(&mut UnitQuery)| {
        let mut q = UnitQuery {
            version: "vn-t".into(),
            limit: 100,
            ..Default::default()
        };
        f(&mut q);
        q
    };
    let all = store.find_units(&q(&|_| {})).await.unwrap();
    assert_eq!(all.total, 6);
    assert_eq!(
        codes(&all),
        ["01", "79", "00004", "00007", "26734", "26737"]
    );
    let page = store
        .find_units(&q(&|q| {
            q.limit = 2;
            q.offset = 1;
        }))
        .await
        .unwrap();
    assert_eq!((page.total, codes(&page)), (6, vec!["79", "00004"]));
    for (text, want) in [
        ("ha noi", vec!["01"]),
        ("HÀ NỘI", vec!["01"]),
        ("phuong", vec!["00004", "00007", "26734"]),
        ("can gio", vec!["26737"]),
        ("267", vec!["26734", "26737"]),
        ("7", vec!["79"]),
        ("%", vec![]),
        ("_", vec![]),
    ] {
        let p = store
            .find_units(&q(&|q| q.q = Some(text.into())))
            .await
            .unwrap();
        assert_eq!(codes(&p), want, "q={text}");
        assert_eq!(p.total as usize, want.len(), "q={text}");
    }
    let p = store
        .find_units(&q(&|q| {
            q.level = Some(Level::Commune);
            q.parent = Some("79".into());
        }))
        .await
        .unwrap();
    assert_eq!(codes(&p), ["26734", "26737"]);
    let e = store
        .find_units(&UnitQuery {
            version: "nope".into(),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::UnknownVersion(_)), "{e}");
    let u = store.unit("vn-t", "00004").await.unwrap().unwrap();
    assert_eq!(u.name, "Phường Hoàn Kiếm");
    assert!(store.unit("vn-t", "99").await.unwrap().is_none());
    assert_eq!(store.children_count("vn-t", "01").await.unwrap(), 2);
    assert_eq!(store.children_count("vn-t", "00004").await.unwrap(), 0);
}

async fn unit_values_span_snapshots(db: TestDb) {
    let store = store_with_units(&db).await;
    let mut ids = Vec::new();
    for (period, pop) in [("2025-07", 10), ("2025-08", 20), ("2025-08", 30)] {
        let s = store
            .publish(&new_snapshot(
                period,
                "vn-t",
                vec![
                    row("00004", "population", pop, true),
                    row("00004", "males", pop / 2, true),
                    row("00007", "population", pop + 1, true),
                ],
            ))
            .await
            .unwrap();
        ids.push(s.id);
    }
    let mut got = store
        .unit_values("00004", &["population", "males", "births"])
        .await
        .unwrap();
    got.sort_by_key(|v| (v.snapshot_id, v.indicator.clone()));
    let got: Vec<(i64, &str, i64)> = got
        .iter()
        .map(|v| (v.snapshot_id, v.indicator.as_str(), v.value))
        .collect();
    assert_eq!(
        got,
        [
            (ids[0], "males", 5),
            (ids[0], "population", 10),
            (ids[1], "males", 10),
            (ids[1], "population", 20),
            (ids[2], "males", 15),
            (ids[2], "population", 30),
        ]
    );
    assert!(store.unit_values("00004", &[]).await.unwrap().is_empty());

    // Several units at once, each value tagged with its unit.
    let mut got = store
        .units_values(&["00004", "00007", "99999"], &["population"])
        .await
        .unwrap();
    got.sort_by_key(|v| (v.snapshot_id, v.unit_code.clone()));
    let got: Vec<(i64, &str, i64)> = got
        .iter()
        .map(|v| (v.snapshot_id, v.unit_code.as_str(), v.value))
        .collect();
    assert_eq!(
        got,
        [
            (ids[0], "00004", 10),
            (ids[0], "00007", 11),
            (ids[1], "00004", 20),
            (ids[1], "00007", 21),
            (ids[2], "00004", 30),
            (ids[2], "00007", 31),
        ]
    );
    assert!(
        store
            .units_values(&[], &["population"])
            .await
            .unwrap()
            .is_empty()
    );

    // One unit's geometry.
    let unit = store.unit_geometry("vn-t", "00004").await.unwrap().unwrap();
    assert_eq!(unit.name, "Phường Hoàn Kiếm");
    assert!(!unit.geometry.0.is_empty());
    assert!(
        store
            .unit_geometry("vn-t", "99999")
            .await
            .unwrap()
            .is_none()
    );
}

async fn keys_store_hashes(db: TestDb) {
    let store = db.store().await;
    let hash = "ab".repeat(32);
    let k = store.create_key("ministry", true, &hash).await.unwrap();
    assert!(k.admin && k.is_active() && k.name == "ministry");
    let k2 = store.create_key("", false, &"cd".repeat(32)).await.unwrap();
    assert!(!k2.admin && k2.id > k.id);
    assert_eq!(
        store.key_by_hash(&hash.to_uppercase()).await.unwrap(),
        Some(k.clone())
    );
    assert!(store.key_by_hash(&"ef".repeat(32)).await.unwrap().is_none());
    assert!(store.create_key("x", false, "not-hex").await.is_err());
    assert!(
        store.create_key("dup", false, &hash).await.is_err(),
        "hashes are unique"
    );
    let r = store.revoke_key(k.id).await.unwrap().unwrap();
    assert!(!r.is_active());
    let again = store.revoke_key(k.id).await.unwrap().unwrap();
    assert_eq!(
        again.revoked_at, r.revoked_at,
        "revoking twice keeps the first date"
    );
    assert!(store.revoke_key(999).await.unwrap().is_none());
    let all = store.keys().await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(!all[0].is_active() && all[1].is_active());
}
