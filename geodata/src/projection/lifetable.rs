//! Life tables: the Siler standard by sex, a unit's level by the Brass logit relational model,
//! and the single-year survival ratios the yearly step uses.

use super::AGES;
use super::assumptions::{Assumptions, Siler};
use super::engine::Rates;

/// The oldest age of the life table; l(OMEGA) is taken as the table's end.
pub const OMEGA: usize = 130;

/// Survivorship l(x) of the standard at single ages 0 … OMEGA, l(0) = 1, from the Siler
/// hazard's closed-form cumulative hazard.
pub fn standard_lx(s: &Siler) -> Vec<f64> {
    (0..=OMEGA)
        .map(|x| {
            let x = x as f64;
            let h = s.a1 / s.b1 * (1.0 - (-s.b1 * x).exp())
                + s.a2 * x
                + s.a3 / s.b3 * ((s.b3 * x).exp() - 1.0);
            (-h).exp()
        })
        .collect()
}

/// The Brass logit transform with slope 1: logit l(x) = α + logit l_s(x), i.e.
/// l = l_s / (l_s + e^(2α)·(1 − l_s)). α > 0 is higher mortality than the standard.
pub fn brass(standard: &[f64], alpha: f64) -> Vec<f64> {
    let k = (2.0 * alpha).exp();
    standard
        .iter()
        .map(|&ls| ls / (ls + k * (1.0 - ls)))
        .collect()
}

/// One year's survival: births to age 0 at the year's end, and each single age to the next.
#[derive(Debug, Clone, PartialEq)]
pub struct Survival {
    /// L(0) / l(0): of a year's births, the share alive at its end.
    pub infant: f64,
    /// `ratio[x]` for x < 80: L(x+1) / L(x), age x to x + 1 (79 to the open 80+);
    /// `ratio[80]`: T(81) / T(80), the open group's survivors within it.
    pub ratio: [f64; AGES],
}

impl Survival {
    /// Survival ratios of a life table l(0 … OMEGA), person-years L(x) = (l(x) + l(x+1)) / 2.
    pub fn from_lx(l: &[f64]) -> Survival {
        let big_l: Vec<f64> = (0..OMEGA).map(|x| (l[x] + l[x + 1]) / 2.0).collect();
        let mut ratio = [0.0; AGES];
        for (x, r) in ratio.iter_mut().enumerate().take(AGES - 1) {
            *r = big_l[x + 1] / big_l[x];
        }
        let t81: f64 = big_l[81..].iter().sum();
        let t80 = big_l[80] + t81;
        ratio[AGES - 1] = if t80 > 0.0 { t81 / t80 } else { 0.0 };
        Survival {
            infant: big_l[0] / l[0],
            ratio,
        }
    }

    /// The survival of a standard at Brass level α.
    pub fn at_level(s: &Siler, alpha: f64) -> Survival {
        Survival::from_lx(&brass(&standard_lx(s), alpha))
    }

    /// No one dies: every ratio 1.
    pub fn immortal() -> Survival {
        Survival {
            infant: 1.0,
            ratio: [1.0; AGES],
        }
    }
}

/// Life expectancy at birth of a life table l(0 … OMEGA) (trapezoid person-years).
pub fn e0(l: &[f64]) -> f64 {
    (0..OMEGA).map(|x| (l[x] + l[x + 1]) / 2.0).sum::<f64>() / l[0]
}

/// The life expectancy at birth a unit's fitted rates imply (its projection's mortality).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LifeExpectancy {
    /// Males': the male standard at the rates' Brass level.
    pub male: f64,
    /// Females': the female standard at the same level.
    pub female: f64,
    /// Both sexes': the two weighted by the sex ratio at birth, i.e. the years a newborn of the
    /// unit is expected to live under the fitted mortality.
    pub both: f64,
}

/// The life expectancy at birth of `rates` under the standards of `a`: each sex's life table at
/// Brass level `rates.alpha` (one level for both sexes, as the projection runs), both sexes'
/// weighted by `rates.srb` (males per female).
pub fn life_expectancy(rates: &Rates, a: &Assumptions) -> LifeExpectancy {
    let male = e0(&brass(&standard_lx(&a.mortality.male), rates.alpha));
    let female = e0(&brass(&standard_lx(&a.mortality.female), rates.alpha));
    LifeExpectancy {
        male,
        female,
        both: (rates.srb * male + female) / (rates.srb + 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::assumptions::Assumptions;

    #[test]
    fn the_standards_have_vietnams_2019_life_expectancy() {
        let a = Assumptions::standard();
        let m = e0(&standard_lx(&a.mortality.male));
        let f = e0(&standard_lx(&a.mortality.female));
        assert!((70.5..71.5).contains(&m), "male e0 {m}");
        assert!((76.0..76.8).contains(&f), "female e0 {f}");
    }

    #[test]
    fn life_expectancy_of_rates_is_each_sexs_e0_at_their_level_weighted_by_the_srb() {
        let a = Assumptions::standard();
        let rates = |alpha, srb| Rates {
            tfr: 2.0,
            srb,
            alpha,
            net_migration: 0.0,
        };
        let at_standard = life_expectancy(&rates(0.0, 1.0), &a);
        assert_eq!(at_standard.male, e0(&standard_lx(&a.mortality.male)));
        assert_eq!(at_standard.female, e0(&standard_lx(&a.mortality.female)));
        assert!((at_standard.both - (at_standard.male + at_standard.female) / 2.0).abs() < 1e-12);
        // More boys born: closer to the males' e0; a higher level: shorter lives.
        let boys = life_expectancy(&rates(0.0, 1.1), &a);
        assert!((boys.both - (1.1 * boys.male + boys.female) / 2.1).abs() < 1e-12);
        assert!(boys.both < at_standard.both);
        assert!(life_expectancy(&rates(0.2, 1.1), &a).both < boys.both - 1.0);
    }

    #[test]
    fn brass_alpha_zero_is_the_standard_and_positive_alpha_shortens_life() {
        let a = Assumptions::standard();
        let ls = standard_lx(&a.mortality.female);
        assert_eq!(brass(&ls, 0.0), ls);
        assert!(e0(&brass(&ls, 0.3)) < e0(&ls) - 2.0);
        assert!(e0(&brass(&ls, -0.3)) > e0(&ls) + 2.0);
        assert_eq!(brass(&ls, 0.7)[0], 1.0);
    }
}
