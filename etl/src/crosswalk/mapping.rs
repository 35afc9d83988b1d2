//! An official old → new mapping table (`old_code,new_code,split`), checked line by line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::CrosswalkBuildError;

/// The new units of one old unit and whether the mapping calls it a split.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// New unit codes, sorted.
    pub new_codes: Vec<String>,
    /// True when the old unit was divided between its new units.
    pub split: bool,
}

/// A checked mapping table: old code → its targets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapping {
    /// The file it was read from (for messages and the method text).
    pub file: String,
    /// Old unit code → targets.
    pub rows: BTreeMap<String, Target>,
}

impl Mapping {
    /// Reads and checks `path` against the old and new unit codes: every code known, no pair
    /// twice, one split flag per old unit, `split=false` with exactly one new unit and
    /// `split=true` with at least two. Errors name the file and line.
    pub fn read(
        path: &Path,
        old: &BTreeSet<String>,
        new: &BTreeSet<String>,
    ) -> Result<Mapping, CrosswalkBuildError> {
        let bytes = std::fs::read(path).map_err(|source| CrosswalkBuildError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Mapping::parse(&path.display().to_string(), &bytes, old, new)
    }

    /// [`Mapping::read`] on bytes already in memory; `file` names them in errors.
    pub fn parse(
        file: &str,
        bytes: &[u8],
        old: &BTreeSet<String>,
        new: &BTreeSet<String>,
    ) -> Result<Mapping, CrosswalkBuildError> {
        let bad = |line: u64, message: String| CrosswalkBuildError::Mapping {
            file: file.to_owned(),
            line,
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let headers = reader.headers().map_err(|e| bad(1, e.to_string()))?.clone();
        let col = |name: &str| {
            headers.iter().position(|h| h == name).ok_or_else(|| {
                bad(
                    1,
                    format!("missing column '{name}' (need old_code,new_code,split)"),
                )
            })
        };
        let (c_old, c_new, c_split) = (col("old_code")?, col("new_code")?, col("split")?);
        // old code → (split flag, line it was first seen on, new codes)
        let mut seen: BTreeMap<String, (bool, u64, BTreeSet<String>)> = BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                bad(line, e.to_string())
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let field = |i: usize| record.get(i).unwrap_or("");
            let (o, n, s) = (field(c_old), field(c_new), field(c_split));
            if !old.contains(o) {
                return Err(bad(
                    line,
                    format!("old_code '{o}' is not a unit of the source version"),
                ));
            }
            if !new.contains(n) {
                return Err(bad(
                    line,
                    format!("new_code '{n}' is not a unit of the target version"),
                ));
            }
            let split = match s.to_ascii_lowercase().as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => return Err(bad(line, format!("split '{s}' is not true or false"))),
            };
            let entry = seen
                .entry(o.to_owned())
                .or_insert_with(|| (split, line, BTreeSet::new()));
            if entry.0 != split {
                return Err(bad(
                    line,
                    format!(
                        "split flag of old_code '{o}' is {split} here but {} on line {}",
                        entry.0, entry.1
                    ),
                ));
            }
            if !entry.2.insert(n.to_owned()) {
                return Err(bad(line, format!("duplicate row {o} → {n}")));
            }
            if !split && entry.2.len() > 1 {
                return Err(bad(
                    line,
                    format!("old_code '{o}' has split=false but more than one new_code"),
                ));
            }
        }
        let mut rows = BTreeMap::new();
        for (o, (split, line, news)) in seen {
            if split && news.len() < 2 {
                return Err(bad(
                    line,
                    format!("old_code '{o}' has split=true but only one new_code"),
                ));
            }
            rows.insert(
                o,
                Target {
                    new_codes: news.into_iter().collect(),
                    split,
                },
            );
        }
        Ok(Mapping {
            file: file.to_owned(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn parse(text: &str) -> Result<Mapping, CrosswalkBuildError> {
        Mapping::parse(
            "m.csv",
            text.as_bytes(),
            &codes(&["a", "b", "c"]),
            &codes(&["X", "Y"]),
        )
    }

    fn error_of(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_merges_and_splits() {
        let m =
            parse("old_code,new_code,split\na,X,false\nb,X,false\nc,X,true\nc,Y,true\n").unwrap();
        assert_eq!(m.rows["a"].new_codes, ["X"]);
        assert!(!m.rows["a"].split);
        assert_eq!(m.rows["c"].new_codes, ["X", "Y"]);
        assert!(m.rows["c"].split);
    }

    #[test]
    fn bad_rows_name_file_line_and_rule() {
        let h = "old_code,new_code,split\n";
        let e = error_of(&format!("{h}a,X,false\nz,X,false\n"));
        assert!(
            e.contains("m.csv line 3") && e.contains("'z' is not a unit"),
            "{e}"
        );
        let e = error_of(&format!("{h}a,Q,false\n"));
        assert!(e.contains("line 2") && e.contains("new_code 'Q'"), "{e}");
        let e = error_of(&format!("{h}c,X,true\nc,X,true\n"));
        assert!(
            e.contains("line 3") && e.contains("duplicate row c → X"),
            "{e}"
        );
        let e = error_of(&format!("{h}c,X,true\nc,Y,false\n"));
        assert!(e.contains("line 3") && e.contains("split flag"), "{e}");
        let e = error_of(&format!("{h}a,X,false\na,Y,false\n"));
        assert!(
            e.contains("line 3") && e.contains("split=false but more"),
            "{e}"
        );
        let e = error_of(&format!("{h}c,X,true\n"));
        assert!(
            e.contains("line 2") && e.contains("only one new_code"),
            "{e}"
        );
        let e = error_of(&format!("{h}a,X,maybe\n"));
        assert!(e.contains("line 2") && e.contains("'maybe'"), "{e}");
        let e = error_of("old,new_code,split\n");
        assert!(e.contains("line 1") && e.contains("old_code"), "{e}");
    }
}
