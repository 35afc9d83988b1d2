//! Age × sex in the catalog: the base stocks marked with a sex and an age range, the named sums
//! of groups that formulas may use as terms (`[[sum]]`, "Dân số 0–14 tuổi"), their expansion into
//! base ids at load, and the median age interpolated within the median group.

use serde::{Deserialize, Serialize};

use super::{BaseIndicator, Catalog, DerivedIndicator};

/// The sex of an age group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Males.
    Male,
    /// Females.
    Female,
}

/// How a derived indicator computes its value from the summed terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Computation {
    /// `sum(numerator) / sum(denominator) × scale`.
    #[default]
    Ratio,
    /// `sum(numerator) × scale`: a count made of other counts (no denominator).
    Count,
    /// The age halving the numerator's sum, interpolated within the group holding the middle.
    MedianAge,
}

/// A named sum of age groups: every group of `sex` (both if absent) inside the age range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeSum {
    /// Identifier, usable as a term of a derived formula.
    pub id: String,
    /// Vietnamese name, as formulas in words name it.
    pub name_vi: String,
    /// English name, as formulas in words name it.
    pub name_en: String,
    /// Only this sex's groups, if given.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// The first age included.
    pub age_from: u32,
    /// The last age included; absent = up to and including the open group.
    #[serde(default)]
    pub age_to: Option<u32>,
}

/// One age band of a median: its bounds and the base groups (of both sexes) it sums.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Band {
    /// Lower bound (years).
    pub from: u32,
    /// Upper bound, inclusive; `None` for the open group.
    pub to: Option<u32>,
    /// Base ids summed in the band.
    pub terms: Vec<String>,
}

/// A derived indicator's terms after named sums are replaced by their base groups.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expanded {
    /// Numerator base ids (a leading `-` kept).
    pub numerator: Vec<String>,
    /// Denominator base ids.
    pub denominator: Vec<String>,
    /// Age bands, in order, for `median_age`.
    pub bands: Vec<Band>,
}

impl BaseIndicator {
    /// Whether this base count is an age × sex group.
    pub fn is_age_group(&self) -> bool {
        self.sex.is_some()
    }
}

impl Catalog {
    /// The age × sex groups, in catalog order.
    pub fn age_groups(&self) -> impl Iterator<Item = &BaseIndicator> {
        self.base.iter().filter(|b| b.is_age_group())
    }

    /// Ids of the base counts that are not age groups, in catalog order (the default H3 grid's
    /// columns: the 34 groups would triple its memory, see ARCHITECTURE.md).
    pub fn base_ids_except_ages(&self) -> impl Iterator<Item = &str> {
        self.base
            .iter()
            .filter(|b| !b.is_age_group())
            .map(|b| b.id.as_str())
    }

    /// Whether a derived indicator reads age groups (not computable where a period has none).
    pub fn reads_ages(&self, d: &DerivedIndicator) -> bool {
        d.inputs()
            .any(|t| self.base(t).is_some_and(BaseIndicator::is_age_group))
    }

    /// A named sum by id.
    pub fn sum(&self, id: &str) -> Option<&AgeSum> {
        self.sums.iter().find(|s| s.id == id)
    }

    /// The groups of one sex, ordered by age.
    fn groups_of(&self, sex: Sex) -> Vec<&BaseIndicator> {
        let mut g: Vec<_> = self.age_groups().filter(|b| b.sex == Some(sex)).collect();
        g.sort_by_key(|b| b.age_from);
        g
    }

    /// Checks the age groups: each has `age_from`, each sex's groups tile the ages from 0 without
    /// gap or overlap, only the last is open, and both sexes have the same groups.
    pub(crate) fn check_age_groups(&self) -> Result<(), (String, String)> {
        for b in &self.base {
            let aged = b.age_from.is_some() || b.age_to.is_some();
            if aged != b.sex.is_some() || (b.age_to.is_some() && b.age_from.is_none()) {
                return Err((b.id.clone(), "an age group has sex and age_from".into()));
            }
            if b.is_age_group() && b.kind != super::Kind::Stock {
                return Err((b.id.clone(), "an age group is a stock".into()));
            }
        }
        let bounds = |sex| -> Vec<(u32, Option<u32>)> {
            self.groups_of(sex)
                .iter()
                .map(|b| (b.age_from.unwrap_or(0), b.age_to))
                .collect()
        };
        let (m, f) = (bounds(Sex::Male), bounds(Sex::Female));
        if m != f {
            return Err(("age groups".into(), "males and females differ".into()));
        }
        let mut next = 0;
        for (i, (from, to)) in m.iter().enumerate() {
            let last = i + 1 == m.len();
            match to {
                _ if *from != next => {
                    return Err(("age groups".into(), format!("no group starts at {next}")));
                }
                Some(t) if *t >= *from => next = t + 1,
                None if last => {}
                _ => return Err(("age groups".into(), format!("bad group at {from}"))),
            }
        }
        Ok(())
    }

    /// The base ids a named sum adds up, refusing a range that cuts a group.
    fn sum_terms(&self, s: &AgeSum) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for sex in [Sex::Male, Sex::Female] {
            if s.sex.is_some_and(|x| x != sex) {
                continue;
            }
            let groups = self.groups_of(sex);
            let inside: Vec<_> = groups
                .iter()
                .filter(|b| b.age_from.unwrap_or(0) >= s.age_from)
                .filter(|b| match (s.age_to, b.age_to) {
                    (None, _) => true,
                    (Some(t), Some(bt)) => bt <= t,
                    (Some(_), None) => false,
                })
                .collect();
            let starts = inside.first().and_then(|b| b.age_from) == Some(s.age_from);
            let ends = inside.last().map(|b| b.age_to) == Some(s.age_to);
            if !starts || !ends {
                return Err(format!(
                    "the range {}..{:?} does not start and end on group bounds",
                    s.age_from, s.age_to
                ));
            }
            out.extend(inside.iter().map(|b| b.id.clone()));
        }
        Ok(out)
    }

    /// Replaces named sums in a derived indicator's terms by their base groups and, for a median,
    /// lists the bands; refuses unknown terms and a method without the terms it needs.
    pub(crate) fn expand(&self, d: &DerivedIndicator) -> Result<Expanded, String> {
        let side = |terms: &[String]| -> Result<Vec<String>, String> {
            let mut out = Vec::new();
            for t in terms {
                let (neg, name) = match t.strip_prefix('-') {
                    Some(n) => ("-", n),
                    None => ("", t.as_str()),
                };
                match self.sum(name) {
                    Some(s) => {
                        out.extend(self.sum_terms(s)?.into_iter().map(|b| neg.to_string() + &b))
                    }
                    None if name == super::AREA || self.base(name).is_some() => out.push(t.clone()),
                    None => return Err(format!("term '{t}' is not a base indicator or a sum")),
                }
            }
            Ok(out)
        };
        let numerator = side(&d.numerator)?;
        let denominator = side(&d.denominator)?;
        let needs_den = d.method == Computation::Ratio;
        if numerator.is_empty() || denominator.is_empty() == needs_den {
            return Err(match d.method {
                Computation::Ratio => "numerator and denominator need a term".into(),
                _ => "a count or median has a numerator and no denominator".into(),
            });
        }
        let bands = match d.method {
            Computation::MedianAge => self.bands(&numerator)?,
            _ => Vec::new(),
        };
        Ok(Expanded {
            numerator,
            denominator,
            bands,
        })
    }

    /// The age bands of a median over `terms` (age groups only), merged across sexes.
    fn bands(&self, terms: &[String]) -> Result<Vec<Band>, String> {
        let mut bands: Vec<Band> = Vec::new();
        for t in terms {
            let b = self
                .base(t)
                .filter(|b| b.is_age_group())
                .ok_or_else(|| format!("a median's term '{t}' is not an age group"))?;
            let (from, to) = (b.age_from.unwrap_or(0), b.age_to);
            match bands.iter_mut().find(|x| x.from == from) {
                Some(x) => x.terms.push(t.clone()),
                None => bands.push(Band {
                    from,
                    to,
                    terms: vec![t.clone()],
                }),
            }
        }
        bands.sort_by_key(|b| b.from);
        Ok(bands)
    }
}

/// The median age of grouped counts: `L + (N/2 − C) / f × width` in the group where the
/// cumulative count reaches half the total. `None` when a group is missing, the total is zero
/// or the middle falls in the open group. Returns the median and the total `N`.
pub(crate) fn median_age(bands: &[Band], get: &dyn Fn(&str) -> Option<f64>) -> Option<(f64, f64)> {
    let counts: Vec<f64> = bands
        .iter()
        .map(|b| {
            b.terms
                .iter()
                .try_fold(0.0, |acc, t| get(t).map(|v| acc + v))
        })
        .collect::<Option<_>>()?;
    let total: f64 = counts.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let half = total / 2.0;
    let mut below = 0.0;
    for (b, f) in bands.iter().zip(&counts) {
        if below + f >= half && *f > 0.0 {
            let width = f64::from(b.to? + 1 - b.from);
            return Some((f64::from(b.from) + (half - below) / f * width, total));
        }
        below += f;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn builtin_has_34_groups_and_sums_cover_them() {
        let c = Catalog::builtin();
        assert_eq!(c.age_groups().count(), 34);
        assert!(c.base("males_80p").unwrap().age_to.is_none());
        assert_eq!(c.base("females_45_49").unwrap().sex, Some(Sex::Female));
        let all = c.sum_terms(c.sum("age_all").unwrap()).unwrap();
        assert_eq!(all.len(), 34);
        let young = c.sum_terms(c.sum("age_0_14").unwrap()).unwrap();
        assert_eq!(
            young,
            [
                "males_0_4",
                "males_5_9",
                "males_10_14",
                "females_0_4",
                "females_5_9",
                "females_10_14"
            ]
        );
        let cut = AgeSum {
            id: "x".into(),
            name_vi: "x".into(),
            name_en: "x".into(),
            sex: None,
            age_from: 0,
            age_to: Some(12),
        };
        assert!(c.sum_terms(&cut).unwrap_err().contains("group bounds"));
    }

    fn eval(id: &str, vals: &HashMap<String, f64>) -> Option<f64> {
        Catalog::builtin()
            .derived(id)
            .unwrap()
            .evaluate(|k| vals.get(k).copied(), 12)
            .map(|v| v.value)
    }

    /// 100 people in each five-year group of each sex: 3,400 people.
    fn flat() -> HashMap<String, f64> {
        Catalog::builtin()
            .age_groups()
            .map(|b| (b.id.clone(), 100.0))
            .collect()
    }

    #[test]
    fn age_indicators_recompute_from_groups() {
        let mut v = flat();
        // 0–14: 600; 15–64: 2,000; 65+: 800; 60+: 1,000; 80+: 200.
        assert_eq!(eval("dependency_young", &v), Some(30.0));
        assert_eq!(eval("dependency_old", &v), Some(40.0));
        assert_eq!(eval("dependency_total", &v), Some(70.0));
        assert_eq!(eval("ageing_index", &v), Some(166.7));
        assert_eq!(eval("share_65p", &v), Some(23.5));
        assert_eq!(eval("share_80p", &v), Some(5.9));
        assert_eq!(eval("working_age", &v), Some(2000.0));
        // N = 3,400, half 1,700; 1,600 below 40: 40 + 100 / 200 × 5 = 42.5.
        assert_eq!(eval("median_age", &v), Some(42.5));
        v.insert("males_30_34".into(), 500.0);
        // N = 3,800, half 1,900; 1,800 below 35: 35 + 100 / 200 × 5 = 37.5.
        assert_eq!(eval("median_age", &v), Some(37.5));
        v.insert("women_15_49".into(), 700.0);
        assert_eq!(eval("child_woman_ratio", &v), Some(286.0));
        v.remove("females_0_4");
        assert_eq!(
            eval("child_woman_ratio", &v),
            None,
            "a missing group: not computable"
        );
        assert_eq!(eval("median_age", &v), None);
    }

    #[test]
    fn median_in_the_open_group_is_not_computable() {
        let mut v: HashMap<String, f64> = Catalog::builtin()
            .age_groups()
            .map(|b| (b.id.clone(), 0.0))
            .collect();
        v.insert("males_80p".into(), 10.0);
        assert_eq!(eval("median_age", &v), None);
        v.insert("females_0_4".into(), 10.0);
        // 20 people: half = 10, all in 0–4 → 0 + 10/10 × 5 = 5.
        assert_eq!(eval("median_age", &v), Some(5.0));
    }
}
