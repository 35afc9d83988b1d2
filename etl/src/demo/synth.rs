//! Synthetic but plausible monthly indicator values for every vn-2019 commune.
//!
//! Each commune gets fixed traits drawn once (size by commune type, birth, death and migration rates, sex
//! share, household size, share of women 15–49, contraceptive prevalence, urban and temporary-resident
//! shares). Month by month the population moves by births − deaths + in-migrants − out-migrants
//! (Poisson counts; boys ~ Binomial(births, 111/211)), so every series is smooth. Stocks are reported at
//! the end of the month. Values are SYNTHETIC and must be labelled so wherever they are shown.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, LogNormal, Normal, Poisson};

use super::ages::{self, AgeRow};
use super::inputs::Inputs;

/// The 17 base indicators, in the order of the built-in catalog.
pub const IDS: [&str; 17] = [
    "population",
    "males",
    "females",
    "households",
    "permanent_residents",
    "temporary_residents",
    "births",
    "births_male",
    "births_female",
    "deaths",
    "marriages",
    "divorces",
    "in_migrants",
    "out_migrants",
    "women_15_49",
    "women_15_49_contraception",
    "urban_population",
];

/// Column positions in a row of values.
pub mod col {
    #![allow(missing_docs)]
    pub const POP: usize = 0;
    pub const MALES: usize = 1;
    pub const FEMALES: usize = 2;
    pub const HOUSEHOLDS: usize = 3;
    pub const PERMANENT: usize = 4;
    pub const TEMPORARY: usize = 5;
    pub const BIRTHS: usize = 6;
    pub const BIRTHS_MALE: usize = 7;
    pub const BIRTHS_FEMALE: usize = 8;
    pub const DEATHS: usize = 9;
    pub const MARRIAGES: usize = 10;
    pub const DIVORCES: usize = 11;
    pub const IN: usize = 12;
    pub const OUT: usize = 13;
    pub const WOMEN: usize = 14;
    pub const CONTRACEPTION: usize = 15;
    pub const URBAN: usize = 16;
}

/// One row of base counts, in `IDS` order.
pub type Row = [u64; 17];

/// National population at the start of 2024-01.
pub const START_POPULATION: f64 = 100_300_000.0;
/// Seed of the whole simulation.
pub const SEED: u64 = 2024_0101;

/// Months from 2024-01 to 2026-09 as (year, month).
pub fn months() -> Vec<(i32, u32)> {
    let (mut y, mut m) = super::FIRST_MONTH;
    let mut out = Vec::new();
    while (y, m) <= super::LAST_MONTH {
        out.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// Values of every vn-2019 commune for every month: `rows[month][commune]`.
#[derive(Debug, Clone)]
pub struct Tables {
    /// The months, in order.
    pub months: Vec<(i32, u32)>,
    /// `rows[month index][commune index in Inputs::communes_2019]`.
    pub rows: Vec<Vec<Row>>,
    /// The age × sex groups of each commune in months with the age report (December), in the
    /// order of `rows[month]`; `None` in other months.
    pub ages: Vec<Option<Vec<AgeRow>>>,
}

struct Traits {
    cbr: f64,
    cdr: f64,
    inr: f64,
    outr: f64,
    male: f64,
    hh: f64,
    women: f64,
    cpr: f64,
    urban: f64,
    temp: f64,
}

fn draw_traits(kind: &str, rng: &mut ChaCha8Rng) -> (f64, Traits) {
    let n =
        |m: f64, s: f64, rng: &mut ChaCha8Rng| Normal::new(m, s).expect("valid normal").sample(rng);
    let (mu, sigma, inr, outr, hh, urban, temp) = match kind {
        "Phường" => (
            14_000f64,
            0.45,
            7.0,
            4.5,
            3.3,
            1.0,
            rng.random_range(0.03..0.08),
        ),
        "Thị trấn" => (
            11_000f64,
            0.40,
            5.0,
            4.5,
            3.5,
            1.0,
            rng.random_range(0.02..0.05),
        ),
        "Huyện đảo" => (
            6_000f64,
            0.30,
            4.0,
            5.0,
            3.6,
            0.3,
            rng.random_range(0.01..0.03),
        ),
        _ => (
            8_000f64,
            0.50,
            3.0,
            3.6,
            3.75,
            rng.random_range(0.0..0.08),
            rng.random_range(0.005..0.02),
        ),
    };
    let size = LogNormal::new(mu.ln(), sigma)
        .expect("valid lognormal")
        .sample(rng);
    let t = Traits {
        cbr: n(15.0, 1.2, rng).clamp(11.0, 19.0),
        cdr: n(6.5, 0.6, rng).clamp(5.0, 8.5),
        inr: inr * rng.random_range(0.7..1.3),
        outr: outr * rng.random_range(0.7..1.3),
        male: n(0.4975, 0.004, rng).clamp(0.485, 0.51),
        hh: n(hh, 0.2, rng).clamp(2.8, 4.5),
        women: n(0.25, 0.01, rng).clamp(0.22, 0.28),
        cpr: rng.random_range(0.56..0.70),
        urban,
        temp,
    };
    (size, t)
}

fn poisson(lambda: f64, rng: &mut ChaCha8Rng) -> u64 {
    if lambda <= 0.0 {
        0
    } else {
        Poisson::new(lambda).expect("positive rate").sample(rng) as u64
    }
}

impl Tables {
    /// Simulates every vn-2019 commune over all months.
    pub fn simulate(data: &Inputs) -> Tables {
        let months = months();
        let mut traits = Vec::with_capacity(data.communes_2019.len());
        let mut sizes = Vec::with_capacity(data.communes_2019.len());
        let mut rngs = Vec::with_capacity(data.communes_2019.len());
        let mut shapes = Vec::with_capacity(data.communes_2019.len());
        for c in &data.communes_2019 {
            let code: u64 = c.code.parse().unwrap_or(0);
            let mut rng =
                ChaCha8Rng::seed_from_u64(SEED ^ code.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let (size, t) = draw_traits(&c.kind, &mut rng);
            let tilt = ages::tilt(&c.code, &c.kind, &c.province_code);
            shapes.push(ages::commune_weights(tilt, t.women / (1.0 - t.male)));
            sizes.push(size);
            traits.push(t);
            rngs.push(rng);
        }
        let scale = START_POPULATION / sizes.iter().sum::<f64>();
        let mut pop: Vec<u64> = sizes.iter().map(|s| (s * scale).round() as u64).collect();
        let srb_p = 111.0 / 211.0;
        let mut rows = Vec::with_capacity(months.len());
        let mut all_ages = Vec::with_capacity(months.len());
        for (mi, &month) in months.iter().enumerate() {
            let mut month_rows = Vec::with_capacity(pop.len());
            let mut month_ages = ages::has_ages(month).then(|| Vec::with_capacity(pop.len()));
            for (i, t) in traits.iter().enumerate() {
                let rng = &mut rngs[i];
                let p = pop[i] as f64;
                let births = poisson(p * t.cbr / 12_000.0, rng);
                let births_male = Binomial::new(births, srb_p)
                    .expect("valid binomial")
                    .sample(rng);
                let deaths = poisson(p * t.cdr / 12_000.0, rng).min(pop[i]);
                let in_m = poisson(p * t.inr / 12_000.0, rng);
                let out_m = poisson(p * t.outr / 12_000.0, rng).min(pop[i] + births - deaths);
                let marriages = poisson(p * 7.0 / 12_000.0, rng);
                let divorces = poisson(p * 1.3 / 12_000.0, rng);
                let np = pop[i] + births + in_m - deaths - out_m;
                pop[i] = np;
                let npf = np as f64;
                let males = ((npf * t.male).round() as u64).min(np);
                let women = ((npf * t.women).round() as u64).min(np - males);
                let cpr = (t.cpr + 0.0004 * mi as f64).min(0.95);
                let temporary = ((npf * t.temp).round() as u64).min(np);
                let mut r: Row = [0; 17];
                r[col::POP] = np;
                r[col::MALES] = males;
                r[col::FEMALES] = np - males;
                r[col::HOUSEHOLDS] = ((npf / t.hh).round() as u64).min(np);
                r[col::PERMANENT] = np - temporary;
                r[col::TEMPORARY] = temporary;
                r[col::BIRTHS] = births;
                r[col::BIRTHS_MALE] = births_male;
                r[col::BIRTHS_FEMALE] = births - births_male;
                r[col::DEATHS] = deaths;
                r[col::MARRIAGES] = marriages;
                r[col::DIVORCES] = divorces;
                r[col::IN] = in_m;
                r[col::OUT] = out_m;
                r[col::WOMEN] = women;
                r[col::CONTRACEPTION] = ((women as f64 * cpr).round() as u64).min(women);
                r[col::URBAN] = ((npf * t.urban).round() as u64).min(np);
                if let Some(month_ages) = month_ages.as_mut() {
                    let a = ages::ages_of(&r, &shapes[i]);
                    ages::align_women(&mut r, &a);
                    month_ages.push(a);
                }
                month_rows.push(r);
            }
            rows.push(month_rows);
            all_ages.push(month_ages);
        }
        Tables {
            months,
            rows,
            ages: all_ages,
        }
    }
}

/// Checks the row rules; returns the first rule broken.
pub fn check_row(r: &Row) -> Result<(), String> {
    if r[col::MALES] + r[col::FEMALES] != r[col::POP] {
        return Err("males + females != population".into());
    }
    if r[col::BIRTHS_MALE] + r[col::BIRTHS_FEMALE] != r[col::BIRTHS] {
        return Err("births_male + births_female != births".into());
    }
    if r[col::CONTRACEPTION] > r[col::WOMEN] {
        return Err("women_15_49_contraception > women_15_49".into());
    }
    if r[col::URBAN] > r[col::POP] {
        return Err("urban_population > population".into());
    }
    if r[col::PERMANENT] + r[col::TEMPORARY] != r[col::POP] {
        return Err("permanent + temporary residents != population".into());
    }
    Ok(())
}
