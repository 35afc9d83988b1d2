//! Classes of a change map: symmetric around zero, with a neutral middle class `[−n, n)` whose
//! `n` is a stated, rounded threshold (a small quantile of the size of the changes), and the
//! same rounded thresholds on both sides, taken from the sizes of the changes beyond `n`.
//! A diverging palette then follows the sign of the data: a rise and a fall of the same size
//! get the same depth of colour on opposite sides.

use crate::readmodel::breaks::{human_round, nice};
use crate::readmodel::classes::{Method, thresholds};

/// The share of the units whose change counts as small: `n` is about this quantile of |change|.
pub const NEUTRAL_QUANTILE: f64 = 0.2;

/// Symmetric change classes.
#[derive(Debug, Clone, PartialEq)]
pub struct Diverging {
    /// The neutral band's half-width `n` (the band is `[−n, n)`), 0 when nothing changed.
    pub neutral: f64,
    /// The `step` thresholds, strictly increasing and symmetric: `[−aₘ … −a₁, −n, n, a₁ … aₘ]`.
    pub thresholds: Vec<f64>,
}

/// Symmetric classes for `changes` (finite values, any order) with `side` classes on each side
/// of the neutral one (so `2 × side + 1` classes when the data allows).
pub fn diverging(changes: &[f64], side: usize) -> Diverging {
    let mut size: Vec<f64> = changes
        .iter()
        .filter(|v| v.is_finite())
        .map(|v| v.abs())
        .collect();
    size.sort_by(f64::total_cmp);
    let Some(&largest) = size.last() else {
        return Diverging {
            neutral: 0.0,
            thresholds: Vec::new(),
        };
    };
    if largest == 0.0 {
        return Diverging {
            neutral: 0.0,
            thresholds: Vec::new(),
        };
    }
    let q = size[((size.len() as f64 * NEUTRAL_QUANTILE) as usize).min(size.len() - 1)];
    // The smallest non-zero size stands in when most units did not change at all.
    let q = if q > 0.0 {
        q
    } else {
        size.iter().copied().find(|v| *v > 0.0).unwrap_or(largest)
    };
    let mut n = nice(q, 0.25 * q);
    if n <= 0.0 {
        n = q;
    }
    let beyond: Vec<f64> = size.iter().copied().filter(|v| *v >= n).collect();
    let raw = thresholds(Method::Quantile, &beyond, side, &[]);
    let outer: Vec<f64> = human_round(&raw, n, largest, 0.25)
        .into_iter()
        .filter(|a| *a > n)
        .collect();
    let mut t: Vec<f64> = outer.iter().rev().map(|a| -a).collect();
    t.push(-n);
    t.push(n);
    t.extend(outer);
    Diverging {
        neutral: n,
        thresholds: t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readmodel::breaks::class_counts;

    #[test]
    fn classes_are_symmetric_with_a_real_neutral_band() {
        // Mostly rises of 0–10 %, a few falls.
        let changes: Vec<f64> = (0..1000)
            .map(|i| {
                let x = f64::from(i) / 100.0;
                if i % 10 == 0 { -x / 2.0 } else { x }
            })
            .collect();
        let d = diverging(&changes, 3);
        let t = &d.thresholds;
        assert_eq!(t.len(), 6, "{t:?}");
        for i in 0..t.len() {
            assert_eq!(t[i], -t[t.len() - 1 - i], "{t:?}");
        }
        assert!(d.neutral > 0.0);
        assert_eq!(d.neutral, 2.0, "{t:?}");
        let c = class_counts(&changes, t);
        // The neutral class holds about a fifth, no class more than 40 %.
        assert!(c[3] <= 300, "{c:?}");
        assert!(c.iter().all(|x| *x <= 400), "{c:?}");
    }

    #[test]
    fn nothing_changed_gives_one_class() {
        assert!(diverging(&[0.0, 0.0], 3).thresholds.is_empty());
        assert!(diverging(&[], 3).thresholds.is_empty());
        // Most units unchanged: the band is the smallest real change.
        let d = diverging(&[0.0, 0.0, 0.0, 0.0, 5.0, -5.0], 2);
        assert_eq!(d.neutral, 5.0);
        assert_eq!(d.thresholds, vec![-5.0, 5.0]);
    }
}
