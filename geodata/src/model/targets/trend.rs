//! A straight-line trend through a unit's values over time, to carry it to a target's year.
//!
//! Values from counts have a known sampling variance (from their interval), so the line is a
//! weighted least-squares fit with weights 1 / variance and the slope's standard error follows
//! from the weights alone (valid from two points); values without one (a population count) are
//! fitted by ordinary least squares and taken as exact. Textbook regression, written here
//! because it is a dozen lines and no crate we use offers weighted fits with known variances.

use serde::Serialize;

/// A fitted line `value = level + slope × (t − centre)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Trend {
    /// The weighted mean time of the points (years, fractional).
    pub centre: f64,
    /// The fitted value at `centre`.
    pub level: f64,
    /// Change per year.
    pub slope: f64,
    /// The slope's standard error; `None` when the points carry no variance (taken as exact).
    pub slope_se: Option<f64>,
    /// How many points were fitted.
    pub points: usize,
    /// The first and last time fitted.
    pub span: (f64, f64),
}

/// One observation: the time in years (e.g. 2025.5 for mid-2025), the value, and its sampling
/// variance if known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Time, in years.
    pub t: f64,
    /// The value.
    pub value: f64,
    /// Its sampling variance, if known.
    pub variance: Option<f64>,
}

impl Trend {
    /// Fits the line; `None` with fewer than two distinct times or a zero weight.
    pub fn fit(points: &[Point]) -> Option<Trend> {
        let known = points.iter().all(|p| p.variance.is_some_and(|v| v > 0.0));
        let weight = |p: &Point| {
            if known {
                1.0 / p.variance.unwrap_or(1.0)
            } else {
                1.0
            }
        };
        let sw: f64 = points.iter().map(weight).sum();
        if points.len() < 2 || sw <= 0.0 || !sw.is_finite() {
            return None;
        }
        let centre = points.iter().map(|p| weight(p) * p.t).sum::<f64>() / sw;
        let level = points.iter().map(|p| weight(p) * p.value).sum::<f64>() / sw;
        let sxx: f64 = points
            .iter()
            .map(|p| weight(p) * (p.t - centre).powi(2))
            .sum();
        if sxx <= 1e-12 {
            return None;
        }
        let sxy: f64 = points
            .iter()
            .map(|p| weight(p) * (p.t - centre) * (p.value - level))
            .sum();
        let (first, last) = points
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.t), b.max(p.t)));
        Some(Trend {
            centre,
            level,
            slope: sxy / sxx,
            slope_se: known.then(|| (1.0 / sxx).sqrt()),
            points: points.len(),
            span: (first, last),
        })
    }

    /// The line's value at time `t`.
    pub fn at(&self, t: f64) -> f64 {
        self.level + self.slope * (t - self.centre)
    }

    /// Whether the slope is told apart from no change (|slope| > 2 standard errors); a fit
    /// without variances is exact, so any non-zero slope counts.
    pub fn is_clear(&self) -> bool {
        match self.slope_se {
            Some(se) => self.slope.abs() > 2.0 * se,
            None => self.slope != 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(t: f64, value: f64, variance: Option<f64>) -> Point {
        Point { t, value, variance }
    }

    #[test]
    fn an_exact_line_is_recovered() {
        let tr = Trend::fit(&[
            pt(2024.0, 100.0, None),
            pt(2025.0, 102.0, None),
            pt(2026.0, 104.0, None),
        ])
        .unwrap();
        assert!((tr.slope - 2.0).abs() < 1e-12 && (tr.at(2030.0) - 112.0).abs() < 1e-9);
        assert!(tr.is_clear() && tr.slope_se.is_none() && tr.points == 3);
    }

    #[test]
    fn weights_follow_the_variances() {
        // The precise point pulls the level; the slope's error comes from the weights alone:
        // two points 1 year apart with variances 1 and 4 give se = sqrt(1 + 4) = sqrt(5).
        let tr = Trend::fit(&[pt(0.0, 10.0, Some(1.0)), pt(1.0, 12.0, Some(4.0))]).unwrap();
        assert!((tr.slope - 2.0).abs() < 1e-12);
        assert!((tr.slope_se.unwrap() - 5f64.sqrt()).abs() < 1e-12);
        assert!(!tr.is_clear(), "2 ± 2.24 a year is not a trend");
    }

    #[test]
    fn one_time_is_no_trend() {
        assert_eq!(Trend::fit(&[pt(2025.0, 1.0, None)]), None);
        assert_eq!(
            Trend::fit(&[pt(2025.0, 1.0, None), pt(2025.0, 2.0, None)]),
            None
        );
    }
}
