//! Judging one unit against a target: its value now (the newest twelve months of a flow, the
//! newest quarter with the counts of a stock), the value's interval, its trend or projection to
//! the target year, and its status.

use std::collections::BTreeMap;

use geodata::{Assessment, Catalog, Observed, Period, Point, Snapshot, Target, Trend, ValueTable};

use super::{Standing, round, word};
use crate::routes::api::indicators::value_of;

/// Judges one unit's rows against the target.
pub(super) struct Judge<'a> {
    /// The catalog the indicator is read from.
    pub(super) catalog: &'a Catalog,
    /// The target.
    pub(super) target: &'a Target,
    /// The version's quarters, oldest first.
    pub(super) quarters: &'a [&'a Snapshot],
    /// Each quarter's values at the level, in the same order.
    pub(super) rows: &'a [ValueTable],
}

impl Judge<'_> {
    fn indicator(&self) -> Option<&str> {
        self.target.indicator.as_deref()
    }

    /// Whether the indicator reads a flow (then "now" is the newest twelve months).
    fn reads_flows(&self) -> bool {
        let Some(i) = self.indicator() else {
            return false;
        };
        let flow = |id: &str| {
            self.catalog
                .base(id)
                .is_some_and(|b| b.kind == geodata::Kind::Flow)
        };
        match self.catalog.derived(i) {
            Some(d) => d.inputs().any(flow),
            None => flow(i),
        }
    }

    pub(super) fn value(
        &self,
        row: Option<&BTreeMap<String, i64>>,
        area: f64,
        months: u32,
    ) -> Option<f64> {
        value_of(self.catalog, self.indicator()?, row, area, months).and_then(|v| v.as_f64())
    }

    fn interval(&self, row: Option<&BTreeMap<String, i64>>) -> Option<geodata::Interval> {
        self.target.interval?;
        let d = self.catalog.derived(self.indicator()?)?;
        let count = |t: &str| row?.get(t).map(|v| *v as f64);
        geodata::ratio_interval(count(&d.numerator[0])?, count(&d.denominator[0])?, d.scale)
    }

    /// The quarters "now" covers: the newest four for flows, else the newest with a value.
    pub(super) fn now_span(&self) -> Option<(Period, Period)> {
        let n = self.quarters.len();
        if n == 0 {
            return None;
        }
        if self.reads_flows() {
            let first = n.saturating_sub(4);
            return Some((self.quarters[first].period, self.quarters[n - 1].period));
        }
        let newest = (0..n).rev().find(|&i| {
            self.rows[i]
                .values()
                .any(|r| self.value(Some(r), 1.0, 3).is_some())
        })?;
        Some((self.quarters[newest].period, self.quarters[newest].period))
    }

    fn now(&self, code: &str, area: f64) -> Option<Observed> {
        let n = self.quarters.len();
        if n == 0 {
            return None;
        }
        if self.reads_flows() {
            let first = n.saturating_sub(4);
            let mine: Vec<ValueTable> = self.rows[first..]
                .iter()
                .map(|t| {
                    t.get(code)
                        .map(|r| ValueTable::from([(code.to_string(), r.clone())]))
                })
                .collect::<Option<_>>()?;
            let refs: Vec<&ValueTable> = mine.iter().collect();
            let combined = geodata::combine_over_time(self.catalog, &refs);
            let months = 3 * (n - first) as u32;
            let row = combined.get(code);
            let end = years(self.quarters[n - 1].period);
            return Some(Observed {
                value: self.value(row, area, months)?,
                t: end - f64::from(months) / 24.0,
                interval: self.interval(row),
            });
        }
        (0..n).rev().find_map(|i| {
            let row = self.rows[i].get(code);
            Some(Observed {
                value: self.value(row, area, 3)?,
                t: years(self.quarters[i].period),
                interval: self.interval(row),
            })
        })
    }

    fn trend(&self, code: &str, area: f64) -> Option<Trend> {
        let flows = self.reads_flows();
        let points: Vec<Point> = self
            .quarters
            .iter()
            .zip(self.rows)
            .filter_map(|(q, t)| {
                let row = t.get(code);
                let end = years(q.period);
                Some(Point {
                    t: if flows { end - 0.125 } else { end },
                    value: self.value(row, area, 3)?,
                    variance: self
                        .interval(row)
                        .map(|i| ((i.high - i.low) / (2.0 * geodata::Z95)).powi(2)),
                })
            })
            .collect();
        Trend::fit(&points)
    }

    pub(super) fn standing(
        &self,
        code: &str,
        name: String,
        area: f64,
        projection: Option<f64>,
    ) -> Standing {
        let now = self.now(code, area);
        let trend = self.trend(code, area);
        let a: Assessment = geodata::assess(self.target, now, trend.as_ref(), projection);
        Standing {
            code: code.to_string(),
            name,
            value: now.map(|o| o.value),
            low: now.and_then(|o| o.interval).map(|i| round(i.low)),
            high: now.and_then(|o| o.interval).map(|i| round(i.high)),
            meets_now: a.meets_now,
            estimate: a.estimate.map(round),
            method: a.method.map(|m| word(&m)),
            status: word(&a.status),
            trend_per_year: trend.map(|t| round(t.slope)),
            trend_se: trend.and_then(|t| t.slope_se).map(round),
            trend_points: trend.map_or(0, |t| t.points),
        }
    }
}

/// The end of a period in fractional years (2026-Q3 → 2026.75).
fn years(p: Period) -> f64 {
    use chrono::Datelike;
    let end = p.end();
    f64::from(end.year()) + f64::from(end.ordinal()) / if end.leap_year() { 366.0 } else { 365.0 }
}
