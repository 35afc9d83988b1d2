//! The yearly cohort-component step and the projection of one unit: single-year cohorts by sex
//! survive a year (life table), the year's births (age-specific fertility on the women at the
//! year's start, split by the SRB) enter at age 0, net migrants are added at the age reached.

use super::assumptions::Assumptions;
use super::lifetable::Survival;
use super::singleyear::{aggregate, split};
use super::{AGES, AgeSex, GROUPS};
use crate::model::apportion::largest_remainder;

/// A unit's rates, derived from published data by `fit` (or set by hand in tests).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rates {
    /// Total fertility rate, children per woman.
    pub tfr: f64,
    /// Sex ratio at birth, males per female.
    pub srb: f64,
    /// Brass logit mortality level against the standard (0 = the standard).
    pub alpha: f64,
    /// Net migrants per year, both sexes.
    pub net_migration: f64,
}

/// The age schedules a projection runs on, resolved to single ages.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedules {
    /// Births per woman of each single age per child of TFR (share of her group / 5; 0 outside 15–49).
    pub fertility: [f64; AGES],
    /// Males' survival.
    pub male: Survival,
    /// Females' survival.
    pub female: Survival,
    /// Share of a year's net migrants at each age reached (sums to 1).
    pub migration: [f64; AGES],
    /// Share of net migrants who are male.
    pub male_share: f64,
}

impl Schedules {
    /// The assumptions' schedules at a Brass mortality level.
    pub fn new(a: &Assumptions, alpha: f64) -> Schedules {
        Schedules {
            fertility: fertility_by_age(a),
            male: Survival::at_level(&a.mortality.male, alpha),
            female: Survival::at_level(&a.mortality.female, alpha),
            migration: migration_by_age(a),
            male_share: a.migration.male_share,
        }
    }
}

/// Births per woman at each single age per child of TFR.
pub fn fertility_by_age(a: &Assumptions) -> [f64; AGES] {
    let mut f = [0.0; AGES];
    for (x, v) in f.iter_mut().enumerate().take(50).skip(15) {
        *v = a.fertility.shares[(x - 15) / 5] / 5.0;
    }
    f
}

/// The Rogers–Castro schedule at single ages 0 … 79 and the open 80+ (ages 80 … 100 summed),
/// normalised to sum to 1.
pub fn migration_by_age(a: &Assumptions) -> [f64; AGES] {
    let m = &a.migration;
    let rc = |x: f64| {
        m.a1 * (-m.alpha1 * x).exp()
            + m.a2 * (-m.alpha2 * (x - m.mu2) - (-m.lambda2 * (x - m.mu2)).exp()).exp()
            + m.c
    };
    let mut w = [0.0; AGES];
    for (x, v) in w.iter_mut().enumerate().take(AGES - 1) {
        *v = rc(x as f64);
    }
    w[AGES - 1] = (80..=100).map(|x| rc(x as f64)).sum();
    let total: f64 = w.iter().sum();
    w.iter_mut().for_each(|v| *v /= total);
    w
}

/// Single-year cohorts of both sexes (f64 persons).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cohorts {
    /// Males at ages 0 … 79, 80+.
    pub males: [f64; AGES],
    /// Females at ages 0 … 79, 80+.
    pub females: [f64; AGES],
}

impl Cohorts {
    /// The single-year split of a five-year structure.
    pub fn from_groups(base: &AgeSex) -> Cohorts {
        Cohorts {
            males: split(&base.males.map(|v| v as f64)),
            females: split(&base.females.map(|v| v as f64)),
        }
    }

    /// Everyone, both sexes (f64).
    pub fn total(&self) -> f64 {
        self.males.iter().sum::<f64>() + self.females.iter().sum::<f64>()
    }

    /// Five-year groups in whole persons: each sex's total rounded half up, its groups
    /// apportioned by largest remainder so they sum to it.
    pub fn round(&self) -> AgeSex {
        AgeSex {
            males: round_sex(&aggregate(&self.males)),
            females: round_sex(&aggregate(&self.females)),
        }
    }
}

fn round_sex(groups: &[f64; GROUPS]) -> [i64; GROUPS] {
    let total: f64 = groups.iter().sum();
    let whole = (total + 0.5).floor() as i64;
    let parts = largest_remainder(whole, groups);
    let mut out = [0; GROUPS];
    out.copy_from_slice(&parts);
    out
}

/// The year's births at a TFR: fertility by age on the women at the year's start.
pub fn births(c: &Cohorts, tfr: f64, s: &Schedules) -> f64 {
    tfr * c
        .females
        .iter()
        .zip(&s.fertility)
        .map(|(w, f)| w * f)
        .sum::<f64>()
}

/// One year: survivors age by one, the births (total `births`, split by `srb`) enter at 0,
/// `net` migrants are added by the age schedule; a cohort below zero is set to zero.
pub fn step(c: &Cohorts, births: f64, srb: f64, net: f64, s: &Schedules) -> Cohorts {
    let male_births = births * srb / (1.0 + srb);
    let female_births = births / (1.0 + srb);
    Cohorts {
        males: age_one_sex(&c.males, male_births, net * s.male_share, &s.male, s),
        females: age_one_sex(
            &c.females,
            female_births,
            net * (1.0 - s.male_share),
            &s.female,
            s,
        ),
    }
}

fn age_one_sex(
    p: &[f64; AGES],
    births: f64,
    net: f64,
    survival: &Survival,
    s: &Schedules,
) -> [f64; AGES] {
    let open = AGES - 1;
    let mut next = [0.0; AGES];
    next[0] = births * survival.infant;
    for x in 0..open - 1 {
        next[x + 1] = p[x] * survival.ratio[x];
    }
    next[open] = p[open - 1] * survival.ratio[open - 1] + p[open] * survival.ratio[open];
    for (v, w) in next.iter_mut().zip(&s.migration) {
        *v += net * w;
        if *v < 0.0 {
            *v = 0.0;
        }
    }
    next
}

/// Projects a unit `years` years ahead of its base structure, `offset(i)` being the TFR offset
/// (the variant's, phased in) of projected year i; element i is the structure at the end of
/// base year + i + 1.
pub fn project(
    base: &AgeSex,
    rates: &Rates,
    offset: impl Fn(usize) -> f64,
    years: usize,
    a: &Assumptions,
) -> Vec<AgeSex> {
    let s = Schedules::new(a, rates.alpha);
    let mut c = Cohorts::from_groups(base);
    let mut out = Vec::with_capacity(years);
    for i in 0..years {
        let tfr = (rates.tfr + offset(i)).max(0.0);
        let b = births(&c, tfr, &s);
        c = step(&c, b, rates.srb, rates.net_migration, &s);
        out.push(c.round());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn still(a: &Assumptions) -> Schedules {
        Schedules {
            fertility: fertility_by_age(a),
            male: Survival::immortal(),
            female: Survival::immortal(),
            migration: migration_by_age(a),
            male_share: 0.5,
        }
    }

    fn cohorts() -> Cohorts {
        let mut c = Cohorts {
            males: [0.0; AGES],
            females: [0.0; AGES],
        };
        for x in 0..AGES {
            c.males[x] = (1000 + 13 * x) as f64;
            c.females[x] = (990 + 17 * x) as f64;
        }
        c
    }

    #[test]
    fn without_mortality_fertility_and_migration_each_cohort_moves_one_age_per_step() {
        let a = Assumptions::standard();
        let s = still(&a);
        let c0 = cohorts();
        let mut c = c0;
        for year in 1..=10usize {
            c = step(&c, 0.0, 1.1, 0.0, &s);
            for x in year..AGES - 1 {
                assert_eq!(c.males[x], c0.males[x - year], "year {year} age {x}");
                assert_eq!(c.females[x], c0.females[x - year], "year {year} age {x}");
            }
            for x in 0..year {
                assert_eq!(c.males[x], 0.0);
            }
            assert_eq!(c.total(), c0.total(), "year {year}: population conserved");
        }
        // The open group gathered the cohorts aged 70 … 79 at the start.
        let gathered: f64 = (70..81).map(|x| c0.males[x]).sum();
        assert_eq!(c.males[80], gathered);
    }

    #[test]
    fn with_only_births_the_total_grows_by_exactly_the_births() {
        let a = Assumptions::standard();
        let s = still(&a);
        let mut c = cohorts();
        for _ in 0..10 {
            let before = c.total();
            let b = births(&c, 2.0, &s);
            assert!(b > 0.0);
            c = step(&c, b, 1.12, 0.0, &s);
            assert!(
                (c.total() - (before + b)).abs() < 1e-6,
                "{} vs {}",
                c.total(),
                before + b
            );
            assert!((c.males[0] / c.females[0] - 1.12).abs() < 1e-12);
        }
    }

    #[test]
    fn with_only_births_the_rounded_totals_grow_by_the_rounded_births() {
        let a = Assumptions::standard();
        let s = still(&a);
        let base = AgeSex {
            males: [5000; GROUPS],
            females: [5000; GROUPS],
        };
        let c = Cohorts::from_groups(&base);
        let b = births(&c, 2.0, &s);
        // 1,000 women at each age 15–49, a schedule summing to 1 child: TFR 2 × 1,000 births.
        assert!((b - 2000.0).abs() < 1e-9, "{b}");
        let next = step(&c, b, 1.0, 0.0, &s);
        assert!((next.males[0] - 1000.0).abs() < 1e-9);
        assert!((next.females[0] - 1000.0).abs() < 1e-9);
        // Ages 1–4 are last year's 0–3 (1,000 each), age 0 the births; 75–79 lost age 79 to 80+.
        let rounded = next.round();
        assert_eq!(rounded.total(), base.total() + 2000);
        assert_eq!(
            (rounded.males[0], rounded.males[15], rounded.males[16]),
            (5000, 5000, 6000)
        );
    }

    #[test]
    fn rounded_groups_sum_to_the_rounded_sex_totals() {
        let a = Assumptions::standard();
        let base = AgeSex {
            males: [
                4321, 4100, 3999, 4050, 3800, 3700, 3600, 3500, 3300, 3100, 2900, 2500, 2100, 1600,
                1200, 800, 700,
            ],
            females: [
                4100, 3900, 3800, 3950, 3750, 3700, 3650, 3550, 3400, 3200, 3000, 2700, 2300, 1900,
                1500, 1100, 1300,
            ],
        };
        let rates = Rates {
            tfr: 2.0,
            srb: 1.12,
            alpha: 0.1,
            net_migration: -350.0,
        };
        for y in project(&base, &rates, |_| 0.0, 10, &a) {
            assert!(y.males.iter().chain(&y.females).all(|v| *v >= 0));
        }
        let s = Schedules::new(&a, 0.1);
        let c = step(&Cohorts::from_groups(&base), 1000.0, 1.12, -350.0, &s);
        let r = c.round();
        let m: f64 = c.males.iter().sum();
        assert_eq!(r.males.iter().sum::<i64>(), (m + 0.5).floor() as i64);
    }
}
