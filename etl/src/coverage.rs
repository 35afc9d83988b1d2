//! Coverage: whether a table reports every unit at the bottom of its boundary version. A table
//! of one ward published as a month made Hà Nội's total that ward's 64,603 and moved `latest`
//! to it (issue 18); a table must cover every commune unless it is published as partial, and
//! then its snapshot is stored incomplete.

use geodata::{Hierarchy, UnitInfo, ValueTable};

use crate::report::Issue;

/// Codes of missing units named in the message, at most.
const NAMED: usize = 5;

/// How far a table reaches down its version: the units at the bottom (those without children)
/// and those of them it misses.
#[derive(Debug)]
pub struct Coverage<'h> {
    /// Units at the bottom of the version.
    pub bottom: usize,
    /// Bottom units that neither the table nor any of their ancestors carry, in code order.
    pub missing: Vec<&'h UnitInfo>,
}

/// The coverage of `reported` over `units` (whose tree is `h`).
pub fn of<'h>(h: &'h Hierarchy, units: &'h [UnitInfo], reported: &ValueTable) -> Coverage<'h> {
    let covered = |u: &UnitInfo| {
        let mut code = Some(u.code.as_str());
        while let Some(c) = code {
            if reported.contains_key(c) {
                return true;
            }
            code = h.unit(c).and_then(|p| p.parent_code.as_deref());
        }
        false
    };
    let bottom: Vec<&UnitInfo> = units
        .iter()
        .filter(|u| h.children(&u.code).is_empty())
        .collect();
    let mut missing: Vec<&UnitInfo> = bottom.iter().copied().filter(|u| !covered(u)).collect();
    missing.sort_by(|a, b| a.code.cmp(&b.code));
    Coverage {
        bottom: bottom.len(),
        missing,
    }
}

/// The finding about the units of `version` that `file` misses: an error (`incomplete_table`)
/// unless `partial`, then a note (`partial_table`).
pub fn issue(file: &str, version: &str, coverage: &Coverage<'_>, partial: bool) -> Issue {
    let (bottom, missing) = (coverage.bottom, &coverage.missing);
    let named: Vec<String> = missing
        .iter()
        .take(NAMED)
        .map(|u| format!("{} {}", u.code, u.name))
        .collect();
    let more = missing.len().saturating_sub(NAMED);
    let list = if more > 0 {
        format!("{} and {more} more", named.join(", "))
    } else {
        named.join(", ")
    };
    let covered = bottom - missing.len();
    if partial {
        return Issue::file(
            "partial_table",
            file,
            format!(
                "published as partial: {covered} of the {bottom} units of {version} reported \
                 (missing {list}); its totals are marked incomplete and `latest` does not move to it"
            ),
        );
    }
    Issue::file(
        "incomplete_table",
        file,
        format!(
            "the table covers {covered} of the {bottom} units of {version}: missing {list}. \
             Every unit must be reported (parent totals would be wrong); publish with --partial \
             to store it as incomplete"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geodata::Level;

    fn unit(code: &str, level: Level, parent: Option<&str>) -> UnitInfo {
        UnitInfo {
            code: code.into(),
            name: format!("U{code}"),
            level,
            parent_code: parent.map(Into::into),
            area_km2: 1.0,
        }
    }

    fn units() -> Vec<UnitInfo> {
        vec![
            unit("01", Level::Province, None),
            unit("00004", Level::Commune, Some("01")),
            unit("00008", Level::Commune, Some("01")),
            unit("02", Level::Province, None),
            unit("00010", Level::Commune, Some("02")),
        ]
    }

    fn table(codes: &[&str]) -> ValueTable {
        codes
            .iter()
            .map(|c| (c.to_string(), [("population".to_string(), 1)].into()))
            .collect()
    }

    #[test]
    fn bottom_units_neither_reported_nor_under_a_reported_parent_are_missing() {
        let u = units();
        let h = Hierarchy::new(&u);
        let codes = |c: Coverage| c.missing.iter().map(|u| u.code.clone()).collect::<Vec<_>>();
        assert_eq!(codes(of(&h, &u, &table(&["00004"]))), ["00008", "00010"]);
        assert!(
            of(&h, &u, &table(&["00004", "00008", "00010"]))
                .missing
                .is_empty()
        );
        // A province reported whole covers its communes.
        assert_eq!(codes(of(&h, &u, &table(&["01"]))), ["00010"]);
    }

    #[test]
    fn the_message_counts_and_names_the_first_missing() {
        let u = units();
        let h = Hierarchy::new(&u);
        let m = of(&h, &u, &table(&["00004"]));
        assert_eq!(m.bottom, 3);
        let e = issue("t.csv", "vn-2025", &m, false);
        assert_eq!(e.rule, "incomplete_table");
        assert!(
            e.message.contains("covers 1 of the 3 units of vn-2025"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("missing 00008 U00008, 00010 U00010."),
            "{}",
            e.message
        );
        assert!(e.message.contains("--partial"), "{}", e.message);
        assert_eq!(issue("t.csv", "vn-2025", &m, true).rule, "partial_table");
    }
}
