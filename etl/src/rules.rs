//! Validation rules for one indicator table: cell syntax, codes, and the consistency of the
//! counts of each row. Pure functions over rows and the units of a version; [`crate::rowcheck`]
//! applies the row rules as a table is read.
//!
//! Errors refuse the whole publish; warnings are reported (and refuse with `--strict`); notes
//! only inform. Hierarchy totals are checked in [`check_totals`]; change against the previous
//! period lives in [`crate::change`].
use geodata::{Catalog, Level};

use crate::report::Issue;
use crate::table::{Form, Row, Table};
use geodata::{Hierarchy, ValueTable};

/// The largest integer an f64 (and a JSON number in a browser) holds exactly: 2^53.
pub const MAX_EXACT: u64 = 1 << 53;

/// Sex ratios (males per 100 females) outside this range are flagged as warnings.
pub const SEX_RATIO_RANGE: (f64, f64) = (80.0, 130.0);

/// The most any count of one unit of `level` can plausibly be (a commune of more than 10 million
/// people is a typo, not a commune).
pub fn plausible_limit(level: Level) -> i64 {
    match level {
        Level::Commune => 10_000_000,
        Level::District => 20_000_000,
        Level::Province => 50_000_000,
        Level::Region => 200_000_000,
        Level::Country => 1_000_000_000,
    }
}

/// Parses one count cell: empty → `Ok(None)`; a whole non-negative number up to 2^53 (a zero
/// fraction such as `12.0` is accepted) → `Ok(Some)`; anything else → `(rule, message)`.
pub fn parse_count(raw: &str) -> Result<Option<i64>, (&'static str, String)> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) || body.ends_with('.') {
        return Err(("non_numeric", format!("value '{t}' is not a number")));
    }
    if frac.bytes().any(|b| b != b'0') {
        return Err((
            "fractional_count",
            format!("count '{t}' is not a whole number"),
        ));
    }
    let int = int.trim_start_matches('0');
    let value = if int.len() > 16 {
        None
    } else {
        int.parse::<u64>()
            .ok()
            .or(Some(0))
            .filter(|v| *v <= MAX_EXACT)
    };
    let Some(value) = value else {
        return Err((
            "implausibly_large",
            format!("value '{t}' is implausibly large for a count (above 2^53)"),
        ));
    };
    if neg && value > 0 {
        return Err(("negative_count", format!("negative count '{t}'")));
    }
    Ok(Some(value as i64))
}

/// Findings of the rules, split by severity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// Refuse the publish.
    pub errors: Vec<Issue>,
    /// Reported; refuse with `--strict`.
    pub warnings: Vec<Issue>,
    /// Informational.
    pub notes: Vec<Issue>,
}

impl Findings {
    /// Appends all findings of `other`.
    pub fn extend(&mut self, other: Findings) {
        self.errors.extend(other.errors);
        self.warnings.extend(other.warnings);
        self.notes.extend(other.notes);
    }
}

/// The message for a code that is not a unit of the version, spotting lost leading zeros.
fn unknown_code(code: &str, units: &Hierarchy, version: &str) -> (&'static str, String) {
    let digits = code.bytes().all(|b| b.is_ascii_digit());
    let whole = match code.split_once('.') {
        Some((i, f)) if f.bytes().all(|b| b == b'0') => Some(i),
        _ => None,
    };
    let number = if digits { Some(code) } else { whole }
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<u64>().ok());
    if let Some(n) = number {
        for len in units.code_lengths() {
            let padded = format!("{n:0len$}");
            if padded != code && units.unit(&padded).is_some() {
                return (
                    "code_leading_zeros",
                    format!(
                        "code '{code}' is not a unit of {version}; did you mean '{padded}'? codes keep their leading zeros (store the column as text)"
                    ),
                );
            }
        }
    }
    (
        "unknown_code",
        format!("code '{code}' is not a unit of {version}"),
    )
}

/// One "a + b must equal c" or "a must not exceed b" rule between base counts.
struct Relation {
    rule: &'static str,
    parts: &'static [&'static str],
    total: &'static str,
    equal: bool,
}

/// The consistency rules between counts of one row.
const RELATIONS: &[Relation] = &[
    Relation {
        rule: "males_females_sum",
        parts: &["males", "females"],
        total: "population",
        equal: true,
    },
    Relation {
        rule: "births_sex_sum",
        parts: &["births_male", "births_female"],
        total: "births",
        equal: true,
    },
    Relation {
        rule: "contraception_exceeds_women",
        parts: &["women_15_49_contraception"],
        total: "women_15_49",
        equal: false,
    },
    Relation {
        rule: "urban_exceeds_population",
        parts: &["urban_population"],
        total: "population",
        equal: false,
    },
    Relation {
        rule: "residents_exceed_population",
        parts: &["permanent_residents", "temporary_residents"],
        total: "population",
        equal: false,
    },
];

/// Checks the relations of one row.
pub(crate) fn check_relations(file: &str, row: &Row, out: &mut Vec<Issue>) {
    for r in RELATIONS {
        let Some(total) = row.get(r.total) else {
            continue;
        };
        let Some(parts) = r
            .parts
            .iter()
            .map(|p| row.get(p))
            .collect::<Option<Vec<i64>>>()
        else {
            continue;
        };
        let sum: i64 = parts.iter().sum();
        let bad = if r.equal { sum != total } else { sum > total };
        if !bad {
            continue;
        }
        let lhs = r
            .parts
            .iter()
            .zip(&parts)
            .map(|(p, v)| format!("{p} {v}"))
            .collect::<Vec<_>>()
            .join(" + ");
        let lhs = if parts.len() > 1 {
            format!("{lhs} = {sum}")
        } else {
            lhs
        };
        let verb = if r.equal { "but" } else { "exceeds" };
        let message = if r.equal {
            format!("{lhs} {verb} {} is {total}", r.total)
        } else {
            format!("{lhs} {verb} {} {total}", r.total)
        };
        let column = r.parts[0];
        out.push(
            Issue::file(r.rule, file, message)
                .at(row.line_of(column))
                .col(column)
                .unit(&row.code),
        );
    }
}

/// The error for a table that does not give `population`: every other count is read against
/// it (ratios, sums, the map's default), so a table without it is refused. `None` when the
/// header was not understood (that error is already reported).
pub fn missing_population(table: &Table) -> Option<Issue> {
    let given = table.indicators.as_ref()?;
    if given.contains(POPULATION) {
        return None;
    }
    let (line, what) = match table.form {
        Form::Wide => (Some(1), "has no 'population' column"),
        Form::Long => (None, "has no row of indicator 'population'"),
    };
    let mut issue = Issue::file(
        "missing_population",
        &table.file,
        format!("the table {what}: every table must give the population of each unit it reports"),
    )
    .col(POPULATION);
    issue.line = line;
    Some(issue)
}

/// The indicator every table must give.
const POPULATION: &str = "population";

/// The error for a row whose code is not a unit of the version.
pub(crate) fn unknown_unit(file: &str, row: &Row, units: &Hierarchy, version: &str) -> Issue {
    let (rule, message) = unknown_code(&row.code, units, version);
    Issue::file(rule, file, message)
        .at(row.line)
        .col("code")
        .unit(&row.code)
}

/// Errors for each count of the row above what a unit of `level` can plausibly hold.
pub(crate) fn check_sizes(file: &str, row: &Row, level: Level, out: &mut Vec<Issue>) {
    let limit = plausible_limit(level);
    for (id, v) in &row.values {
        if let Some(v) = v
            && *v > limit
        {
            out.push(
                Issue::file(
                    "implausibly_large",
                    file,
                    format!("value {v} is implausibly large for a {level} (limit {limit})"),
                )
                .at(row.line_of(id))
                .col(id)
                .unit(&row.code),
            );
        }
    }
}

/// A warning when the row's sex ratio is stable and outside [`SEX_RATIO_RANGE`].
pub(crate) fn check_sex_ratio(file: &str, row: &Row, catalog: &Catalog) -> Option<Issue> {
    let (m, w) = (row.get("males")?, row.get("females")?);
    let v = catalog.derived("sex_ratio")?.evaluate(
        |k| match k {
            "males" => Some(m as f64),
            "females" => Some(w as f64),
            _ => None,
        },
        1,
    )?;
    if v.unstable || (SEX_RATIO_RANGE.0..=SEX_RATIO_RANGE.1).contains(&v.value) {
        return None;
    }
    Some(
        Issue::file(
            "sex_ratio_range",
            file,
            format!(
                "sex ratio {:.1} males per 100 females is outside {}-{}",
                v.value, SEX_RATIO_RANGE.0, SEX_RATIO_RANGE.1
            ),
        )
        .at(row.line_of("males"))
        .col("males")
        .unit(&row.code),
    )
}

/// Whether the row's sex ratio at birth rests on fewer than 100 births.
pub(crate) fn srb_is_unstable(row: &Row) -> bool {
    matches!(
        (row.get("births_male"), row.get("births_female")),
        (Some(bm), Some(bf)) if row.get("births").unwrap_or(bm + bf) < 100
    )
}

/// The note listing (up to five of) the units whose sex ratio at birth is unstable, if any.
pub(crate) fn srb_note(file: &str, unstable_srb: &[String]) -> Option<Issue> {
    if unstable_srb.is_empty() {
        return None;
    }
    let shown: Vec<&str> = unstable_srb.iter().take(5).map(String::as_str).collect();
    let more = if unstable_srb.len() > 5 { ", …" } else { "" };
    Some(
        Issue::file(
            "srb_unstable",
            file,
            format!(
                "sex ratio at birth rests on fewer than 100 births for {} unit(s) ({}{more}): shown as unstable",
                unstable_srb.len(),
                shown.join(", ")
            ),
        )
        .col("births"),
    )
}

/// Warns where a unit's own reported total differs from the sum of its children (the sum is
/// what gets stored), in order of unit code; `line_of` locates a reported (code, indicator).
/// `sums` is the result of [`Hierarchy::aggregate`] as a table: a parent's summed value is its
/// children's sum whenever any child has the count (else its own), so the check compares each
/// reported value with its unit's sum and counts children only for a warning.
pub fn check_totals(
    file: &str,
    reported: &ValueTable,
    units: &Hierarchy,
    sums: &ValueTable,
    line_of: impl Fn(&str, &str) -> Option<u64>,
) -> Vec<Issue> {
    let mut out = Vec::new();
    for (code, values) in reported {
        let children = units.children(code);
        let Some(summed) = sums.get(code).filter(|_| !children.is_empty()) else {
            continue;
        };
        for (id, v) in values {
            let Some(sum) = summed.get(id).filter(|sum| *sum != v) else {
                continue;
            };
            let reporting = (children.iter())
                .filter(|c| sums.get(*c).is_some_and(|m| m.contains_key(id)))
                .count();
            let mut issue = Issue::file(
                "total_mismatch",
                file,
                format!(
                    "reported total {v} differs from the sum of its children {sum} ({reporting} of {} children reported); the sum is stored",
                    children.len()
                ),
            )
            .col(id)
            .unit(code);
            if let Some(line) = line_of(code, id) {
                issue = issue.at(line);
            }
            out.push(issue);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_cells() {
        assert_eq!(parse_count(" 12 "), Ok(Some(12)));
        assert_eq!(parse_count(""), Ok(None));
        assert_eq!(parse_count("12.00"), Ok(Some(12)));
        assert_eq!(parse_count("-0"), Ok(Some(0)));
        assert_eq!(parse_count("9007199254740992"), Ok(Some(9007199254740992)));
        let e = |s| parse_count(s).unwrap_err();
        assert_eq!(e("9007199254740993").0, "implausibly_large");
        assert_eq!(e("9999999999999999999").0, "implausibly_large");
        assert_eq!(
            e("12.5"),
            (
                "fractional_count",
                "count '12.5' is not a whole number".into()
            )
        );
        assert_eq!(e("-3"), ("negative_count", "negative count '-3'".into()));
        assert_eq!(e("1,5").0, "non_numeric");
        assert_eq!(e("1e3").0, "non_numeric");
        assert_eq!(e(".").0, "non_numeric");
        assert_eq!(e("12.").0, "non_numeric");
        assert_eq!(e("-").0, "non_numeric");
    }
}
