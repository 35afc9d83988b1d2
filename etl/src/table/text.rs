//! From a byte stream to CSV records: byte-order mark, rows of bounded length, UTF-8, blank
//! files and the wrong delimiter. The file is read as it is parsed (issue 18: a 200 MB table
//! needed 6 GB to be refused), so memory does not grow with its size.

use std::io::{self, BufRead, BufReader, Read};

use csv::{ByteRecord, StringRecord};

use super::{Fatal, Table};

/// The longest row accepted, in bytes: a row holds a code, a name and a few dozen counts, so a
/// longer one means the wrong file (or an unclosed quote) and reading stops there.
pub const MAX_ROW_BYTES: usize = 64 * 1024;

/// A reader that fails once a record (a line, or several inside quotes) passes
/// [`MAX_ROW_BYTES`], remembering the line it started on.
struct RowLimit<R> {
    inner: R,
    in_quotes: bool,
    /// Bytes of the current record so far.
    len: usize,
    /// The line being read and the one the current record started on.
    line: u64,
    start: u64,
    /// The starting line of the record that was too long.
    over: Option<u64>,
}

impl<R: Read> Read for RowLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.over.is_some() {
            return Err(io::Error::other("row too long"));
        }
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            match b {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' => {
                    self.line += 1;
                    if !self.in_quotes {
                        self.len = 0;
                        self.start = self.line;
                        continue;
                    }
                }
                _ => {}
            }
            self.len += 1;
            if self.len > MAX_ROW_BYTES {
                self.over = Some(self.start);
                return Err(io::Error::other("row too long"));
            }
        }
        Ok(n)
    }
}

/// The CSV records of a table, read one at a time.
pub(super) struct Source<R: Read> {
    reader: csv::Reader<RowLimit<BufReader<R>>>,
    record: ByteRecord,
}

impl<R: Read> Source<R> {
    /// Starts reading `input`: drops a UTF-8 byte-order mark (with a note).
    pub(super) fn new(t: &mut Table, input: R) -> Source<R> {
        let mut input = BufReader::new(input);
        if input
            .fill_buf()
            .is_ok_and(|b| b.starts_with(b"\xEF\xBB\xBF"))
        {
            input.consume(3);
            t.notes.push(t.issue(
                "bom",
                "file starts with a UTF-8 byte-order mark (ignored)".into(),
            ));
        }
        let limit = RowLimit {
            inner: input,
            in_quotes: false,
            len: 0,
            line: 1,
            start: 1,
            over: None,
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(limit);
        Source {
            reader,
            record: ByteRecord::new(),
        }
    }

    /// The next record as text with its line, `None` at the end; a row too long, a read
    /// failure or bytes that are not UTF-8 stop reading.
    pub(super) fn next(&mut self, t: &Table) -> Result<Option<(u64, StringRecord)>, Fatal> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => return Ok(None),
            Ok(true) => {}
            Err(e) => return Err(self.read_error(t, &e)),
        }
        let line = self.record.position().map_or(0, |p| p.line());
        match StringRecord::from_byte_record(std::mem::take(&mut self.record)) {
            Ok(r) => Ok(Some((line, r))),
            Err(e) => {
                let bad = e.utf8_error().clone();
                Err(not_utf8(t, line, &e.into_byte_record(), &bad))
            }
        }
    }

    /// The fatal issue for a failed read: a row over [`MAX_ROW_BYTES`] or the CSV error.
    fn read_error(&self, t: &Table, e: &csv::Error) -> Fatal {
        if let Some(line) = self.reader.get_ref().over {
            return t
                .issue(
                    "long_row",
                    format!(
                        "row is longer than {} KiB; a row holds a code, a name and counts (is this the right file, or is a quote left open?)",
                        MAX_ROW_BYTES / 1024
                    ),
                )
                .at(line)
                .into();
        }
        let line = e.position().map_or(0, |p| p.line());
        t.issue("malformed_csv", format!("malformed CSV: {e}"))
            .at(line)
            .into()
    }

    /// The header: the first record. A file of nothing but blank lines is empty; a header
    /// with more `;` or tabs than commas has the wrong delimiter.
    pub(super) fn header(&mut self, t: &Table) -> Result<StringRecord, Fatal> {
        let empty = || -> Fatal { t.issue("empty_file", "file is empty".into()).into() };
        let Some((_, header)) = self.next(t)? else {
            return Err(empty());
        };
        if is_blank(&header) {
            // Whitespace first: empty if nothing else follows, else a header without `code`.
            loop {
                match self.next(t)? {
                    None => return Err(empty()),
                    Some((_, r)) if is_blank(&r) => {}
                    Some(_) => return Ok(header),
                }
            }
        }
        check_delimiter(t, &header)?;
        Ok(header)
    }
}

/// Whether a record is one field of whitespace (a blank line).
pub(super) fn is_blank(r: &StringRecord) -> bool {
    r.len() == 1 && r[0].trim().is_empty()
}

/// The fatal issue for a record that is not UTF-8, on the line of its first bad byte.
fn not_utf8(t: &Table, line: u64, record: &ByteRecord, e: &csv::Utf8Error) -> Fatal {
    let newlines = |b: &[u8]| b.iter().filter(|b| **b == b'\n').count() as u64;
    let before: u64 = record.iter().take(e.field()).map(newlines).sum();
    let within = record
        .get(e.field())
        .map_or(0, |f| newlines(&f[..e.valid_up_to().min(f.len())]));
    let issue = t.issue(
        "not_utf8",
        "file is not UTF-8 text (save it as CSV UTF-8)".into(),
    );
    issue.at(line + before + within).into()
}

/// Refuses a header with more `;` or tabs than commas.
fn check_delimiter(t: &Table, header: &StringRecord) -> Result<(), Fatal> {
    let count = |c: char| header.iter().map(|f| f.matches(c).count()).sum::<usize>();
    let commas = header.len() - 1 + count(',');
    for (sep, label) in [(';', "';'"), ('\t', "tab")] {
        if count(sep) > commas {
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
