//! A pyramid as numbers, pure: the 17 five-year age groups per sex (0–4 … 75–79, 80+ open) read
//! from a unit's counts, each group's males and females with their shares of the whole
//! population, the totals, and the share-only outline used for comparison. No state, no I/O.

use std::collections::BTreeMap;

use serde::Serialize;

/// The age groups in order, as (first age, last age; `None`: open).
pub const AGE_GROUPS: [(u32, Option<u32>); 17] = [
    (0, Some(4)),
    (5, Some(9)),
    (10, Some(14)),
    (15, Some(19)),
    (20, Some(24)),
    (25, Some(29)),
    (30, Some(34)),
    (35, Some(39)),
    (40, Some(44)),
    (45, Some(49)),
    (50, Some(54)),
    (55, Some(59)),
    (60, Some(64)),
    (65, Some(69)),
    (70, Some(74)),
    (75, Some(79)),
    (80, None),
];

/// The catalog's base stock of one sex's group: `males_0_4`, …, `females_80p`.
pub fn group_id(sex: &str, from: u32, to: Option<u32>) -> String {
    match to {
        Some(to) => format!("{sex}_{from}_{to}"),
        None => format!("{sex}_{from}p"),
    }
}

/// A group's label as people read it: `0–4`, `80+`.
pub fn group_label(from: u32, to: Option<u32>) -> String {
    match to {
        Some(to) => format!("{from}–{to}"),
        None => format!("{from}+"),
    }
}

/// One age group of a pyramid.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GroupRow {
    /// The group's label: `0–4`, …, `75–79`, `80+`.
    pub age: String,
    /// First age of the group (completed years).
    pub age_from: u32,
    /// Last age of the group; `null` for the open group 80+.
    pub age_to: Option<u32>,
    /// Males of the group.
    pub males: i64,
    /// Females of the group.
    pub females: i64,
    /// Males of the group as a percentage of the whole population (both sexes, all ages),
    /// rounded to 0.01.
    pub males_share: f64,
    /// Females of the group as a percentage of the whole population, rounded to 0.01.
    pub females_share: f64,
}

/// The sums of a pyramid's groups.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Totals {
    /// Males, all ages (the male groups summed).
    pub males: i64,
    /// Females, all ages (the female groups summed).
    pub females: i64,
    /// Both sexes.
    pub population: i64,
}

/// A pyramid: the groups youngest first, and their totals.
#[derive(Debug, Clone, PartialEq)]
pub struct Pyramid {
    /// The 17 groups, youngest first.
    pub groups: Vec<GroupRow>,
    /// The sums.
    pub totals: Totals,
}

/// One group of an outline: shares only.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ShareRow {
    /// The group's label: `0–4`, …, `80+`.
    pub age: String,
    /// Males of the group, % of the whole population.
    pub males_share: f64,
    /// Females of the group, % of the whole population.
    pub females_share: f64,
}

/// `x` rounded to two decimals.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Pyramid {
    /// The pyramid of `counts` (indicator → count), or `None` when any of the 34 groups is
    /// missing (a period without age).
    pub fn of(counts: Option<&BTreeMap<String, i64>>) -> Option<Pyramid> {
        let counts = counts?;
        let mut raw = Vec::with_capacity(AGE_GROUPS.len());
        for (from, to) in AGE_GROUPS {
            let m = *counts.get(&group_id("males", from, to))?;
            let f = *counts.get(&group_id("females", from, to))?;
            raw.push((from, to, m, f));
        }
        let males: i64 = raw.iter().map(|r| r.2).sum();
        let females: i64 = raw.iter().map(|r| r.3).sum();
        let population = males + females;
        let share = |n: i64| match population {
            0 => 0.0,
            p => round2(100.0 * n as f64 / p as f64),
        };
        let groups = raw
            .into_iter()
            .map(|(from, to, m, f)| GroupRow {
                age: group_label(from, to),
                age_from: from,
                age_to: to,
                males: m,
                females: f,
                males_share: share(m),
                females_share: share(f),
            })
            .collect();
        Some(Pyramid {
            groups,
            totals: Totals {
                males,
                females,
                population,
            },
        })
    }

    /// The shares alone, for an outline.
    pub fn shares(&self) -> Vec<ShareRow> {
        self.groups
            .iter()
            .map(|g| ShareRow {
                age: g.age.clone(),
                males_share: g.males_share,
                females_share: g.females_share,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(scale: i64) -> BTreeMap<String, i64> {
        let mut c = BTreeMap::new();
        for (i, (from, to)) in AGE_GROUPS.into_iter().enumerate() {
            let i = i as i64;
            c.insert(group_id("males", from, to), scale * (20 - i));
            c.insert(group_id("females", from, to), scale * (21 - i));
        }
        c
    }

    #[test]
    fn ids_and_labels_follow_the_catalog() {
        assert_eq!(group_id("males", 0, Some(4)), "males_0_4");
        assert_eq!(group_id("females", 80, None), "females_80p");
        assert_eq!(group_label(75, Some(79)), "75–79");
        assert_eq!(group_label(80, None), "80+");
    }

    #[test]
    fn counts_sum_and_shares_make_a_hundred() {
        let p = Pyramid::of(Some(&counts(1000))).unwrap();
        assert_eq!(p.groups.len(), 17);
        assert_eq!(p.groups[0].males, 20_000);
        assert_eq!(p.groups[16].age, "80+");
        assert_eq!(p.groups[16].females, 5_000);
        // Males 20+19+…+4 = 204, females 21+…+5 = 221 (thousands).
        assert_eq!(p.totals.males, 204_000);
        assert_eq!(p.totals.females, 221_000);
        assert_eq!(p.totals.population, 425_000);
        let sum: f64 = p
            .groups
            .iter()
            .map(|g| g.males_share + g.females_share)
            .sum();
        assert!((sum - 100.0).abs() < 0.01 * 34.0, "{sum}");
        assert_eq!(p.groups[0].males_share, 4.71); // 20/425
    }

    #[test]
    fn a_missing_group_means_no_pyramid() {
        let mut c = counts(1);
        c.remove("females_80p");
        assert!(Pyramid::of(Some(&c)).is_none());
        assert!(Pyramid::of(None).is_none());
    }

    #[test]
    fn an_empty_unit_has_zero_shares() {
        let p = Pyramid::of(Some(&counts(0))).unwrap();
        assert_eq!(p.totals.population, 0);
        assert!(p.groups.iter().all(|g| g.males_share == 0.0));
    }
}
