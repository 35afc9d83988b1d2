//! Reading an indicator table from CSV, in wide or long form.
//!
//! Wide: a header `code`, an optional `name`, then base-indicator ids, one row per unit.
//! Long: a header exactly `code,indicator,value`, one row per (unit, indicator).
//! Every problem is collected as an [`Issue`] (file, line, column, rule); reading does not stop
//! at the first. Cells are parsed by [`crate::rules::parse_count`]; an empty cell is "not
//! reported" (`None`), which is not zero.
//!
//! The file is streamed ([`read_table`]): each row goes to a [`RowSink`] as soon as it is
//! read (long form: when the file ends, one row per code the sink keeps), and at most
//! [`MAX_ISSUES`] errors are kept, so memory depends on the units, not on the file's size.
//! Reading goes `text` (bytes to CSV records), `header` (form and column roles), then `rows`
//! (each record, read by `wide` or `long`); `suggest` words the errors for unknown names.

mod header;
mod long;
mod rows;
mod suggest;
mod text;
mod wide;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use geodata::Catalog;
use serde::Serialize;

use crate::report::Issue;
use header::{Columns, Layout, read_header};
use rows::read_rows;
use text::Source;

pub use suggest::closest_indicator;
pub use text::MAX_ROW_BYTES;

/// Errors kept per list, at most; the others are counted in one last error.
pub const MAX_ISSUES: usize = 1000;

/// Where the rows of a table go as they are read.
pub trait RowSink {
    /// Whether long-form records of `code` are gathered into a row given at the end; the first
    /// record of a code not kept is given at once as a row without values.
    fn keeps(&self, code: &str) -> bool;
    /// Takes one row.
    fn row(&mut self, row: Row);
}

/// The sink of [`parse_table`]: keeps every row.
impl RowSink for Vec<Row> {
    fn keeps(&self, _code: &str) -> bool {
        true
    }

    fn row(&mut self, row: Row) {
        self.push(row);
    }
}

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
    /// Rows in file order (long form: one per code, in order of first appearance); empty when
    /// read by [`read_table`], which gives them to its sink instead.
    pub rows: Vec<Row>,
    /// Errors found while reading (malformed CSV, bad cells, unknown columns...), the first
    /// [`MAX_ISSUES`] and one counting the others.
    pub errors: Vec<Issue>,
    /// Notes (BOM, NFD names).
    pub notes: Vec<Issue>,
    /// The indicators the table gives (wide: its indicator columns; long: the indicators of its
    /// rows); `None` when reading stopped before the header was understood.
    pub indicators: Option<BTreeSet<String>>,
    /// Whether the file was read to its end; after a problem that stops reading (not UTF-8, a
    /// row too long, no header), what the rows would show is not checked.
    pub read_whole: bool,
    /// Errors found past [`MAX_ISSUES`].
    more_errors: usize,
}

/// Parses CSV bytes into a table with all its rows; `file` names the input in every issue.
pub fn parse_table(file: &str, bytes: &[u8], catalog: &Catalog) -> Table {
    let mut rows = Vec::new();
    let mut t = read_table(file, bytes, catalog, &mut rows);
    t.rows = rows;
    t
}

/// Reads a table from `input` as a stream, giving each row to `sink`; `file` names the input
/// in every issue. The returned table has no rows.
pub fn read_table<R: Read>(
    file: &str,
    input: R,
    catalog: &Catalog,
    sink: &mut dyn RowSink,
) -> Table {
    let mut t = Table::new(file);
    match read_stream(&mut t, input, catalog, sink) {
        Ok(()) => t.read_whole = true,
        Err(fatal) => {
            if fatal.rule == "not_utf8" {
                // Not text: that is the one finding, as when the whole file was decoded first.
                t.errors.clear();
                t.more_errors = 0;
                t.notes.retain(|n| n.rule == "bom");
            }
            t.error(*fatal);
        }
    }
    if t.more_errors > 0 {
        let more = t.issue(
            "more_errors",
            format!(
                "{} more error(s) not listed (only the first {MAX_ISSUES} are kept)",
                t.more_errors
            ),
        );
        t.errors.push(more);
    }
    t
}

/// A problem after which nothing more can be read; [`read_table`] records it last.
type Fatal = Box<Issue>;

/// The steps of [`read_table`], stopping at the first [`Fatal`] problem.
fn read_stream<R: Read>(
    t: &mut Table,
    input: R,
    catalog: &Catalog,
    sink: &mut dyn RowSink,
) -> Result<(), Fatal> {
    let mut source = Source::new(t, input);
    let header = read_header(t, &mut source)?;
    t.form = Form::of_header(&header);
    let layout = match t.form {
        Form::Wide => Layout::Wide(Columns::classify(t, &header, catalog)?),
        Form::Long => Layout::Long,
    };
    t.indicators = Some(match &layout {
        Layout::Wide(columns) => columns.indicators.iter().flatten().cloned().collect(),
        Layout::Long => BTreeSet::new(),
    });
    read_rows(t, &header, &layout, &mut source, catalog, sink)
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
            read_whole: false,
            more_errors: 0,
        }
    }

    /// Records an error, or only counts it past [`MAX_ISSUES`].
    fn error(&mut self, issue: Issue) {
        if self.errors.len() < MAX_ISSUES {
            self.errors.push(issue);
        } else {
            self.more_errors += 1;
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

    #[test]
    fn a_row_too_long_stops_reading_on_its_first_line() {
        let mut s = String::from("code,population\n00004,1\n00008,");
        s.push_str(&"9".repeat(MAX_ROW_BYTES));
        s.push_str("\n00070,3\n");
        let t = parse(&s);
        assert_eq!(t.rows.len(), 1);
        let e: Vec<(&str, Option<u64>)> = t.errors.iter().map(|e| (e.rule, e.line)).collect();
        assert_eq!(e, [("long_row", Some(3))]);
        assert!(!t.read_whole);
    }

    #[test]
    fn errors_past_the_limit_are_counted_not_kept() {
        let mut s = String::from("code,population\n");
        for i in 0..MAX_ISSUES + 5 {
            s.push_str(&format!("{i:05},x\n"));
        }
        let t = parse(&s);
        assert!(t.read_whole);
        assert_eq!(t.rows.len(), MAX_ISSUES + 5);
        assert_eq!(t.errors.len(), MAX_ISSUES + 1);
        assert_eq!(
            t.errors[MAX_ISSUES].to_string(),
            "t.csv: 5 more error(s) not listed (only the first 1000 are kept) (rule more_errors)"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_the_one_error_on_their_line() {
        let bytes = b"\xEF\xBB\xBFcode,population\n00004,x\n00008,\"a\nb\xff\",1\n";
        let t = parse_table("t.csv", bytes, &Catalog::builtin());
        let e: Vec<(&str, Option<u64>)> = t.errors.iter().map(|e| (e.rule, e.line)).collect();
        assert_eq!(e, [("not_utf8", Some(4))]);
        let notes: Vec<&str> = t.notes.iter().map(|n| n.rule).collect();
        assert_eq!(notes, ["bom"]);
    }

    #[test]
    fn blank_files_are_empty_and_a_blank_header_has_no_code() {
        assert_eq!(parse(" \n\t\n").errors[0].rule, "empty_file");
        assert_eq!(parse("").errors[0].rule, "empty_file");
        assert_eq!(
            parse(" \ncode,population\n").errors[0].rule,
            "missing_code_column"
        );
    }
}
