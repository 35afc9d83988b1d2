//! H3 operators per boundary version: written whole in one transaction, read whole.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use h3o::{CellIndex, Resolution};
use sqlx::{Any, AssertSqlSafe};

use super::{Result, Store, StoreError, tuples};
use crate::model::operator::Operator;

/// Bind parameters per unit row.
const UNIT_PARAMS: usize = 3;
/// Unit rows per INSERT (blobs of a few kB each: keep statements small).
const UNITS_PER_INSERT: usize = 500;
/// Bytes per packed entry: cell index u64 + share f64.
const ENTRY_BYTES: usize = 16;

/// What is known about a stored operator besides its entries.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorInfo {
    /// The boundary version it maps.
    pub version: String,
    /// Its resolution.
    pub resolution: Resolution,
    /// Where the weights came from (`area`, `points:FILE ...`, `cells:FILE ...`).
    pub weights: String,
    /// When it was built.
    pub built_at: DateTime<Utc>,
    /// Number of distinct cells.
    pub cells: i64,
}

/// Packs a unit's entries as little-endian (u64 cell, f64 share) pairs.
fn pack(entries: &[(CellIndex, f64)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * ENTRY_BYTES);
    for (cell, share) in entries {
        out.extend_from_slice(&u64::from(*cell).to_le_bytes());
        out.extend_from_slice(&share.to_le_bytes());
    }
    out
}

/// Unpacks what [`pack`] wrote; `what` names the row in errors.
fn unpack(bytes: &[u8], what: &str) -> Result<Vec<(CellIndex, f64)>> {
    if !bytes.len().is_multiple_of(ENTRY_BYTES) {
        return Err(StoreError::Corrupt(format!(
            "{what}: {} bytes is not a whole number of entries",
            bytes.len()
        )));
    }
    bytes
        .chunks_exact(ENTRY_BYTES)
        .map(|e| {
            let raw = u64::from_le_bytes(e[..8].try_into().expect("8 bytes"));
            let share = f64::from_le_bytes(e[8..].try_into().expect("8 bytes"));
            let cell = CellIndex::try_from(raw)
                .map_err(|err| StoreError::Corrupt(format!("{what}: cell {raw:#x}: {err}")))?;
            Ok((cell, share))
        })
        .collect()
}

/// Replaces the operator of `version` in one transaction.
pub(super) async fn save(
    store: &Store,
    version: &str,
    op: &Operator,
    weights: &str,
) -> Result<OperatorInfo> {
    let built_at_text = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    let built_at = parse_time(&built_at_text, version)?;
    let mut tx = store.begin_write().await?;
    let known: Option<(String,)> = sqlx::query_as("SELECT id FROM boundary_versions WHERE id = $1")
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(StoreError::UnknownVersion(version.to_owned()));
    }
    for sql in [
        "DELETE FROM h3_operator_units WHERE version = $1",
        "DELETE FROM h3_operators WHERE version = $1",
    ] {
        sqlx::query(sql).bind(version).execute(&mut *tx).await?;
    }
    let cells = op.cells().len() as i64;
    sqlx::query(
        "INSERT INTO h3_operators (version, resolution, weights, built_at, cells) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(version)
    .bind(i32::from(u8::from(op.resolution())))
    .bind(weights)
    .bind(&built_at_text)
    .bind(cells)
    .execute(&mut *tx)
    .await?;
    let rows: Vec<(&str, Vec<u8>)> = op.units().map(|(code, e)| (code, pack(e))).collect();
    let sql = |n: usize| -> Arc<str> {
        format!(
            "INSERT INTO h3_operator_units (version, unit_code, entries) VALUES {}",
            tuples(store.backend, n, UNIT_PARAMS)
        )
        .into()
    };
    let full = sql(UNITS_PER_INSERT);
    for chunk in rows.chunks(UNITS_PER_INSERT) {
        let text = if chunk.len() == UNITS_PER_INSERT {
            full.clone()
        } else {
            sql(chunk.len())
        };
        let mut q = sqlx::query::<Any>(AssertSqlSafe(text));
        for (code, bytes) in chunk {
            q = q.bind(version).bind(*code).bind(bytes);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(OperatorInfo {
        version: version.to_owned(),
        resolution: op.resolution(),
        weights: weights.to_owned(),
        built_at,
        cells,
    })
}

fn parse_time(text: &str, what: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("operator of {what}: bad time '{text}': {e}")))
}

type InfoRow = (String, i32, String, String, i64);

fn info_of(row: InfoRow) -> Result<OperatorInfo> {
    let (version, res, weights, built_at, cells) = row;
    let resolution = u8::try_from(res)
        .ok()
        .and_then(|r| Resolution::try_from(r).ok())
        .ok_or_else(|| {
            StoreError::Corrupt(format!("operator of {version}: bad resolution {res}"))
        })?;
    Ok(OperatorInfo {
        built_at: parse_time(&built_at, &version)?,
        version,
        resolution,
        weights,
        cells,
    })
}

/// Every stored operator's description, by version.
pub(super) async fn infos(store: &Store) -> Result<Vec<OperatorInfo>> {
    let rows: Vec<InfoRow> = sqlx::query_as(
        "SELECT version, resolution, weights, built_at, cells FROM h3_operators ORDER BY version",
    )
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter().map(info_of).collect()
}

/// The operator of `version` with its description, if one was built.
pub(super) async fn load(store: &Store, version: &str) -> Result<Option<(OperatorInfo, Operator)>> {
    let row: Option<InfoRow> = sqlx::query_as(
        "SELECT version, resolution, weights, built_at, cells FROM h3_operators WHERE version = $1",
    )
    .bind(version)
    .fetch_optional(&store.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let info = info_of(row)?;
    let rows: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT unit_code, entries FROM h3_operator_units WHERE version = $1")
            .bind(version)
            .fetch_all(&store.pool)
            .await?;
    let mut units = BTreeMap::new();
    for (code, bytes) in rows {
        let what = format!("operator of {version}, unit {code}");
        units.insert(code, unpack(&bytes, &what)?);
    }
    let op = Operator::from_shares(info.resolution, units)
        .map_err(|e| StoreError::Corrupt(format!("operator of {version}: {e}")))?;
    Ok(Some((info, op)))
}
