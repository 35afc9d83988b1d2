//! Aggregation of base counts, up the hierarchy of a boundary version and over time.
//!
//! Only base counts are summed; derived indicators are never stored and are recomputed from the
//! sums with [`geodata::DerivedIndicator::evaluate`].

use std::collections::BTreeMap;

use geodata::ValueTable;
use geodata::{Catalog, Period};

/// Why values of several months cannot be aggregated into a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AggregateError {
    /// The target is a month: there is nothing to aggregate.
    #[error("{0} is a month: aggregation builds quarters and years from published months")]
    TargetIsMonth(Period),
    /// An input is not a month of the target.
    #[error("{input} is not a month of {target}")]
    NotAMonthOf {
        /// The target period.
        target: Period,
        /// The stray input.
        input: Period,
    },
    /// Some months of the target have not been published.
    #[error("cannot aggregate {target}: month(s) {} not published", list(.missing))]
    MissingMonths {
        /// The target period.
        target: Period,
        /// Months without a snapshot.
        missing: Vec<Period>,
    },
    /// The months are on different boundary versions.
    #[error(
        "cannot aggregate {target}: its months span {from} and {to}; needs the crosswalk between {from} and {to} (not built yet)"
    )]
    MixedVersions {
        /// The target period.
        target: Period,
        /// Version of the earlier months.
        from: String,
        /// Version of the later months.
        to: String,
    },
}

fn list(p: &[Period]) -> String {
    p.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The published values of one month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthValues {
    /// The month.
    pub period: Period,
    /// Boundary version the values are on.
    pub version: String,
    /// unit → indicator → count.
    pub values: ValueTable,
}

/// Aggregates months into `target` (a quarter or a year): flows are summed over the months,
/// stocks are taken from the last month. Every month must be present and on the same version.
/// A flow is only produced for a unit that has it in every month (a partial sum would be an
/// undercount).
pub fn aggregate_period(
    target: Period,
    months: &[MonthValues],
    catalog: &Catalog,
) -> Result<ValueTable, AggregateError> {
    if target.months().len() == 1 {
        return Err(AggregateError::TargetIsMonth(target));
    }
    let mut by_month: BTreeMap<Period, &MonthValues> = BTreeMap::new();
    for m in months {
        if m.period.months().len() != 1 || !target.contains(m.period) {
            return Err(AggregateError::NotAMonthOf {
                target,
                input: m.period,
            });
        }
        by_month.insert(m.period, m);
    }
    let wanted = target.months();
    let missing: Vec<Period> = wanted
        .iter()
        .filter(|p| !by_month.contains_key(p))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(AggregateError::MissingMonths { target, missing });
    }
    let ordered: Vec<&MonthValues> = wanted.iter().map(|p| by_month[p]).collect();
    if let Some(other) = ordered.iter().find(|m| m.version != ordered[0].version) {
        return Err(AggregateError::MixedVersions {
            target,
            from: ordered[0].version.clone(),
            to: other.version.clone(),
        });
    }
    let tables: Vec<&ValueTable> = ordered.iter().map(|m| &m.values).collect();
    Ok(geodata::combine_over_time(catalog, &tables))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geodata::{Hierarchy, Level, UnitInfo, to_table};

    fn unit(code: &str, level: Level, parent: Option<&str>) -> UnitInfo {
        UnitInfo {
            code: code.into(),
            name: code.into(),
            level,
            parent_code: parent.map(Into::into),
            area_km2: 1.0,
        }
    }

    fn table(rows: &[(&str, &str, i64)]) -> ValueTable {
        let mut t = ValueTable::new();
        for (c, i, v) in rows {
            t.entry(c.to_string())
                .or_default()
                .insert(i.to_string(), *v);
        }
        t
    }

    #[test]
    fn sums_up_from_lowest_reported_level() {
        // vn-2019 shape: province 01 > districts 001, 002 > communes
        let h = Hierarchy::new(&[
            unit("01", Level::Province, None),
            unit("001", Level::District, Some("01")),
            unit("002", Level::District, Some("01")),
            unit("00001", Level::Commune, Some("001")),
            unit("00004", Level::Commune, Some("001")),
            unit("00007", Level::Commune, Some("002")),
        ]);
        // communes of 001 report; district 002 reports only its own total; province reports a
        // total that must be replaced by the sum.
        let rep = table(&[
            ("00001", "population", 100),
            ("00004", "population", 250),
            ("002", "population", 40),
            ("01", "population", 999),
            ("01", "households", 77),
        ]);
        let rows = h.aggregate(&rep, &["population", "households"]);
        let t = to_table(&rows);
        assert_eq!(t["001"]["population"], 350);
        assert_eq!(t["002"]["population"], 40);
        assert_eq!(t["01"]["population"], 390);
        assert_eq!(t["01"]["households"], 77);
        assert!(!t.contains_key("00007"));
        let flag = |c: &str, i: &str| {
            rows.iter()
                .find(|r| r.unit_code == c && r.indicator == i)
                .unwrap()
                .reported
        };
        assert!(flag("00001", "population"));
        assert!(flag("002", "population"));
        assert!(!flag("01", "population"));
        assert!(flag("01", "households"));
        assert_eq!(h.totals(&t)["population"], 390);
        assert_eq!(h.roots(), ["01"]);
    }

    fn month(p: &str, v: &str, rows: &[(&str, &str, i64)]) -> MonthValues {
        MonthValues {
            period: p.parse().unwrap(),
            version: v.into(),
            values: table(rows),
        }
    }

    #[test]
    fn quarter_sums_flows_and_takes_stocks_at_end() {
        let c = Catalog::builtin();
        let q: Period = "2025-Q3".parse().unwrap();
        let ms = [
            month(
                "2025-09",
                "vn-2025",
                &[
                    ("00004", "population", 1030),
                    ("00004", "births", 3),
                    ("00007", "births", 1),
                ],
            ),
            month(
                "2025-07",
                "vn-2025",
                &[
                    ("00004", "population", 1000),
                    ("00004", "births", 5),
                    ("00007", "births", 2),
                ],
            ),
            month(
                "2025-08",
                "vn-2025",
                &[("00004", "population", 1010), ("00004", "births", 4)],
            ),
        ];
        let t = aggregate_period(q, &ms, &c).unwrap();
        assert_eq!(t["00004"]["population"], 1030);
        assert_eq!(t["00004"]["births"], 12);
        // 00007 misses births in August: no partial sum
        assert!(!t.contains_key("00007"));
        let err = aggregate_period(q, &ms[..2], &c).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot aggregate 2025-Q3: month(s) 2025-08 not published"
        );
        let err = aggregate_period("2025-07".parse().unwrap(), &ms, &c).unwrap_err();
        assert_eq!(
            err.to_string(),
            "2025-07 is a month: aggregation builds quarters and years from published months"
        );
    }

    #[test]
    fn year_across_versions_needs_crosswalk() {
        let c = Catalog::builtin();
        let y: Period = "2025".parse().unwrap();
        let ms: Vec<MonthValues> = (1..=12)
            .map(|m| {
                let v = if m < 7 { "vn-2019" } else { "vn-2025" };
                month(&format!("2025-{m:02}"), v, &[("00004", "births", 1)])
            })
            .collect();
        assert_eq!(
            aggregate_period(y, &ms, &c).unwrap_err().to_string(),
            "cannot aggregate 2025: its months span vn-2019 and vn-2025; needs the crosswalk between vn-2019 and vn-2025 (not built yet)"
        );
    }
}
