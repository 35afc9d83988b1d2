//! A two-version store served over real TCP, for the crosswalk tests: vn-2019 with communes
//! 00001, 00002, 00003 side by side; vn-2025 with 00002 (00001 + 00002 + part of 00003) and
//! 00009 (the rest of 00003); a stored crosswalk, r7 area operators for both versions, and the
//! periods 2024-06 (vn-2019), 2025-07 and 2025-08 (vn-2025, 5 people in 00002).

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use chrono::NaiveDate;
use geo_types::{MultiPolygon, polygon};
use geodata::{BoundaryVersion, Level, Store, Unit};
use geodata::{Crosswalk, Part};
use geodata::{NewSnapshot, ValueRow};
use geodata::{Operator, area_weights};
use h3o::Resolution;
use popmap_tests::TestDb;

/// A 0.1° square commune of 100 km² (declared) at longitude `x`, latitude 10.
pub fn commune(code: &str, x: f64) -> Unit {
    Unit {
        code: code.into(),
        name: format!("Xã {code}"),
        level: Level::Commune,
        parent_code: None,
        area_km2: 100.0,
        geometry: MultiPolygon(vec![polygon![
            (x: x, y: 10.0), (x: x + 0.1, y: 10.0), (x: x + 0.1, y: 10.1), (x: x, y: 10.1), (x: x, y: 10.0)
        ]]),
    }
}

/// A commune-only boundary version valid from `y`-`m`-01.
pub fn version(id: &str, y: i32, m: u32) -> BoundaryVersion {
    BoundaryVersion {
        id: id.into(),
        valid_from: NaiveDate::from_ymd_opt(y, m, 1).unwrap(),
        valid_to: None,
        levels: vec![Level::Commune],
    }
}

/// One crosswalk part.
pub fn part(code: &str, share: f64, exact: bool) -> Part {
    Part {
        new_code: code.into(),
        share,
        exact,
    }
}

/// Stores the vn-2019 → vn-2025 crosswalk of the fixture: 00001 and 00002 merge whole into
/// 00002; 00003 is split, `to_00002` of it into 00002 and the rest into 00009.
pub async fn save_crosswalk(store: &Store, to_00002: f64, method: &str) {
    let mut rows = BTreeMap::new();
    rows.insert("00001".to_string(), vec![part("00002", 1.0, true)]);
    rows.insert("00002".to_string(), vec![part("00002", 1.0, true)]);
    rows.insert(
        "00003".to_string(),
        vec![
            part("00002", to_00002, false),
            part("00009", 1.0 - to_00002, false),
        ],
    );
    let new_codes: BTreeSet<String> = ["00002".to_string(), "00009".to_string()].into();
    let cw = Crosswalk::new("vn-2019", "vn-2025", rows, &new_codes).unwrap();
    let sources = [("00003".to_string(), "geometry".to_string())].into();
    store
        .save_crosswalk(&cw, method, 0, &sources)
        .await
        .unwrap();
}

/// The running fixture server. Keep it whole while the test runs: dropping it deletes the
/// SQLite folder under the server.
pub struct Served {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its store, to change under it.
    pub store: Store,
    /// Its state, to reload.
    pub state: tileserver::AppState,
    _db: TestDb,
}

/// Dropping a `Served` deletes its database folder. This (empty) `Drop` makes moving a field
/// out of it a compile error (E0509), so no test can keep the server while the folder goes.
impl Drop for Served {
    fn drop(&mut self) {}
}

/// Builds the store and serves it on a free port.
pub async fn serve() -> Served {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let old = vec![
        commune("00001", 0.0),
        commune("00002", 1.0),
        commune("00003", 2.0),
    ];
    let new = vec![commune("00002", 0.0), commune("00009", 2.0)];
    store
        .import_version(&version("vn-2019", 2019, 1), &old, false)
        .await
        .unwrap();
    store
        .import_version(&version("vn-2025", 2025, 7), &new, false)
        .await
        .unwrap();
    save_crosswalk(&store, 0.4, "test").await;

    publish(
        &store,
        "2024-06",
        "vn-2019",
        &[
            ("00001", "population", 100),
            ("00002", "population", 200),
            ("00003", "population", 1000),
        ],
    )
    .await;
    publish(
        &store,
        "2025-07",
        "vn-2025",
        &[("00002", "population", 700)],
    )
    .await;
    // A month with 5 people in 00002: its H3 footprint is below the disclosure total.
    publish(
        &store,
        "2025-08",
        "vn-2025",
        &[
            ("00002", "population", 5),
            ("00002", "males", 2),
            ("00002", "females", 3),
        ],
    )
    .await;

    // Area-weighted r7 operators for both versions, for the h3 view of a series.
    for (id, units) in [("vn-2019", &old), ("vn-2025", &new)] {
        let weights = units
            .iter()
            .map(|u| {
                let w = area_weights(&u.code, &u.geometry, Resolution::Seven).unwrap();
                (u.code.clone(), w)
            })
            .collect();
        let op = Operator::from_weights(Resolution::Seven, weights).unwrap();
        store.save_operator(id, &op, "area").await.unwrap();
    }

    let served = super::state(store.clone(), Default::default()).await;
    let addr = super::spawn(served.clone()).await;
    Served {
        addr,
        store,
        state: served,
        _db: db,
    }
}

/// Publishes `period` on `version` with reported (unit, indicator, value) rows.
async fn publish(store: &Store, period: &str, version: &str, rows: &[(&str, &str, i64)]) {
    store
        .publish(&NewSnapshot {
            period: period.parse().unwrap(),
            version: version.into(),
            source: "test".into(),
            checksum: period.into(),
            report_json: "{}".into(),
            complete: true,
            values: rows
                .iter()
                .map(|&(unit, indicator, value)| ValueRow {
                    unit_code: unit.into(),
                    indicator: indicator.into(),
                    value,
                    reported: true,
                })
                .collect(),
        })
        .await
        .unwrap();
}

/// The x/y of the z tile holding a point (the kit's [`popmap_tests::tile_of`]).
pub fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let t = popmap_tests::tile_of(lon, lat, z);
    (t.x, t.y)
}
