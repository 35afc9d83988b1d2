//! Long rows: `code,indicator,value`, gathered into one row per code.

use std::collections::BTreeMap;

use geodata::Catalog;

use super::rows::Record;
use super::suggest::unknown_name;
use super::{Row, Table};

/// Reads one long record (`code,indicator,value`) into the row of its code, created on the
/// code's first valid record.
pub(super) fn read_long_row(
    t: &mut Table,
    record: &Record,
    catalog: &Catalog,
    by_code: &mut BTreeMap<String, usize>,
) {
    let (line, code) = (record.line, record.code.as_str());
    let ind = record.fields[1].trim().to_lowercase();
    if catalog.base(&ind).is_none() {
        t.errors.push(
            t.issue(
                "unknown_indicator",
                unknown_name(catalog, "indicator", &ind),
            )
            .at(line)
            .col("indicator")
            .unit(code),
        );
        return;
    }
    if let Some(seen) = &mut t.indicators {
        seen.insert(ind.clone());
    }
    let Some(v) = t.cell(record, &ind, &record.fields[2]) else {
        return;
    };
    let idx = *by_code.entry(code.to_string()).or_insert_with(|| {
        t.rows.push(Row::new(line, code));
        t.rows.len() - 1
    });
    if let Some(first) = t.rows[idx].lines.get(&ind).copied() {
        t.errors.push(
            t.issue(
                "duplicate_code",
                format!("code '{code}' has indicator '{ind}' on lines {first} and {line}"),
            )
            .at(line)
            .col(&ind)
            .unit(code),
        );
        return;
    }
    let row = &mut t.rows[idx];
    row.lines.insert(ind.clone(), line);
    row.values.insert(ind, v);
}
