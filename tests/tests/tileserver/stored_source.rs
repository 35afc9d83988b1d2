//! The server's tile source of a version imported without a stored generalisation (a store
//! written by `Store::import_version`, or before issue 17): generalised on first use and stored,
//! so the next server start reads it instead; both serve the same bytes.

use geodata::TileSource;
use popmap_tests::TestDb;

use crate::common;
use crate::common::get;
use crate::common::two_versions::tile_of;

#[tokio::test]
async fn a_version_without_a_stored_generalisation_is_generalised_once_and_stored() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let units = common::hanoi_two_communes();
    store
        .import_version(&common::vn_2025(), &units, false)
        .await
        .unwrap();
    assert!(store.generalisation("vn-2025").await.unwrap().is_none());

    let (x, y) = tile_of(105.95, 21.1, 12);
    let path = format!("/tiles/boundaries/vn-2025/12/{x}/{y}.mvt");
    let first = common::spawn(common::state(store.clone(), Default::default()).await).await;
    let built = get(first, &path, "").await;
    assert_eq!(built.status, 200);

    let stored = store
        .generalisation("vn-2025")
        .await
        .unwrap()
        .expect("the first use stored the generalisation");
    let pairs = store
        .units_with_geometry("vn-2025")
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.info(), u.geometry))
        .collect();
    assert!(stored == TileSource::new(pairs).to_stored());

    // A second server (a restart) reads it and serves the same tile.
    let second = common::spawn(common::state(store.clone(), Default::default()).await).await;
    let loaded = get(second, &path, "").await;
    assert_eq!(loaded.status, 200);
    assert_eq!(loaded.body, built.body);
    assert!(store.generalisation("vn-2025").await.unwrap().unwrap() == stored);
}
