//! What an indicator means, told to people: definition, formula in words, source and caveats
//! in Vietnamese and English ([`About`]), and the level × granularity where a noisy ratio is
//! stable enough to map by default ([`Stable`]). The texts live in `catalog.toml` beside the
//! formula they explain; [`check_about`] keeps the two from drifting apart.

use serde::Serialize;

use super::{BaseIndicator, Catalog, DerivedIndicator};
use crate::model::level::Level;
use crate::model::period::Granularity;
use crate::model::text::is_nfc;

/// One text in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Texts {
    /// Vietnamese (NFC).
    pub vi: String,
    /// English.
    pub en: String,
}

impl Texts {
    /// The pair when both languages are given.
    pub fn pair(vi: &Option<String>, en: &Option<String>) -> Option<Texts> {
        Some(Texts {
            vi: vi.clone()?,
            en: en.clone()?,
        })
    }
}

/// An indicator explained: what it counts, how it is computed (derived ones), where the
/// numbers come from and what to keep in mind when reading them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct About {
    /// What the indicator is.
    pub definition: Texts,
    /// The formula in words (derived indicators), naming the indicators it divides.
    pub formula: Option<Texts>,
    /// Where the numbers come from.
    pub source: Texts,
    /// What to keep in mind when reading the values, if anything.
    pub caveats: Option<Texts>,
}

/// The level × granularity where a noisy indicator is stable enough to map by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Stable {
    /// The finest level whose values are mostly stable.
    pub level: Level,
    /// The shortest period whose values are mostly stable.
    pub granularity: Granularity,
}

/// The texts of one indicator as the catalog gives them (each language optional in the file).
pub(crate) struct AboutFields<'a> {
    /// Definition (vi, en).
    pub definition: (&'a Option<String>, &'a Option<String>),
    /// Formula in words (vi, en).
    pub formula: (&'a Option<String>, &'a Option<String>),
    /// Source (vi, en).
    pub source: (&'a Option<String>, &'a Option<String>),
    /// Caveats (vi, en).
    pub caveats: (&'a Option<String>, &'a Option<String>),
}

/// What a formula in words must name: the numerator and denominator terms' names, and the
/// scale and annualisation of the computation.
pub(crate) struct FormulaTerms {
    /// (Vietnamese name, English name) of every numerator and denominator term.
    pub names: Vec<(String, String)>,
    /// The multiplier (1 for none).
    pub scale: f64,
    /// Whether the value is annualised.
    pub annualised: bool,
}

/// Checks one indicator's texts: definition and source in both languages, every text non-empty
/// and NFC, each text given in both languages or neither, and for a derived indicator
/// (`formula = Some`) a formula in words that names its terms, its scale and annualisation.
pub(crate) fn check_about(f: &AboutFields, formula: Option<&FormulaTerms>) -> Result<(), String> {
    let all = [
        ("definition", f.definition),
        ("formula", f.formula),
        ("source", f.source),
        ("caveats", f.caveats),
    ];
    for (name, (vi, en)) in all {
        match (vi, en) {
            (Some(_), None) | (None, Some(_)) => {
                return Err(format!("{name}_vi and {name}_en go together"));
            }
            _ => {}
        }
        for (lang, t) in [("vi", vi), ("en", en)] {
            if let Some(t) = t {
                if t.trim().is_empty() {
                    return Err(format!("{name}_{lang} is empty"));
                }
                if !is_nfc(t) {
                    return Err(format!("{name}_{lang} is not NFC"));
                }
            }
        }
    }
    for (name, (vi, _)) in [("definition", f.definition), ("source", f.source)] {
        if vi.is_none() {
            return Err(format!("{name}_vi and {name}_en are required"));
        }
    }
    match (formula, f.formula) {
        (None, (Some(_), _)) => Err("formula_vi/_en are for derived indicators".into()),
        (Some(_), (None, _)) => Err("formula_vi and formula_en are required".into()),
        (Some(terms), (Some(vi), Some(en))) => check_formula(terms, vi, en),
        _ => Ok(()),
    }
}

/// The formula in words names every term (case-insensitively), the scale as each language
/// writes it (`1.000` / `1,000`) and, when annualised, the year.
fn check_formula(terms: &FormulaTerms, vi: &str, en: &str) -> Result<(), String> {
    let (lvi, len) = (vi.to_lowercase(), en.to_lowercase());
    for (nvi, nen) in &terms.names {
        if !lvi.contains(&nvi.to_lowercase()) {
            return Err(format!("formula_vi does not name '{nvi}'"));
        }
        if !len.contains(&nen.to_lowercase()) {
            return Err(format!("formula_en does not name '{nen}'"));
        }
    }
    if terms.scale != 1.0 {
        let n = terms.scale.round() as u64;
        let (svi, sen) = (group(n, '.'), group(n, ','));
        if !vi.contains(&svi) {
            return Err(format!("formula_vi does not say × {svi}"));
        }
        if !en.contains(&sen) {
            return Err(format!("formula_en does not say × {sen}"));
        }
    }
    if terms.annualised && !(lvi.contains("năm") && len.contains("year")) {
        return Err("an annualised formula says so (năm / year)".into());
    }
    Ok(())
}

/// `n` with thousands separated by `sep` (1000 → `1.000` in Vietnamese, `1,000` in English);
/// six lines, not worth a formatting crate for the one check that needs it.
fn group(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

impl Catalog {
    /// The names of a derived indicator's terms (the area is "diện tích" / "area"), its scale
    /// and annualisation: what its formula in words must say.
    pub(crate) fn formula_terms(&self, d: &DerivedIndicator) -> FormulaTerms {
        let names = d
            .numerator
            .iter()
            .chain(&d.denominator)
            .map(|t| t.strip_prefix('-').unwrap_or(t))
            .map(|t| match (self.base(t), self.sum(t)) {
                (Some(b), _) => (b.name_vi.clone(), b.name_en.clone()),
                (_, Some(s)) => (s.name_vi.clone(), s.name_en.clone()),
                _ => ("diện tích".to_string(), "area".to_string()),
            })
            .collect();
        FormulaTerms {
            names,
            scale: d.scale,
            annualised: d.annualised,
        }
    }

    /// The explanation of indicator `id`, base or derived.
    pub fn about(&self, id: &str) -> Option<About> {
        self.base(id)
            .map(BaseIndicator::about)
            .or_else(|| self.derived(id).map(DerivedIndicator::about))
    }
}

/// An explanation from a checked catalog's texts (definition and source are always there).
fn about_of(f: AboutFields) -> About {
    About {
        definition: Texts::pair(f.definition.0, f.definition.1).unwrap_or_default(),
        formula: Texts::pair(f.formula.0, f.formula.1),
        source: Texts::pair(f.source.0, f.source.1).unwrap_or_default(),
        caveats: Texts::pair(f.caveats.0, f.caveats.1),
    }
}

impl BaseIndicator {
    pub(crate) fn about_fields(&self) -> AboutFields<'_> {
        AboutFields {
            definition: (&self.definition_vi, &self.definition_en),
            formula: (&None, &None),
            source: (&self.source_vi, &self.source_en),
            caveats: (&self.caveats_vi, &self.caveats_en),
        }
    }

    /// Definition, source and caveats in both languages.
    pub fn about(&self) -> About {
        about_of(self.about_fields())
    }
}

impl DerivedIndicator {
    pub(crate) fn about_fields(&self) -> AboutFields<'_> {
        AboutFields {
            definition: (&self.definition_vi, &self.definition_en),
            formula: (&self.formula_vi, &self.formula_en),
            source: (&self.source_vi, &self.source_en),
            caveats: (&self.caveats_vi, &self.caveats_en),
        }
    }

    /// Definition, formula in words, source and caveats in both languages.
    pub fn about(&self) -> About {
        about_of(self.about_fields())
    }

    /// The level × granularity where the values are stable enough to map by default, if the
    /// catalog names one (`None`: any).
    pub fn stable(&self) -> Option<Stable> {
        Some(Stable {
            level: self.stable_level?,
            granularity: self.stable_granularity?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> Option<String> {
        Some(t.to_string())
    }

    #[test]
    fn formulas_must_name_their_terms_scale_and_year() {
        let terms = FormulaTerms {
            names: vec![
                ("Số trẻ sinh ra".into(), "Births".into()),
                ("Dân số".into(), "Population".into()),
            ],
            scale: 1000.0,
            annualised: true,
        };
        let (d, src) = (s("x"), s("y"));
        let ok = |vi: &str, en: &str| {
            let (fv, fe) = (s(vi), s(en));
            check_about(
                &AboutFields {
                    definition: (&d, &d),
                    formula: (&fv, &fe),
                    source: (&src, &src),
                    caveats: (&None, &None),
                },
                Some(&terms),
            )
        };
        assert_eq!(
            ok(
                "Số trẻ sinh ra / Dân số × 1.000, quy về năm",
                "Births / population × 1,000, per year"
            ),
            Ok(())
        );
        assert!(
            ok(
                "Số ca sinh / Dân số × 1.000 năm",
                "Births / population × 1,000 year"
            )
            .is_err()
        );
        assert!(
            ok(
                "Số trẻ sinh ra / Dân số × 1000 năm",
                "Births / population × 1,000 year"
            )
            .is_err()
        );
        assert!(
            ok(
                "Số trẻ sinh ra / Dân số × 1.000",
                "Births / population × 1,000"
            )
            .is_err()
        );
        assert_eq!(group(1000, '.'), "1.000");
        assert_eq!(group(100, ','), "100");
        assert_eq!(group(1_000_000, ','), "1,000,000");
    }

    #[test]
    fn definition_and_source_are_required_in_both_languages_and_nfc() {
        let (d, src) = (s("Dân số"), s("nguồn"));
        let decomposed = s("Da\u{302}n so\u{302}́");
        let check = |def: &Option<String>, en: &Option<String>, source: &Option<String>| {
            check_about(
                &AboutFields {
                    definition: (def, en),
                    formula: (&None, &None),
                    source: (source, source),
                    caveats: (&None, &None),
                },
                None,
            )
        };
        assert_eq!(check(&d, &d, &src), Ok(()));
        assert!(check(&d, &None, &src).unwrap_err().contains("go together"));
        assert!(check(&None, &None, &src).unwrap_err().contains("required"));
        assert!(check(&d, &d, &None).unwrap_err().contains("source"));
        assert!(check(&decomposed, &d, &src).unwrap_err().contains("NFC"));
    }

    #[test]
    fn the_builtin_catalog_is_refused_without_its_texts_or_with_a_formula_that_drifted() {
        let builtin = include_str!("../../../catalog.toml");
        let refused = |from: &str, to: &str| {
            assert!(builtin.contains(from), "{from}");
            Catalog::from_toml(&builtin.replacen(from, to, 1), "c.toml")
                .unwrap_err()
                .to_string()
        };
        let e = refused("definition_vi = \"Số người đang sinh sống", "# ");
        assert!(
            e.contains("'population'") && e.contains("definition"),
            "{e}"
        );
        let e = refused("source_en = \"The population", "# ");
        assert!(e.contains("'population'") && e.contains("source"), "{e}");
        let e = refused(
            "formula_vi = \"Số trẻ sinh ra / Dân số",
            "formula_vi = \"Số ca sinh / Dân số",
        );
        assert!(e.contains("'cbr'") && e.contains("Số trẻ sinh ra"), "{e}");
        let c = Catalog::builtin();
        let about = c.about("cbr").unwrap();
        assert!(about.formula.unwrap().vi.contains("× 1.000"));
        assert!(c.about("population").unwrap().formula.is_none());
        assert_eq!(
            c.derived("srb").unwrap().stable(),
            Some(Stable {
                level: Level::Province,
                granularity: Granularity::Year
            })
        );
        assert_eq!(c.derived("density").unwrap().stable(), None);
    }
}
