//! The generalisation stored at import (issue 17): `popmap import boundaries` stores every
//! band's generalised geometry and the label points; a tile source read back from it is the
//! one generalising again would build (same packed bytes, same tiles, byte for byte); a
//! replaced version loses the stale one; a damaged or foreign one is refused, not served.

use geo::{MultiPolygon, Rect};
use geodata::{
    DEFAULT_BANDS, STORED_FORMAT, Store, StoredGeneralisation, StoredSourceError, TileSource,
    UnitInfo, tiles_covering,
};
use popmap_tests::tile_of;

async fn pairs(store: &Store, version: &str) -> Vec<(UnitInfo, MultiPolygon<f64>)> {
    store
        .units_with_geometry(version)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.info(), u.geometry))
        .collect()
}

/// Every tile of the version's box at z0–8 and the 3 × 3 tiles around Hà Nội and Hồ Chí Minh
/// City at z9–14 (every zoom band), cut by both sources, must be the same bytes.
fn assert_same_tiles(built: &TileSource, loaded: &TileSource, what: &str) {
    let bbox = built
        .units()
        .iter()
        .enumerate()
        .filter_map(|(i, _)| built.bbox_degrees(i))
        .fold(None::<[f64; 4]>, |acc, b| {
            Some(acc.map_or(b, |a| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            }))
        })
        .expect("units with geometry");
    let (w, s) = geodata::to_metres(bbox[0], bbox[1]);
    let (e, n) = geodata::to_metres(bbox[2], bbox[3]);
    let rect = Rect::new((w, s), (e, n));
    let mut ids: Vec<geodata::TileId> = (0..=8).flat_map(|z| tiles_covering(rect, z)).collect();
    for (lon, lat) in [(105.85, 21.03), (106.70, 10.78)] {
        for z in 9..=14 {
            let c = tile_of(lon, lat, z);
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1), (2, 2), (2, 0), (0, 2)] {
                ids.push(geodata::TileId::new(z, c.x + dx - 1, c.y + dy - 1).unwrap());
            }
        }
    }
    let mut non_empty = 0;
    for id in &ids {
        let (a, b) = (
            built.tile_default(*id, |_| Vec::new()),
            loaded.tile_default(*id, |_| Vec::new()),
        );
        assert!(a == b, "{what}: tile {}/{}/{} differs", id.z, id.x, id.y);
        non_empty += usize::from(!a.is_empty());
    }
    assert!(
        non_empty > 100,
        "{what}: only {non_empty} tiles with features"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stored_generalisation_cuts_the_same_tiles_as_generalising_again() {
    // DemoStore imports through `etl::boundaries::import`, as `popmap import boundaries` does.
    let demo = popmap_tests::DemoStore::boundaries().await;
    for version in ["vn-2019", "vn-2025"] {
        let stored = demo
            .store
            .generalisation(version)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{version}: the import stored no generalisation"));
        assert_eq!(stored.format, STORED_FORMAT);
        assert_eq!(stored.bands.len(), DEFAULT_BANDS.len());
        let infos = demo.store.units(version).await.unwrap();
        let loaded = TileSource::from_stored(infos, &stored).unwrap();
        let built = TileSource::new(pairs(&demo.store, version).await);
        // The same packed bytes: every band's geometry and every label point, bit for bit.
        assert!(
            built.to_stored() == stored,
            "{version}: generalisations differ"
        );
        assert_eq!(loaded.units(), built.units());
        for i in 0..built.units().len() {
            assert_eq!(loaded.label(i), built.label(i), "{version}: label {i}");
        }
        assert_same_tiles(&built, &loaded, version);
        // Band by band, as the server reads it: the head has the bands without their bytes.
        let head = demo
            .store
            .generalisation_head(version)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((head.format, &head.units), (stored.format, &stored.units));
        let mut blobs = Vec::new();
        for (b, band) in head.bands.iter().enumerate() {
            assert!(band.geometry.is_empty());
            assert_eq!(band.min_zoom, stored.bands[b].min_zoom);
            let blob = demo.store.generalisation_band(version, b).await.unwrap();
            assert!(blob.as_ref() == Some(&stored.bands[b].geometry), "band {b}");
            blobs.push(blob.unwrap());
        }
        assert!(
            demo.store
                .generalisation_band(version, 6)
                .await
                .unwrap()
                .is_none()
        );
        let infos = demo.store.units(version).await.unwrap();
        let banded =
            TileSource::from_stored_bands(infos.clone(), &head, |b| Ok(blobs[b].clone())).unwrap();
        assert!(banded.to_stored() == stored);
        let e = TileSource::from_stored_bands(infos, &head, |b| {
            if b == 2 {
                Err("gone".into())
            } else {
                Ok(blobs[b].clone())
            }
        })
        .err()
        .expect("a band that cannot be read is refused");
        assert!(e.to_string().contains("band 2: gone"), "{e}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_or_damaged_generalisation_is_refused_and_a_replace_drops_it() {
    let demo = popmap_tests::DemoStore::boundaries().await;
    let store = &demo.store;
    let stored = store.generalisation("vn-2025").await.unwrap().unwrap();
    let infos = store.units("vn-2025").await.unwrap();
    let refused = |g: &StoredGeneralisation, infos: Vec<UnitInfo>| {
        TileSource::from_stored(infos, g).err().expect("refused")
    };
    let older = StoredGeneralisation {
        format: STORED_FORMAT - 1,
        ..stored.clone()
    };
    assert!(matches!(
        refused(&older, infos.clone()),
        StoredSourceError::Format { .. }
    ));
    // Another version's units (vn-2019 has more of them).
    let other = store.units("vn-2019").await.unwrap();
    let e = refused(&stored, other);
    assert!(matches!(e, StoredSourceError::Units(_)), "{e}");
    // A unit missing from the version.
    let e = refused(&stored, infos[1..].to_vec());
    assert!(e.to_string().contains("stored"), "{e}");
    // One band cut short.
    let mut cut = stored.clone();
    let len = cut.bands[3].geometry.len();
    cut.bands[3].geometry.truncate(len / 2);
    let e = refused(&cut, infos.clone());
    assert!(e.to_string().contains("band 3"), "{e}");
    let mut fewer = stored.clone();
    fewer.bands.pop();
    assert!(matches!(refused(&fewer, infos), StoredSourceError::Bands));

    // Replacing the version with other units (here: no generalisation) drops the stored one,
    // which would no longer match; the server then generalises the new units.
    let version = store.version("vn-2025").await.unwrap().unwrap();
    let mut units = store.units_with_geometry("vn-2025").await.unwrap();
    units.truncate(units.len() - 1);
    store.import_version(&version, &units, true).await.unwrap();
    assert!(store.generalisation("vn-2025").await.unwrap().is_none());
    // save_generalisation stores one for an existing version, replacing any.
    let src = TileSource::new(pairs(store, "vn-2025").await);
    store
        .save_generalisation("vn-2025", &src.to_stored())
        .await
        .unwrap();
    store
        .save_generalisation("vn-2025", &src.to_stored())
        .await
        .unwrap();
    let back = store.generalisation("vn-2025").await.unwrap().unwrap();
    assert!(back == src.to_stored());
    let e = store
        .save_generalisation("no-such-version", &src.to_stored())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no-such-version"), "{e}");
    // The bounding boxes of the loaded units are those of the built ones.
    let loaded = TileSource::from_stored(store.units("vn-2025").await.unwrap(), &back).unwrap();
    for i in 0..src.units().len() {
        assert_eq!(loaded.bbox_degrees(i), src.bbox_degrees(i));
    }
}

/// The generalisation written with an import and read back, whole and band by band, on
/// PostgreSQL as on SQLite (migration 0005 of both folders), and dropped by a replace.
#[tokio::test(flavor = "multi_thread")]
async fn both_backends_store_the_same_generalisation() {
    let demo = popmap_tests::DemoStore::boundaries().await;
    let version = demo.store.version("vn-2025").await.unwrap().unwrap();
    let units = demo.store.units_with_geometry("vn-2025").await.unwrap();
    let stored = demo.store.generalisation("vn-2025").await.unwrap().unwrap();
    let mut dbs = vec![popmap_tests::TestDb::sqlite()];
    dbs.extend(popmap_tests::TestDb::postgres().await);
    for db in &dbs {
        let store = db.store().await;
        store
            .import_generalised_version(&version, &units, stored.clone(), false)
            .await
            .unwrap();
        let back = store.generalisation("vn-2025").await.unwrap().unwrap();
        assert!(back == stored, "{}", db.url());
        let head = store.generalisation_head("vn-2025").await.unwrap().unwrap();
        assert_eq!(head.bands.len(), stored.bands.len());
        for (b, band) in stored.bands.iter().enumerate() {
            let blob = store.generalisation_band("vn-2025", b).await.unwrap();
            assert!(
                blob.as_ref() == Some(&band.geometry),
                "{} band {b}",
                db.url()
            );
        }
        store.import_version(&version, &units, true).await.unwrap();
        assert!(store.generalisation("vn-2025").await.unwrap().is_none());
        assert!(
            store
                .generalisation_head("vn-2025")
                .await
                .unwrap()
                .is_none()
        );
    }
}

/// The import's bands are read one at a time as they are written (spilled to a file until
/// then): a band that cannot be read is an error naming the version and the band, and nothing
/// of the version is stored; bands read in turn store what was given, byte for byte.
#[tokio::test(flavor = "multi_thread")]
async fn a_band_that_cannot_be_read_stores_nothing() {
    let demo = popmap_tests::DemoStore::boundaries().await;
    let version = demo.store.version("vn-2025").await.unwrap().unwrap();
    let units = demo.store.units_with_geometry("vn-2025").await.unwrap();
    let stored = demo.store.generalisation("vn-2025").await.unwrap().unwrap();
    let head = demo
        .store
        .generalisation_head("vn-2025")
        .await
        .unwrap()
        .unwrap();
    let db = popmap_tests::TestDb::sqlite();
    let store = db.store().await;
    let mut asked = Vec::new();
    let err = store
        .import_generalised_version_with(
            &version,
            &units,
            &head,
            |b| {
                asked.push(b);
                if b == 3 {
                    Err("disk gone".to_string())
                } else {
                    Ok(stored.bands[b].geometry.as_slice())
                }
            },
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(asked, [0, 1, 2, 3]);
    assert_eq!(
        err.to_string(),
        "invalid input: generalisation of boundary version 'vn-2025', band 3: disk gone"
    );
    assert!(store.version("vn-2025").await.unwrap().is_none());
    assert!(store.units_with_code("00004").await.unwrap().is_empty());
    assert!(store.generalisation("vn-2025").await.unwrap().is_none());

    store
        .import_generalised_version_with(
            &version,
            &units,
            &head,
            |b| Ok(stored.bands[b].geometry.as_slice()),
            false,
        )
        .await
        .unwrap();
    let back = store.generalisation("vn-2025").await.unwrap().unwrap();
    assert!(back == stored);
    assert_eq!(store.units_with_code("00004").await.unwrap().len(), 1);
}
