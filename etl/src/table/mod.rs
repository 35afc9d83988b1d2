//! Reading an indicator table from CSV, in wide or long form.
//!
//! Wide: a header `code`, an optional `name`, then base-indicator ids, one row per unit.
//! Long: a header exactly `code,indicator,value`, one row per (unit, indicator).
//! Every problem is collected as an [`Issue`] (file, line, column, rule); reading does not stop
//! at the first. Cells are parsed by [`crate::rules::parse_count`]; an empty cell is "not
//! reported" (`None`), which is not zero.
//!
//! Reading goes `text` (bytes to CSV records), `header` (form and column roles), then `rows`
//! (each record, read by `wide` or `long`); `suggest` words the errors for unknown names.

mod header;
mod long;
mod rows;
mod suggest;
mod text;
mod wide;

use std::collections::{BTreeMap, BTreeSet};

use geodata::Catalog;
use serde::Serialize;

use crate::report::Issue;
use header::{Columns, Layout, read_header};
use rows::read_rows;
use text::{check_delimiter, check_not_blank, csv_records, decode};

pub use suggest::closest_indicator;

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
    /// The indicators the table gives (wide: its indicator columns; long: the indicators of its
    /// rows); `None` when reading stopped before the header was understood.
    pub indicators: Option<BTreeSet<String>>,
}

/// Parses CSV bytes into a table; `file` names the input in every issue.
pub fn parse_table(file: &str, bytes: &[u8], catalog: &Catalog) -> Table {
    let mut t = Table::new(file);
    if let Err(fatal) = read_table(&mut t, bytes, catalog) {
        t.errors.push(*fatal);
    }
    t
}

/// A problem after which nothing more can be read; [`parse_table`] records it last.
type Fatal = Box<Issue>;

/// The steps of [`parse_table`], stopping at the first [`Fatal`] problem.
fn read_table(t: &mut Table, bytes: &[u8], catalog: &Catalog) -> Result<(), Fatal> {
    let text = decode(t, bytes)?;
    check_not_blank(t, text)?;
    check_delimiter(t, text)?;
    let mut records = csv_records(text);
    let header = read_header(t, &mut records)?;
    t.form = Form::of_header(&header);
    let layout = match t.form {
        Form::Wide => Layout::Wide(Columns::classify(t, &header, catalog)?),
        Form::Long => Layout::Long,
    };
    t.indicators = Some(match &layout {
        Layout::Wide(columns) => columns.indicators.iter().flatten().cloned().collect(),
        Layout::Long => BTreeSet::new(),
    });
    read_rows(t, &header, &layout, records, catalog);
    Ok(())
}

impl Table {
    /// An empty wide table named `file`, before anything is read.
    fn new(file: &str) -> Table {
        Table {
            file: file.to_string(),
            form: Form::Wide,
            rows: Vec::new(),
            errors: Vec::new(),
            notes: Vec::new(),
            indicators: None,
        }
    }

    /// A finding about this table's file.
    fn issue(&self, rule: &'static str, message: String) -> Issue {
        Issue::file(rule, &self.file, message)
    }
}

impl Row {
    /// A row for `code` starting on `line`, with no name and no values yet.
    pub fn new(line: u64, code: &str) -> Row {
        Row {
            line,
            code: code.to_string(),
            name: None,
            values: BTreeMap::new(),
            lines: BTreeMap::new(),
        }
    }
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
