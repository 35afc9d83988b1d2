//! Cohort-component population projections: the age × sex structure of a unit carried forward a
//! year at a time by survivors from a life table, births from age-specific fertility (split by
//! sex with the sex ratio at birth) and net migration by age. Pure arithmetic on f64 inside,
//! deterministic, integer persons out. On the model floor: imports only the model (for
//! `largest_remainder`); the CLI reads the store and publishes the results.
//!
//! - `assumptions`: the schedules and variants, data compiled in from
//!   data/projection/assumptions.toml, with their sources.
//! - `lifetable`: the Siler standard life table, Brass logit levels, single-year survival.
//! - `singleyear`: five-year groups to single years (uniform split) and back.
//! - `fit`: a unit's rates (TFR, SRB, mortality level, net migration) from published data.
//! - `engine`: the yearly step and the projection of a unit.

pub(crate) mod assumptions;
pub(crate) mod engine;
pub(crate) mod fit;
pub(crate) mod lifetable;
pub(crate) mod singleyear;

/// Five-year age groups per sex: 0–4 … 75–79 and the open 80+.
pub const GROUPS: usize = 17;
/// Single ages carried by the engine: 0 … 79 and the open 80+ (index 80).
pub const AGES: usize = 81;

/// A unit's population by five-year age group (0–4 … 75–79, 80+) and sex, whole persons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct AgeSex {
    /// Males by group, youngest first.
    pub males: [i64; GROUPS],
    /// Females by group, youngest first.
    pub females: [i64; GROUPS],
}

impl AgeSex {
    /// Everyone, both sexes.
    pub fn total(&self) -> i64 {
        self.males.iter().sum::<i64>() + self.females.iter().sum::<i64>()
    }

    /// The sum of two structures group by group (national = sum of provinces).
    pub fn plus(&self, other: &AgeSex) -> AgeSex {
        let mut out = *self;
        for g in 0..GROUPS {
            out.males[g] += other.males[g];
            out.females[g] += other.females[g];
        }
        out
    }
}

/// The catalog codes of the five-year groups of one sex, e.g. `males_0_4` … `males_80p`.
pub fn group_codes(sex: &str) -> Vec<String> {
    (0..GROUPS)
        .map(|g| {
            if g + 1 == GROUPS {
                format!("{sex}_80p")
            } else {
                format!("{sex}_{}_{}", g * 5, g * 5 + 4)
            }
        })
        .collect()
}

/// A rate the engine cannot use, named with the rule it breaks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProjectionError {
    /// A negative or non-finite count or rate.
    #[error("{what} is {value}: projection inputs must be finite and not negative")]
    Invalid {
        /// Which input.
        what: &'static str,
        /// Its value.
        value: f64,
    },
    /// No women of childbearing age where births were published.
    #[error("{births} births but no women aged 15–49: the fertility level cannot be derived")]
    NoMothers {
        /// The published births.
        births: f64,
    },
}
