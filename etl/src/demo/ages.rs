//! Synthetic age × sex structures for the demo's annual reports (December months).
//!
//! The national shape is `data/vn/age-sex-shape.csv` (Vietnam on 1 April 2019: the census's sex
//! totals and broad age bands, the UN's five-year split; see `data/vn/PROVENANCE.md`). Each
//! commune tilts it once: younger in rural and mountain communes, older in wards; then the female
//! groups 15–49 are scaled to the commune's share of women 15–49 so `women_15_49` keeps its
//! monthly level. Each December the commune's males and females are
//! divided among the 17 groups by largest remainder, so the groups sum exactly to `males` and
//! `females`, and `women_15_49` becomes the sum of the female groups 15–19 … 45–49. Values are
//! SYNTHETIC like every demo value.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::carry::largest_remainder;
use super::synth::{Row, col};

/// Groups per sex: 0–4 … 75–79 and 80+.
pub const GROUPS: usize = 17;
/// The 34 age × sex counts of a commune: males 0–4 … 80+, then females 0–4 … 80+.
pub type AgeRow = [u64; 2 * GROUPS];
/// One weight per age × sex group, in [`AgeRow`] order.
pub type AgeWeights = [f64; 2 * GROUPS];

/// The female groups counted in `women_15_49`: 15–19 … 45–49.
const WOMEN: std::ops::Range<usize> = GROUPS + 3..GROUPS + 10;

/// The national shape, compiled in: `age,males,females`, 17 rows.
const SHAPE: &str = include_str!("../../../data/vn/age-sex-shape.csv");

/// Northern midland and mountain provinces and the Central Highlands (2019 codes): their rural
/// communes are the youngest.
const MOUNTAIN: [&str; 19] = [
    "02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "24", "25", "62", "64",
    "66", "67", "68",
];

/// The national shape as weights (persons on 1 April 2019 by group and sex).
pub fn national_shape() -> AgeWeights {
    let mut w = [0.0; 2 * GROUPS];
    for (i, line) in SHAPE.lines().skip(1).enumerate().take(GROUPS) {
        let mut f = line
            .split(',')
            .skip(1)
            .map(|x| x.parse::<f64>().unwrap_or(0.0));
        w[i] = f.next().unwrap_or(0.0);
        w[GROUPS + i] = f.next().unwrap_or(0.0);
    }
    w
}

/// Whether the month carries the age report (the annual report, in December).
pub fn has_ages((_, m): (i32, u32)) -> bool {
    m == 12
}

/// The commune's tilt: positive = younger than the nation. Drawn from its own seed so the rest
/// of the simulation draws exactly what it drew before ages existed.
pub fn tilt(code: &str, kind: &str, province: &str) -> f64 {
    let seed: u64 = code.parse().unwrap_or(0);
    let mut rng = ChaCha8Rng::seed_from_u64(0xA6E5_u64 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mean = match kind {
        "Phường" => -0.45,
        "Thị trấn" => -0.2,
        "Huyện đảo" => -0.1,
        _ if MOUNTAIN.contains(&province) => 0.35,
        _ => 0.0,
    };
    Normal::new(mean, 0.15)
        .expect("valid normal")
        .sample(&mut rng)
}

/// A commune's weights: the national shape tilted by `tilt` (each group × e^(tilt·(37.5 − mid
/// age)/25)), with the female groups 15–49 scaled to `women_share` of the females.
pub fn commune_weights(tilt: f64, women_share: f64) -> AgeWeights {
    let mut w = national_shape();
    for (i, x) in w.iter_mut().enumerate() {
        let mid = 5.0 * (i % GROUPS) as f64 + 2.5;
        *x *= (tilt * (37.5 - mid) / 25.0).exp();
    }
    let fem: f64 = w[GROUPS..].iter().sum();
    let inside: f64 = w[WOMEN].iter().sum();
    let share = women_share.clamp(0.05, 0.95);
    for (k, x) in w.iter_mut().enumerate().skip(GROUPS) {
        *x *= if WOMEN.contains(&k) {
            share * fem / inside
        } else {
            (1.0 - share) * fem / (fem - inside)
        };
    }
    w
}

/// Divides the row's males and females among the groups in proportion to `w`.
pub fn ages_of(r: &Row, w: &AgeWeights) -> AgeRow {
    let mut out = [0; 2 * GROUPS];
    for (sex, total) in [(0, r[col::MALES]), (GROUPS, r[col::FEMALES])] {
        let part = &w[sex..sex + GROUPS];
        let s: f64 = part.iter().sum();
        let shares: Vec<f64> = part.iter().map(|x| x / s).collect();
        out[sex..sex + GROUPS].copy_from_slice(&largest_remainder(total, &shares));
    }
    out
}

/// The weights a row's own groups give (the national shape where a sex has nobody).
pub fn weights_of(a: &AgeRow) -> AgeWeights {
    let national = national_shape();
    let mut w = [0.0; 2 * GROUPS];
    for sex in [0, GROUPS] {
        let own: u64 = a[sex..sex + GROUPS].iter().sum();
        for k in sex..sex + GROUPS {
            w[k] = if own == 0 { national[k] } else { a[k] as f64 };
        }
    }
    w
}

/// Makes `women_15_49` the sum of the female groups 15–49 (contraceptive users capped by it).
pub fn align_women(r: &mut Row, a: &AgeRow) {
    r[col::WOMEN] = a[WOMEN].iter().sum();
    r[col::CONTRACEPTION] = r[col::CONTRACEPTION].min(r[col::WOMEN]);
}

/// The age rules of one row: groups sum to males and females, women 15–49 to its groups.
pub fn check_ages(r: &Row, a: &AgeRow) -> Result<(), String> {
    if a[..GROUPS].iter().sum::<u64>() != r[col::MALES] {
        return Err("male age groups != males".into());
    }
    if a[GROUPS..].iter().sum::<u64>() != r[col::FEMALES] {
        return Err("female age groups != females".into());
    }
    if a[WOMEN].iter().sum::<u64>() != r[col::WOMEN] {
        return Err("female groups 15–49 != women_15_49".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_national_shape_meets_the_2019_census() {
        let w = national_shape();
        let males: f64 = w[..GROUPS].iter().sum();
        let females: f64 = w[GROUPS..].iter().sum();
        assert_eq!((males, females), (47_881_061.0, 48_327_923.0));
        let sum = |r: std::ops::Range<usize>| -> f64 { r.map(|i| w[i] + w[GROUPS + i]).sum() };
        assert_eq!(sum(13..17), 7_417_395.0, "65+ (census: 7.417 million)");
        assert_eq!(sum(12..17), 11_409_465.0, "60+ (census: 11.409 million)");
        let share = sum(0..3) / (males + females);
        assert!((share - 0.243).abs() < 0.0005, "0–14: {share}");
    }

    #[test]
    fn groups_sum_to_the_sexes_and_women_to_their_groups() {
        let mut r: Row = [0; 17];
        r[col::MALES] = 4_987;
        r[col::FEMALES] = 5_013;
        r[col::POP] = 10_000;
        r[col::CONTRACEPTION] = 2_000;
        for t in [-0.6, 0.0, 0.7] {
            let a = ages_of(&r, &commune_weights(t, 0.5));
            let mut r2 = r;
            align_women(&mut r2, &a);
            check_ages(&r2, &a).unwrap();
            assert!(
                (2_400..2_600).contains(&r2[col::WOMEN]),
                "{}",
                r2[col::WOMEN]
            );
        }
        let young = ages_of(&r, &commune_weights(0.5, 0.5));
        let old = ages_of(&r, &commune_weights(-0.5, 0.5));
        assert!(young[0] > old[0] && young[16] < old[16]);
    }
}
