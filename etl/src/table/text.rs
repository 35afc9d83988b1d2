//! From bytes to CSV records: byte-order mark, UTF-8, blank files and the wrong delimiter.

use super::{Fatal, Table};

/// Drops a UTF-8 byte-order mark (with a note) and decodes the rest as UTF-8.
pub(super) fn decode<'a>(t: &mut Table, bytes: &'a [u8]) -> Result<&'a str, Fatal> {
    let mut bytes = bytes;
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        bytes = rest;
        t.notes.push(t.issue(
            "bom",
            "file starts with a UTF-8 byte-order mark (ignored)".into(),
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
            + 1;
        let issue = t.issue(
            "not_utf8",
            "file is not UTF-8 text (save it as CSV UTF-8)".into(),
        );
        Fatal::new(issue.at(line))
    })
}

/// Refuses a file with nothing but whitespace.
pub(super) fn check_not_blank(t: &Table, text: &str) -> Result<(), Fatal> {
    if text.trim().is_empty() {
        return Err(t.issue("empty_file", "file is empty".into()).into());
    }
    Ok(())
}

/// Refuses a file whose header line has more `;` or tabs than commas.
pub(super) fn check_delimiter(t: &Table, text: &str) -> Result<(), Fatal> {
    let header_line = text.lines().next().unwrap_or("");
    let commas = header_line.matches(',').count();
    for (sep, label) in [(';', "';'"), ('\t', "tab")] {
        if header_line.matches(sep).count() > commas {
            return Err(t
                .issue(
                    "delimiter",
                    format!("file uses {label} as delimiter; expected ','"),
                )
                .at(1)
                .into());
        }
    }
    Ok(())
}

/// The CSV records of `text`, header included, rows of any length.
pub(super) fn csv_records(text: &str) -> Records<'_> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records()
}

/// The CSV records of a table's text.
pub(super) type Records<'a> = csv::StringRecordsIntoIter<&'a [u8]>;
