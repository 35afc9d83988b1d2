//! Long rows: `code,indicator,value`, gathered into one row per code.

use std::collections::{BTreeMap, HashSet};

use geodata::Catalog;

use super::rows::Record;
use super::suggest::unknown_name;
use super::{MAX_ISSUES, Row, RowSink, Table};

/// Codes not kept by the sink that are remembered so each is given once; past this many, each
/// of their records is given again (the sink refuses them, and keeps only [`MAX_ISSUES`]).
const MAX_PASSED: usize = 100 * MAX_ISSUES;

/// The rows gathered so far: those of the codes the sink keeps, by code, in order of first
/// appearance.
#[derive(Default)]
pub(super) struct LongRows {
    rows: Vec<Row>,
    by_code: BTreeMap<String, usize>,
    /// Codes not kept, already given to the sink.
    passed: HashSet<String>,
}

impl LongRows {
    /// Reads one long record (`code,indicator,value`) into the row of its code, created on
    /// the code's first valid record.
    pub(super) fn read(
        &mut self,
        t: &mut Table,
        record: &Record,
        catalog: &Catalog,
        sink: &mut dyn RowSink,
    ) {
        let (line, code) = (record.line, record.code.as_str());
        let ind = record.fields[1].trim().to_lowercase();
        if catalog.base(&ind).is_none() {
            let issue = t
                .issue(
                    "unknown_indicator",
                    unknown_name(catalog, "indicator", &ind),
                )
                .at(line)
                .col("indicator")
                .unit(code);
            t.error(issue);
            return;
        }
        if let Some(seen) = &mut t.indicators {
            seen.insert(ind.clone());
        }
        let Some(v) = t.cell(record, &ind, &record.fields[2]) else {
            return;
        };
        if !sink.keeps(code) {
            self.pass(line, code, sink);
            return;
        }
        let idx = *self.by_code.entry(code.to_string()).or_insert_with(|| {
            self.rows.push(Row::new(line, code));
            self.rows.len() - 1
        });
        if let Some(first) = self.rows[idx].lines.get(&ind).copied() {
            let issue = t
                .issue(
                    "duplicate_code",
                    format!("code '{code}' has indicator '{ind}' on lines {first} and {line}"),
                )
                .at(line)
                .col(&ind)
                .unit(code);
            t.error(issue);
            return;
        }
        let row = &mut self.rows[idx];
        row.lines.insert(ind.clone(), line);
        row.values.insert(ind, v);
    }

    /// Gives the sink a row without values for a code it does not keep, once per code.
    fn pass(&mut self, line: u64, code: &str, sink: &mut dyn RowSink) {
        if self.passed.contains(code) {
            return;
        }
        if self.passed.len() < MAX_PASSED {
            self.passed.insert(code.to_string());
        }
        sink.row(Row::new(line, code));
    }

    /// Gives the gathered rows to the sink, in order of first appearance.
    pub(super) fn finish(self, sink: &mut dyn RowSink) {
        for row in self.rows {
            sink.row(row);
        }
    }
}
