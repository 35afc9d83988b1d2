//! The demo dataset: real Vietnamese commune lists (2019 and 2025) and the official 2025 mapping from
//! `data/vn/`, turned into boundary GeoJSON (Voronoi cells clipped to the country outline, dissolved
//! upward) and synthetic monthly indicator tables. Everything is deterministic.

mod ages;
mod archipelago;
mod boundaries;
mod carry;
mod dissolve;
mod grid;
mod inputs;
mod merge;
mod synth;
mod voronoi;
mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use geodata::BoundaryVersion;
use serde::Serialize;

pub use ages::{AgeRow, GROUPS, check_ages, has_ages, national_shape};
pub use archipelago::{BOX_MARGIN, Island, OCTAGON_RADIUS};
pub use boundaries::{Geometry, Shape, VN_2025_FROM_2019, VN_2025_VORONOI};
pub use carry::{largest_remainder, split_capped, split_row};
pub use dissolve::{dissolve_exact, intersection_area};
pub use grid::{GRID, GridPoly, planar_area, to_geo};
pub use inputs::{Commune2019, Commune2025, Inputs, MappingRow};
pub use synth::{IDS, Row, Tables, check_row, col};

/// First month of the synthetic tables.
pub const FIRST_MONTH: (i32, u32) = (2024, 1);
/// Last month of the synthetic tables.
pub const LAST_MONTH: (i32, u32) = (2026, 9);
/// First month published against vn-2025.
pub const SWITCH_MONTH: (i32, u32) = (2025, 7);

/// Why the demo dataset could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An input file breaks a rule (the message names the line or feature).
    #[error("{path}: {message}")]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong and where.
        message: String,
    },
    /// The geometry pipeline could not build a valid result.
    #[error("geometry: {0}")]
    Geometry(String),
}

/// One boundary version of the demo dataset and its files (relative to the output folder).
#[derive(Debug, Clone, Serialize)]
pub struct VersionFiles {
    /// The version's id, dates and levels.
    pub version: BoundaryVersion,
    /// Level name → GeoJSON file, e.g. `commune` → `boundaries/vn-2019/communes.geojson`.
    pub files: BTreeMap<String, String>,
    /// Level name → number of units.
    pub counts: BTreeMap<String, usize>,
}

impl VersionFiles {
    /// The version's files under `dir`, coarsest level first (a level name that does not
    /// parse sorts last).
    pub fn paths(&self, dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<(Option<geodata::Level>, PathBuf)> = self
            .files
            .iter()
            .map(|(level, f)| (level.parse().ok(), dir.join(f)))
            .collect();
        files.sort_by_key(|(level, _)| (level.is_none(), *level));
        files.into_iter().map(|(_, f)| f).collect()
    }
}

/// One monthly indicator table of the demo dataset.
#[derive(Debug, Clone, Serialize)]
pub struct TableFile {
    /// The month, `YYYY-MM`.
    pub period: String,
    /// The boundary version the rows are coded in.
    pub version: String,
    /// Path relative to the output folder.
    pub file: String,
    /// Number of data rows.
    pub rows: usize,
    /// Sum of `population` over all rows.
    pub population: u64,
    /// Whether the table carries the 34 age × sex groups (the annual report: December only,
    /// hence also the fourth quarter and the year; other months have no age columns).
    #[serde(default)]
    pub ages: bool,
}

/// What `generate` wrote, plus the geometry pipeline's diagnostics.
#[derive(Debug, Clone, Serialize)]
pub struct DemoManifest {
    /// vn-2019 then vn-2025.
    pub versions: Vec<VersionFiles>,
    /// One entry per month, in order.
    pub tables: Vec<TableFile>,
    /// Dissolves that fell back from edge cancellation to a generic polygon union.
    pub dissolve_fallbacks: usize,
    /// Version id → communes whose clipped Voronoi cell was empty (offshore points) and got a small
    /// square instead, and the Hoàng Sa and Trường Sa communes, which got their islands.
    pub island_cells: BTreeMap<String, Vec<String>>,
    /// Communes whose point duplicated an earlier one and was moved by a few metres.
    pub nudged_points: Vec<String>,
    /// The 2025 commune geometry method (see the module docs).
    pub vn_2025_geometry: String,
}

/// The date vn-2019 is taken to start (the unit list is the one in force just before the 2025 reform).
pub fn vn_2019_valid_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 1, 1).expect("valid date")
}

/// The date vn-2025 starts.
pub fn vn_2025_valid_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).expect("valid date")
}

/// Builds the boundary versions and monthly tables from `inputs` (the `data/vn` folder) into `out`.
pub fn generate(inputs: &Path, out: &Path) -> Result<DemoManifest, DemoError> {
    let data = Inputs::load(inputs)?;
    let geom = Geometry::build(&data)?;
    let tables = Tables::simulate(&data);
    let (carried, carried_ages) = carry::carry(&data, &geom, &tables)?;
    write::write_all(out, &data, &geom, &tables, (&carried, &carried_ages))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_paths_come_coarsest_level_first() {
        let vf = VersionFiles {
            version: BoundaryVersion {
                id: "vn-2019".into(),
                valid_from: vn_2019_valid_from(),
                valid_to: None,
                levels: vec![],
            },
            files: BTreeMap::from([
                ("commune".into(), "c.geojson".into()),
                ("district".into(), "d.geojson".into()),
                ("odd".into(), "x.geojson".into()),
                ("province".into(), "p.geojson".into()),
            ]),
            counts: BTreeMap::new(),
        };
        let dir = Path::new("/demo");
        assert_eq!(
            vf.paths(dir),
            ["p.geojson", "d.geojson", "c.geojson", "x.geojson"].map(|f| dir.join(f))
        );
    }
}
