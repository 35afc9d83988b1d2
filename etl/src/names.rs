//! Names that disagree with codes: a table's `name` column checked against the unit each row's
//! code names on the boundary version. Names shifted one row against the codes passed without
//! a word (issue 18); each such row is now a warning naming it (refused only with `--strict`).
//!
//! Names are compared folded (case, diacritics and spacing aside, [`geodata::fold`]) and
//! without their leading type word ("Phường", "Xã", "Thị trấn"...), which tables write or drop
//! at will; two different type words still disagree ("Xã An Phú" is not "Phường An Phú").

use geodata::{UnitInfo, UnitType, fold, split_folded};

use crate::report::Issue;
use crate::table::Row;

/// Rows named one by one, at most; the others are counted in one more warning.
pub const LISTED: usize = 20;

/// The rule id of the warning.
const RULE: &str = "names_disagree";

/// Whether `written` names `official`: the same folded name once the type words are put
/// aside, and not two different type words.
pub fn same_unit(written: &str, official: &str) -> bool {
    let (a, b) = (fold(written), fold(official));
    let (ta, ra) = split_folded(&a);
    let (tb, rb) = split_folded(&b);
    ra == rb && compatible(ta, tb)
}

/// Type words agree when equal or when either name has none.
fn compatible(a: Option<UnitType>, b: Option<UnitType>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// The rows whose name disagrees with their code, as read.
#[derive(Debug, Default)]
pub struct Disagreements {
    /// Warnings for the first [`LISTED`] rows.
    listed: Vec<Issue>,
    /// Rows past those.
    more: usize,
}

impl Disagreements {
    /// Records the row when it has a name (not empty) that does not name `unit`.
    pub fn check(&mut self, file: &str, row: &Row, unit: &UnitInfo, version: &str) {
        let Some(name) = row.name.as_deref().filter(|n| !n.is_empty()) else {
            return;
        };
        if same_unit(name, &unit.name) {
            return;
        }
        if self.listed.len() == LISTED {
            self.more += 1;
            return;
        }
        self.listed.push(
            Issue::file(
                RULE,
                file,
                format!(
                    "code {} is '{}' in {version}, the table says '{name}'",
                    row.code, unit.name
                ),
            )
            .at(row.line)
            .col("name")
            .unit(&row.code),
        );
    }

    /// The warnings: one per listed row, then one counting the rows not listed.
    pub fn warnings(self, file: &str) -> Vec<Issue> {
        let mut out = self.listed;
        if self.more > 0 {
            out.push(
                Issue::file(
                    RULE,
                    file,
                    format!(
                        "{} more row(s) name another unit than their code (only the first {LISTED} are listed)",
                        self.more
                    ),
                )
                .col("name"),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_words_case_and_accents_aside() {
        assert!(same_unit("Phường Ba Đình", "Phường Ba Đình"));
        assert!(same_unit("Ba Đình", "Phường Ba Đình"));
        assert!(same_unit("PHUONG BA DINH", "Phường Ba Đình"));
        assert!(same_unit("Thị Trấn Ái Tử", "Ái Tử"));
        assert!(!same_unit("Phường Ngọc Hà", "Phường Ba Đình"));
        assert!(!same_unit("Xã An Phú", "Phường An Phú"));
    }

    #[test]
    fn rows_past_the_list_are_counted() {
        let unit = UnitInfo {
            code: "00004".into(),
            name: "Phường Ba Đình".into(),
            level: geodata::Level::Commune,
            parent_code: None,
            area_km2: 1.0,
        };
        let mut d = Disagreements::default();
        for line in 2..2 + LISTED as u64 + 3 {
            let mut row = Row::new(line, "00004");
            row.name = Some("Phường Ngọc Hà".into());
            d.check("t.csv", &row, &unit, "vn-2025");
        }
        let mut ok = Row::new(99, "00004");
        ok.name = Some("Ba Đình".into());
        d.check("t.csv", &ok, &unit, "vn-2025");
        let w = d.warnings("t.csv");
        assert_eq!(w.len(), LISTED + 1);
        assert_eq!(
            w[0].to_string(),
            "t.csv:2: column 'name': code '00004': code 00004 is 'Phường Ba Đình' in vn-2025, the table says 'Phường Ngọc Hà' (rule names_disagree)"
        );
        assert_eq!(
            w[LISTED].message,
            "3 more row(s) name another unit than their code (only the first 20 are listed)"
        );
    }
}
