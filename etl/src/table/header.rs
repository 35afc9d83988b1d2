//! The header: which form the table has and, in wide form, the role of each column.

use std::collections::BTreeMap;
use std::io::Read;

use geodata::Catalog;

use super::suggest::unknown_name;
use super::text::Source;
use super::{Fatal, Form, Table};
use crate::report::Issue;

/// Reads the first record as the header: names trimmed and lowercased.
pub(super) fn read_header<R: Read>(
    t: &Table,
    source: &mut Source<R>,
) -> Result<Vec<String>, Fatal> {
    let header = source.header(t)?;
    Ok(header.iter().map(|c| c.trim().to_lowercase()).collect())
}

impl Form {
    /// Long when the header is exactly `code,indicator,value`, wide otherwise.
    pub(super) fn of_header(header: &[String]) -> Form {
        if header == ["code", "indicator", "value"] {
            Form::Long
        } else {
            Form::Wide
        }
    }
}

/// How the fields of a data record are read.
pub(super) enum Layout {
    /// One row per unit, with these column roles.
    Wide(Columns),
    /// `code,indicator,value`.
    Long,
}

impl Layout {
    /// The field holding the unit code.
    pub(super) fn code_field(&self) -> usize {
        match self {
            Layout::Wide(columns) => columns.code,
            Layout::Long => 0,
        }
    }
}

/// The role of each field of a wide header.
pub(super) struct Columns {
    /// Field of the unit code.
    pub(super) code: usize,
    /// Field of the unit name, if any.
    pub(super) name: Option<usize>,
    /// For each field, the indicator id it holds, if it is an accepted indicator column.
    pub(super) indicators: Vec<Option<String>>,
}

impl Columns {
    /// Gives each field of a wide header its role, recording duplicate and unknown columns;
    /// `Err` when there is no `code` column.
    pub(super) fn classify(
        t: &mut Table,
        header: &[String],
        catalog: &Catalog,
    ) -> Result<Columns, Fatal> {
        let mut code = None;
        let mut name = None;
        let mut indicators = vec![None; header.len()];
        let mut seen = BTreeMap::new();
        for (i, h) in header.iter().enumerate() {
            // Spreadsheets add trailing separators: an unnamed column is fine while empty.
            if h.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(h.clone(), i) {
                let issue = duplicate_column(t, h, first, i);
                t.error(issue);
                continue;
            }
            match h.as_str() {
                "code" => code = Some(i),
                "name" => name = Some(i),
                id if catalog.base(id).is_some() => indicators[i] = Some(id.to_string()),
                other => {
                    let issue = t
                        .issue("unknown_column", unknown_name(catalog, "column", other))
                        .at(1)
                        .col(other);
                    t.error(issue);
                }
            }
        }
        let code = code.ok_or_else(|| {
            t.issue(
                "missing_code_column",
                "header has no 'code' column (expected code[,name],indicator...; or code,indicator,value)".into(),
            )
            .at(1)
        })?;
        Ok(Columns {
            code,
            name,
            indicators,
        })
    }
}

/// The error for header name `h` seen again in field `second` (0-based fields).
fn duplicate_column(t: &Table, h: &str, first: usize, second: usize) -> Issue {
    t.issue(
        "duplicate_column",
        format!(
            "column '{h}' appears twice in the header (fields {} and {})",
            first + 1,
            second + 1
        ),
    )
    .at(1)
    .col(h)
}
