//! Five-year age groups to single years and back. The split is uniform: each of a group's five
//! ages gets a fifth of it (a documented simplification; an osculatory split such as Sprague's
//! would smooth the steps between groups). The open 80+ group stays one open age.

use super::{AGES, GROUPS};

/// Single ages 0 … 79 and 80+ from five-year groups 0–4 … 75–79 and 80+.
pub fn split(groups: &[f64; GROUPS]) -> [f64; AGES] {
    let mut ages = [0.0; AGES];
    for (x, a) in ages.iter_mut().enumerate().take(AGES - 1) {
        *a = groups[x / 5] / 5.0;
    }
    ages[AGES - 1] = groups[GROUPS - 1];
    ages
}

/// Five-year groups from single ages (sums of five ages; the open age is the open group).
pub fn aggregate(ages: &[f64; AGES]) -> [f64; GROUPS] {
    let mut groups = [0.0; GROUPS];
    for (x, a) in ages.iter().enumerate().take(AGES - 1) {
        groups[x / 5] += a;
    }
    groups[GROUPS - 1] = ages[AGES - 1];
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_then_aggregate_is_the_identity_on_groups() {
        let mut g = [0.0; GROUPS];
        for (i, v) in g.iter_mut().enumerate() {
            *v = (1000 + 37 * i) as f64;
        }
        let ages = split(&g);
        assert_eq!(ages[7], g[1] / 5.0);
        assert_eq!(ages[80], g[16]);
        for (a, b) in aggregate(&ages).iter().zip(&g) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
    }
}
