//! The validation report: every error, warning and note about one indicator table, rendered as
//! a readable table for the terminal and serialised as JSON for `--report FILE`.

use std::collections::BTreeMap;
use std::fmt;

use geodata::Period;
use serde::Serialize;

/// How many issues the terminal rendering shows before "… and N more".
pub const DISPLAY_LIMIT: usize = 50;

/// One finding about the input: an error, a warning or a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// Stable rule id, e.g. `males_females_sum`.
    pub rule: &'static str,
    /// The input file as given.
    pub file: String,
    /// 1-based line in the file, when the finding is about one line.
    pub line: Option<u64>,
    /// The column (indicator id) concerned, if any.
    pub column: Option<String>,
    /// The unit code concerned, if any.
    pub code: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl Issue {
    /// A finding about the whole file.
    pub fn file(rule: &'static str, file: &str, message: impl Into<String>) -> Issue {
        Issue {
            rule,
            file: file.to_string(),
            line: None,
            column: None,
            code: None,
            message: message.into(),
        }
    }

    /// The same finding, located on `line`.
    pub fn at(mut self, line: u64) -> Issue {
        self.line = Some(line);
        self
    }

    /// The same finding, about `column`.
    pub fn col(mut self, column: &str) -> Issue {
        self.column = Some(column.to_string());
        self
    }

    /// The same finding, about unit `code`.
    pub fn unit(mut self, code: &str) -> Issue {
        self.code = Some(code.to_string());
        self
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ": column '{c}'")?;
        }
        if let Some(c) = &self.code {
            write!(f, ": code '{c}'")?;
        }
        write!(f, ": {} (rule {})", self.message, self.rule)
    }
}

/// Everything validation found about one file, and what it would publish.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The input file as given.
    pub file: String,
    /// The period the table is for.
    pub period: Period,
    /// The boundary version the table was checked against.
    pub version: String,
    /// Data rows read (in long form: distinct unit codes).
    pub rows: usize,
    /// Units that carry at least one value after aggregation up the hierarchy.
    pub units: usize,
    /// Whether every unit at the bottom of the version is reported (else the table can only
    /// be published as partial, and its snapshot is stored incomplete).
    pub complete: bool,
    /// Findings that refuse the publish.
    pub errors: Vec<Issue>,
    /// Findings reported but not blocking (blocking with `--strict`).
    pub warnings: Vec<Issue>,
    /// Informational findings (a BOM, NFD names, unstable ratios...).
    pub notes: Vec<Issue>,
    /// Sum over the top-level units of each base indicator, after aggregation.
    pub totals: BTreeMap<String, i64>,
}

impl Report {
    /// Whether the table may be published (`strict` counts warnings as errors).
    pub fn is_publishable(&self, strict: bool) -> bool {
        self.errors.is_empty() && (!strict || self.warnings.is_empty())
    }

    /// The report as pretty JSON, for `--report FILE` and the snapshot record.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises")
    }
}

/// Writes one section ("ERRORS", ...) as an aligned table, at most `limit` rows.
fn section(f: &mut fmt::Formatter<'_>, title: &str, issues: &[Issue], limit: usize) -> fmt::Result {
    if issues.is_empty() {
        return Ok(());
    }
    writeln!(f, "{title} ({})", issues.len())?;
    let shown = &issues[..issues.len().min(limit)];
    let cell = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    let rows: Vec<[String; 5]> = shown
        .iter()
        .map(|i| {
            [
                i.line.map_or_else(|| "-".into(), |l| l.to_string()),
                cell(&i.column),
                cell(&i.code),
                i.rule.to_string(),
                i.message.clone(),
            ]
        })
        .collect();
    let head = ["line", "column", "code", "rule", "message"];
    let mut w = head.map(|h| h.chars().count());
    for r in &rows {
        for (k, c) in r.iter().enumerate() {
            w[k] = w[k].max(c.chars().count());
        }
    }
    let line = |f: &mut fmt::Formatter<'_>, r: &[String; 5]| {
        writeln!(
            f,
            "  {:>w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3]
        )
    };
    if !rows.is_empty() {
        line(f, &head.map(String::from))?;
    }
    for r in &rows {
        line(f, r)?;
    }
    if issues.len() > shown.len() {
        writeln!(f, "  … and {} more", issues.len() - shown.len())?;
    }
    Ok(())
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: period {} on {}: {} rows, {} units; {} errors, {} warnings, {} notes",
            self.file,
            self.period,
            self.version,
            self.rows,
            self.units,
            self.errors.len(),
            self.warnings.len(),
            self.notes.len()
        )?;
        let mut budget = DISPLAY_LIMIT;
        for (title, list) in [
            ("ERRORS", &self.errors),
            ("WARNINGS", &self.warnings),
            ("NOTES", &self.notes),
        ] {
            section(f, title, list, budget)?;
            budget = budget.saturating_sub(list.len());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(n: usize) -> Report {
        Report {
            file: "t.csv".into(),
            period: "2025-Q3".parse().unwrap(),
            version: "vn-2025".into(),
            rows: 3,
            units: 4,
            complete: true,
            errors: (0..n)
                .map(|i| {
                    Issue::file("negative_count", "t.csv", "negative count '-1'")
                        .at(i as u64 + 2)
                        .col("births")
                        .unit("00004")
                })
                .collect(),
            warnings: vec![],
            notes: vec![Issue::file(
                "bom",
                "t.csv",
                "file starts with a UTF-8 byte-order mark (ignored)",
            )],
            totals: BTreeMap::from([("population".to_string(), 10)]),
        }
    }

    #[test]
    fn display_caps_at_limit() {
        let text = report(60).to_string();
        assert!(text.starts_with("t.csv: period 2025-Q3 on vn-2025: 3 rows, 4 units; 60 errors, 0 warnings, 1 notes\nERRORS (60)\n"));
        assert_eq!(text.matches("negative_count").count(), 50);
        assert!(text.contains("  … and 10 more\n"));
        // the note section has no budget left: only its count
        assert!(text.ends_with("NOTES (1)\n  … and 1 more\n"), "{text}");
        let short = report(1).to_string();
        assert!(
            short.contains("     2  births  00004  negative_count  negative count '-1'\n"),
            "{short}"
        );
        assert!(short.contains("NOTES (1)"));
    }

    #[test]
    fn issue_display_and_json() {
        let r = report(1);
        assert_eq!(
            r.errors[0].to_string(),
            "t.csv:2: column 'births': code '00004': negative count '-1' (rule negative_count)"
        );
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["errors"][0]["rule"], "negative_count");
        assert_eq!(v["errors"][0]["line"], 2);
        assert_eq!(v["period"], "2025-Q3");
        assert_eq!(v["totals"]["population"], 10);
        assert!(!r.is_publishable(false));
    }
}
