//! How sure a value from counts is: the 95 % Wilson score interval of a binomial proportion,
//! and the same interval carried to a ratio of the two parts (the sex ratio at birth: boys per
//! 100 girls is p / (1 − p) × 100 for p the share of boys, a monotone map, so the interval's
//! ends map to the ratio's ends). Written here because it is four lines of textbook algebra
//! (Wilson 1927; Agresti & Coull 1998 on why not the plain normal interval for small counts).

use serde::Serialize;

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A value with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// The lower end.
    pub low: f64,
    /// The upper end.
    pub high: f64,
}

impl Interval {
    /// Whether `x` lies inside (ends included).
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// The Wilson interval of the proportion `part / total`; `None` when `total` is 0.
pub fn share_interval(part: f64, total: f64) -> Option<Interval> {
    if total <= 0.0 || part < 0.0 || part > total {
        return None;
    }
    let p = part / total;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * total)) / (1.0 + z2 / total);
    let half =
        Z95 / (1.0 + z2 / total) * (p * (1.0 - p) / total + z2 / (4.0 * total * total)).sqrt();
    Some(Interval {
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
    })
}

/// The interval of `a / b × scale` where `a` and `b` are the two parts of one binomial total
/// (boys and girls of the births): the Wilson interval of a / (a + b), mapped by p / (1 − p).
/// `None` when either part is 0 (the ratio or its end is not finite).
pub fn ratio_interval(a: f64, b: f64, scale: f64) -> Option<Interval> {
    if a <= 0.0 || b <= 0.0 {
        return None;
    }
    let s = share_interval(a, a + b)?;
    let odds = |p: f64| p / (1.0 - p) * scale;
    (s.high < 1.0).then(|| Interval {
        low: odds(s.low),
        high: odds(s.high),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wilson_interval_matches_a_worked_value() {
        // 81 successes in 263 trials: 0.2553 to 0.3662 (the formula evaluated independently
        // in Python: 0.255289, 0.366210).
        let i = share_interval(81.0, 263.0).unwrap();
        assert!(
            (i.low - 0.2553).abs() < 1e-4 && (i.high - 0.3662).abs() < 1e-4,
            "{i:?}"
        );
    }

    #[test]
    fn two_points_of_srb_need_about_48000_births() {
        // The project's rule of thumb: ±2 points around 111 needs ~48,000 births.
        let boys = 48_000.0 * 111.0 / 211.0;
        let i = ratio_interval(boys, 48_000.0 - boys, 100.0).unwrap();
        let half = (i.high - i.low) / 2.0;
        assert!((1.9..2.1).contains(&half), "{i:?}");
        // A commune's 40 births say almost nothing.
        let small = ratio_interval(21.0, 19.0, 100.0).unwrap();
        assert!(small.low < 70.0 && small.high > 170.0, "{small:?}");
    }

    #[test]
    fn degenerate_counts_have_no_interval() {
        assert_eq!(share_interval(1.0, 0.0), None);
        assert_eq!(ratio_interval(0.0, 10.0, 100.0), None);
        assert_eq!(ratio_interval(10.0, 0.0, 100.0), None);
    }
}
