//! Integer apportionment of a count over shares (largest remainder).

/// Splits `total` into integers proportional to `shares` (non-negative, summing to ~1) so they
/// sum exactly to `total`: floors first, then the leftover units go to the largest remainders
/// (ties to the earlier index). Hand-written: a dozen lines, no crate offers it on f64 shares.
pub fn largest_remainder(total: i64, shares: &[f64]) -> Vec<i64> {
    if shares.is_empty() {
        return Vec::new();
    }
    let magnitude = total.unsigned_abs() as f64;
    let sum: f64 = shares.iter().sum();
    let mut parts = Vec::with_capacity(shares.len());
    let mut remainders = Vec::with_capacity(shares.len());
    for (i, share) in shares.iter().enumerate() {
        let exact = if sum > 0.0 {
            magnitude * share / sum
        } else {
            0.0
        };
        // For non-negative `exact` truncation is the floor, without `f64::floor`'s libm call
        // in this loop that runs per cell and count (5% of an r9 apply).
        let floor = if exact >= 0.0 {
            exact as i64
        } else {
            exact.floor() as i64
        };
        parts.push(floor);
        remainders.push((exact - floor as f64, i));
    }
    let mut leftover = total.abs() - parts.iter().sum::<i64>();
    // Largest remainder first, ties to the earlier index: a total order.
    let order = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if leftover > 0 {
        // Whole rounds (only when shares sum to less than 1), then the `k` largest remainders:
        // a selection, not a sort, since only the set of the first `k` matters.
        let n = remainders.len() as i64;
        let rounds = leftover / n;
        if rounds > 0 {
            parts.iter_mut().for_each(|p| *p += rounds);
        }
        let k = (leftover - rounds * n) as usize;
        if k > 0 {
            remainders.select_nth_unstable_by(k - 1, order);
            for &(_, i) in &remainders[..k] {
                parts[i] += 1;
            }
        }
        leftover = 0;
    }
    // Float rounding can push the floors one past the total: take it back from the smallest
    // remainders that still have a unit.
    if leftover < 0 {
        remainders.sort_by(order);
    }
    let mut k = remainders.len();
    while leftover < 0 && k > 0 {
        k -= 1;
        let i = remainders[k].1;
        if parts[i] > 0 {
            parts[i] -= 1;
            leftover += 1;
        }
    }
    if total < 0 {
        parts.iter_mut().for_each(|p| *p = -*p);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_sums_exactly() {
        let shares = [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0];
        let parts = largest_remainder(100, &shares);
        assert_eq!(parts.iter().sum::<i64>(), 100);
        assert_eq!(parts, vec![34, 33, 33]);
        let parts = largest_remainder(7, &[0.5, 0.3, 0.2]);
        assert_eq!(parts, vec![4, 2, 1]);
        assert_eq!(largest_remainder(-5, &[0.5, 0.5]), vec![-3, -2]);
        let many = vec![1.0 / 997.0; 997];
        assert_eq!(
            largest_remainder(123_457, &many).iter().sum::<i64>(),
            123_457
        );
    }
}
