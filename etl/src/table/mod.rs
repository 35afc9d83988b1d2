//! Reading an indicator table from CSV, in wide or long form.
//!
//! Wide: a header `code`, an optional `name`, then base-indicator ids, one row per unit.
//! Long: a header exactly `code,indicator,value`, one row per (unit, indicator).
//! Every problem is collected as an [`Issue`] (file, line, column, rule); reading does not stop
//! at the first. Cells are parsed by [`crate::rules::parse_count`]; an empty cell is "not
//! reported" (`None`), which is not zero.

use std::collections::BTreeMap;

use geodata::Catalog;
use geodata::{is_nfc, nfc};
use serde::Serialize;

use crate::report::Issue;
use crate::rules::parse_count;

/// The shape of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// One row per unit, one column per indicator.
    Wide,
    /// One row per (unit, indicator): `code,indicator,value`.
    Long,
}

/// The values of one unit as read from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Line of the unit's (first) row.
    pub line: u64,
    /// Unit code, trimmed, kept as text.
    pub code: String,
    /// Name as written (NFC), when the file has a `name` column.
    pub name: Option<String>,
    /// Indicator id → count; `None` for an empty cell. Cells that failed to parse are absent.
    pub values: BTreeMap<String, Option<i64>>,
    /// Line of each indicator's value (differs from `line` in long form).
    pub lines: BTreeMap<String, u64>,
}

impl Row {
    /// The line where `indicator`'s value was written.
    pub fn line_of(&self, indicator: &str) -> u64 {
        self.lines.get(indicator).copied().unwrap_or(self.line)
    }

    /// The reported count of `indicator`, if present and non-empty.
    pub fn get(&self, indicator: &str) -> Option<i64> {
        self.values.get(indicator).copied().flatten()
    }
}

/// A parsed table with the problems found while reading it.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file as given (used in every issue).
    pub file: String,
    /// Wide or long.
    pub form: Form,
    /// Rows in file order (long form: one per code, in order of first appearance).
    pub rows: Vec<Row>,
    /// Errors found while reading (malformed CSV, bad cells, unknown columns...).
    pub errors: Vec<Issue>,
    /// Notes (BOM, NFD names).
    pub notes: Vec<Issue>,
}

/// Edit distance between two short ASCII-ish strings (for "did you mean").
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest base-indicator id to `name`, if it is a near miss (edit distance ≤ 2).
pub fn closest_indicator<'a>(catalog: &'a Catalog, name: &str) -> Option<&'a str> {
    catalog
        .base_ids()
        .map(|id| (distance(name, id), id))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, id)| id)
}

/// Why an unknown column or indicator name is not accepted, with a suggestion when possible.
fn unknown_name(catalog: &Catalog, what: &str, name: &str) -> String {
    if catalog.derived(name).is_some() {
        format!(
            "{what} '{name}' is a derived indicator: it is computed from the counts, not published"
        )
    } else if let Some(near) = closest_indicator(catalog, name) {
        format!("unknown {what} '{name}' (did you mean '{near}'?)")
    } else {
        format!("unknown {what} '{name}': not a base indicator of the catalog")
    }
}

/// Parses CSV bytes into a table; `file` names the input in every issue.
pub fn parse_table(file: &str, bytes: &[u8], catalog: &Catalog) -> Table {
    let mut t = Table {
        file: file.to_string(),
        form: Form::Wide,
        rows: Vec::new(),
        errors: Vec::new(),
        notes: Vec::new(),
    };
    let err = |rule, msg: String| Issue::file(rule, file, msg);
    let mut bytes = bytes;
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        bytes = rest;
        t.notes.push(err(
            "bom",
            "file starts with a UTF-8 byte-order mark (ignored)".into(),
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64
                + 1;
            t.errors.push(
                err(
                    "not_utf8",
                    "file is not UTF-8 text (save it as CSV UTF-8)".into(),
                )
                .at(line),
            );
            return t;
        }
    };
    if text.trim().is_empty() {
        t.errors.push(err("empty_file", "file is empty".into()));
        return t;
    }
    let header_line = text.lines().next().unwrap_or("");
    let commas = header_line.matches(',').count();
    for (sep, label) in [(';', "';'"), ('\t', "tab")] {
        if header_line.matches(sep).count() > commas {
            t.errors.push(
                err(
                    "delimiter",
                    format!("file uses {label} as delimiter; expected ','"),
                )
                .at(1),
            );
            return t;
        }
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Some(Err(e)) => {
            t.errors
                .push(err("malformed_csv", format!("malformed CSV: {e}")).at(1));
            return t;
        }
        None => {
            t.errors.push(err("empty_file", "file is empty".into()));
            return t;
        }
    };
    t.form = if header == ["code", "indicator", "value"] {
        Form::Long
    } else {
        Form::Wide
    };
    // Column roles for the wide form: Some(id) for an accepted indicator column.
    let mut columns: Vec<Option<String>> = vec![None; header.len()];
    let mut code_col = None;
    let mut name_col = None;
    if t.form == Form::Wide {
        let mut seen = BTreeMap::new();
        for (i, h) in header.iter().enumerate() {
            // Spreadsheets add trailing separators: an unnamed column is fine while empty.
            if h.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(h.clone(), i) {
                t.errors.push(
                    err(
                        "duplicate_column",
                        format!(
                            "column '{h}' appears twice in the header (fields {} and {})",
                            first + 1,
                            i + 1
                        ),
                    )
                    .at(1)
                    .col(h),
                );
                continue;
            }
            match h.as_str() {
                "code" => code_col = Some(i),
                "name" => name_col = Some(i),
                id if catalog.base(id).is_some() => columns[i] = Some(id.to_string()),
                other => t.errors.push(
                    err("unknown_column", unknown_name(catalog, "column", other))
                        .at(1)
                        .col(other),
                ),
            }
        }
        if code_col.is_none() {
            t.errors.push(
                err(
                    "missing_code_column",
                    "header has no 'code' column (expected code[,name],indicator...; or code,indicator,value)".into(),
                )
                .at(1),
            );
            return t;
        }
    }
    let code_col = code_col.unwrap_or(0);
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    let mut nfd_names = 0usize;
    let mut first_nfd = 0u64;
    let mut any_data = false;
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                t.errors
                    .push(err("malformed_csv", format!("malformed CSV: {e}")).at(line));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() == 1 && rec[0].trim().is_empty() {
            continue;
        }
        any_data = true;
        if rec.len() != header.len() {
            t.errors.push(
                err(
                    "ragged_row",
                    format!(
                        "row has {} fields; the header has {}",
                        rec.len(),
                        header.len()
                    ),
                )
                .at(line),
            );
            continue;
        }
        let code = rec[code_col].trim().to_string();
        if code.is_empty() {
            t.errors.push(
                err("missing_code", "empty code".into())
                    .at(line)
                    .col("code"),
            );
            continue;
        }
        let cell = |id: &str, raw: &str, errors: &mut Vec<Issue>| match parse_count(raw) {
            Ok(v) => Some(v),
            Err((rule, msg)) => {
                errors.push(err(rule, msg).at(line).col(id).unit(&code));
                None
            }
        };
        match t.form {
            Form::Wide => {
                let mut row = Row {
                    line,
                    code: code.clone(),
                    name: None,
                    values: BTreeMap::new(),
                    lines: BTreeMap::new(),
                };
                if let Some(nc) = name_col {
                    let raw = rec[nc].trim();
                    if !is_nfc(raw) {
                        nfd_names += 1;
                        if first_nfd == 0 {
                            first_nfd = line;
                        }
                    }
                    row.name = Some(nfc(raw));
                }
                for (i, h) in header.iter().enumerate() {
                    if h.is_empty() && !rec[i].trim().is_empty() {
                        t.errors.push(
                            err(
                                "unnamed_column",
                                format!(
                                    "value '{}' in field {}, which has no header",
                                    rec[i].trim(),
                                    i + 1
                                ),
                            )
                            .at(line)
                            .unit(&code),
                        );
                    }
                }
                for (i, c) in columns.iter().enumerate() {
                    if let Some(id) = c
                        && let Some(v) = cell(id, &rec[i], &mut t.errors)
                    {
                        row.values.insert(id.clone(), v);
                    }
                }
                t.rows.push(row);
            }
            Form::Long => {
                let ind = rec[1].trim().to_lowercase();
                if catalog.base(&ind).is_none() {
                    t.errors.push(
                        err(
                            "unknown_indicator",
                            unknown_name(catalog, "indicator", &ind),
                        )
                        .at(line)
                        .col("indicator")
                        .unit(&code),
                    );
                    continue;
                }
                let Some(v) = cell(&ind, &rec[2], &mut t.errors) else {
                    continue;
                };
                let idx = *by_code.entry(code.clone()).or_insert_with(|| {
                    t.rows.push(Row {
                        line,
                        code: code.clone(),
                        name: None,
                        values: BTreeMap::new(),
                        lines: BTreeMap::new(),
                    });
                    t.rows.len() - 1
                });
                let row = &mut t.rows[idx];
                if let Some(first) = row.lines.get(&ind) {
                    t.errors.push(
                        err(
                            "duplicate_code",
                            format!(
                                "code '{code}' has indicator '{ind}' on lines {first} and {line}"
                            ),
                        )
                        .at(line)
                        .col(&ind)
                        .unit(&code),
                    );
                    continue;
                }
                row.lines.insert(ind.clone(), line);
                row.values.insert(ind, v);
            }
        }
    }
    if !any_data {
        t.errors
            .push(err("no_data_rows", "no data rows (only a header)".into()).at(1));
    }
    if nfd_names > 0 {
        t.notes.push(
            err(
                "nfd_text",
                format!(
                    "{nfd_names} name(s) are in decomposed Unicode (NFD), first on line {first_nfd}; normalised to NFC"
                ),
            )
            .at(first_nfd),
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Table {
        parse_table("t.csv", s.as_bytes(), &Catalog::builtin())
    }

    #[test]
    fn wide_and_long_read_the_same_values() {
        let w = parse("code,name,population,births\n00004, Ba Đình ,1200,\n00007,X,30,2\n");
        assert_eq!(w.form, Form::Wide);
        assert!(w.errors.is_empty(), "{:?}", w.errors);
        assert_eq!(w.rows.len(), 2);
        assert_eq!(w.rows[0].name.as_deref(), Some("Ba Đình"));
        assert_eq!(w.rows[0].get("population"), Some(1200));
        assert_eq!(w.rows[0].values["births"], None);
        assert_eq!(w.rows[1].line, 3);
        let l =
            parse("code,indicator,value\n00004,population,1200\n00007,births,2\n00004,births,\n");
        assert_eq!(l.form, Form::Long);
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        assert_eq!(l.rows.len(), 2);
        assert_eq!(l.rows[0].get("population"), Some(1200));
        assert_eq!(l.rows[0].values["births"], None);
        assert_eq!(l.rows[0].line_of("births"), 4);
    }

    #[test]
    fn near_miss_and_derived_columns() {
        let t = parse("code,populaton,sex_ratio,zzz\n00004,1,2,3\n");
        let msgs: Vec<&str> = t.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "unknown column 'populaton' (did you mean 'population'?)",
                "column 'sex_ratio' is a derived indicator: it is computed from the counts, not published",
                "unknown column 'zzz': not a base indicator of the catalog",
            ]
        );
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn trailing_separators_are_tolerated_while_empty() {
        let t = parse("code,population,,\n00004,10,,\n00007,20,x,\n");
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].get("population"), Some(10));
        let e: Vec<String> = t.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            e,
            [
                "t.csv:3: code '00007': value 'x' in field 3, which has no header (rule unnamed_column)"
            ]
        );
    }

    #[test]
    fn errors_are_all_collected() {
        let t = parse("code,population,births\n00004,-1,x\n00007,1\n,3,4\n");
        let rules: Vec<(&str, Option<u64>)> = t.errors.iter().map(|e| (e.rule, e.line)).collect();
        assert_eq!(
            rules,
            [
                ("negative_count", Some(2)),
                ("non_numeric", Some(2)),
                ("ragged_row", Some(3)),
                ("missing_code", Some(4))
            ]
        );
    }
}
