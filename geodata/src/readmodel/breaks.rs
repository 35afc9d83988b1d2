//! Class breaks a reader can use: one set of thresholds for a whole timeline (values of many
//! periods pooled, each boundary version weighing the same), rounded to "human" numbers (1–2
//! significant digits where the gaps allow: 100, 250, 500, 1 000, 2 500), with empty and
//! single-value classes merged away, and the number of classes raised when one class would hold
//! more than 40 % of the units of a period. Pure functions over numbers; the server feeds them.
//!
//! Written here, not taken from a crate: the rules (a readability check per period, merging,
//! rounding bounded by the gap to the neighbouring thresholds) are this project's legend
//! policy, not a general algorithm.

use serde::Serialize;

use crate::readmodel::classes::{Method, class_of, thresholds};

/// The largest share of a period's units one class may hold for the map to stay readable.
pub const MAX_SHARE: f64 = 0.4;

/// The largest number of classes a palette offers.
pub const MAX_CLASSES: usize = 9;

/// A remark about how classes were made, in both UI languages (e.g. code `merged`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakNote {
    /// A stable code: `merged`, `more_classes` or `crowded`.
    pub code: String,
    /// The remark in Vietnamese.
    pub vi: String,
    /// The remark in English.
    pub en: String,
}

/// One period's values (units with a value), with the boundary version they were drawn on.
#[derive(Debug, Clone)]
pub struct PeriodValues {
    /// The period, e.g. `2025-06`.
    pub period: String,
    /// The boundary version of the units.
    pub version: String,
    /// The values, in any order.
    pub values: Vec<f64>,
}

/// Thresholds chosen for a timeline (or one period) and what was done to make them readable.
#[derive(Debug, Clone, PartialEq)]
pub struct Breaks {
    /// The `step` thresholds, strictly increasing.
    pub thresholds: Vec<f64>,
    /// Classes asked for after any raise (the thresholds may make fewer after merging).
    pub k: usize,
    /// The pooled minimum and maximum (the open ends of the first and last class).
    pub range: Option<(f64, f64)>,
    /// Remarks for the legend.
    pub notes: Vec<BreakNote>,
}

/// A sorted sample of at most `size` values standing for the pool of `periods`: the weighted
/// quantiles at `(j + ½) / size`, where each boundary version weighs the same, each period the
/// same within its version and each unit the same within its period. Sorting once and sampling
/// keeps the classification of 33 months × 10 000 communes cheap; with one period of at most
/// `size` units the sample is exactly its sorted values.
pub fn balanced_sample(periods: &[PeriodValues], size: usize) -> Vec<f64> {
    let mut versions: Vec<(&str, usize)> = Vec::new();
    for p in periods.iter().filter(|p| !p.values.is_empty()) {
        match versions.iter_mut().find(|(v, _)| *v == p.version) {
            Some(row) => row.1 += 1,
            None => versions.push((&p.version, 1)),
        }
    }
    let mut weighted: Vec<(f64, f64)> = Vec::new();
    for p in periods {
        let Some((_, in_version)) = versions.iter().find(|(v, _)| *v == p.version) else {
            continue;
        };
        let w = 1.0 / (versions.len() * in_version * p.values.len()) as f64;
        weighted.extend(p.values.iter().filter(|v| v.is_finite()).map(|v| (*v, w)));
    }
    if weighted.is_empty() || size == 0 {
        return Vec::new();
    }
    weighted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = weighted.iter().map(|(_, w)| w).sum();
    let m = size.min(weighted.len());
    let mut out = Vec::with_capacity(m);
    let (mut i, mut acc) = (0usize, weighted[0].1);
    for j in 0..m {
        let target = (j as f64 + 0.5) / m as f64 * total;
        while acc < target && i + 1 < weighted.len() {
            i += 1;
            acc += weighted[i].1;
        }
        out.push(weighted[i].0);
    }
    out
}

/// The number of significant digits of `v` (at most 15).
fn significant_digits(v: f64) -> u32 {
    if v == 0.0 {
        return 1;
    }
    (1..15)
        .find(|d| {
            let scale = 10f64.powi(*d as i32 - 1 - v.abs().log10().floor() as i32);
            ((v * scale).round() / scale - v).abs() <= 1e-9 * v.abs()
        })
        .unwrap_or(15)
}

/// The roundest number within `tol` of `t`: a multiple of 5, 2.5, 2 or 1 × 10ᵖ for the largest
/// p that fits, preferring numbers of at most 2 significant digits; `t` itself if none fits.
pub fn nice(t: f64, tol: f64) -> f64 {
    if tol.is_nan() || tol <= 0.0 || !t.is_finite() {
        return t;
    }
    let top = (t.abs() + tol).log10().floor() as i32 + 1;
    let bottom = tol.log10().floor() as i32 - 1;
    // Quarter steps only where they give 2 digits (250, 2 500), never 2 125.
    for (max_digits, steps) in [(2, &[5.0, 2.5, 2.0, 1.0][..]), (15, &[5.0, 2.0, 1.0][..])] {
        for p in (bottom..=top).rev() {
            for &m in steps {
                let step = m * 10f64.powi(p);
                // Rounded through a decimal string so 0.1 × 3 is 0.3, not 0.30000000000000004.
                let v: f64 = format!("{:.12}", (t / step).round() * step)
                    .parse()
                    .unwrap_or(t);
                if (v - t).abs() <= tol && significant_digits(v) <= max_digits {
                    return v;
                }
            }
        }
    }
    t
}

/// Each threshold rounded by [`nice`] within `slack` × the gap to its nearer neighbour (the
/// neighbouring thresholds, or `lo`/`hi` at the ends), so the order is kept and classes move by
/// a fraction of their width. Duplicates and thresholds outside `(lo, hi]` are dropped.
pub fn human_round(t: &[f64], lo: f64, hi: f64, slack: f64) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::with_capacity(t.len());
    for (i, &x) in t.iter().enumerate() {
        let below = if i == 0 { lo } else { t[i - 1] };
        let above = t.get(i + 1).copied().unwrap_or(hi);
        let v = nice(x, slack * (x - below).min(above - x));
        if v > lo && v <= hi && out.last().is_none_or(|l| v > *l) {
            out.push(v);
        }
    }
    out
}

/// Units per class of `values` under `t`.
pub fn class_counts(values: &[f64], t: &[f64]) -> Vec<usize> {
    let mut c = vec![0usize; t.len() + 1];
    for v in values {
        c[class_of(*v, t)] += 1;
    }
    c
}

/// Drops thresholds until no class of `sorted` (ascending) is empty or degenerate (shown as
/// one number, min == max: the last class when all its values are equal); each such class
/// joins its smaller neighbour. Returns how many were merged.
pub fn merge_classes(t: &mut Vec<f64>, sorted: &[f64]) -> usize {
    let mut merged = 0;
    loop {
        if t.is_empty() || sorted.is_empty() {
            return merged;
        }
        let bounds: Vec<usize> = t
            .iter()
            .map(|x| sorted.partition_point(|v| v < x))
            .collect();
        let start = |i: usize| if i == 0 { 0 } else { bounds[i - 1] };
        let end = |i: usize| bounds.get(i).copied().unwrap_or(sorted.len());
        // Middle classes show `[tᵢ, tᵢ₊₁)` and the first `[min, t₁)`: never one number. The
        // last shows `[tₘ, max]`: one number ("9 000 – 9 000") when all its values are equal.
        let last = t.len();
        let bad = (0..=last).find(|&i| {
            let (s, e) = (start(i), end(i));
            s >= e || (i == last && sorted[s] == sorted[e - 1])
        });
        let Some(i) = bad else { return merged };
        // The threshold between class i and its smaller neighbour.
        let size = |j: usize| end(j) - start(j);
        let drop = if i == 0 {
            0
        } else if i == t.len() || size(i - 1) <= size(i + 1) {
            i - 1
        } else {
            i
        };
        t.remove(drop);
        merged += 1;
    }
}

/// How far a classification is from readable: (violations in the newest period, violations in
/// all periods); a violation is a class over [`MAX_SHARE`] or an empty class in a period.
fn cost(periods: &[PeriodValues], t: &[f64]) -> (usize, usize) {
    let mut all = 0;
    let mut newest = 0;
    for (i, p) in periods.iter().enumerate() {
        if p.values.is_empty() {
            continue;
        }
        let c = class_counts(&p.values, t);
        let n = p.values.len() as f64;
        let bad = usize::from(c.iter().any(|x| *x as f64 > MAX_SHARE * n))
            + usize::from(p.values.len() > t.len() && c.contains(&0));
        all += bad;
        if i + 1 == periods.len() {
            newest = bad;
        }
    }
    (newest, all)
}

/// Readable breaks for `periods` (oldest first) with `method`: classes from the balanced pool,
/// rounded to human numbers, empty and single-value classes merged, and — when `raise` — the
/// number of classes raised from `k` up to 9 until no class holds more than 40 % of a period's
/// units and none is empty (the least bad choice, with a note, when no choice is readable).
/// `fixed` thresholds are returned as configured.
pub fn readable_breaks(
    method: Method,
    periods: &[PeriodValues],
    k: usize,
    raise: bool,
    fixed: &[f64],
) -> Breaks {
    let sample = balanced_sample(periods, 20_000);
    let range = periods
        .iter()
        .flat_map(|p| p.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold(None, |r: Option<(f64, f64)>, v| {
            Some(r.map_or((v, v), |(a, b)| (a.min(v), b.max(v))))
        });
    if method == Method::Fixed {
        return Breaks {
            thresholds: fixed.to_vec(),
            k: fixed.len() + 1,
            range,
            notes: Vec::new(),
        };
    }
    let Some((lo, hi)) = range else {
        return Breaks {
            thresholds: Vec::new(),
            k,
            range,
            notes: Vec::new(),
        };
    };
    let top = if raise { MAX_CLASSES.max(k) } else { k };
    // (cost, thresholds, k, classes merged) of the best candidate so far.
    type Candidate = ((usize, usize), Vec<f64>, usize, usize);
    let mut best: Option<Candidate> = None;
    'search: for kk in k..=top {
        let raw = thresholds(method, &sample, kk, &[]);
        for slack in [0.25, 0.1, 0.0] {
            let mut t = if slack > 0.0 {
                human_round(&raw, lo, hi, slack)
            } else {
                raw.clone()
            };
            let merged = merge_classes(&mut t, &sample);
            let c = cost(periods, &t);
            if best.as_ref().is_none_or(|b| c < b.0) {
                best = Some((c, t, kk, merged));
            }
            if c == (0, 0) {
                break 'search;
            }
        }
    }
    let (c, t, kk, merged) = best.expect("at least one candidate");
    Breaks {
        notes: notes(c, k, kk, merged),
        thresholds: t,
        k: kk,
        range,
    }
}

/// The legend's remarks on a choice of breaks.
fn notes(cost: (usize, usize), k: usize, kk: usize, merged: usize) -> Vec<BreakNote> {
    let note = |code: &str, vi: String, en: String| BreakNote {
        code: code.into(),
        vi,
        en,
    };
    let mut out = Vec::new();
    if merged > 0 {
        out.push(note(
            "merged",
            format!("Đã gộp {merged} lớp rỗng hoặc chỉ có một giá trị vào lớp bên cạnh."),
            format!("{merged} empty or one-value class(es) merged into a neighbour."),
        ));
    }
    if kk > k {
        out.push(note(
            "more_classes",
            format!("Dùng {kk} lớp thay vì {k} để không lớp nào chiếm quá 40% số đơn vị."),
            format!(
                "{kk} classes instead of {k}, so that no class holds more than 40% of the units."
            ),
        ));
    }
    if cost != (0, 0) {
        out.push(note(
            "crowded",
            "Ở một số kỳ, một lớp chiếm quá 40% số đơn vị hoặc có lớp không có đơn vị nào: dữ liệu có ít giá trị khác nhau.".into(),
            "In some periods one class holds more than 40% of the units or a class is empty: the data has few distinct values.".into(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(p: &str, v: &str, values: Vec<f64>) -> PeriodValues {
        PeriodValues {
            period: p.into(),
            version: v.into(),
            values,
        }
    }

    #[test]
    fn nice_numbers_have_few_digits_and_stay_close() {
        assert_eq!(nice(2130.0, 250.0), 2000.0);
        assert_eq!(nice(2130.0, 5.0), 2130.0);
        assert_eq!(nice(173.0, 30.0), 200.0);
        assert_eq!(nice(173.0, 10.0), 180.0);
        assert_eq!(nice(2420.0, 150.0), 2500.0);
        assert_eq!(nice(105.4, 0.6), 105.0);
        assert_eq!(nice(0.04, 0.1), 0.0);
        assert_eq!(nice(-4.7, 0.5), -5.0);
        assert_eq!(nice(0.31, 0.02), 0.3);
        assert_eq!(nice(7.0, 0.0), 7.0);
        assert_eq!(significant_digits(2500.0), 2);
        assert_eq!(significant_digits(0.25), 2);
        assert_eq!(significant_digits(105.0), 3);
    }

    #[test]
    fn rounding_keeps_order_and_range() {
        let t = human_round(&[148.0, 305.0, 612.0, 1240.0], 3.0, 40_000.0, 0.25);
        assert_eq!(t, vec![150.0, 300.0, 600.0, 1200.0]);
        // Close thresholds round finely, never onto each other.
        let t = human_round(&[104.2, 105.1, 106.3], 100.0, 112.0, 0.25);
        assert_eq!(t, vec![104.0, 105.0, 106.0]);
        // The top threshold never passes the maximum.
        assert_eq!(human_round(&[9.0], 1.0, 9.0, 0.25), vec![9.0]);
    }

    #[test]
    fn empty_and_single_value_classes_are_merged() {
        let sorted = [1.0, 2.0, 3.0, 5.0, 5.0, 8.0, 9.0];
        // [4,5) is empty; [5,6) holds only 5s but shows as 5–6, which is fine.
        let mut t = vec![4.0, 5.0, 6.0];
        assert_eq!(merge_classes(&mut t, &sorted), 1);
        assert_eq!(t, vec![4.0, 6.0]);
        // The top class [9, 9] would show one number: merged.
        let mut t = vec![3.0, 9.0];
        assert_eq!(merge_classes(&mut t, &sorted), 1);
        assert_eq!(t, vec![3.0]);
        let mut t = vec![2.0, 7.0];
        assert_eq!(merge_classes(&mut t, &sorted), 0);
        let mut t = vec![10.0];
        assert_eq!(merge_classes(&mut t, &sorted), 1);
        assert!(t.is_empty());
    }

    #[test]
    fn the_sample_balances_versions_and_is_exact_for_one_period() {
        let one = [period("2025-01", "a", vec![3.0, 1.0, 2.0])];
        assert_eq!(balanced_sample(&one, 10), vec![1.0, 2.0, 3.0]);
        // Version a has 9 low values, version b 1 high one: both weigh half.
        let two = [
            period("2024-01", "a", vec![1.0; 9]),
            period("2026-01", "b", vec![100.0]),
        ];
        let s = balanced_sample(&two, 10);
        assert_eq!(s.iter().filter(|v| **v == 100.0).count(), 5);
    }

    #[test]
    fn timeline_breaks_are_readable_in_every_period() {
        // Skewed values, growing over time: one set of thresholds for all periods.
        let periods: Vec<PeriodValues> = (0..6)
            .map(|m| {
                let values = (0..200)
                    .map(|i| (1.0 + m as f64 * 0.05) * 10f64.powf(1.0 + 3.0 * i as f64 / 200.0))
                    .collect();
                period(&format!("2025-0{}", m + 1), "a", values)
            })
            .collect();
        let b = readable_breaks(Method::Quantile, &periods, 5, true, &[]);
        assert_eq!(cost(&periods, &b.thresholds), (0, 0));
        assert!(
            b.thresholds.iter().all(|t| significant_digits(*t) <= 2),
            "{b:?}"
        );
        // Ties everywhere: no readable choice, the least bad one with a note.
        let flat = [period("2025-01", "a", vec![1.0, 1.0, 1.0, 1.0, 2.0])];
        let b = readable_breaks(Method::Quantile, &flat, 5, true, &[]);
        assert!(b.notes.iter().any(|n| n.code == "crowded"), "{b:?}");
        let fixed = readable_breaks(Method::Fixed, &flat, 5, true, &[1.5]);
        assert_eq!(fixed.thresholds, vec![1.5]);
    }
}
