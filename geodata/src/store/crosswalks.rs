//! Crosswalks in the store: one transactional write per (from, to) pair and the readers.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sqlx::AssertSqlSafe;

use super::{Result, Store, StoreError, tuples};
use crate::model::crosswalk::{Crosswalk, Part};

/// Bind parameters per crosswalk row.
const ROW_PARAMS: usize = 7;
/// Rows per INSERT: `7 × 4,000` stays under SQLite's 32,766 bind parameters.
const ROWS_PER_INSERT: usize = 4_000;

/// How and when a stored crosswalk was built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrosswalkMeta {
    /// Source version id.
    pub from: String,
    /// Target version id.
    pub to: String,
    /// When it was built (microsecond precision).
    pub built_at: DateTime<Utc>,
    /// How the shares were computed (free text, e.g. `mapping FILE + people weights r9`).
    pub method: String,
    /// Old units where the mapping and the geometry disagreed.
    pub disagreements: i64,
}

/// One stored crosswalk row, as the lineage API reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrosswalkRow {
    /// Source version id.
    pub from: String,
    /// Target version id.
    pub to: String,
    /// Old unit code.
    pub old_code: String,
    /// New unit code.
    pub new_code: String,
    /// Share of the old unit's people in the new unit.
    pub share: f64,
    /// Whole merge (true) or split estimate (false).
    pub exact: bool,
    /// Where the row came from (`mapping`, `geometry`).
    pub source: String,
}

/// Replaces the crosswalk `cw.from → cw.to`; `sources` gives each old unit's row source
/// (`geometry` when absent). Returns the stored meta.
pub(super) async fn save(
    store: &Store,
    cw: &Crosswalk,
    method: &str,
    disagreements: i64,
    sources: &BTreeMap<String, String>,
) -> Result<CrosswalkMeta> {
    let built_at_text = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    let built_at = parse_time(&built_at_text)?;
    let mut tx = store.begin_write().await?;
    for id in [&cw.from, &cw.to] {
        let found: Option<(String,)> =
            sqlx::query_as("SELECT id FROM boundary_versions WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if found.is_none() {
            return Err(StoreError::UnknownVersion(id.clone()));
        }
    }
    for sql in [
        "DELETE FROM crosswalk WHERE from_version = $1 AND to_version = $2",
        "DELETE FROM crosswalk_meta WHERE from_version = $1 AND to_version = $2",
    ] {
        sqlx::query(sql)
            .bind(&cw.from)
            .bind(&cw.to)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO crosswalk_meta (from_version, to_version, built_at, method, disagreements) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&cw.from)
    .bind(&cw.to)
    .bind(&built_at_text)
    .bind(method)
    .bind(disagreements)
    .execute(&mut *tx)
    .await?;
    let rows: Vec<(&str, &Part)> = cw
        .rows
        .iter()
        .flat_map(|(old, parts)| parts.iter().map(move |p| (old.as_str(), p)))
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO crosswalk (from_version, to_version, old_code, new_code, share, exact, \
             source) VALUES {}",
            tuples(store.backend, chunk.len(), ROW_PARAMS)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (old, p) in chunk {
            let source = sources.get(*old).map_or("geometry", String::as_str);
            q = q
                .bind(&cw.from)
                .bind(&cw.to)
                .bind(*old)
                .bind(&p.new_code)
                .bind(p.share)
                .bind(i32::from(p.exact))
                .bind(source.to_owned());
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(CrosswalkMeta {
        from: cw.from.clone(),
        to: cw.to.clone(),
        built_at,
        method: method.to_owned(),
        disagreements,
    })
}

/// Every stored crosswalk's meta, ordered by (from, to).
pub(super) async fn metas(store: &Store) -> Result<Vec<CrosswalkMeta>> {
    let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT from_version, to_version, built_at, method, disagreements FROM crosswalk_meta \
         ORDER BY from_version, to_version",
    )
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|(from, to, at, method, disagreements)| {
            Ok(CrosswalkMeta {
                built_at: parse_time(&at)?,
                from,
                to,
                method,
                disagreements,
            })
        })
        .collect()
}

/// The stored crosswalk `from → to`, checked again on the way out.
pub(super) async fn load(store: &Store, from: &str, to: &str) -> Result<Option<Crosswalk>> {
    let found = metas(store)
        .await?
        .into_iter()
        .any(|m| m.from == from && m.to == to);
    if !found {
        return Ok(None);
    }
    let rows: Vec<(String, String, f64, i32)> = sqlx::query_as(
        "SELECT old_code, new_code, share, exact FROM crosswalk \
         WHERE from_version = $1 AND to_version = $2",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&store.pool)
    .await?;
    let mut parts: BTreeMap<String, Vec<Part>> = BTreeMap::new();
    let mut new_codes = BTreeSet::new();
    for (old, new_code, share, exact) in rows {
        new_codes.insert(new_code.clone());
        parts.entry(old).or_default().push(Part {
            new_code,
            share,
            exact: exact != 0,
        });
    }
    Crosswalk::new(from, to, parts, &new_codes)
        .map(Some)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Rows where `code` is the old or the new unit, in any stored crosswalk.
pub(super) async fn rows_of(store: &Store, code: &str) -> Result<Vec<CrosswalkRow>> {
    let rows: Vec<(String, String, String, String, f64, i32, String)> = sqlx::query_as(
        "SELECT from_version, to_version, old_code, new_code, share, exact, source \
         FROM crosswalk WHERE old_code = $1 OR new_code = $1",
    )
    .bind(code)
    .fetch_all(&store.pool)
    .await?;
    let mut out: Vec<CrosswalkRow> = rows
        .into_iter()
        .map(
            |(from, to, old_code, new_code, share, exact, source)| CrosswalkRow {
                from,
                to,
                old_code,
                new_code,
                share,
                exact: exact != 0,
                source,
            },
        )
        .collect();
    out.sort_by(|a, b| {
        (&a.from, &a.to, &a.old_code, &a.new_code).cmp(&(&b.from, &b.to, &b.old_code, &b.new_code))
    });
    Ok(out)
}

/// Parses a stored RFC 3339 timestamp.
fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("crosswalk: bad time '{text}': {e}")))
}
