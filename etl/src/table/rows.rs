//! The data records: checks common to both forms, then each record read as a wide or long row.

use std::io::Read;

use geodata::Catalog;

use super::header::Layout;
use super::long::LongRows;
use super::text::{Source, is_blank};
use super::wide::{NfdNames, read_wide_row};
use super::{Fatal, RowSink, Table};
use crate::rules::parse_count;

/// Reads every record after the header, giving rows to `sink` (long form: at the end), then
/// records what only the whole file shows (no data rows, NFD names).
pub(super) fn read_rows<R: Read>(
    t: &mut Table,
    header: &[String],
    layout: &Layout,
    source: &mut Source<R>,
    catalog: &Catalog,
    sink: &mut dyn RowSink,
) -> Result<(), Fatal> {
    let mut any_data = false;
    let mut nfd = NfdNames::default();
    let mut long = LongRows::default();
    while let Some((line, fields)) = source.next(t)? {
        let Some(record) = screen_record(t, line, fields, header.len(), layout, &mut any_data)
        else {
            continue;
        };
        match layout {
            Layout::Wide(columns) => read_wide_row(t, &record, header, columns, &mut nfd, sink),
            Layout::Long => long.read(t, &record, catalog, sink),
        }
    }
    long.finish(sink);
    if !any_data {
        let issue = t
            .issue("no_data_rows", "no data rows (only a header)".into())
            .at(1);
        t.error(issue);
    }
    if let Some(note) = nfd.note(t) {
        t.notes.push(note);
    }
    Ok(())
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

/// Checks a record for what both forms share: not blank, as many fields as the header, a
/// code. `None` when the record is skipped (with its error recorded, unless blank).
fn screen_record(
    t: &mut Table,
    line: u64,
    fields: csv::StringRecord,
    width: usize,
    layout: &Layout,
    any_data: &mut bool,
) -> Option<Record> {
    if is_blank(&fields) {
        return None;
    }
    *any_data = true;
    if fields.len() != width {
        let issue = t
            .issue(
                "ragged_row",
                format!("row has {} fields; the header has {width}", fields.len()),
            )
            .at(line);
        t.error(issue);
        return None;
    }
    let code = fields[layout.code_field()].trim().to_string();
    if code.is_empty() {
        let issue = t
            .issue("missing_code", "empty code".into())
            .at(line)
            .col("code");
        t.error(issue);
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
                let issue = self
                    .issue(rule, msg)
                    .at(record.line)
                    .col(id)
                    .unit(&record.code);
                self.error(issue);
                None
            }
        }
    }
}
