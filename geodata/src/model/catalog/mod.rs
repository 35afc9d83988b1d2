//! The indicator catalog: base counts and derived ratios, loaded from `catalog.toml`.
//!
//! Base indicators are counts stored per unit and period. Derived indicators are ratios of sums
//! of base counts, recomputed wherever counts are summed (up the hierarchy, over time, onto H3
//! cells): a ratio is never averaged. Each indicator also explains itself to readers
//! ([`about`]: definition, formula in words, source, caveats, stable level × granularity).

pub(crate) mod about;
pub(crate) mod age;

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::level::Level;
use super::period::Granularity;
use about::check_about;
pub use age::{AgeSum, Computation, Expanded, Sex};

/// The catalog shipped with popmap.
const BUILTIN: &str = include_str!("../../../catalog.toml");

/// The pseudo-indicator naming a unit's area in derived formulas.
pub const AREA: &str = "area_km2";

/// How a base count aggregates over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Measured at a date: a period's value is the value of its last month.
    Stock,
    /// Counted over time: a period's value is the sum of its months.
    Flow,
}

/// Who may read an indicator's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Anyone.
    #[default]
    Public,
    /// Only holders of an API key.
    Restricted,
}

/// A base indicator: a count published per unit and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseIndicator {
    /// Identifier used in CSV headers, the store and URLs.
    pub id: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Vietnamese unit of measure.
    pub unit: String,
    /// English unit of measure.
    pub unit_en: String,
    /// Stock or flow.
    pub kind: Kind,
    /// Public or restricted.
    #[serde(default)]
    pub access: Access,
    /// The sex of an age × sex group (absent for every other count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// The first age of an age × sex group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_from: Option<u32>,
    /// The last age (inclusive) of an age × sex group; absent for the open group (80+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_to: Option<u32>,
    /// What it is (Vietnamese, NFC); required.
    #[serde(default)]
    pub definition_vi: Option<String>,
    /// What it is (English); required.
    #[serde(default)]
    pub definition_en: Option<String>,
    /// Where the numbers come from (Vietnamese); required.
    #[serde(default)]
    pub source_vi: Option<String>,
    /// Where the numbers come from (English); required.
    #[serde(default)]
    pub source_en: Option<String>,
    /// What to keep in mind when reading it (Vietnamese), if anything.
    #[serde(default)]
    pub caveats_vi: Option<String>,
    /// What to keep in mind when reading it (English), if anything.
    #[serde(default)]
    pub caveats_en: Option<String>,
}

/// A derived indicator: `sum(numerator) / sum(denominator) × scale`, optionally annualised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerivedIndicator {
    /// Identifier.
    pub id: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Vietnamese unit of measure.
    pub unit: String,
    /// English unit of measure.
    pub unit_en: String,
    /// How the value is computed from the terms (a ratio unless said otherwise).
    #[serde(default)]
    pub method: Computation,
    /// Terms summed for the numerator (base ids or named sums); a leading `-` subtracts.
    pub numerator: Vec<String>,
    /// Terms summed for the denominator (none for a count or a median).
    #[serde(default)]
    pub denominator: Vec<String>,
    /// The terms with named sums replaced by their base groups (filled at load).
    #[serde(skip)]
    pub expanded: Expanded,
    /// Multiplier (100 for per-cent, 1000 for per-mille).
    pub scale: f64,
    /// Multiply by 12 / months so monthly and quarterly flow rates read per year.
    #[serde(default)]
    pub annualised: bool,
    /// Decimal places worth showing.
    #[serde(default = "default_decimals")]
    pub decimals: u32,
    /// Below this numerator the value is flagged unstable.
    #[serde(default)]
    pub min_numerator: Option<f64>,
    /// Below this denominator the value is flagged unstable.
    #[serde(default)]
    pub min_denominator: Option<f64>,
    /// Below this total of the named base count the value is flagged unstable (SRB: births < 100).
    #[serde(default)]
    pub min_total: Option<(String, f64)>,
    /// Below this gross of the numerator (every term counted positive: in- plus out-migrants of a
    /// net migration rate) the value is flagged unstable: a small difference of two flows is
    /// not unstable, a difference of two small flows is.
    #[serde(default)]
    pub min_gross: Option<f64>,
    /// Public or restricted.
    #[serde(default)]
    pub access: Access,
    /// What it is (Vietnamese, NFC); required.
    #[serde(default)]
    pub definition_vi: Option<String>,
    /// What it is (English); required.
    #[serde(default)]
    pub definition_en: Option<String>,
    /// Where the numbers come from (Vietnamese); required.
    #[serde(default)]
    pub source_vi: Option<String>,
    /// Where the numbers come from (English); required.
    #[serde(default)]
    pub source_en: Option<String>,
    /// What to keep in mind when reading it (Vietnamese), if anything.
    #[serde(default)]
    pub caveats_vi: Option<String>,
    /// What to keep in mind when reading it (English), if anything.
    #[serde(default)]
    pub caveats_en: Option<String>,
    /// The formula in words (Vietnamese), naming the numerator and denominator indicators.
    #[serde(default)]
    pub formula_vi: Option<String>,
    /// The formula in words (English), naming the numerator and denominator indicators.
    #[serde(default)]
    pub formula_en: Option<String>,
    /// The finest level where the values are stable enough to map by default (noisy ratios).
    #[serde(default)]
    pub stable_level: Option<Level>,
    /// The shortest granularity where the values are stable enough to map by default.
    #[serde(default)]
    pub stable_granularity: Option<Granularity>,
}

fn default_decimals() -> u32 {
    2
}

/// A derived value with its stability flag.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DerivedValue {
    /// The value, rounded to the indicator's decimals.
    pub value: f64,
    /// True when it rests on numbers too small to read reliably.
    pub unstable: bool,
}

/// Errors loading a catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown keys.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// What the TOML parser said.
        message: String,
    },
    /// The catalog is well-formed but inconsistent.
    #[error("{path}: indicator '{id}': {rule}")]
    Invalid {
        /// The file.
        path: String,
        /// The offending indicator.
        id: String,
        /// The rule broken.
        rule: String,
    },
}

/// The indicator catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// Base indicators, in file order.
    pub base: Vec<BaseIndicator>,
    /// Derived indicators, in file order.
    pub derived: Vec<DerivedIndicator>,
    /// Named sums of age groups that derived formulas may name (`[[sum]]`).
    #[serde(default, rename = "sum")]
    pub sums: Vec<AgeSum>,
}

impl Catalog {
    /// The catalog shipped with popmap (`geodata/catalog.toml`).
    pub fn builtin() -> Catalog {
        Catalog::from_toml(BUILTIN, "catalog.toml").expect("the built-in catalog is valid")
    }

    /// Loads a catalog file.
    pub fn from_path(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Catalog::from_toml(&text, &path.display().to_string())
    }

    /// Parses and checks catalog text; `path` names it in errors.
    pub fn from_toml(text: &str, path: &str) -> Result<Catalog, CatalogError> {
        let mut cat: Catalog = toml::from_str(text).map_err(|e| CatalogError::Parse {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        cat.check(path)?;
        for i in 0..cat.derived.len() {
            cat.derived[i].expanded = cat.expand(&cat.derived[i]).expect("checked");
        }
        Ok(cat)
    }

    fn check(&self, path: &str) -> Result<(), CatalogError> {
        let invalid = |id: &str, rule: String| CatalogError::Invalid {
            path: path.to_string(),
            id: id.to_string(),
            rule,
        };
        let mut seen = HashSet::new();
        let ids = self
            .base
            .iter()
            .map(|b| &b.id)
            .chain(self.derived.iter().map(|d| &d.id))
            .chain(self.sums.iter().map(|s| &s.id));
        for id in ids {
            let ok = !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                return Err(invalid(
                    id,
                    "ids are lowercase ASCII letters, digits and _".into(),
                ));
            }
            if id == AREA || !seen.insert(id.as_str()) {
                return Err(invalid(id, "duplicate or reserved id".into()));
            }
        }
        self.check_age_groups().map_err(|(id, r)| invalid(&id, r))?;
        for d in &self.derived {
            self.expand(d).map_err(|r| invalid(&d.id, r))?;
            if let Some((t, _)) = &d.min_total
                && self.base(t).is_none()
            {
                return Err(invalid(
                    &d.id,
                    format!("min_total '{t}' is not a base indicator"),
                ));
            }
            if !d.scale.is_finite() || d.scale <= 0.0 {
                return Err(invalid(&d.id, "scale must be a positive number".into()));
            }
            if d.stable_level.is_some() != d.stable_granularity.is_some() {
                return Err(invalid(
                    &d.id,
                    "stable_level and stable_granularity go together".into(),
                ));
            }
        }
        for b in &self.base {
            check_about(&b.about_fields(), None).map_err(|r| invalid(&b.id, r))?;
        }
        for d in &self.derived {
            check_about(&d.about_fields(), Some(&self.formula_terms(d)))
                .map_err(|r| invalid(&d.id, r))?;
        }
        Ok(())
    }

    /// A base indicator by id.
    pub fn base(&self, id: &str) -> Option<&BaseIndicator> {
        self.base.iter().find(|b| b.id == id)
    }

    /// A derived indicator by id.
    pub fn derived(&self, id: &str) -> Option<&DerivedIndicator> {
        self.derived.iter().find(|d| d.id == id)
    }

    /// Whether `id` names any indicator, base or derived.
    pub fn contains(&self, id: &str) -> bool {
        self.base(id).is_some() || self.derived(id).is_some()
    }

    /// Ids of all base indicators, in catalog order.
    pub fn base_ids(&self) -> impl Iterator<Item = &str> {
        self.base.iter().map(|b| b.id.as_str())
    }
}

impl DerivedIndicator {
    /// The base counts (and possibly `area_km2`) the formula reads.
    pub fn inputs(&self) -> impl Iterator<Item = &str> {
        let (num, den) = self.terms();
        num.iter()
            .chain(den)
            .map(|t| t.strip_prefix('-').unwrap_or(t))
            .chain(self.min_total.iter().map(|(t, _)| t.as_str()))
    }

    /// Evaluates the formula over summed counts for a period of `months` months.
    ///
    /// `get` returns a base count (or the area for `area_km2`); `None` from it, or a zero
    /// denominator, gives `None`: the value is not computable, which is not the same as zero.
    pub fn evaluate(&self, get: impl Fn(&str) -> Option<f64>, months: u32) -> Option<DerivedValue> {
        let (numerator, denominator) = self.terms();
        let sum = |terms: &[String]| -> Option<f64> {
            terms
                .iter()
                .try_fold(0.0, |acc, t| match t.strip_prefix('-') {
                    Some(name) => get(name).map(|v| acc - v),
                    None => get(t).map(|v| acc + v),
                })
        };
        let (num, den, mut value) = match self.method {
            Computation::Ratio => {
                let (num, den) = (sum(numerator)?, sum(denominator)?);
                if den == 0.0 {
                    return None;
                }
                (num, den, num / den * self.scale)
            }
            Computation::Count => {
                let num = sum(numerator)?;
                (num, 0.0, num * self.scale)
            }
            Computation::MedianAge => {
                let (median, total) = age::median_age(&self.expanded.bands, &get)?;
                (total, 0.0, median * self.scale)
            }
        };
        if self.annualised {
            value *= 12.0 / f64::from(months.max(1));
        }
        let mut unstable = self.min_numerator.is_some_and(|m| num.abs() < m)
            || self.min_denominator.is_some_and(|m| den < m);
        if let Some((t, min)) = &self.min_total {
            unstable |= get(t).is_none_or(|v| v < *min);
        }
        if let Some(min) = self.min_gross {
            let gross = numerator.iter().try_fold(0.0, |acc, t| {
                get(t.strip_prefix('-').unwrap_or(t)).map(|v| acc + v.abs())
            });
            unstable |= gross.is_none_or(|g| g < min);
        }
        let f = 10f64.powi(self.decimals as i32);
        Some(DerivedValue {
            value: (value * f).round() / f,
            unstable,
        })
    }

    /// The numerator and denominator as base ids (named sums expanded at load).
    pub fn terms(&self) -> (&[String], &[String]) {
        if self.expanded.numerator.is_empty() {
            (&self.numerator, &self.denominator)
        } else {
            (&self.expanded.numerator, &self.expanded.denominator)
        }
    }

    /// The formula as text, e.g. `births / population × 1000 (annualised)`.
    pub fn formula(&self) -> String {
        let side = |terms: &[String]| {
            let mut s = String::new();
            for (i, t) in terms.iter().enumerate() {
                match (i, t.strip_prefix('-')) {
                    (0, Some(n)) => s.push_str(&format!("−{n}")),
                    (0, None) => s.push_str(t),
                    (_, Some(n)) => s.push_str(&format!(" − {n}")),
                    (_, None) => s.push_str(&format!(" + {t}")),
                }
            }
            if terms.len() > 1 { format!("({s})") } else { s }
        };
        let mut f = match self.method {
            Computation::Ratio => {
                format!("{} / {}", side(&self.numerator), side(&self.denominator))
            }
            Computation::Count => side(&self.numerator),
            Computation::MedianAge => format!("median age of {}", side(&self.numerator)),
        };
        if self.scale != 1.0 {
            f.push_str(&format!(" × {}", self.scale));
        }
        if self.annualised {
            f.push_str(" × 12 / months in period");
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn builtin_has_required_indicators() {
        let c = Catalog::builtin();
        for id in [
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
        ] {
            assert!(c.base(id).is_some(), "missing base {id}");
        }
        for id in [
            "density",
            "sex_ratio",
            "srb",
            "cbr",
            "cdr",
            "net_migration_rate",
            "cpr",
            "urban_share",
            "household_size",
        ] {
            assert!(c.derived(id).is_some(), "missing derived {id}");
        }
        assert_eq!(c.base("births").unwrap().kind, Kind::Flow);
        assert_eq!(c.base("population").unwrap().kind, Kind::Stock);
    }

    fn eval(id: &str, vals: &[(&str, f64)], months: u32) -> Option<DerivedValue> {
        let m: HashMap<&str, f64> = vals.iter().copied().collect();
        Catalog::builtin()
            .derived(id)
            .unwrap()
            .evaluate(|k| m.get(k).copied(), months)
    }

    #[test]
    fn formulas_recompute_from_sums() {
        let sr = eval("sex_ratio", &[("males", 4950.0), ("females", 5000.0)], 1).unwrap();
        assert_eq!(sr.value, 99.0);
        assert!(!sr.unstable);
        // monthly CBR annualised: 125 births in a month over 100,000 people = 15 per 1000 per year
        let cbr = eval("cbr", &[("births", 125.0), ("population", 100_000.0)], 1).unwrap();
        assert_eq!(cbr.value, 15.0);
        let cbr_q = eval("cbr", &[("births", 375.0), ("population", 100_000.0)], 3).unwrap();
        assert_eq!(cbr_q.value, 15.0);
        let nmr = eval(
            "net_migration_rate",
            &[
                ("in_migrants", 10.0),
                ("out_migrants", 30.0),
                ("population", 10_000.0),
            ],
            12,
        )
        .unwrap();
        assert_eq!(nmr.value, -2.0);
        let d = eval("density", &[("population", 1000.0), ("area_km2", 4.0)], 1).unwrap();
        assert_eq!(d.value, 250.0);
    }

    #[test]
    fn srb_from_few_births_is_unstable_not_hidden() {
        let v = eval(
            "srb",
            &[
                ("births_male", 50.0),
                ("births_female", 40.0),
                ("births", 90.0),
            ],
            1,
        )
        .unwrap();
        assert_eq!(v.value, 125.0);
        assert!(v.unstable);
        let v = eval(
            "srb",
            &[
                ("births_male", 1110.0),
                ("births_female", 1000.0),
                ("births", 2110.0),
            ],
            1,
        )
        .unwrap();
        assert_eq!(v.value, 111.0);
        assert!(!v.unstable);
    }

    #[test]
    fn net_migration_from_few_moves_is_unstable_a_small_balance_of_many_is_not() {
        let nmr = |i: f64, o: f64| {
            eval(
                "net_migration_rate",
                &[
                    ("in_migrants", i),
                    ("out_migrants", o),
                    ("population", 10_000.0),
                ],
                1,
            )
            .unwrap()
            .unstable
        };
        assert!(nmr(15.0, 10.0), "25 moves: unstable");
        assert!(
            !nmr(500.0, 500.0),
            "a zero balance of 1,000 moves is a finding"
        );
        assert!(!nmr(30.0, 10.0));
    }

    #[test]
    fn missing_or_zero_denominator_is_none() {
        assert!(eval("sex_ratio", &[("males", 10.0)], 1).is_none());
        assert!(eval("sex_ratio", &[("males", 10.0), ("females", 0.0)], 1).is_none());
    }

    #[test]
    fn formula_text() {
        let c = Catalog::builtin();
        assert_eq!(
            c.derived("sex_ratio").unwrap().formula(),
            "males / females × 100"
        );
        assert_eq!(
            c.derived("net_migration_rate").unwrap().formula(),
            "(in_migrants − out_migrants) / population × 1000 × 12 / months in period"
        );
    }

    #[test]
    fn invalid_catalogs_are_refused_with_names() {
        let bad = r#"
[[base]]
id = "population"
name_vi = "Dân số"
name_en = "Population"
unit = "người"
unit_en = "persons"
kind = "stock"

[[derived]]
id = "density"
name_vi = "x"
name_en = "x"
unit = "x"
unit_en = "x"
numerator = ["population"]
denominator = ["area"]
scale = 1.0
"#;
        let e = Catalog::from_toml(bad, "my.toml").unwrap_err().to_string();
        assert_eq!(
            e,
            "my.toml: indicator 'density': term 'area' is not a base indicator or a sum"
        );
        let e = Catalog::from_toml("[[base]]\nid = 3\n", "x.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.toml: "), "{e}");
    }
}
