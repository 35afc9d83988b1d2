//! What an import did: counts and areas per level, repairs made, names normalised, warnings.

use std::fmt;

use crate::geometry::Repair;
use geodata::Level;
use serde::Serialize;

/// The report of a boundary import (also returned by [`super::build_units`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    /// Boundary version id.
    pub version: String,
    /// Files read, in order (names only).
    pub files: Vec<String>,
    /// Units and area per level, top first.
    pub levels: Vec<LevelReport>,
    /// Total number of units.
    pub units: usize,
    /// Area of the top level (the whole territory covered), km².
    pub total_area_km2: f64,
    /// How many names were not in NFC (e.g. NFD from macOS tools) and were normalised.
    pub names_normalised: usize,
    /// Every geometry repair, with the feature it was made on.
    pub repairs: Vec<RepairNote>,
    /// How many of `repairs` removed a ring below [`crate::geometry::MIN_RING_M2`] (a sliver
    /// hole or island); real boundary files hold hundreds.
    pub slivers_removed: usize,
    /// Things that look wrong but do not stop the import.
    pub warnings: Vec<String>,
}

/// Units and area of one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelReport {
    /// The level.
    pub level: Level,
    /// Number of units.
    pub units: usize,
    /// Sum of their geodesic areas, km².
    pub area_km2: f64,
}

/// One geometry repair on one feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepairNote {
    /// File name.
    pub file: String,
    /// 0-based feature index in the file.
    pub feature: usize,
    /// Unit code.
    pub code: String,
    /// What was done.
    pub repair: Repair,
    /// The same in words, e.g. `closed unclosed exterior ring of polygon 0`.
    pub message: String,
}

impl fmt::Display for RepairNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: feature {} (code \"{}\"): {}",
            self.file, self.feature, self.code, self.message
        )
    }
}

impl ImportReport {
    /// The repairs counted by kind, most frequent first, e.g. `129 sliver ring(s) removed`.
    pub fn repair_summary(&self) -> Vec<String> {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for r in &self.repairs {
            let kind = match r.repair {
                Repair::ClosedRing { .. } => "unclosed ring(s) closed",
                Repair::RemovedRepeatedPoints { .. } => "ring(s) with repeated points cleaned",
                Repair::DroppedRing { .. } => "degenerate hole(s) dropped",
                Repair::DroppedPolygon { .. } => "degenerate polygon(s) dropped",
                Repair::RemovedTinyRing { .. } => "sliver ring(s) below the tolerance removed",
                Repair::MadeValid { .. } => "invalid geometries rebuilt",
            };
            match counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => counts.push((kind, 1)),
            }
        }
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        counts.iter().map(|(k, n)| format!("{n} {k}")).collect()
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "boundary version {}: {} units from {} file(s)",
            self.version,
            self.units,
            self.files.len()
        )?;
        for l in &self.levels {
            writeln!(
                f,
                "  {:<9} {:>6} units {:>14.1} km²",
                l.level.as_str(),
                l.units,
                l.area_km2
            )?;
        }
        writeln!(f, "  total area {:.1} km²", self.total_area_km2)?;
        if self.names_normalised > 0 {
            writeln!(f, "  {} name(s) normalised to NFC", self.names_normalised)?;
        }
        if !self.repairs.is_empty() {
            writeln!(
                f,
                "  {} geometry repair(s): {}",
                self.repairs.len(),
                self.repair_summary().join(", ")
            )?;
            for r in &self.repairs {
                writeln!(f, "    {r}")?;
            }
        }
        for w in &self.warnings {
            writeln!(f, "  warning: {w}")?;
        }
        Ok(())
    }
}
