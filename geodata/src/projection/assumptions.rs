//! The projection's assumptions as data: fertility age schedule, standard life table, migration
//! age schedule and variants, each with its source and how it is derived from published data.
//! Compiled in from data/projection/assumptions.toml (PROVENANCE.md beside it).

use serde::{Deserialize, Serialize};

/// The TOML text, served as-is by the API next to the results.
pub const ASSUMPTIONS_TOML: &str = include_str!("../../../data/projection/assumptions.toml");

/// Where an assumption comes from and how a unit's level is derived from published data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// The published source.
    pub source: String,
    /// How it is applied or fitted.
    pub derived: String,
}

/// Shares of the TFR by mother's five-year age group 15–19 … 45–49.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fertility {
    /// Group labels, "15-19" … "45-49".
    pub groups: Vec<String>,
    /// Share of the TFR in each group (sum 1).
    pub shares: Vec<f64>,
    /// Males per female birth where a unit publishes no sexed births.
    pub default_srb: f64,
    /// Source and derivation.
    #[serde(flatten)]
    pub method: Method,
}

/// A Siler hazard μ(x) = a1·e^(−b1·x) + a2 + a3·e^(b3·x).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Siler {
    /// Infant level.
    pub a1: f64,
    /// Infant decline.
    pub b1: f64,
    /// Constant (accidents).
    pub a2: f64,
    /// Senescent level.
    pub a3: f64,
    /// Senescent rise (Gompertz slope).
    pub b3: f64,
}

/// The standard life tables and the Brass level's bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mortality {
    /// Males' standard.
    pub male: Siler,
    /// Females' standard.
    pub female: Siler,
    /// The interval searched for a unit's Brass α.
    pub alpha_bounds: [f64; 2],
    /// Source and derivation.
    #[serde(flatten)]
    pub method: Method,
}

/// The Rogers–Castro seven-parameter migration age schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Migration {
    /// Childhood level.
    pub a1: f64,
    /// Childhood decline.
    pub alpha1: f64,
    /// Labour-force peak level.
    pub a2: f64,
    /// Descent of the peak.
    pub alpha2: f64,
    /// Age of the peak's position.
    pub mu2: f64,
    /// Ascent of the peak.
    pub lambda2: f64,
    /// Constant.
    pub c: f64,
    /// Share of net migrants who are male.
    pub male_share: f64,
    /// Source and derivation.
    #[serde(flatten)]
    pub method: Method,
}

/// The variants: names and TFR offsets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variants {
    /// "low", "medium", "high".
    pub names: Vec<String>,
    /// Children per woman added to the derived TFR, per name.
    pub tfr_offset: Vec<f64>,
    /// The share of the offset applied in projected years 1, 2, … (the whole offset after the
    /// list ends; the UN phases its ±0.5 in as ±0.25, ±0.4, ±0.5 over five-year steps).
    #[serde(default)]
    pub phase_in: Vec<f64>,
    /// Source and derivation.
    #[serde(flatten)]
    pub method: Method,
}

/// All assumptions of a projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assumptions {
    /// The method itself.
    pub method: Method,
    /// Fertility schedule.
    pub fertility: Fertility,
    /// Variants.
    pub variants: Variants,
    /// Mortality standard.
    pub mortality: Mortality,
    /// Migration schedule.
    pub migration: Migration,
}

impl Assumptions {
    /// The compiled-in assumptions (the file is checked by a unit test, so this cannot fail).
    pub fn standard() -> Assumptions {
        Assumptions::parse(ASSUMPTIONS_TOML).expect("data/projection/assumptions.toml parses")
    }

    /// Parses and checks an assumptions file (shares sum to 1, one offset per variant).
    pub fn parse(text: &str) -> Result<Assumptions, String> {
        let a: Assumptions = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let sum: f64 = a.fertility.shares.iter().sum();
        if a.fertility.shares.len() != 7 || (sum - 1.0).abs() > 1e-9 {
            return Err(format!(
                "fertility.shares: 7 shares (15-19 … 45-49) summing to 1 expected, got {} summing to {sum}",
                a.fertility.shares.len()
            ));
        }
        if a.variants.names.len() != a.variants.tfr_offset.len() {
            return Err("variants: one tfr_offset per name expected".to_string());
        }
        if let Some(f) = (a.variants.phase_in.iter()).find(|f| !(0.0..=1.0).contains(*f)) {
            return Err(format!(
                "variants.phase_in: shares of the offset between 0 and 1 expected, got {f}"
            ));
        }
        Ok(a)
    }

    /// The TFR offset of a variant, if it is one (in full, as reached after the phase-in).
    pub fn offset(&self, variant: &str) -> Option<f64> {
        let i = self.variants.names.iter().position(|n| n == variant)?;
        Some(self.variants.tfr_offset[i])
    }

    /// The TFR offset of a variant in projected year `step` (0: the first year after the base),
    /// phased in.
    pub fn offset_in(&self, variant: &str, step: usize) -> Option<f64> {
        let share = self.variants.phase_in.get(step).copied().unwrap_or(1.0);
        Some(self.offset(variant)? * share)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_file_parses_with_its_three_variants() {
        let a = Assumptions::standard();
        assert_eq!(a.variants.names, ["low", "medium", "high"]);
        assert_eq!(a.offset("high"), Some(0.5));
        // The UN's phase-in: ±0.25 for five years, ±0.4 for five, then ±0.5.
        let high: Vec<f64> = (0..12).map(|y| a.offset_in("high", y).unwrap()).collect();
        let want = [
            0.25, 0.25, 0.25, 0.25, 0.25, 0.4, 0.4, 0.4, 0.4, 0.4, 0.5, 0.5,
        ];
        assert!(
            high.iter().zip(want).all(|(h, w)| (h - w).abs() < 1e-12),
            "{high:?}"
        );
        assert_eq!(a.offset_in("low", 0), Some(-0.25));
        assert_eq!(a.offset_in("medium", 3), Some(0.0));
        assert_eq!(a.offset("central"), None);
        assert!(a.mortality.method.source.contains("Siler"));
    }

    #[test]
    fn shares_not_summing_to_one_are_refused_by_name() {
        // The first share raised by 1 (whatever the file's values): the sum is then 2.
        let bad = ASSUMPTIONS_TOML.replacen("shares = [0.", "shares = [1.", 1);
        assert_ne!(bad, ASSUMPTIONS_TOML);
        let err = Assumptions::parse(&bad).unwrap_err();
        assert!(err.starts_with("fertility.shares"), "{err}");
    }
}
