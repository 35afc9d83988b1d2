//! The population Strategy's targets (`geodata/targets.toml`): what each promises, for which
//! indicator and year, and how a unit's value is judged against it (`assess.rs`), with the
//! uncertainty of a ratio of two counts (`interval.rs`) and a fitted trend (`trend.rs`).
//! Pure data and arithmetic over the model's catalog; no I/O beyond reading a file given.

pub(crate) mod assess;
pub(crate) mod interval;
pub(crate) mod trend;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::catalog::Catalog;
use super::text::is_nfc;

const BUILTIN: &str = include_str!("../../../targets.toml");

/// How a value is compared with a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Strictly below the target value.
    Below,
    /// The target value or more.
    AtLeast,
    /// Within the target's tolerance of its value.
    About,
}

/// Whose target it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// A national target; provinces are shown against it as a reference.
    National,
    /// One province's own target (its plan's), for `unit` on `version`.
    Province,
}

/// How sure a value of the target's indicator is, when it comes from a chance process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalKind {
    /// A ratio of the two outcomes of binomial trials (boys and girls among births): the Wilson
    /// interval of the share, carried to the ratio.
    BinomialRatio,
}

/// What the projection's fit estimates for a target no published count measures: a modelled
/// value, shown as an estimate and never judged on or off track (the fit gives no interval).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modelled {
    /// The total fertility rate fitted from the base year's births on the fertility schedule.
    Tfr,
    /// Life expectancy at birth of the mortality level fitted to the base year's deaths.
    LifeExpectancy,
}

/// One target of the Strategy (or of a province's plan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Identifier, e.g. `srb_2030`.
    pub id: String,
    /// The catalog indicator it is measured by; `None` when no published count measures it.
    #[serde(default)]
    pub indicator: Option<String>,
    /// How the value is compared.
    pub comparison: Comparison,
    /// The target value, in the indicator's unit.
    pub value: f64,
    /// For `about`: how far from `value` still counts as meeting it.
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// The year it is due.
    pub year: i32,
    /// The interval its values carry, if they come from a chance process (SRB); none for
    /// complete counts of a population, which have no sampling error.
    #[serde(default)]
    pub interval: Option<IntervalKind>,
    /// National or provincial.
    pub scope: Scope,
    /// For a provincial target: the province code.
    #[serde(default)]
    pub unit: Option<String>,
    /// For a provincial target: the boundary version of `unit`.
    #[serde(default)]
    pub version: Option<String>,
    /// The target in words (Vietnamese).
    pub text_vi: String,
    /// The target in words (English).
    pub text_en: String,
    /// Why it cannot be measured from published counts (Vietnamese), when `indicator` is none.
    #[serde(default)]
    pub unmeasured_vi: Option<String>,
    /// The same in English.
    #[serde(default)]
    pub unmeasured_en: Option<String>,
    /// For a target without an indicator: what the projection run's fit estimates for it, shown
    /// as a modelled value (`/api/v1/targets/{id}` gives it with method `modelled`).
    #[serde(default)]
    pub modelled: Option<Modelled>,
    /// A provincial plan's own source (Vietnamese); national targets use the file's.
    #[serde(default)]
    pub source_vi: Option<String>,
    /// The same in English.
    #[serde(default)]
    pub source_en: Option<String>,
}

/// The targets file: its source and its targets, in file order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Where the national targets come from (Vietnamese).
    pub source_vi: String,
    /// The same in English.
    pub source_en: String,
    /// The targets.
    #[serde(rename = "target")]
    pub targets: Vec<Target>,
}

/// Why a targets file was refused.
#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    /// The TOML did not parse.
    #[error("{path}: cannot read the targets: {message}")]
    Parse {
        /// The file.
        path: String,
        /// What the parser said, in its words (a file a developer edits, not a user's upload).
        message: String,
    },
    /// A target breaks a rule.
    #[error("{path}: target '{id}': {rule}")]
    Invalid {
        /// The file.
        path: String,
        /// The target.
        id: String,
        /// The rule broken.
        rule: String,
    },
}

impl Targets {
    /// The targets shipped with popmap, checked against `catalog`.
    pub fn builtin(catalog: &Catalog) -> Result<Targets, TargetsError> {
        Targets::from_toml(BUILTIN, "targets.toml", catalog)
    }

    /// Parses and checks targets text; `path` names it in errors.
    pub fn from_toml(text: &str, path: &str, catalog: &Catalog) -> Result<Targets, TargetsError> {
        let t: Targets = toml::from_str(text).map_err(|e| TargetsError::Parse {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        t.check(path, catalog)?;
        Ok(t)
    }

    /// A target by id.
    pub fn get(&self, id: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.id == id)
    }

    fn check(&self, path: &str, catalog: &Catalog) -> Result<(), TargetsError> {
        let mut seen = HashSet::new();
        for t in &self.targets {
            let rule = t.broken_rule(catalog).or_else(|| {
                (!seen.insert(t.id.as_str())).then(|| "the id is used twice".to_string())
            });
            if let Some(rule) = rule {
                return Err(TargetsError::Invalid {
                    path: path.to_string(),
                    id: t.id.clone(),
                    rule,
                });
            }
        }
        Ok(())
    }
}

impl Target {
    fn broken_rule(&self, catalog: &Catalog) -> Option<String> {
        let id_ok = !self.id.is_empty()
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !id_ok {
            return Some("ids are lowercase ASCII letters, digits and _".into());
        }
        if let Some(i) = &self.indicator
            && !catalog.contains(i)
        {
            return Some(format!("indicator '{i}' is not in the catalog"));
        }
        let one_over_one = self
            .indicator
            .as_deref()
            .and_then(|i| catalog.derived(i))
            .is_some_and(|d| d.numerator.len() == 1 && d.denominator.len() == 1);
        if self.interval == Some(IntervalKind::BinomialRatio) && !one_over_one {
            return Some(
                "a binomial_ratio interval needs a derived indicator of one count over another"
                    .into(),
            );
        }
        if self.indicator.is_none()
            && (self.unmeasured_vi.is_none() || self.unmeasured_en.is_none())
        {
            return Some("a target without an indicator says why in unmeasured_vi/_en".into());
        }
        if self.modelled.is_some() && self.indicator.is_some() {
            return Some("only a target without an indicator is modelled".into());
        }
        if !self.value.is_finite() {
            return Some("value must be a finite number".into());
        }
        match (self.comparison, self.tolerance) {
            (Comparison::About, Some(t)) if t.is_finite() && t > 0.0 => {}
            (Comparison::About, _) => return Some("`about` needs a positive tolerance".into()),
            (_, Some(_)) => return Some("only `about` takes a tolerance".into()),
            _ => {}
        }
        if !(2000..=2100).contains(&self.year) {
            return Some("year must be between 2000 and 2100".into());
        }
        let provincial = self.unit.is_some() && self.version.is_some() && self.source_vi.is_some();
        if (self.scope == Scope::Province) != provincial {
            return Some(
                "a provincial target names its unit, version and source; a national one none"
                    .into(),
            );
        }
        let texts = [&self.text_vi, &self.text_en];
        let optional = [&self.unmeasured_vi, &self.unmeasured_en, &self.source_vi];
        let all = texts.into_iter().chain(optional.into_iter().flatten());
        if all.clone().any(|s| s.trim().is_empty()) || !all.into_iter().all(|s| is_nfc(s)) {
            return Some("texts are non-empty and NFC".into());
        }
        None
    }

    /// Whether `value` meets the target (comparison and tolerance applied).
    pub fn met_by(&self, value: f64) -> bool {
        match self.comparison {
            Comparison::Below => value < self.value,
            Comparison::AtLeast => value >= self.value,
            Comparison::About => (value - self.value).abs() <= self.tolerance.unwrap_or(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::builtin()
    }

    fn one(body: &str) -> Result<Targets, TargetsError> {
        let text = format!("source_vi = \"Nguồn\"\nsource_en = \"Source\"\n[[target]]\n{body}");
        Targets::from_toml(&text, "t.toml", &catalog())
    }

    const SRB: &str = "id = \"srb_2030\"\nindicator = \"srb\"\ncomparison = \"below\"\nvalue = 109.0\nyear = 2030\nscope = \"national\"\ntext_vi = \"Dưới 109\"\ntext_en = \"Below 109\"\n";

    #[test]
    fn the_builtin_targets_load_and_name_their_source() {
        let t = Targets::builtin(&catalog()).expect("built-in targets are valid");
        assert!(t.source_vi.contains("1679/QĐ-TTg"));
        let srb = t.get("srb_2030").unwrap();
        assert_eq!(
            (srb.comparison, srb.value, srb.year),
            (Comparison::Below, 109.0, 2030)
        );
        assert!(t.targets.iter().any(|t| t.indicator.is_none()));
        assert_eq!(t.get("tfr_2030").unwrap().modelled, Some(Modelled::Tfr));
        assert_eq!(
            t.get("life_expectancy_2030").unwrap().modelled,
            Some(Modelled::LifeExpectancy)
        );
    }

    #[test]
    fn a_valid_target_loads_and_compares() {
        let t = one(SRB).unwrap();
        let srb = &t.targets[0];
        assert!(srb.met_by(108.9) && !srb.met_by(109.0));
    }

    #[test]
    fn broken_targets_are_refused_naming_the_rule() {
        let cases = [
            (SRB.replace("\"srb\"", "\"nope\""), "not in the catalog"),
            (SRB.replace("below", "about"), "positive tolerance"),
            (format!("{SRB}tolerance = 1.0\n"), "only `about`"),
            (SRB.replace("year = 2030", "year = 1990"), "year must be"),
            (SRB.replace("national", "province"), "provincial target"),
            (SRB.replace("indicator = \"srb\"\n", ""), "unmeasured"),
            (
                SRB.replace("\"srb\"", "\"net_migration_rate\"")
                    .replace("year", "interval = \"binomial_ratio\"\nyear"),
                "binomial_ratio",
            ),
            (SRB.replace("Dưới", "Du\u{301}o\u{301}i"), "NFC"),
            (
                format!("{SRB}modelled = \"tfr\"\n"),
                "only a target without an indicator",
            ),
        ];
        for (body, rule) in cases {
            let err = one(&body).unwrap_err().to_string();
            assert!(err.contains(rule) && err.contains("srb_2030"), "{err}");
        }
    }

    #[test]
    fn about_counts_its_tolerance_on_both_sides() {
        let t = one(&SRB
            .replace("below", "about")
            .replace("109.0", "22.0")
            .replace("year", "tolerance = 1.0\nyear"))
        .unwrap();
        let t = &t.targets[0];
        assert!(t.met_by(21.0) && t.met_by(23.0) && !t.met_by(23.01) && !t.met_by(20.9));
    }
}
