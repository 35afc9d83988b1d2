//! What people type for a unit besides its name: a few common abbreviations and other names of
//! provinces, and the short forms of the type words ("tp", "q."). Data, kept small and sure:
//! each alias names one unit in every boundary version loaded (checked against the commune
//! lists of 2019 and 2025 in data/vn, see data/vn/PROVENANCE.md).
//!
//! Sources: the abbreviations are the ones the units' own administrations write in their names
//! and documents and the Vietnamese press repeats: "TP.HCM"/"TPHCM" (Ủy ban nhân dân TP.HCM,
//! hochiminhcity.gov.vn), "Sài Gòn" (the city's name until the National Assembly renamed it on
//! 2 July 1976, still in everyday use), "BR-VT" (Bà Rịa - Vũng Tàu, baria-vungtau.gov.vn),
//! "TT-Huế" and "Thừa Thiên Huế" (the province Huế city was made from in 2025, thuathienhue
//! .gov.vn). The type-word short forms ("TP.", "TX.", "TT.", "Q.", "P.") are the ones written
//! in Vietnamese postal addresses (e.g. "P. Bến Nghé, Q. 1, TP.HCM").
//! Left out on purpose: "HN" (Hà Nội or Hà Nam before 2025), "ĐN" (Đà Nẵng or Đồng Nai),
//! "HP" and other initials that name more than one province.

use super::unittype::UnitType;

/// (what is typed, folded and without spaces; the name it stands for, folded). The name may
/// start with a type word, which then must match too.
pub const ALIASES: [(&str, &str); 8] = [
    ("hcm", "ho chi minh"),
    ("hcmc", "ho chi minh"),
    ("tphcm", "thanh pho ho chi minh"),
    ("saigon", "ho chi minh"),
    ("brvt", "ba ria vung tau"),
    ("bariavungtau", "ba ria vung tau"),
    ("tthue", "thanh pho hue"),
    ("thuathienhue", "thanh pho hue"),
];

/// Short forms of type words typed before a name ("tp hcm", "q 1", "p ben nghe").
pub const TYPE_ABBREVIATIONS: [(&str, UnitType); 5] = [
    ("tp", UnitType::City),
    ("tx", UnitType::Town),
    ("tt", UnitType::Township),
    ("q", UnitType::UrbanDistrict),
    ("p", UnitType::Ward),
];

/// The name `compact` (a folded text without spaces) stands for, if it is an alias.
pub fn alias_of(compact: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == compact)
        .map(|(_, name)| *name)
}

/// The type a leading short form of `key` (a search key) names and the rest after it
/// ("tp hcm" → (City, "hcm"), and a number written on it: "q1" → (UrbanDistrict, "1"));
/// `None` when it starts with none or nothing follows it.
pub fn type_abbreviation(key: &str) -> Option<(UnitType, &str)> {
    TYPE_ABBREVIATIONS.iter().find_map(|(short, t)| {
        let rest = key.strip_prefix(short)?;
        let rest = match rest.strip_prefix(' ') {
            Some(words) => words,
            None if rest.bytes().all(|b| b.is_ascii_digit()) => rest,
            None => return None,
        };
        (!rest.is_empty()).then_some((*t, rest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_compact_and_folded() {
        for (alias, name) in ALIASES {
            assert!(!alias.contains(' ') && alias == crate::model::text::fold(alias));
            assert_eq!(name, crate::model::text::fold(name));
        }
        assert_eq!(alias_of("hcm"), Some("ho chi minh"));
        assert_eq!(alias_of("hn"), None);
        assert_eq!(type_abbreviation("tp hcm"), Some((UnitType::City, "hcm")));
        assert_eq!(type_abbreviation("tphcm"), None);
        assert_eq!(
            type_abbreviation("q12"),
            Some((UnitType::UrbanDistrict, "12"))
        );
        assert_eq!(type_abbreviation("p 7"), Some((UnitType::Ward, "7")));
        assert_eq!(type_abbreviation("phu"), None);
        assert_eq!(type_abbreviation("q"), None);
        assert_eq!(type_abbreviation("quan 1"), None);
    }
}
