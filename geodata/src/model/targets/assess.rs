//! A unit against a target: where it is now (with the interval of a value from counts), where it
//! is heading by the target's year (a projection if one is published, else a clear trend, else
//! the value now), and a status that never turns noise into a finding: when the interval of the
//! value now straddles the target, the status is `uncertain`, whatever the trend says.

use serde::Serialize;

use super::Target;
use super::interval::Interval;
use super::trend::Trend;

/// How a unit stands against a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The estimate for the target year meets the target.
    OnTrack,
    /// The estimate for the target year misses it.
    OffTrack,
    /// The value now is too noisy to tell on which side of the target it is.
    Uncertain,
    /// No value to judge.
    NoData,
    /// A modelled value (the projection's fit: TFR, life expectancy), which has no interval to
    /// judge it by, so it is shown as an estimate and never put on or off track.
    NotJudged,
}

/// Where the estimate for the target year comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A published projection's value for the target year.
    Projection,
    /// A straight line through the unit's values, carried to the target year.
    Trend,
    /// The value now, held (no projection, and no trend told apart from no change).
    Latest,
    /// A modelled target's value: the projection run's fitted estimate, not a reported figure.
    Modelled,
}

/// The value now, as observed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observed {
    /// The value.
    pub value: f64,
    /// When (years, fractional: the middle of the period it covers).
    pub t: f64,
    /// Its 95 % interval, for a value from counts.
    pub interval: Option<Interval>,
}

/// The verdict for one unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Assessment {
    /// The status.
    pub status: Status,
    /// Whether the value now meets the target.
    pub meets_now: Option<bool>,
    /// The estimate for the target year.
    pub estimate: Option<f64>,
    /// Where the estimate comes from.
    pub method: Option<Method>,
}

/// Judges `now` against `target`, heading by `projection` (the value for the target year, if
/// published) or `trend`.
pub fn assess(
    target: &Target,
    now: Option<Observed>,
    trend: Option<&Trend>,
    projection: Option<f64>,
) -> Assessment {
    let Some(now) = now else {
        return Assessment {
            status: Status::NoData,
            meets_now: None,
            estimate: projection,
            method: projection.map(|_| Method::Projection),
        };
    };
    let year_end = f64::from(target.year) + 1.0;
    let (estimate, method) = match (projection, trend) {
        (Some(p), _) => (p, Method::Projection),
        (None, Some(tr)) if tr.is_clear() => (tr.at(year_end), Method::Trend),
        _ => (now.value, Method::Latest),
    };
    let straddles = now
        .interval
        .is_some_and(|i| bounds(target).iter().any(|b| i.contains(*b)));
    let status = if straddles {
        Status::Uncertain
    } else if target.met_by(estimate) {
        Status::OnTrack
    } else {
        Status::OffTrack
    };
    Assessment {
        status,
        meets_now: Some(target.met_by(now.value)),
        estimate: Some(estimate),
        method: Some(method),
    }
}

/// The values where meeting the target changes: the value, or both ends of an `about` band.
fn bounds(target: &Target) -> Vec<f64> {
    match target.tolerance {
        Some(t) => vec![target.value - t, target.value + t],
        None => vec![target.value],
    }
}

#[cfg(test)]
mod tests {
    use super::super::trend::Point;
    use super::*;
    use crate::model::targets::{Comparison, Scope};

    fn srb() -> Target {
        Target {
            id: "srb_2030".into(),
            indicator: Some("srb".into()),
            comparison: Comparison::Below,
            value: 109.0,
            tolerance: None,
            year: 2030,
            interval: None,
            scope: Scope::National,
            unit: None,
            version: None,
            text_vi: "x".into(),
            text_en: "x".into(),
            unmeasured_vi: None,
            unmeasured_en: None,
            modelled: None,
            source_vi: None,
            source_en: None,
        }
    }

    fn now(value: f64, low: f64, high: f64) -> Option<Observed> {
        Some(Observed {
            value,
            t: 2026.5,
            interval: Some(Interval { low, high }),
        })
    }

    #[test]
    fn a_noisy_value_across_the_target_is_uncertain_whatever_the_trend() {
        let tr = Trend::fit(&[
            Point {
                t: 2024.5,
                value: 120.0,
                variance: None,
            },
            Point {
                t: 2026.5,
                value: 110.0,
                variance: None,
            },
        ])
        .unwrap();
        let a = assess(&srb(), now(110.0, 100.0, 121.0), Some(&tr), None);
        assert_eq!(a.status, Status::Uncertain);
        assert_eq!(a.meets_now, Some(false));
    }

    #[test]
    fn a_clear_value_is_judged_by_its_heading() {
        // Holding at 111.5 ± 0.5 misses; a projection of 107 for 2030 is on track.
        let held = assess(&srb(), now(111.5, 111.0, 112.0), None, None);
        assert_eq!(
            (held.status, held.method),
            (Status::OffTrack, Some(Method::Latest))
        );
        let projected = assess(&srb(), now(111.5, 111.0, 112.0), None, Some(107.0));
        assert_eq!(
            (projected.status, projected.method),
            (Status::OnTrack, Some(Method::Projection))
        );
    }

    #[test]
    fn a_trend_counts_only_when_it_is_clear() {
        let points = |var| {
            [2024.5, 2025.5, 2026.5]
                .iter()
                .zip([114.0, 112.5, 111.0])
                .map(|(&t, v)| Point {
                    t,
                    value: v,
                    variance: var,
                })
                .collect::<Vec<_>>()
        };
        let clear = Trend::fit(&points(Some(0.01))).unwrap();
        let a = assess(&srb(), now(111.0, 110.8, 111.2), Some(&clear), None);
        // −1.5 a year from 111.0 at mid-2026 gives 104.25 at the end of 2030.
        assert_eq!((a.status, a.method), (Status::OnTrack, Some(Method::Trend)));
        assert!((a.estimate.unwrap() - 104.25).abs() < 1e-9);
        let noisy = Trend::fit(&points(Some(25.0))).unwrap();
        let b = assess(&srb(), now(111.0, 110.8, 111.2), Some(&noisy), None);
        assert_eq!(
            (b.status, b.method),
            (Status::OffTrack, Some(Method::Latest))
        );
    }

    #[test]
    fn no_value_is_no_data() {
        assert_eq!(assess(&srb(), None, None, None).status, Status::NoData);
    }
}
