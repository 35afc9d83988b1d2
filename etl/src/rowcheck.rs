//! The row rules applied while a table is read: each row is checked as it arrives (known and
//! unique code, plausible sizes, consistent counts, sex ratio, name) and only the first row of
//! each unit of the version is kept, so a file of millions of junk or repeated rows is refused
//! with memory bounded by the number of units (issue 18). Errors past
//! [`crate::table::MAX_ISSUES`] are only counted.

use std::collections::{BTreeSet, HashMap};

use geodata::{Catalog, Hierarchy};

use crate::agecheck::AgeGroups;
use crate::names::Disagreements;
use crate::report::Issue;
use crate::rules::{
    Findings, check_relations, check_sex_ratio, check_sizes, srb_is_unstable, srb_note,
    unknown_unit,
};
use crate::table::{MAX_ISSUES, Row, RowSink};

/// Codes outside the version remembered (for duplicates and [`Checked::unknown`]), at most.
const MAX_UNKNOWN: usize = 100_000;

/// What the rows showed once the table is read.
#[derive(Debug)]
pub struct Checked {
    /// Errors, warnings and notes of the row rules.
    pub findings: Findings,
    /// Rows given (long form: one per code).
    pub rows: usize,
    /// The first row of each unit of the version, in file order.
    pub kept: Vec<Row>,
    /// The distinct codes that are not units of the version; `None` when there were more than
    /// could be remembered.
    pub unknown: Option<BTreeSet<String>>,
}

/// The [`RowSink`] that checks rows against a version's units as they are read.
pub struct RowChecker<'a> {
    file: &'a str,
    units: &'a Hierarchy,
    version: &'a str,
    catalog: &'a Catalog,
    rows: usize,
    /// The first line of each code seen (every unit's; others up to [`MAX_UNKNOWN`]).
    first_line: HashMap<String, u64>,
    kept: Vec<Row>,
    findings: Findings,
    more_errors: usize,
    unknown: BTreeSet<String>,
    unknown_overflow: bool,
    unstable_srb: Vec<String>,
    names: Disagreements,
    ages: AgeGroups,
}

impl<'a> RowChecker<'a> {
    /// A checker of `file`'s rows against `units` of `version`.
    pub fn new(
        file: &'a str,
        units: &'a Hierarchy,
        version: &'a str,
        catalog: &'a Catalog,
    ) -> RowChecker<'a> {
        RowChecker {
            file,
            units,
            version,
            catalog,
            rows: 0,
            first_line: HashMap::new(),
            kept: Vec::new(),
            findings: Findings::default(),
            more_errors: 0,
            unknown: BTreeSet::new(),
            unknown_overflow: false,
            unstable_srb: Vec::new(),
            names: Disagreements::default(),
            ages: AgeGroups::of(catalog),
        }
    }

    /// Records an error, or only counts it past [`MAX_ISSUES`].
    fn error(&mut self, issue: Issue) {
        if self.findings.errors.len() < MAX_ISSUES {
            self.findings.errors.push(issue);
        } else {
            self.more_errors += 1;
        }
    }

    /// The error for a code already seen on an earlier row; otherwise remembers the row's line
    /// (every unit's, and others' while there is room).
    fn repeated(&mut self, row: &Row, known: bool) -> Option<Issue> {
        if let Some(first) = self.first_line.get(row.code.as_str()) {
            return Some(
                Issue::file(
                    "duplicate_code",
                    self.file,
                    format!(
                        "code '{}' appears on lines {first} and {}",
                        row.code, row.line
                    ),
                )
                .at(row.line)
                .col("code")
                .unit(&row.code),
            );
        }
        if known || self.unknown.len() < MAX_UNKNOWN {
            self.first_line.insert(row.code.clone(), row.line);
        }
        None
    }

    /// Remembers a code that is not a unit of the version.
    fn note_unknown(&mut self, code: &str) {
        if self.unknown.len() < MAX_UNKNOWN {
            self.unknown.insert(code.to_string());
        } else if !self.unknown.contains(code) {
            self.unknown_overflow = true;
        }
    }

    /// The findings, with the notes and warnings only the whole table gives.
    pub fn finish(mut self) -> Checked {
        let file = self.file;
        if self.more_errors > 0 {
            self.findings.errors.push(Issue::file(
                "more_errors",
                file,
                format!(
                    "{} more error(s) not listed (only the first {MAX_ISSUES} are kept)",
                    self.more_errors
                ),
            ));
        }
        self.findings.warnings.extend(self.names.warnings(file));
        self.findings
            .notes
            .extend(srb_note(file, &self.unstable_srb));
        Checked {
            findings: self.findings,
            rows: self.rows,
            kept: self.kept,
            unknown: (!self.unknown_overflow).then_some(self.unknown),
        }
    }
}

impl RowSink for RowChecker<'_> {
    fn keeps(&self, code: &str) -> bool {
        self.units.unit(code).is_some()
    }

    fn row(&mut self, row: Row) {
        self.rows += 1;
        let unit = self.units.unit(&row.code);
        if let Some(issue) = self.repeated(&row, unit.is_some()) {
            self.error(issue);
            return;
        }
        let Some(unit) = unit else {
            self.note_unknown(&row.code);
            let issue = unknown_unit(self.file, &row, self.units, self.version);
            self.error(issue);
            return;
        };
        let mut errors = Vec::new();
        check_sizes(self.file, &row, unit.level, &mut errors);
        check_relations(self.file, &row, &mut errors);
        self.ages.check_row(self.file, &row, &mut errors);
        for e in errors {
            self.error(e);
        }
        let f = &mut self.findings;
        f.warnings
            .extend(check_sex_ratio(self.file, &row, self.catalog));
        if srb_is_unstable(&row) {
            self.unstable_srb.push(row.code.clone());
        }
        self.names.check(self.file, &row, unit, self.version);
        self.kept.push(row);
    }
}
