//! The test kit of popmap's integration suites (`tests/tests/`: geodata, etl, tileserver,
//! pipeline): throwaway databases ([`TestDb`]) and the demo imported into a store
//! ([`DemoStore`]). Only tests link it; no production crate depends on it.

use std::path::{Path, PathBuf};

use geodata::Store;

mod refused;
mod testdb;

pub use refused::assert_refused_unchanged;
pub use testdb::{PG_ENV, TestDb};

/// The demo inputs generated into a temporary folder (real boundaries, synthetic tables), with
/// both boundary versions imported into a fresh SQLite store.
pub struct DemoStore {
    /// The store holding the two versions (no period published yet).
    pub store: Store,
    /// What was generated.
    pub manifest: etl::demo::DemoManifest,
    /// The folder the demo files are in.
    pub out: tempfile::TempDir,
    /// The shipped inputs they were generated from (`data/vn`).
    pub inputs: PathBuf,
    _db: TestDb,
}

/// Dropping a `DemoStore` deletes its database and demo folders. This (empty) `Drop` makes
/// moving a field out of it a compile error (E0509), so the folders live as long as it does.
impl Drop for DemoStore {
    fn drop(&mut self) {}
}

impl DemoStore {
    /// Generates the demo from `data/vn` and imports its boundary versions.
    pub async fn boundaries() -> DemoStore {
        let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/vn");
        let out = tempfile::tempdir().unwrap();
        let manifest = etl::demo::generate(&inputs, out.path()).unwrap();
        let db = TestDb::sqlite();
        let store = db.store().await;
        import_boundaries(&store, out.path(), &manifest).await;
        DemoStore {
            store,
            manifest,
            out,
            inputs,
            _db: db,
        }
    }

    /// A file of the generated demo.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.out.path().join(rel)
    }
}

/// Imports every boundary version of a generated demo (files under `dir`) into `store`, in
/// manifest order, with each version's import report.
pub async fn import_boundaries(
    store: &Store,
    dir: &Path,
    manifest: &etl::demo::DemoManifest,
) -> Vec<(String, etl::boundaries::ImportReport)> {
    let mut reports = Vec::new();
    for vf in &manifest.versions {
        let report = etl::boundaries::import(
            store,
            &vf.version.id,
            vf.version.valid_from,
            &vf.paths(dir),
            false,
            false,
        )
        .await
        .unwrap_or_else(|e| panic!("importing {}: {e}", vf.version.id));
        reports.push((vf.version.id.clone(), report));
    }
    reports
}

/// The XYZ tile containing a WGS84 point at zoom `z` (Web Mercator, rows from the north).
pub fn tile_of(lon: f64, lat: f64, z: u32) -> geodata::TileId {
    let n = 2f64.powi(z as i32);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let r = lat.to_radians();
    let y = ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    geodata::TileId::new(z, x, y as u32).expect("a point on the map lies in a tile")
}
