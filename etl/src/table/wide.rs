//! Wide rows: one row per unit, a name (normalised to NFC) and one cell per indicator column.

use geodata::{is_nfc, nfc};

use super::header::Columns;
use super::rows::Record;
use super::{Row, RowSink, Table};
use crate::report::Issue;

/// Reads one wide record into a new row: its name, then each indicator cell.
pub(super) fn read_wide_row(
    t: &mut Table,
    record: &Record,
    header: &[String],
    columns: &Columns,
    nfd: &mut NfdNames,
    sink: &mut dyn RowSink,
) {
    let mut row = Row::new(record.line, &record.code);
    if let Some(nc) = columns.name {
        row.name = Some(nfd.normalise(record.fields[nc].trim(), record.line));
    }
    check_unnamed_fields(t, record, header);
    for (i, c) in columns.indicators.iter().enumerate() {
        if let Some(id) = c
            && let Some(v) = t.cell(record, id, &record.fields[i])
        {
            row.values.insert(id.clone(), v);
        }
    }
    sink.row(row);
}

/// Records an error for each value in a field whose header is empty.
fn check_unnamed_fields(t: &mut Table, record: &Record, header: &[String]) {
    for (i, h) in header.iter().enumerate() {
        let value = record.fields[i].trim();
        if h.is_empty() && !value.is_empty() {
            let issue = t
                .issue(
                    "unnamed_column",
                    format!("value '{value}' in field {}, which has no header", i + 1),
                )
                .at(record.line)
                .unit(&record.code);
            t.error(issue);
        }
    }
}

/// Count and first line of the names written in decomposed Unicode (NFD).
#[derive(Default)]
pub(super) struct NfdNames {
    /// How many names were not in NFC.
    count: usize,
    /// The line of the first (0 while there is none).
    first_line: u64,
}

impl NfdNames {
    /// `raw` in NFC, counting it when it was not already.
    fn normalise(&mut self, raw: &str, line: u64) -> String {
        if !is_nfc(raw) {
            self.count += 1;
            if self.first_line == 0 {
                self.first_line = line;
            }
        }
        nfc(raw)
    }

    /// The note saying names were normalised, if any were.
    pub(super) fn note(&self, t: &Table) -> Option<Issue> {
        let (count, first) = (self.count, self.first_line);
        (count > 0).then(|| {
            t.issue(
                "nfd_text",
                format!(
                    "{count} name(s) are in decomposed Unicode (NFD), first on line {first}; normalised to NFC"
                ),
            )
            .at(first)
        })
    }
}
