//! The data records: checks common to both forms, then each record read as a wide or long row.

use std::collections::BTreeMap;

use geodata::Catalog;

use super::Table;
use super::header::Layout;
use super::long::read_long_row;
use super::text::Records;
use super::wide::{NfdNames, read_wide_row};
use crate::rules::parse_count;

/// What the row loop carries from one record to the next.
#[derive(Default)]
struct Progress {
    /// Whether any record other than a blank line was seen.
    any_data: bool,
    /// Long form: the index in `rows` of each code.
    by_code: BTreeMap<String, usize>,
    /// Names found in decomposed Unicode.
    nfd: NfdNames,
}

/// Reads every record after the header into rows, then records what only the whole file shows
/// (no data rows, NFD names).
pub(super) fn read_rows(
    t: &mut Table,
    header: &[String],
    layout: &Layout,
    records: Records<'_>,
    catalog: &Catalog,
) {
    let mut progress = Progress::default();
    for rec in records {
        let Some(record) = screen_record(t, rec, header.len(), layout, &mut progress.any_data)
        else {
            continue;
        };
        match layout {
            Layout::Wide(columns) => read_wide_row(t, &record, header, columns, &mut progress.nfd),
            Layout::Long => read_long_row(t, &record, catalog, &mut progress.by_code),
        }
    }
    if !progress.any_data {
        t.errors.push(
            t.issue("no_data_rows", "no data rows (only a header)".into())
                .at(1),
        );
    }
    if let Some(note) = progress.nfd.note(t) {
        t.notes.push(note);
    }
}

/// A data record that passed the checks common to both forms.
pub(super) struct Record {
    /// Line of the record in the file.
    pub(super) line: u64,
    /// The unit code, trimmed, not empty.
    pub(super) code: String,
    /// All fields, as many as the header.
    pub(super) fields: csv::StringRecord,
}

/// Checks a record for what both forms share: well-formed CSV, not blank, as many fields as the
/// header, a code. `None` when the record is skipped (with its error recorded, unless blank).
fn screen_record(
    t: &mut Table,
    rec: csv::Result<csv::StringRecord>,
    width: usize,
    layout: &Layout,
    any_data: &mut bool,
) -> Option<Record> {
    let fields = match rec {
        Ok(r) => r,
        Err(e) => {
            let line = e.position().map_or(0, |p| p.line());
            t.errors.push(
                t.issue("malformed_csv", format!("malformed CSV: {e}"))
                    .at(line),
            );
            return None;
        }
    };
    let line = fields.position().map_or(0, |p| p.line());
    if fields.len() == 1 && fields[0].trim().is_empty() {
        return None;
    }
    *any_data = true;
    if fields.len() != width {
        t.errors.push(
            t.issue(
                "ragged_row",
                format!("row has {} fields; the header has {width}", fields.len()),
            )
            .at(line),
        );
        return None;
    }
    let code = fields[layout.code_field()].trim().to_string();
    if code.is_empty() {
        t.errors.push(
            t.issue("missing_code", "empty code".into())
                .at(line)
                .col("code"),
        );
        return None;
    }
    Some(Record { line, code, fields })
}

impl Table {
    /// Parses one count cell of `record`; a bad cell is recorded as an error and gives `None`.
    pub(super) fn cell(&mut self, record: &Record, id: &str, raw: &str) -> Option<Option<i64>> {
        match parse_count(raw) {
            Ok(v) => Some(v),
            Err((rule, msg)) => {
                self.errors.push(
                    self.issue(rule, msg)
                        .at(record.line)
                        .col(id)
                        .unit(&record.code),
                );
                None
            }
        }
    }
}
