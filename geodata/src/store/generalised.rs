//! A boundary version's stored generalisation: the packed bytes of its generalised geometry per
//! zoom band and of its units' label points, written with the version's import (or once by the
//! server for a version imported before they were stored) and read at every start.
//!
//! The store keeps the bytes as given: packing and unpacking belong to the tiling side
//! (`TileSource::to_stored`, `TileSource::from_stored`), above this floor.

use chrono::{SecondsFormat, Utc};
use sqlx::{Any, AssertSqlSafe, Row, Transaction};

use super::{Result, Store, units::require_version};
use crate::model::generalisation::{StoredBand, StoredGeneralisation};

/// Deletes the stored generalisation of `version` inside `tx`.
pub(super) async fn delete(tx: &mut Transaction<'static, Any>, version: &str) -> Result<()> {
    for sql in [
        "DELETE FROM generalised_bands WHERE version = $1",
        "DELETE FROM generalisations WHERE version = $1",
    ] {
        sqlx::query(sql).bind(version).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Writes `g` as the generalisation of `version` inside `tx` (after [`delete`] if one exists).
pub(super) async fn insert(
    tx: &mut Transaction<'static, Any>,
    version: &str,
    g: &StoredGeneralisation,
) -> Result<()> {
    insert_head(tx, version, g).await?;
    for (i, b) in g.bands.iter().enumerate() {
        insert_band(tx, version, i, b, &b.geometry).await?;
    }
    Ok(())
}

/// [`insert`] of `head` (a generalisation whose bands' `geometry` is not read) with band `b`'s
/// packed bytes read by `band(b)` when its turn comes and freed as soon as the driver has its
/// copy: the driver and SQLite copy a band three times while writing it (sqlx's `Any`
/// arguments, the bound value, the record), so an import holding every band through the write
/// peaked with all of them plus those copies of the largest (national file: 46 + 3 × 11 MB).
/// `band`'s error is reported as [`super::StoreError::Invalid`].
pub(super) async fn insert_with(
    tx: &mut Transaction<'static, Any>,
    version: &str,
    head: &StoredGeneralisation,
    mut band: impl FnMut(usize) -> std::result::Result<Vec<u8>, String>,
) -> Result<()> {
    insert_head(tx, version, head).await?;
    for (i, b) in head.bands.iter().enumerate() {
        let geometry = band(i).map_err(|e| {
            super::StoreError::Invalid(format!(
                "generalisation of boundary version '{version}', band {i}: {e}"
            ))
        })?;
        insert_band(tx, version, i, b, geometry).await?;
    }
    Ok(())
}

/// The `generalisations` row of `g` (format and label points).
async fn insert_head(
    tx: &mut Transaction<'static, Any>,
    version: &str,
    g: &StoredGeneralisation,
) -> Result<()> {
    let built_at = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    sqlx::query(
        "INSERT INTO generalisations (version, format, units, built_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(version)
    .bind(g.format)
    .bind(&g.units)
    .bind(&built_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Band `i` (`b`'s zooms, its packed `geometry`): one row, one statement (a few megabytes each
/// at most). An owned `geometry` is dropped once bound, before the statement runs.
async fn insert_band<'g, G>(
    tx: &mut Transaction<'static, Any>,
    version: &str,
    i: usize,
    b: &StoredBand,
    geometry: G,
) -> Result<()>
where
    G: sqlx::Encode<'g, Any> + sqlx::Type<Any> + 'g,
{
    sqlx::query(
        "INSERT INTO generalised_bands (version, band, min_zoom, max_zoom, geometry) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(version)
    .bind(i as i64)
    .bind(i64::from(b.min_zoom))
    .bind(i64::from(b.max_zoom))
    .bind(geometry)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Replaces the stored generalisation of `version` (which must exist), in one transaction.
pub(super) async fn save(store: &Store, version: &str, g: &StoredGeneralisation) -> Result<()> {
    require_version(store, version).await?;
    let mut tx = store.begin_write().await?;
    delete(&mut tx, version).await?;
    insert(&mut tx, version, g).await?;
    tx.commit().await?;
    Ok(())
}

/// The packed geometry of band `band` of `version`'s stored generalisation, if there is one.
pub(super) async fn band(store: &Store, version: &str, band: usize) -> Result<Option<Vec<u8>>> {
    let row: Option<(Vec<u8>,)> =
        sqlx::query_as("SELECT geometry FROM generalised_bands WHERE version = $1 AND band = $2")
            .bind(version)
            .bind(band as i64)
            .fetch_optional(&store.pool)
            .await?;
    Ok(row.map(|(g,)| g))
}

/// The stored generalisation of `version`, if one was written; with `geometry`, the bands'
/// packed geometry too, else each band's left empty (see [`band`]).
pub(super) async fn load(
    store: &Store,
    version: &str,
    geometry: bool,
) -> Result<Option<StoredGeneralisation>> {
    let head: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT format, units FROM generalisations WHERE version = $1")
            .bind(version)
            .fetch_optional(&store.pool)
            .await?;
    let Some((format, units)) = head else {
        return Ok(None);
    };
    let columns = if geometry {
        "band, min_zoom, max_zoom, geometry"
    } else {
        "band, min_zoom, max_zoom"
    };
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {columns} FROM generalised_bands WHERE version = $1 ORDER BY band"
    )))
    .bind(version)
    .fetch_all(&store.pool)
    .await?;
    let mut bands = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let band: i64 = r.try_get("band")?;
        let zoom = |col: &str| -> Result<u8> {
            let z: i64 = r.try_get(col)?;
            u8::try_from(z).map_err(|_| corrupt(version, &format!("band {band}: {col} {z}")))
        };
        if band != i as i64 {
            return Err(corrupt(version, &format!("band {i} missing")));
        }
        bands.push(StoredBand {
            min_zoom: zoom("min_zoom")?,
            max_zoom: zoom("max_zoom")?,
            geometry: if geometry {
                r.try_get("geometry")?
            } else {
                Vec::new()
            },
        });
    }
    Ok(Some(StoredGeneralisation {
        format,
        units,
        bands,
    }))
}

fn corrupt(version: &str, what: &str) -> super::StoreError {
    super::StoreError::Corrupt(format!(
        "stored generalisation of boundary version '{version}': {what}"
    ))
}
