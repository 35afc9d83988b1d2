//! A unit's rates from published data where the data is thin: the fertility level from the
//! base year's births on the schedule, the SRB from the sexed births, the mortality level fitted
//! so the base year's expected deaths match the published deaths, net migration the average of
//! the published in − out of the years available.

use super::assumptions::Assumptions;
use super::engine::{Cohorts, Rates, fertility_by_age};
use super::lifetable::Survival;
use super::{AgeSex, ProjectionError};

/// A unit's published flows of the base year (and net migration of the years before it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Published {
    /// Births in the base year.
    pub births: f64,
    /// Male and female births in the base year, where published.
    pub births_by_sex: Option<(f64, f64)>,
    /// Deaths in the base year.
    pub deaths: f64,
    /// In-migrants − out-migrants of each year available (base year last).
    pub net_migration: Vec<f64>,
}

/// Halvings of the Brass α interval: far past f64 resolution, fixed so runs are reproducible.
const BISECTIONS: usize = 100;

/// Derives a unit's rates from its base structure and published flows.
pub fn fit(base: &AgeSex, p: &Published, a: &Assumptions) -> Result<Rates, ProjectionError> {
    for (what, value) in [("births", p.births), ("deaths", p.deaths)] {
        if !value.is_finite() || value < 0.0 {
            return Err(ProjectionError::Invalid { what, value });
        }
    }
    let c = Cohorts::from_groups(base);
    let exposure: f64 = c
        .females
        .iter()
        .zip(&fertility_by_age(a))
        .map(|(w, f)| w * f)
        .sum();
    let tfr = if p.births == 0.0 {
        0.0
    } else if exposure <= 0.0 {
        return Err(ProjectionError::NoMothers { births: p.births });
    } else {
        p.births / exposure
    };
    let srb = match p.births_by_sex {
        Some((m, f)) if m > 0.0 && f > 0.0 => m / f,
        _ => a.fertility.default_srb,
    };
    let alpha = fit_alpha(&c, p.births, srb, p.deaths, a);
    let net_migration = if p.net_migration.is_empty() {
        0.0
    } else {
        p.net_migration.iter().sum::<f64>() / p.net_migration.len() as f64
    };
    Ok(Rates {
        tfr,
        srb,
        alpha,
        net_migration,
    })
}

/// The deaths a year of the structure `c` and `births` would have at Brass level α: each age's
/// people times its one-year death share, plus the births that do not reach the year's end.
pub fn expected_deaths(c: &Cohorts, births: f64, srb: f64, alpha: f64, a: &Assumptions) -> f64 {
    let one = |p: &[f64], b: f64, s: &Survival| {
        let aged: f64 = p.iter().zip(&s.ratio).map(|(n, r)| n * (1.0 - r)).sum();
        aged + b * (1.0 - s.infant)
    };
    let male = Survival::at_level(&a.mortality.male, alpha);
    let female = Survival::at_level(&a.mortality.female, alpha);
    one(&c.males, births * srb / (1.0 + srb), &male)
        + one(&c.females, births / (1.0 + srb), &female)
}

/// Bisection for the α whose expected deaths equal `deaths`, clamped to the assumptions' bounds.
fn fit_alpha(c: &Cohorts, births: f64, srb: f64, deaths: f64, a: &Assumptions) -> f64 {
    let [mut lo, mut hi] = a.mortality.alpha_bounds;
    if expected_deaths(c, births, srb, lo, a) >= deaths {
        return lo;
    }
    if expected_deaths(c, births, srb, hi, a) <= deaths {
        return hi;
    }
    for _ in 0..BISECTIONS {
        let mid = (lo + hi) / 2.0;
        if expected_deaths(c, births, srb, mid, a) < deaths {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::engine::{Schedules, births};

    fn base() -> AgeSex {
        AgeSex {
            males: [
                4321, 4100, 3999, 4050, 3800, 3700, 3600, 3500, 3300, 3100, 2900, 2500, 2100, 1600,
                1200, 800, 700,
            ],
            females: [
                4100, 3900, 3800, 3950, 3750, 3700, 3650, 3550, 3400, 3200, 3000, 2700, 2300, 1900,
                1500, 1100, 1300,
            ],
        }
    }

    #[test]
    fn the_fitted_rates_reproduce_the_base_years_births_and_deaths() {
        let a = Assumptions::standard();
        let p = Published {
            births: 1000.0,
            births_by_sex: Some((530.0, 470.0)),
            deaths: 420.0,
            net_migration: vec![-100.0, -200.0, -300.0],
        };
        let r = fit(&base(), &p, &a).unwrap();
        let c = Cohorts::from_groups(&base());
        let s = Schedules::new(&a, r.alpha);
        assert!((births(&c, r.tfr, &s) - 1000.0).abs() < 1e-9);
        assert!((expected_deaths(&c, 1000.0, r.srb, r.alpha, &a) - 420.0).abs() < 1e-6);
        assert_eq!(r.net_migration, -200.0);
        assert_eq!(r.srb, 530.0 / 470.0);
    }

    #[test]
    fn births_without_women_are_refused_with_the_rule() {
        let a = Assumptions::standard();
        let mut b = base();
        b.females = [0; 17];
        let p = Published {
            births: 10.0,
            ..Published::default()
        };
        let err = fit(&b, &p, &a).unwrap_err();
        assert!(err.to_string().contains("no women aged 15–49"), "{err}");
    }
}
