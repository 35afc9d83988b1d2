//! A unit search text made ready to match unit names the way people type them: diacritics,
//! case and punctuation ignored ("Bà Rịa - Vũng Tàu" = "ba ria vung tau"), spaces optional
//! ("hanoi"), the type word optional ("binh duong" finds "Tỉnh Bình Dương", "tinh binh duong"
//! only a Tỉnh) or abbreviated ("tp hcm"), and the aliases of [`super::alias`].
//!
//! Hand-written rather than a fuzzy-matching crate: the rules are Vietnamese-specific (type
//! words, folding as the store does) and a match must be explainable as exact, prefix or
//! substring for the ranking the API documents.

use super::alias::{alias_of, type_abbreviation};
use super::text::fold;
use super::unittype::{UnitType, split_folded};

/// How well a name matched, weakest first (the ranking orders by it, best first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameMatch {
    /// Every word typed begins a word of the name ("ho minh").
    Words,
    /// The text typed occurs in the name.
    Substring,
    /// The name begins with the text typed.
    Prefix,
    /// The name is the text typed (without its type word, or the code).
    Exact,
}

/// The search key of `s`: folded ([`fold`]), every character that is not a letter or digit
/// made a space, runs of space collapsed.
pub fn search_key(s: &str) -> String {
    let folded: String = fold(s)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One reading of the text typed: an optional type word and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Form {
    kind: Option<UnitType>,
    core: String,
    compact: String,
}

impl Form {
    fn new(kind: Option<UnitType>, core: &str) -> Form {
        Form {
            kind,
            core: core.to_string(),
            compact: core.replace(' ', ""),
        }
    }
}

/// A parsed search text.
#[derive(Debug, Clone)]
pub struct NameQuery {
    code: String,
    forms: Vec<Form>,
}

impl NameQuery {
    /// Parses `text`; `None` when nothing searchable is left (empty or only punctuation).
    pub fn parse(text: &str) -> Option<NameQuery> {
        let key = search_key(text);
        if key.is_empty() {
            return None;
        }
        // The whole text as typed (a bare type word such as "phuong" still finds names)...
        let mut forms = vec![Form::new(None, &key)];
        // ...the text read as type word + name, whether spelt out or short ("tp hcm")...
        let typed = match split_folded(&key) {
            (Some(t), rest) => Some((t, rest)),
            (None, _) => type_abbreviation(&key),
        };
        if let Some((t, rest)) = typed {
            forms.push(Form::new(Some(t), rest));
        }
        // ...and what an alias of either stands for.
        for f in forms.clone() {
            if let Some(name) = alias_of(&f.compact) {
                let (kind, core) = split_folded(name);
                forms.push(Form::new(kind.or(f.kind), core));
            }
        }
        forms.dedup();
        Some(NameQuery {
            code: text.trim().to_string(),
            forms,
        })
    }

    /// How well unit `code` named `name` matches, or `None`.
    pub fn matches(&self, code: &str, name: &str) -> Option<NameMatch> {
        let code_match = if code == self.code {
            Some(NameMatch::Exact)
        } else if code.starts_with(&self.code) {
            Some(NameMatch::Prefix)
        } else {
            None
        };
        let full = search_key(name);
        let (kind, core) = split_folded(&full);
        // Each key once without spaces too: this runs for every unit of a version.
        let (full, core) = (
            (full.as_str(), full.replace(' ', "")),
            (core, core.replace(' ', "")),
        );
        let by_name = self
            .forms
            .iter()
            .filter_map(|f| match f.kind {
                Some(k) if Some(k) != kind => None,
                Some(_) => compare(f, &core),
                None => compare(f, &core).max(compare(f, &full)),
            })
            .max();
        code_match.max(by_name)
    }
}

/// How a name (a search key, and the same without spaces) matches the form `f`.
fn compare(f: &Form, (name, compact): &(&str, String)) -> Option<NameMatch> {
    let name = *name;
    if name == f.core || *compact == f.compact {
        Some(NameMatch::Exact)
    } else if name.starts_with(&f.core) || compact.starts_with(&f.compact) {
        Some(NameMatch::Prefix)
    } else if name.contains(&f.core) || compact.contains(&f.compact) {
        Some(NameMatch::Substring)
    } else {
        let words: Vec<&str> = name.split(' ').collect();
        f.core
            .split(' ')
            .all(|w| words.iter().any(|n| n.starts_with(w)))
            .then_some(NameMatch::Words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(q: &str, name: &str) -> Option<NameMatch> {
        NameQuery::parse(q).unwrap().matches("99999", name)
    }

    #[test]
    fn finds_what_people_type() {
        use NameMatch::*;
        let hn = "Thành phố Hà Nội";
        let hcm = "Thành phố Hồ Chí Minh";
        let bd = "Tỉnh Bình Dương";
        assert_eq!(m("ha noi", hn), Some(Exact));
        assert_eq!(m("hanoi", hn), Some(Exact));
        assert_eq!(m("HÀ NỘI", hn), Some(Exact));
        assert_eq!(m("thanh pho ha noi", hn), Some(Exact));
        assert_eq!(m("ha n", hn), Some(Prefix));
        assert_eq!(m("noi", hn), Some(Substring));
        for q in [
            "tp hcm",
            "TP.HCM",
            "tphcm",
            "hcm",
            "sai gon",
            "Sài Gòn",
            "saigon",
        ] {
            assert_eq!(m(q, hcm), Some(Exact), "{q}");
        }
        assert_eq!(m("ho minh", hcm), Some(Words));
        assert_eq!(m("binh duong", bd), Some(Exact));
        assert_eq!(m("tinh binh duong", bd), Some(Exact));
        assert_eq!(m("tinh binh duong", "Phường Bình Dương"), None);
        assert_eq!(m("brvt", "Tỉnh Bà Rịa - Vũng Tàu"), Some(Exact));
        assert_eq!(m("ba ria vung tau", "Tỉnh Bà Rịa - Vũng Tàu"), Some(Exact));
        assert_eq!(m("q 1", "Quận 1"), Some(Exact));
        assert_eq!(m("Q1", "Quận 1"), Some(Exact));
        assert_eq!(m("q. 1", "Quận 10"), Some(Prefix));
        assert_eq!(m("phuong", "Phường Bến Nghé"), Some(Prefix));
        assert_eq!(m("hue", "Thành phố Huế"), Some(Exact));
        assert_eq!(m("zzzz", hn), None);
        assert!(NameQuery::parse(" - ").is_none());
        let q = NameQuery::parse("267").unwrap();
        assert_eq!(q.matches("26734", "Phường X"), Some(Prefix));
        assert_eq!(q.matches("267", "Huyện Y"), Some(Exact));
        assert_eq!(q.matches("79", "Thành phố Hồ Chí Minh"), None);
    }
}
