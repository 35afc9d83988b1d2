//! Published values as the model sees them: a snapshot (one period's revision on a boundary
//! version), the rows a publish writes, and the unit → indicator → count table readers use.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, Kind};
use super::period::Period;

/// One published (period, revision) of indicator values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Store id.
    pub id: i64,
    /// The period the values are for.
    pub period: Period,
    /// 1 for the first publish of a period, then 2, 3...
    pub revision: i64,
    /// Boundary version the values are published against.
    pub version: String,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// Where the values came from: a file name, or `aggregate:2025-07,2025-08,2025-09`.
    pub source: String,
    /// SHA-256 of the source (file bytes, or of the input snapshots).
    pub checksum: String,
    /// Whether every unit at the bottom of the version was reported; `false` for a table
    /// published as partial (its parent totals are incomplete; `latest` never names it).
    pub complete: bool,
}

/// One stored value: a base-indicator count for one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueRow {
    /// Unit code.
    pub unit_code: String,
    /// Base indicator id from the catalog.
    pub indicator: String,
    /// The count.
    pub value: i64,
    /// True when the value was in the published table, false when it was summed from children.
    pub reported: bool,
}

/// What a publish writes: the snapshot header and all its values.
#[derive(Debug, Clone)]
pub struct NewSnapshot {
    /// The period.
    pub period: Period,
    /// The boundary version the values are on.
    pub version: String,
    /// Source description (file name or aggregate inputs).
    pub source: String,
    /// SHA-256 hex of the source.
    pub checksum: String,
    /// The validation report as JSON, kept with the snapshot.
    pub report_json: String,
    /// Whether every unit at the bottom of the version is reported (`false`: published as
    /// partial).
    pub complete: bool,
    /// Every value, already aggregated up the hierarchy.
    pub values: Vec<ValueRow>,
}

/// Values of one snapshot: unit code → indicator id → count.
pub type ValueTable = BTreeMap<String, BTreeMap<String, i64>>;

/// Combines consecutive periods' values of one version into the span they cover: flows are
/// summed over the tables, stocks are taken from the last. A flow is only produced for a unit
/// that has it in every table (a partial sum would be an undercount). The one rule both
/// aggregation (months into quarters and years) and readers of a rolling span use.
pub fn combine_over_time(catalog: &Catalog, tables: &[&ValueTable]) -> ValueTable {
    let mut out = ValueTable::new();
    let Some(last) = tables.last() else {
        return out;
    };
    for b in &catalog.base {
        match b.kind {
            Kind::Stock => {
                for (code, vals) in last.iter() {
                    if let Some(v) = vals.get(&b.id) {
                        out.entry(code.clone())
                            .or_default()
                            .insert(b.id.clone(), *v);
                    }
                }
            }
            Kind::Flow => {
                let codes: BTreeSet<&String> = tables.iter().flat_map(|t| t.keys()).collect();
                for code in codes {
                    let sum = tables
                        .iter()
                        .map(|t| t.get(code).and_then(|v| v.get(&b.id)))
                        .try_fold(0i64, |acc, v| v.map(|v| acc + v));
                    if let Some(sum) = sum {
                        out.entry(code.clone())
                            .or_default()
                            .insert(b.id.clone(), sum);
                    }
                }
            }
        }
    }
    out
}
