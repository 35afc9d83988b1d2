//! Boundary crosswalks: the sparse map C from the units of one boundary version to another.
//!
//! Per old unit, the new units it went into with the share of its people each received, and
//! whether that share is exact (a whole merge) or estimated (a split, weighted by people).
//! Applying it moves integer counts by largest remainder inside each old unit, so every old
//! count is split exactly and totals are conserved to the person.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::apportion::largest_remainder;
use crate::model::snapshot::ValueTable;

/// How far an old unit's shares may sum from 1.
pub const SHARE_TOLERANCE: f64 = 1e-9;

/// One edge of the crosswalk: the part of an old unit that went into a new unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// Code of the new unit.
    pub new_code: String,
    /// Share of the old unit's people in the new unit, in (0, 1].
    pub share: f64,
    /// True when the old unit went whole into the new unit (share 1, no estimate).
    pub exact: bool,
}

/// Why a crosswalk is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrosswalkError {
    /// An old unit's shares do not sum to 1.
    #[error("{from} → {to}: shares of old unit {code} sum to {sum}, not 1")]
    ShareSum {
        /// Source version.
        from: String,
        /// Target version.
        to: String,
        /// The old unit.
        code: String,
        /// The sum found.
        sum: f64,
    },
    /// A share is not in (0, 1], or an exact part's share is not 1.
    #[error(
        "{from} → {to}: old unit {code} → {new_code}: share {share} (exact = {exact}) is invalid"
    )]
    Share {
        /// Source version.
        from: String,
        /// Target version.
        to: String,
        /// The old unit.
        code: String,
        /// The new unit.
        new_code: String,
        /// The share given.
        share: f64,
        /// The exact flag given.
        exact: bool,
    },
    /// An old unit has no part at all, or the same new unit twice.
    #[error("{from} → {to}: old unit {code} has no part or a repeated new unit")]
    Parts {
        /// Source version.
        from: String,
        /// Target version.
        to: String,
        /// The old unit.
        code: String,
    },
    /// A new unit of the target version receives nothing from any old unit.
    #[error("{from} → {to}: new unit {code} has no predecessor")]
    Orphan {
        /// Source version.
        from: String,
        /// Target version.
        to: String,
        /// The new unit.
        code: String,
    },
}

/// A crosswalk between two boundary versions at one level (communes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Crosswalk {
    /// Source version id (e.g. `vn-2019`).
    pub from: String,
    /// Target version id (e.g. `vn-2025`).
    pub to: String,
    /// Old unit code → its parts, sorted by new code.
    pub rows: BTreeMap<String, Vec<Part>>,
}

/// Counts moved onto the target version, with the units whose values are estimates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Moved {
    /// New unit code → indicator id → count.
    pub values: ValueTable,
    /// New units that received any contribution from a split old unit.
    pub estimated: BTreeSet<String>,
}

impl Crosswalk {
    /// Builds and checks a crosswalk: every old unit's shares are in (0, 1], distinct new units,
    /// exact parts have share 1 and the shares sum to 1 (±1e-9); every code of `new_units`
    /// has a predecessor.
    pub fn new(
        from: &str,
        to: &str,
        mut rows: BTreeMap<String, Vec<Part>>,
        new_units: &BTreeSet<String>,
    ) -> Result<Crosswalk, CrosswalkError> {
        let mut covered = BTreeSet::new();
        for (code, parts) in &mut rows {
            parts.sort_by(|a, b| a.new_code.cmp(&b.new_code));
            let distinct = parts.windows(2).all(|w| w[0].new_code != w[1].new_code);
            if parts.is_empty() || !distinct {
                return Err(CrosswalkError::Parts {
                    from: from.into(),
                    to: to.into(),
                    code: code.clone(),
                });
            }
            for p in parts.iter() {
                let bad_exact = p.exact && (p.share - 1.0).abs() > SHARE_TOLERANCE;
                if !(p.share > 0.0 && p.share <= 1.0 + SHARE_TOLERANCE) || bad_exact {
                    return Err(CrosswalkError::Share {
                        from: from.into(),
                        to: to.into(),
                        code: code.clone(),
                        new_code: p.new_code.clone(),
                        share: p.share,
                        exact: p.exact,
                    });
                }
                covered.insert(p.new_code.clone());
            }
            let sum: f64 = parts.iter().map(|p| p.share).sum();
            if (sum - 1.0).abs() > SHARE_TOLERANCE {
                return Err(CrosswalkError::ShareSum {
                    from: from.into(),
                    to: to.into(),
                    code: code.clone(),
                    sum,
                });
            }
        }
        if let Some(code) = new_units.difference(&covered).next() {
            return Err(CrosswalkError::Orphan {
                from: from.into(),
                to: to.into(),
                code: code.clone(),
            });
        }
        Ok(Crosswalk {
            from: from.into(),
            to: to.into(),
            rows,
        })
    }

    /// The parts of one old unit.
    pub fn parts(&self, old_code: &str) -> Option<&[Part]> {
        self.rows.get(old_code).map(Vec::as_slice)
    }

    /// Predecessors of one new unit: (old code, share of the old unit, exact).
    pub fn predecessors(&self, new_code: &str) -> Vec<(&str, f64, bool)> {
        self.rows
            .iter()
            .flat_map(|(old, parts)| {
                parts
                    .iter()
                    .filter(|p| p.new_code == new_code)
                    .map(move |p| (old.as_str(), p.share, p.exact))
            })
            .collect()
    }

    /// The integer part of `total` (a count of old unit `old_code`) that [`Crosswalk::apply`]
    /// moves into `new_code`: lets one unit's harmonised series be read from its predecessors'
    /// series without moving whole periods. `None` when `old_code` does not feed `new_code`.
    pub fn contribution(&self, old_code: &str, new_code: &str, total: i64) -> Option<i64> {
        let parts = self.rows.get(old_code)?;
        let at = parts.iter().position(|p| p.new_code == new_code)?;
        let shares: Vec<f64> = parts.iter().map(|p| p.share).collect();
        let count = largest_remainder(total, &shares)[at];
        Some(if total < 0 { -count } else { count })
    }

    /// Number of old units.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the crosswalk has no old unit.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Moves the counts of `indicators` of the old units in `old` (codes absent from the
    /// crosswalk, e.g. provinces, are skipped) onto the new units: each old count is split by
    /// largest remainder over its parts, so it is conserved exactly.
    pub fn apply(&self, old: &ValueTable, indicators: &[&str]) -> Moved {
        let ids: Vec<String> = indicators.iter().map(|s| s.to_string()).collect();
        let mut out = Moved::default();
        for (code, parts) in &self.rows {
            let Some(row) = old.get(code) else { continue };
            let shares: Vec<f64> = parts.iter().map(|p| p.share).collect();
            // Each count split on its own (negative totals, none in the catalog today, keep
            // their sign), then the age groups fitted under the sexes' split.
            let mut splits: Vec<Option<Vec<i64>>> = indicators
                .iter()
                .map(|ind| {
                    let total = *row.get(*ind)?;
                    let counts = largest_remainder(total, &shares);
                    Some(if total < 0 {
                        counts.into_iter().map(|c| -c).collect()
                    } else {
                        counts
                    })
                })
                .collect();
            crate::model::ageparts::fit_ages(&ids, &mut splits, parts.len());
            let mut contributed = false;
            for (indicator, split) in indicators.iter().zip(splits) {
                let Some(counts) = split else { continue };
                contributed = true;
                for (part, count) in parts.iter().zip(counts) {
                    *out.values
                        .entry(part.new_code.clone())
                        .or_default()
                        .entry((*indicator).to_owned())
                        .or_default() += count;
                }
            }
            if contributed {
                for p in parts.iter().filter(|p| !p.exact) {
                    out.estimated.insert(p.new_code.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(code: &str, share: f64, exact: bool) -> Part {
        Part {
            new_code: code.into(),
            share,
            exact,
        }
    }

    fn sample() -> Crosswalk {
        let mut rows = BTreeMap::new();
        rows.insert("a".into(), vec![part("X", 1.0, true)]);
        rows.insert("b".into(), vec![part("X", 1.0, true)]);
        rows.insert(
            "c".into(),
            vec![part("Y", 1.0 / 3.0, false), part("Z", 2.0 / 3.0, false)],
        );
        let new = ["X", "Y", "Z"].iter().map(|s| s.to_string()).collect();
        Crosswalk::new("v1", "v2", rows, &new).unwrap()
    }

    #[test]
    fn apply_conserves_every_old_count_exactly() {
        let cw = sample();
        let mut old = ValueTable::new();
        for (code, v) in [("a", 10), ("b", 7), ("c", 100), ("P", 999)] {
            old.entry(code.into()).or_default().insert("pop".into(), v);
        }
        let moved = cw.apply(&old, &["pop"]);
        let get = |c: &str| moved.values[c]["pop"];
        assert_eq!(get("X"), 17);
        assert_eq!(get("Y") + get("Z"), 100);
        assert_eq!(get("Y"), 33);
        assert_eq!(moved.values.len(), 3, "province P is not in the crosswalk");
        let estimated: Vec<&str> = moved.estimated.iter().map(String::as_str).collect();
        assert_eq!(estimated, ["Y", "Z"]);
    }

    #[test]
    fn contributions_add_up_to_what_apply_moves() {
        let cw = sample();
        let mut old = ValueTable::new();
        for (code, v) in [("a", 10), ("b", 7), ("c", 101)] {
            old.entry(code.into()).or_default().insert("pop".into(), v);
        }
        let moved = cw.apply(&old, &["pop"]);
        for new in ["X", "Y", "Z"] {
            let sum: i64 = cw
                .predecessors(new)
                .iter()
                .map(|(o, _, _)| cw.contribution(o, new, old[*o]["pop"]).unwrap())
                .sum();
            assert_eq!(sum, moved.values[new]["pop"], "{new}");
        }
        assert_eq!(cw.contribution("a", "Y", 10), None);
    }

    #[test]
    fn predecessors_list_old_units_with_shares() {
        let cw = sample();
        assert_eq!(cw.predecessors("X"), [("a", 1.0, true), ("b", 1.0, true)]);
        assert_eq!(cw.predecessors("Z"), [("c", 2.0 / 3.0, false)]);
    }

    #[test]
    fn shares_must_sum_to_one_and_new_units_need_a_predecessor() {
        let new: BTreeSet<String> = ["X".to_string()].into();
        let mut rows = BTreeMap::new();
        rows.insert("a".into(), vec![part("X", 0.9, false)]);
        let err = Crosswalk::new("v1", "v2", rows, &new).unwrap_err();
        assert!(matches!(err, CrosswalkError::ShareSum { ref code, .. } if code == "a"));

        let mut rows = BTreeMap::new();
        rows.insert("a".into(), vec![part("X", 1.0, true)]);
        let new2: BTreeSet<String> = ["X".to_string(), "W".to_string()].into();
        let err = Crosswalk::new("v1", "v2", rows.clone(), &new2).unwrap_err();
        assert!(matches!(err, CrosswalkError::Orphan { ref code, .. } if code == "W"));

        rows.insert("b".into(), vec![part("X", 0.5, true), part("X", 0.5, true)]);
        let err = Crosswalk::new("v1", "v2", rows, &new).unwrap_err();
        assert!(matches!(err, CrosswalkError::Parts { ref code, .. } if code == "b"));
    }
}
