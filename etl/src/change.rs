//! Abnormal change against the previous period: a robust outlier rule on relative changes.
//!
//! For each (level, indicator), the relative change `r_u = (new − old) / old` of every unit with
//! a previous value above zero is compared with the median of all units' changes. A unit is
//! flagged when its change is both large in itself and far from what everyone else did, so a
//! real nationwide shift (a census rebase, a season) does not flag every unit.

use std::collections::HashMap;

use geodata::ValueTable;
use geodata::{Level, Period};

use crate::report::Issue;
use geodata::Hierarchy;

/// The thresholds of the change rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangeRule {
    /// Flag only changes larger than this fraction in absolute value (0.20 = 20 %).
    pub min_abs_change: f64,
    /// …and further than this many robust standard deviations from the median change.
    pub mad_multiplier: f64,
    /// MAD × this = a robust standard deviation for normal data.
    pub mad_to_sigma: f64,
}

/// The defaults: |r| > 20 % and |r − median(r)| > 5 × 1.4826 × MAD(r).
pub const DEFAULT_CHANGE_RULE: ChangeRule = ChangeRule {
    min_abs_change: 0.20,
    mad_multiplier: 5.0,
    mad_to_sigma: 1.4826,
};

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Flags abnormal changes of the `reported` (unit, indicator) pairs of `current` against
/// `previous` (values of `previous_period`). Returns warnings located with `line_of`.
pub fn check_change(
    file: &str,
    current: &ValueTable,
    previous: &ValueTable,
    previous_period: Period,
    units: &Hierarchy,
    rule: ChangeRule,
    line_of: impl Fn(&str, &str) -> Option<u64>,
) -> Vec<Issue> {
    // (level, indicator) → [(code, old, new, r)]
    type Changes<'a> = Vec<(&'a str, i64, i64, f64)>;
    // Hashed while filling (one entry per unit and count: ~540,000 with the age groups), then
    // ordered by level and indicator so the warnings come in a stable order.
    let mut groups: HashMap<(Level, &str), Changes<'_>> = HashMap::new();
    for (code, vals) in current {
        let (Some(unit), Some(before)) = (units.unit(code), previous.get(code)) else {
            continue;
        };
        for (ind, new) in vals {
            if let Some(old) = before.get(ind)
                && *old > 0
            {
                let r = (*new - *old) as f64 / *old as f64;
                groups.entry((unit.level, ind.as_str())).or_default().push((
                    code.as_str(),
                    *old,
                    *new,
                    r,
                ));
            }
        }
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    for ((level, ind), changes) in groups {
        let mut rs: Vec<f64> = changes.iter().map(|c| c.3).collect();
        let med = median(&mut rs);
        let mut dev: Vec<f64> = rs.iter().map(|r| (r - med).abs()).collect();
        let mad = median(&mut dev);
        let limit = rule.mad_multiplier * rule.mad_to_sigma * mad;
        for (code, old, new, r) in changes {
            if r.abs() > rule.min_abs_change && (r - med).abs() > limit {
                let Some(line) = line_of(code, ind) else {
                    continue;
                };
                out.push(
                    Issue::file(
                        "abnormal_change",
                        file,
                        format!(
                            "{ind} changed by {:+.1}% since {previous_period} ({old} → {new}); the median change of {level} units is {:+.1}%",
                            r * 100.0,
                            med * 100.0
                        ),
                    )
                    .at(line)
                    .col(ind)
                    .unit(code),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geodata::UnitInfo;

    #[test]
    fn flags_only_outliers_of_a_robust_spread() {
        let units: Vec<UnitInfo> = (0..10)
            .map(|i| UnitInfo {
                code: format!("0000{i}"),
                name: String::new(),
                level: Level::Commune,
                parent_code: None,
                area_km2: 1.0,
            })
            .collect();
        let h = Hierarchy::new(&units);
        let mut prev = ValueTable::new();
        let mut cur = ValueTable::new();
        // everyone grows 1-3 %; only 00003 grows 40 %
        for (i, pct) in [1, 2, 3, 40, 2, 1, 3, 2, 1, 2].iter().enumerate() {
            let code = format!("0000{i}");
            prev.insert(code.clone(), [("population".to_string(), 1000)].into());
            cur.insert(code, [("population".to_string(), 1000 + 10 * pct)].into());
        }
        let w = check_change(
            "t.csv",
            &cur,
            &prev,
            "2025-Q2".parse().unwrap(),
            &h,
            DEFAULT_CHANGE_RULE,
            |_, _| Some(7),
        );
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].code.as_deref(), Some("00003"));
        assert_eq!(
            w[0].message,
            "population changed by +40.0% since 2025-Q2 (1000 → 1400); the median change of commune units is +2.0%"
        );
        // a nationwide +40 % shift flags nobody
        for v in cur.values_mut() {
            *v.get_mut("population").unwrap() = 1400;
        }
        assert!(
            check_change(
                "t.csv",
                &cur,
                &prev,
                "2025-Q2".parse().unwrap(),
                &h,
                DEFAULT_CHANGE_RULE,
                |_, _| Some(7)
            )
            .is_empty()
        );
    }
}
