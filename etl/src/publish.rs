//! Validate and publish indicator tables, and aggregate published months into quarters and
//! years. The checking itself is pure ([`check_bytes`]); the functions here add the store reads
//! (version, units, previous period) and the single write.

use std::collections::HashMap;
use std::path::Path;

use geodata::{BoundaryVersion, Catalog, Period, Store, UnitInfo};
use geodata::{NewSnapshot, Snapshot, StoreError, ValueRow, ValueTable};
use sha2::{Digest, Sha256};

use crate::agecheck::AgeGroups;
use crate::aggregate::{AggregateError, MonthValues, aggregate_period};
use crate::change::{ChangeRule, DEFAULT_CHANGE_RULE, check_change};
use crate::report::{Issue, Report};
use crate::rowcheck::RowChecker;
use crate::rules::{check_totals, missing_population};
use crate::table::{Row, read_table};
use geodata::{Hierarchy, to_table};

/// Options of `validate` and `publish`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Treat warnings as errors.
    pub strict: bool,
    /// Thresholds of the abnormal-change warning.
    pub change_rule: ChangeRule,
    /// Publish a table that misses some units as an incomplete snapshot (`--partial`) instead
    /// of refusing it.
    pub partial: bool,
    /// Largest table file accepted, MiB (`--max-table-mb`); a larger file is refused before a
    /// byte of it is read.
    pub max_table_mb: u64,
}

/// The default of [`Options::max_table_mb`]: a national month in wide form is about 1 MiB, so
/// 64 MiB leaves room for every indicator and long form while keeping a wrong file (a dump, an
/// archive) from being read into memory.
pub const DEFAULT_MAX_TABLE_MB: u64 = 64;

impl Default for Options {
    fn default() -> Self {
        Options {
            strict: false,
            change_rule: DEFAULT_CHANGE_RULE,
            partial: false,
            max_table_mb: DEFAULT_MAX_TABLE_MB,
        }
    }
}

/// Errors of the validate / publish / aggregate operations.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The input file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is larger than [`Options::max_table_mb`]; nothing of it was read.
    #[error(
        "{path}: the file is {size_mb:.1} MiB, above the {limit_mb} MiB limit for a table; nothing was read (raise it with --max-table-mb if the file is right)"
    )]
    TooLarge {
        /// The file.
        path: String,
        /// Its size, MiB.
        size_mb: f64,
        /// The limit, MiB.
        limit_mb: u64,
    },
    /// No imported boundary version is valid at the period's end date.
    #[error("no boundary version covers {date} (the end of {period}); import one first")]
    NoVersion {
        /// The period.
        period: Period,
        /// Its end date.
        date: chrono::NaiveDate,
    },
    /// Validation found errors (or warnings under `--strict`); nothing was written.
    #[error(
        "refused to publish {}: {} error(s), {} warning(s){}; nothing was written",
        .report.file, .report.errors.len(), .report.warnings.len(),
        if *.strict { " (--strict: warnings count as errors)" } else { "" }
    )]
    Refused {
        /// The full report.
        report: Box<Report>,
        /// Whether `--strict` was on.
        strict: bool,
    },
    /// Months cannot be aggregated into the target.
    #[error(transparent)]
    Aggregate(#[from] AggregateError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a table check produces: the report and the rows a publish would write.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The validation report.
    pub report: Report,
    /// Every value aggregated up the hierarchy of the version.
    pub values: Vec<ValueRow>,
    /// The distinct codes of the table that are not units of the version (`None`: too many to
    /// remember), for the wrong-version check.
    pub unknown: Option<std::collections::BTreeSet<String>>,
}

/// Checks a table's bytes against a version's units, without any store: [`check_reader`]
/// over a slice.
#[allow(clippy::too_many_arguments)]
pub fn check_bytes(
    file: &str,
    bytes: &[u8],
    period: Period,
    version: &BoundaryVersion,
    units: &[UnitInfo],
    previous: Option<(Period, &ValueTable)>,
    catalog: &Catalog,
    opts: &Options,
) -> Checked {
    let versioned = Versioned {
        period,
        version,
        units,
        previous,
    };
    check_reader(file, bytes, &versioned, catalog, opts)
}

/// What a table is checked against: its period, the version in force then with its units,
/// and (for the change check) the previous period's values on that version.
#[derive(Debug, Clone, Copy)]
pub struct Versioned<'a> {
    /// The table's period.
    pub period: Period,
    /// The version in force in it.
    pub version: &'a BoundaryVersion,
    /// The version's units.
    pub units: &'a [UnitInfo],
    /// The previous period and its values, when published on the same version.
    pub previous: Option<(Period, &'a ValueTable)>,
}

/// Checks a table read from `input` as a stream, without any store: parse and row rules as
/// rows arrive (memory bounded by the units, not the file), then coverage, aggregation up the
/// hierarchy, totals and (with a previous period) abnormal change.
pub fn check_reader<R: std::io::Read>(
    file: &str,
    input: R,
    against: &Versioned<'_>,
    catalog: &Catalog,
    opts: &Options,
) -> Checked {
    let Versioned {
        period,
        version,
        units,
        previous,
    } = *against;
    let h = Hierarchy::new(units);
    let mut checker = RowChecker::new(file, &h, &version.id, catalog);
    let table = read_table(file, input, catalog, &mut checker);
    let rows = checker.finish();
    let mut errors = table.errors.clone();
    let mut notes = table.notes.clone();
    let mut warnings = Vec::new();
    let (mut kept, unknown) = if table.read_whole {
        errors.extend(missing_population(&table));
        let ages = AgeGroups::of(catalog);
        errors.extend(ages.partial_table(&table));
        errors.extend(ages.incomplete_rows(&table, &rows.kept));
        errors.extend(rows.findings.errors);
        warnings = rows.findings.warnings;
        notes.extend(rows.findings.notes);
        (rows.kept, rows.unknown)
    } else {
        (Vec::new(), Some(Default::default()))
    };

    let reported = take_values(&mut kept);
    let row_of: HashMap<&str, &Row> = kept.iter().map(|r| (r.code.as_str(), r)).collect();
    let line_of = |code: &str, ind: &str| row_of.get(code).map(|r| r.line_of(ind));
    let coverage = crate::coverage::of(&h, units, &reported);
    let complete = coverage.missing.is_empty();
    if !complete && !reported.is_empty() {
        let found = crate::coverage::issue(file, &version.id, &coverage, opts.partial);
        if opts.partial {
            notes.push(found);
        } else {
            errors.push(found);
        }
    }
    let ids: Vec<&str> = catalog.base_ids().collect();
    let values = h.aggregate(&reported, &ids);
    let sums = to_table(&values);
    warnings.extend(check_totals(file, &reported, &h, &sums, line_of));
    let (units_summed, totals) = (sums.len(), h.totals(&sums));
    drop(sums);
    match previous {
        Some((pp, prev)) => warnings.extend(check_change(
            file,
            &reported,
            prev,
            pp,
            &h,
            opts.change_rule,
            line_of,
        )),
        None => {
            let pp = period
                .previous()
                .map_or_else(|| "-".into(), |p| p.to_string());
            notes.push(Issue::file(
                "change_check_skipped",
                file,
                format!(
                    "no previous period {pp} published on {}: change check skipped",
                    version.id
                ),
            ));
        }
    }
    if errors.is_empty() && values.is_empty() {
        errors.push(Issue::file(
            "no_values",
            file,
            "the table has no values to publish (every cell is empty)",
        ));
    }
    let report = Report {
        file: file.to_string(),
        period,
        version: version.id.clone(),
        rows: if table.read_whole { rows.rows } else { 0 },
        units: units_summed,
        complete,
        errors,
        warnings,
        notes,
        totals,
    };
    Checked {
        report,
        values,
        unknown,
    }
}

/// The reported values of `rows` as a table, moved out of the rows (a national table with the
/// age groups has ~540,000); the rows keep their lines for the warnings.
fn take_values(rows: &mut [Row]) -> ValueTable {
    let mut reported = ValueTable::new();
    for row in rows {
        let vals = std::mem::take(&mut row.values)
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        reported.insert(row.code.clone(), vals);
    }
    reported
}

/// The boundary version valid at the end of `period`.
pub async fn version_for(store: &Store, period: Period) -> Result<BoundaryVersion, PublishError> {
    let date = period.end();
    store
        .version_for(date)
        .await?
        .ok_or(PublishError::NoVersion { period, date })
}

/// A reader that hashes what passes through it (SHA-256), for the snapshot's checksum.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: std::io::Read> std::io::Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads the version, its units and the previous period, then checks the file as it is read;
/// gives the check and the file's SHA-256 (hex).
async fn check_path(
    store: &Store,
    catalog: &Catalog,
    period: Period,
    path: &Path,
    opts: &Options,
) -> Result<(Checked, String), PublishError> {
    let file = path.display().to_string();
    let io = |source| PublishError::Io {
        path: file.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > opts.max_table_mb.saturating_mul(1 << 20) {
        return Err(PublishError::TooLarge {
            path: file,
            size_mb: size as f64 / f64::from(1 << 20),
            limit_mb: opts.max_table_mb,
        });
    }
    let input = std::fs::File::open(path).map_err(io)?;
    let version = version_for(store, period).await?;
    let units = store.units(&version.id).await?;
    let mut previous = None;
    if let Some(pp) = period.previous()
        && let Some(snap) = store.latest_snapshot(&pp).await?
        && snap.version == version.id
    {
        previous = Some((pp, store.values(snap.id).await?));
    }
    let against = Versioned {
        period,
        version: &version,
        units: &units,
        previous: previous.as_ref().map(|(p, v)| (*p, v)),
    };
    let mut hashing = Hashing {
        inner: input,
        hash: Sha256::new(),
    };
    let mut checked = check_reader(&file, &mut hashing, &against, catalog, opts);
    if let Some(issue) = other_version(store, &checked, &version).await? {
        // Checked against the wrong version every code is "unknown" and every unit missing:
        // one finding says what happened instead of one per row.
        let report = &mut checked.report;
        report.errors = vec![issue];
        report.warnings.clear();
        checked.values.clear();
    }
    Ok((checked, hex::encode(hashing.hash.finalize())))
}

/// The error for a table whose codes are units of another boundary version than the one in
/// force in its period (a vn-2025 table published as 2025-06, a vn-2019 month): most rows are
/// unknown here, and every unknown code is a unit of that other version.
async fn other_version(
    store: &Store,
    checked: &Checked,
    version: &BoundaryVersion,
) -> Result<Option<Issue>, PublishError> {
    let report = &checked.report;
    let Some(unknown) = &checked.unknown else {
        return Ok(None);
    };
    if unknown.is_empty() || unknown.len() * 2 < report.rows {
        return Ok(None);
    }
    for other in store.versions().await? {
        if other.id == version.id {
            continue;
        }
        let codes: std::collections::HashSet<String> = store
            .units(&other.id)
            .await?
            .into_iter()
            .map(|u| u.code)
            .collect();
        if unknown.iter().all(|c| codes.contains(c)) {
            let message = format!(
                "the table's codes are units of {} ({}), not of {} ({}), the version in force in {}: {} of its {} rows name codes {} does not have. Publish it under a period of {}, or import the boundaries it was made for",
                other.id,
                validity(&other),
                version.id,
                validity(version),
                report.period,
                unknown.len(),
                report.rows,
                version.id,
                other.id,
            );
            return Ok(Some(Issue::file(
                "period_outside_version",
                &report.file,
                message,
            )));
        }
    }
    Ok(None)
}

/// `from 2025-07-01` or `2019-04-01 to 2025-06-30`.
fn validity(v: &BoundaryVersion) -> String {
    match v.valid_to {
        Some(to) => format!("{} to {to}", v.valid_from),
        None => format!("from {}", v.valid_from),
    }
}

/// Dry run: the report of what publishing `path` for `period` would find. Writes nothing.
pub async fn validate(
    store: &Store,
    catalog: &Catalog,
    period: Period,
    path: &Path,
    opts: &Options,
) -> Result<Report, PublishError> {
    Ok(check_path(store, catalog, period, path, opts)
        .await?
        .0
        .report)
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Validates and, when clean, publishes `path` as the next revision of `period` in one
/// transaction. Any error (or warning with `strict`) refuses with [`PublishError::Refused`]
/// before anything is written.
pub async fn publish(
    store: &Store,
    catalog: &Catalog,
    period: Period,
    path: &Path,
    opts: &Options,
) -> Result<(Report, Snapshot), PublishError> {
    let (checked, checksum) = check_path(store, catalog, period, path, opts).await?;
    if !checked.report.is_publishable(opts.strict) {
        return Err(PublishError::Refused {
            report: Box::new(checked.report),
            strict: opts.strict,
        });
    }
    let source = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let snapshot = store
        .publish(&NewSnapshot {
            period,
            version: checked.report.version.clone(),
            source,
            checksum,
            report_json: checked.report.to_json(),
            complete: checked.report.complete,
            values: checked.values,
        })
        .await?;
    Ok((checked.report, snapshot))
}

/// Aggregates the latest snapshot of each month of `target` (a quarter or a year) and publishes
/// the result as the next revision of `target`, with source `aggregate:2025-07,2025-08,2025-09`.
pub async fn aggregate(
    store: &Store,
    catalog: &Catalog,
    target: Period,
) -> Result<Snapshot, PublishError> {
    let mut months = Vec::new();
    let mut inputs = Vec::new();
    for m in target.months() {
        if let Some(snap) = store.latest_snapshot(&m).await? {
            months.push(MonthValues {
                period: m,
                version: snap.version.clone(),
                values: store.values(snap.id).await?,
            });
            inputs.push(snap);
        }
    }
    let table = aggregate_period(target, &months, catalog)?;
    let version = inputs[0].version.clone();
    let source = format!(
        "aggregate:{}",
        inputs
            .iter()
            .map(|s| s.period.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let basis: String = inputs
        .iter()
        .map(|s| format!("{} {} {}\n", s.period, s.revision, s.checksum))
        .collect();
    let report = serde_json::json!({
        "kind": "aggregate",
        "period": target,
        "version": version,
        "inputs": inputs.iter().map(|s| serde_json::json!({
            "period": s.period, "revision": s.revision, "snapshot": s.id, "checksum": s.checksum,
        })).collect::<Vec<_>>(),
        "rule": "flows summed over the months, stocks taken from the last month",
    });
    let values = table
        .into_iter()
        .flat_map(|(code, m)| {
            m.into_iter().map(move |(indicator, value)| ValueRow {
                unit_code: code.clone(),
                indicator,
                value,
                reported: false,
            })
        })
        .collect();
    Ok(store
        .publish(&NewSnapshot {
            period: target,
            version,
            source,
            checksum: sha256_hex(basis.as_bytes()),
            report_json: serde_json::to_string_pretty(&report).expect("json"),
            complete: inputs.iter().all(|s| s.complete),
            values,
        })
        .await?)
}
