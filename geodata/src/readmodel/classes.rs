//! Classification of indicator values into map classes: quantiles, equal intervals, natural
//! breaks (Fisher–Jenks, exact, by the ckmeans dynamic programme) and fixed breaks.
//!
//! A classification is a list of `thresholds` t₁ < … < t_{k−1}: a value v is in class
//! `#{i : tᵢ ≤ v}`, exactly what a MapLibre `step` expression computes, so the server's counts
//! and the map's colours always agree.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How class thresholds are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Each class holds about the same number of units.
    Quantile,
    /// Classes of equal width between the minimum and the maximum.
    EqualInterval,
    /// Natural breaks: the partition minimising the within-class sum of squares (Fisher–Jenks).
    Jenks,
    /// Thresholds configured per indicator (e.g. diverging around 100 for the sex ratio).
    Fixed,
}

impl Method {
    /// The URL token of the method.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Quantile => "quantile",
            Method::EqualInterval => "equal_interval",
            Method::Jenks => "jenks",
            Method::Fixed => "fixed",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = String;

    fn from_str(s: &str) -> Result<Method, String> {
        match s {
            "quantile" | "quantiles" => Ok(Method::Quantile),
            "equal_interval" | "equal" => Ok(Method::EqualInterval),
            "jenks" | "natural_breaks" | "ckmeans" => Ok(Method::Jenks),
            "fixed" => Ok(Method::Fixed),
            _ => Err(format!(
                "unknown method '{s}': use quantile, equal_interval, jenks or fixed"
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Method, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Class thresholds for `values` (finite numbers, any order) into at most `k` classes.
/// Thresholds are strictly increasing; fewer than `k − 1` come back when the data has fewer
/// distinct values than classes. `fixed` is used by [`Method::Fixed`] only.
pub fn thresholds(method: Method, values: &[f64], k: usize, fixed: &[f64]) -> Vec<f64> {
    if method == Method::Fixed {
        return fixed.to_vec();
    }
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() || k < 2 {
        return Vec::new();
    }
    let raw = match method {
        Method::Quantile => quantile(&sorted, k),
        Method::EqualInterval => equal_interval(&sorted, k),
        Method::Jenks => jenks(&sorted, k),
        Method::Fixed => unreachable!("handled above"),
    };
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let mut out: Vec<f64> = Vec::with_capacity(raw.len());
    for t in raw {
        // A threshold at or below the minimum would leave the first class empty.
        if t > min && t <= max && out.last().is_none_or(|l| t > *l) {
            out.push(t);
        }
    }
    out
}

/// The class of `v` under `thresholds` (0-based).
pub fn class_of(v: f64, thresholds: &[f64]) -> usize {
    thresholds.partition_point(|t| *t <= v)
}

/// Thresholds at the sorted values of rank ⌈n·i/k⌉ (lower bounds of each quantile class).
fn quantile(sorted: &[f64], k: usize) -> Vec<f64> {
    let n = sorted.len();
    (1..k)
        .map(|i| sorted[(n * i).div_ceil(k).min(n - 1)])
        .collect()
}

/// `k − 1` evenly spaced thresholds between the minimum and the maximum.
fn equal_interval(sorted: &[f64], k: usize) -> Vec<f64> {
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let w = (max - min) / k as f64;
    (1..k).map(|i| min + w * i as f64).collect()
}

/// Natural breaks: thresholds are the lowest value of each class after the first, in the
/// optimal partition computed by [`ckmeans`].
fn jenks(sorted: &[f64], k: usize) -> Vec<f64> {
    ckmeans(sorted, k)
        .into_iter()
        .skip(1)
        .map(|start| sorted[start])
        .collect()
}

/// The exact 1-D k-means partition of `sorted` (ascending) into at most `k` classes, as the start
/// index of each class: the partition minimising the within-class sum of squared deviations
/// (the Fisher–Jenks criterion).
///
/// Written here rather than taken from a crate: none of the Rust crates found computes the exact
/// optimum in O(k·n·log n). This is the ckmeans dynamic programme (Wang & Song 2011) with the
/// divide-and-conquer row fill: the optimal split index is monotone in the row position, so each
/// row costs O(n log n) sums-of-squares evaluated in O(1) from prefix sums.
pub fn ckmeans(sorted: &[f64], k: usize) -> Vec<usize> {
    let n = sorted.len();
    if n == 0 {
        return Vec::new();
    }
    let distinct = 1 + sorted.windows(2).filter(|w| w[1] != w[0]).count();
    let k = k.clamp(1, distinct);
    // Shift by the median so prefix sums of squares stay precise.
    let shift = sorted[n / 2];
    let mut s1 = vec![0.0f64; n + 1];
    let mut s2 = vec![0.0f64; n + 1];
    for (i, v) in sorted.iter().enumerate() {
        let x = v - shift;
        s1[i + 1] = s1[i] + x;
        s2[i + 1] = s2[i] + x * x;
    }
    // Sum of squared deviations of sorted[j..=i].
    let ssq = |j: usize, i: usize| -> f64 {
        let m = (i + 1 - j) as f64;
        let s = s1[i + 1] - s1[j];
        (s2[i + 1] - s2[j] - s * s / m).max(0.0)
    };
    // cost[q][i]: best cost of sorted[0..=i] in q+1 classes; back[q][i]: start of the last class.
    let mut cost = vec![vec![0.0f64; n]; k];
    let mut back = vec![vec![0usize; n]; k];
    for (i, c) in cost[0].iter_mut().enumerate() {
        *c = ssq(0, i);
    }
    for q in 1..k {
        let (done, rest) = cost.split_at_mut(q);
        fill_row(
            q,
            q,
            n - 1,
            q,
            n - 1,
            &done[q - 1],
            &mut rest[0],
            &mut back[q],
            &ssq,
        );
    }
    let mut starts = vec![0usize; k];
    let mut end = n - 1;
    for q in (1..k).rev() {
        starts[q] = back[q][end];
        end = starts[q] - 1;
    }
    starts
}

/// Fills `row[imin..=imax]` knowing the optimal last-class start of each lies in `jmin..=jmax`
/// and is non-decreasing in `i` (divide and conquer on the middle position).
#[allow(clippy::too_many_arguments)]
fn fill_row(
    q: usize,
    imin: usize,
    imax: usize,
    jmin: usize,
    jmax: usize,
    prev: &[f64],
    row: &mut [f64],
    back: &mut [usize],
    ssq: &impl Fn(usize, usize) -> f64,
) {
    if imin > imax {
        return;
    }
    let i = (imin + imax) / 2;
    let lo = jmin.max(q);
    let hi = jmax.min(i);
    let (mut best, mut arg) = (f64::INFINITY, lo);
    for j in lo..=hi {
        let c = prev[j - 1] + ssq(j, i);
        if c < best {
            best = c;
            arg = j;
        }
    }
    row[i] = best;
    back[i] = arg;
    if i > imin {
        fill_row(q, imin, i - 1, jmin, arg, prev, row, back, ssq);
    }
    fill_row(q, i + 1, imax, arg, jmax, prev, row, back, ssq);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The optimal partition by trying every split (exponential; small inputs only).
    fn brute(sorted: &[f64], k: usize) -> f64 {
        fn go(x: &[f64], k: usize) -> f64 {
            let ss = |s: &[f64]| {
                let m = s.iter().sum::<f64>() / s.len() as f64;
                s.iter().map(|v| (v - m) * (v - m)).sum::<f64>()
            };
            if k == 1 {
                return ss(x);
            }
            (1..=x.len() - (k - 1))
                .map(|cut| ss(&x[..cut]) + go(&x[cut..], k - 1))
                .fold(f64::INFINITY, f64::min)
        }
        go(sorted, k)
    }

    fn cost_of(sorted: &[f64], starts: &[usize]) -> f64 {
        let mut ends: Vec<usize> = starts[1..].to_vec();
        ends.push(sorted.len());
        starts
            .iter()
            .zip(ends)
            .map(|(&s, e)| {
                let c = &sorted[s..e];
                let m = c.iter().sum::<f64>() / c.len() as f64;
                c.iter().map(|v| (v - m) * (v - m)).sum::<f64>()
            })
            .sum()
    }

    #[test]
    fn ckmeans_finds_the_optimum_of_every_small_case() {
        // A deterministic pseudo-random walk of skewed values, like densities.
        let mut seed = 7u64;
        for n in 3..=11 {
            let mut v: Vec<f64> = (0..n)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 33) % 1000) as f64 / 10.0
                })
                .collect();
            v.sort_by(f64::total_cmp);
            for k in 2..=4.min(n) {
                let starts = ckmeans(&v, k);
                let got = cost_of(&v, &starts);
                let want = brute(&v, starts.len());
                assert!((got - want).abs() < 1e-6, "n={n} k={k}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn jenks_separates_obvious_clusters() {
        let v = [1.0, 1.1, 0.9, 10.0, 10.2, 9.8, 100.0, 101.0];
        assert_eq!(thresholds(Method::Jenks, &v, 3, &[]), vec![9.8, 100.0]);
        // Fewer distinct values than classes: fewer classes, never an empty one.
        assert_eq!(
            thresholds(Method::Jenks, &[5.0, 5.0, 6.0], 5, &[]),
            vec![6.0]
        );
        assert!(thresholds(Method::Jenks, &[5.0, 5.0], 5, &[]).is_empty());
    }

    #[test]
    fn quantiles_and_equal_intervals() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(
            thresholds(Method::Quantile, &v, 5, &[]),
            vec![3.0, 5.0, 7.0, 9.0]
        );
        assert_eq!(
            thresholds(Method::EqualInterval, &v, 3, &[]),
            vec![4.0, 7.0]
        );
        let counts = |t: &[f64]| {
            let mut c = vec![0; t.len() + 1];
            for x in &v {
                c[class_of(*x, t)] += 1;
            }
            c
        };
        assert_eq!(counts(&thresholds(Method::Quantile, &v, 5, &[])), [2; 5]);
        assert_eq!(
            counts(&thresholds(Method::EqualInterval, &v, 3, &[])),
            [3, 3, 4]
        );
        // Ties collapse duplicate thresholds instead of making empty classes.
        let tied = [1.0, 1.0, 1.0, 1.0, 2.0];
        assert_eq!(thresholds(Method::Quantile, &tied, 4, &[]), vec![2.0]);
    }

    #[test]
    fn fixed_breaks_and_class_of() {
        let t = thresholds(Method::Fixed, &[1.0], 5, &[99.0, 101.0]);
        assert_eq!(t, vec![99.0, 101.0]);
        assert_eq!(class_of(98.9, &t), 0);
        assert_eq!(class_of(99.0, &t), 1);
        assert_eq!(class_of(100.99, &t), 1);
        assert_eq!(class_of(101.0, &t), 2);
        assert_eq!("natural_breaks".parse::<Method>().unwrap(), Method::Jenks);
        assert!("nope".parse::<Method>().unwrap_err().contains("'nope'"));
    }
}
