//! Keeping the age × sex groups exact when a unit's counts are split (onto H3 cells, across a
//! crosswalk): each count is split on its own by largest remainder, so the pieces of the groups
//! need not sum to the piece of `males` (rounding, by a person or two). [`fit_ages`] moves single
//! persons of a group between pieces until every piece's male groups sum to its males and its
//! female groups to its females (each group's and each sex's split kept), then makes each piece's
//! `women_15_49` the sum of its female groups 15–19 … 45–49, as the publish rule has it per unit.

/// The male groups, in age order (the catalog's `males_*`; a test checks them against it).
pub const MALE_GROUPS: [&str; 17] = [
    "males_0_4",
    "males_5_9",
    "males_10_14",
    "males_15_19",
    "males_20_24",
    "males_25_29",
    "males_30_34",
    "males_35_39",
    "males_40_44",
    "males_45_49",
    "males_50_54",
    "males_55_59",
    "males_60_64",
    "males_65_69",
    "males_70_74",
    "males_75_79",
    "males_80p",
];

/// The female groups, in age order.
pub const FEMALE_GROUPS: [&str; 17] = [
    "females_0_4",
    "females_5_9",
    "females_10_14",
    "females_15_19",
    "females_20_24",
    "females_25_29",
    "females_30_34",
    "females_35_39",
    "females_40_44",
    "females_45_49",
    "females_50_54",
    "females_55_59",
    "females_60_64",
    "females_65_69",
    "females_70_74",
    "females_75_79",
    "females_80p",
];

/// Where the female groups 15–19 … 45–49 (`women_15_49`) are in [`FEMALE_GROUPS`].
const WOMEN: std::ops::Range<usize> = 3..10;

/// Moves single persons of `parts` between pieces (keeping each part's sum) until each piece's
/// parts sum to `total` there; needs Σ parts = Σ total. Pieces in order, parts largest first.
pub fn balance(total: &[i64], parts: &mut [Vec<i64>]) {
    let n = total.len();
    // Each piece's parts less its total, kept up to date move by move (summing every piece
    // for every move made the age grid's build quadratic in a commune's cells). A piece over
    // its total only comes down and one under only goes up, so the first piece over and the
    // first under are found by two cursors that only move forward: the same moves as a scan
    // from the start each time.
    let mut diff: Vec<i64> = (0..n)
        .map(|i| parts.iter().map(|p| p[i]).sum::<i64>() - total[i])
        .collect();
    let (mut i, mut j) = (0, 0);
    loop {
        while i < n && diff[i] <= 0 {
            i += 1;
        }
        while j < n && diff[j] >= 0 {
            j += 1;
        }
        if i == n || j == n {
            return;
        }
        let Some(k) = (0..parts.len()).max_by_key(|&k| (parts[k][i], std::cmp::Reverse(k))) else {
            return;
        };
        if parts[k][i] <= 0 {
            return;
        }
        parts[k][i] -= 1;
        parts[k][j] += 1;
        diff[i] -= 1;
        diff[j] += 1;
    }
}

/// Fits the split age groups under the split sexes and recomputes `women_15_49` (see the module
/// doc). `ids[c]` names `splits[c]`, a count's pieces (`None`: the count is absent or zero). A
/// sex whose groups are absent or do not sum to it (no age in the unit) is left alone.
pub fn fit_ages(ids: &[String], splits: &mut [Option<Vec<i64>>], pieces: usize) {
    let col = |id: &str| ids.iter().position(|i| i == id);
    for (sex, groups) in [("males", &MALE_GROUPS), ("females", &FEMALE_GROUPS)] {
        let (Some(t), Some(cols)) = (
            col(sex),
            groups
                .iter()
                .map(|g| col(g))
                .collect::<Option<Vec<usize>>>(),
        ) else {
            return;
        };
        let zeros = vec![0; pieces];
        let total = splits[t].clone().unwrap_or_else(|| zeros.clone());
        let mut parts: Vec<Vec<i64>> = cols
            .iter()
            .map(|&c| splits[c].clone().unwrap_or_else(|| zeros.clone()))
            .collect();
        let sum: i64 = parts.iter().flatten().sum();
        if cols.iter().all(|&c| splits[c].is_none()) || sum != total.iter().sum::<i64>() {
            continue;
        }
        balance(&total, &mut parts);
        for (&c, p) in cols.iter().zip(parts) {
            if splits[c].is_some() || p.iter().any(|&x| x != 0) {
                splits[c] = Some(p);
            }
        }
        if sex == "females"
            && let Some(w) = col("women_15_49")
            && splits[w].is_some()
        {
            let mut women = zeros;
            for &c in &cols[WOMEN] {
                if let Some(p) = &splits[c] {
                    women.iter_mut().zip(p).for_each(|(a, b)| *a += b);
                }
            }
            let same: i64 = women.iter().sum();
            if Some(same) == splits[w].as_ref().map(|v| v.iter().sum()) {
                splits[w] = Some(women);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Catalog;
    use crate::model::apportion::largest_remainder;
    use crate::model::catalog::Sex;

    #[test]
    fn the_groups_are_the_catalogs() {
        let c = Catalog::builtin();
        for (sex, list) in [(Sex::Male, MALE_GROUPS), (Sex::Female, FEMALE_GROUPS)] {
            let ids: Vec<&str> = c
                .age_groups()
                .filter(|b| b.sex == Some(sex))
                .map(|b| b.id.as_str())
                .collect();
            assert_eq!(ids, list);
        }
    }

    /// `balance` as first written: the first piece over and under found by summing every piece
    /// for each move.
    fn balance_by_scanning(total: &[i64], parts: &mut [Vec<i64>]) {
        let n = total.len();
        let used = |parts: &[Vec<i64>], i: usize| parts.iter().map(|p| p[i]).sum::<i64>();
        loop {
            let over = (0..n).find(|&i| used(parts, i) > total[i]);
            let under = (0..n).find(|&i| used(parts, i) < total[i]);
            let (Some(i), Some(j)) = (over, under) else {
                return;
            };
            let Some(k) = (0..parts.len()).max_by_key(|&k| (parts[k][i], std::cmp::Reverse(k)))
            else {
                return;
            };
            if parts[k][i] <= 0 {
                return;
            }
            parts[k][i] -= 1;
            parts[k][j] += 1;
        }
    }

    #[test]
    fn balance_makes_the_moves_a_scan_from_the_start_makes() {
        // Pieces of uneven shares, parts split on their own: rounding leaves pieces over and
        // under their total; both ways must move the same persons.
        for seed in 1..40u64 {
            let n = 3 + (seed as usize * 7) % 40;
            let shares: Vec<f64> = (0..n)
                .map(|i| 1.0 + ((i as u64 * seed * 31) % 17) as f64)
                .collect();
            let sum: f64 = shares.iter().sum();
            let shares: Vec<f64> = shares.iter().map(|s| s / sum).collect();
            let groups: Vec<i64> = (0..17)
                .map(|k| 3 + ((k * seed as i64 * 13) % 211))
                .collect();
            let mut parts: Vec<Vec<i64>> = groups
                .iter()
                .map(|&g| largest_remainder(g, &shares))
                .collect();
            let total = largest_remainder(groups.iter().sum(), &shares);
            let mut scanned = parts.clone();
            balance(&total, &mut parts);
            balance_by_scanning(&total, &mut scanned);
            assert_eq!(parts, scanned, "seed {seed}");
            for (i, t) in total.iter().enumerate() {
                assert_eq!(
                    parts.iter().map(|p| p[i]).sum::<i64>(),
                    *t,
                    "seed {seed} piece {i}"
                );
            }
        }
    }

    #[test]
    fn split_groups_sum_to_split_sexes_in_every_piece() {
        let shares = [0.37, 0.21, 0.29, 0.13];
        let mut ids: Vec<String> = vec!["males".into(), "females".into(), "women_15_49".into()];
        ids.extend(
            MALE_GROUPS
                .iter()
                .chain(&FEMALE_GROUPS)
                .map(|s| s.to_string()),
        );
        let mut counts: Vec<i64> = vec![0, 0, 0];
        for k in 0..34 {
            counts.push(7 + (k as i64 * 13) % 29);
        }
        counts[0] = counts[3..20].iter().sum();
        counts[1] = counts[20..].iter().sum();
        counts[2] = counts[23..30].iter().sum();
        let mut splits: Vec<Option<Vec<i64>>> = counts
            .iter()
            .map(|&c| Some(largest_remainder(c, &shares)))
            .collect();
        let before: Vec<i64> = splits
            .iter()
            .map(|s| s.as_ref().unwrap().iter().sum())
            .collect();
        fit_ages(&ids, &mut splits, 4);
        let s = |c: usize, i: usize| splits[c].as_ref().unwrap()[i];
        for i in 0..4 {
            assert_eq!(
                (3..20).map(|c| s(c, i)).sum::<i64>(),
                s(0, i),
                "males, piece {i}"
            );
            assert_eq!(
                (20..37).map(|c| s(c, i)).sum::<i64>(),
                s(1, i),
                "females, piece {i}"
            );
            assert_eq!(
                (23..30).map(|c| s(c, i)).sum::<i64>(),
                s(2, i),
                "women, piece {i}"
            );
        }
        let after: Vec<i64> = splits
            .iter()
            .map(|s| s.as_ref().unwrap().iter().sum())
            .collect();
        assert_eq!(before, after, "every count is conserved");
        assert_eq!(
            splits[0].as_ref().unwrap(),
            &largest_remainder(counts[0], &shares),
            "the sexes' split is kept"
        );
    }
}
