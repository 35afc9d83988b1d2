//! Boundary versions: a named set of units valid over a date range.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::level::Level;

/// A boundary version such as `vn-2019` or `vn-2025`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundaryVersion {
    /// Identifier used in commands and URLs (`vn-2025`).
    pub id: String,
    /// First day the version is in force.
    pub valid_from: NaiveDate,
    /// Last day the version is in force; `None` while it is current. Derived from the next
    /// version's `valid_from` when versions are listed.
    pub valid_to: Option<NaiveDate>,
    /// Levels present in the version, top first (vn-2025 has no district level).
    pub levels: Vec<Level>,
}

impl BoundaryVersion {
    /// Whether `date` falls inside the version's validity range.
    pub fn covers(&self, date: NaiveDate) -> bool {
        date >= self.valid_from && self.valid_to.is_none_or(|to| date <= to)
    }

    /// The level directly above `level` in this version, if any.
    pub fn level_above(&self, level: Level) -> Option<Level> {
        let i = self.levels.iter().position(|l| *l == level)?;
        i.checked_sub(1).map(|j| self.levels[j])
    }

    /// The level directly below `level` in this version, if any.
    pub fn level_below(&self, level: Level) -> Option<Level> {
        let i = self.levels.iter().position(|l| *l == level)?;
        self.levels.get(i + 1).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_dates() {
        let v = BoundaryVersion {
            id: "vn-2025".into(),
            valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            valid_to: None,
            levels: vec![Level::Province, Level::Commune],
        };
        assert_eq!(v.level_above(Level::Commune), Some(Level::Province));
        assert_eq!(v.level_above(Level::Province), None);
        assert_eq!(v.level_below(Level::Province), Some(Level::Commune));
        assert!(v.covers(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()));
        assert!(!v.covers(NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()));
    }
}
