//! A boundary version's stored generalisation: the packed bytes of its generalised geometry per
//! zoom band and of its units' label points, written with the version's import (or once by the
//! server for a version imported before they were stored) and read at every start.
//!
//! A band's bytes are stored in parts of [`BAND_PART_BYTES`] (migration 0008), written and
//! read one at a time. The store keeps the bytes as given: packing and unpacking belong to the tiling side
//! (`TileSource::to_stored`, `TileSource::from_stored`), above this floor.

use chrono::{SecondsFormat, Utc};
use std::io::Read;

use sqlx::{Any, Row, Transaction};

use super::{Result, Store, units::BandSource, units::require_version};
use crate::model::generalisation::{StoredBand, StoredGeneralisation};

/// The most bytes of a band stored in one row: a band is written and read one part at a time,
/// so the copies sqlx's `Any` arguments and SQLite make of the value being written (four of
/// it) are of one part, not of the whole band (11 MB on the national file).
pub const BAND_PART_BYTES: usize = 1 << 20;

/// Deletes the stored generalisation of `version` inside `tx`.
pub(super) async fn delete(tx: &mut Transaction<'static, Any>, version: &str) -> Result<()> {
    for sql in [
        "DELETE FROM generalised_band_parts WHERE version = $1",
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
    insert_with(tx, version, g, &mut |b| {
        Ok(Box::new(g.bands[b].geometry.as_slice()) as Box<dyn Read + Send>)
    })
    .await
}

/// [`insert`] of `head` (a generalisation whose bands' `geometry` is not read) with band `b`'s
/// packed bytes read from `band(b)` when its turn comes, [`BAND_PART_BYTES`] at a time, each
/// part freed once written: neither the caller (the import spills its bands to a file) nor the
/// driver holds a whole band. `band`'s error, or its reader's, is reported as
/// [`super::StoreError::Invalid`].
pub(super) async fn insert_with(
    tx: &mut Transaction<'static, Any>,
    version: &str,
    head: &StoredGeneralisation,
    band: &mut BandSource<'_>,
) -> Result<()> {
    insert_head(tx, version, head).await?;
    for (i, b) in head.bands.iter().enumerate() {
        let invalid = |e: String| {
            super::StoreError::Invalid(format!(
                "generalisation of boundary version '{version}', band {i}: {e}"
            ))
        };
        let mut bytes = band(i).map_err(invalid)?;
        insert_band(tx, version, i, b).await?;
        // At least one part, empty for an empty band, so every band has a first part.
        for part in 0i64.. {
            let mut chunk = Vec::with_capacity(BAND_PART_BYTES);
            (&mut bytes)
                .take(BAND_PART_BYTES as u64)
                .read_to_end(&mut chunk)
                .map_err(|e| invalid(e.to_string()))?;
            if chunk.is_empty() && part > 0 {
                break;
            }
            let last = chunk.len() < BAND_PART_BYTES;
            sqlx::query(
                "INSERT INTO generalised_band_parts (version, band, part, geometry) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(version)
            .bind(i as i64)
            .bind(part)
            .bind(chunk)
            .execute(&mut **tx)
            .await?;
            if last {
                break;
            }
        }
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

/// Band `i`'s row (`b`'s zooms); its bytes are its parts'.
async fn insert_band(
    tx: &mut Transaction<'static, Any>,
    version: &str,
    i: usize,
    b: &StoredBand,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO generalised_bands (version, band, min_zoom, max_zoom) VALUES ($1, $2, $3, $4)",
    )
    .bind(version)
    .bind(i as i64)
    .bind(i64::from(b.min_zoom))
    .bind(i64::from(b.max_zoom))
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

/// The packed geometry of band `band` of `version`'s stored generalisation, if there is one:
/// its parts read one at a time into a buffer of the band's size (no part list, no regrowth).
pub(super) async fn band(store: &Store, version: &str, band: usize) -> Result<Option<Vec<u8>>> {
    let (parts, size): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(LENGTH(geometry)), 0) FROM generalised_band_parts \
         WHERE version = $1 AND band = $2",
    )
    .bind(version)
    .bind(band as i64)
    .fetch_one(&store.pool)
    .await?;
    if parts == 0 {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    for part in 0..parts {
        let row: Option<(Vec<u8>,)> = sqlx::query_as(
            "SELECT geometry FROM generalised_band_parts \
             WHERE version = $1 AND band = $2 AND part = $3",
        )
        .bind(version)
        .bind(band as i64)
        .bind(part)
        .fetch_optional(&store.pool)
        .await?;
        let (chunk,) =
            row.ok_or_else(|| corrupt(version, &format!("band {band}: part {part} missing")))?;
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
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
    let rows = sqlx::query(
        "SELECT band, min_zoom, max_zoom FROM generalised_bands WHERE version = $1 ORDER BY band",
    )
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
                self::band(store, version, i)
                    .await?
                    .ok_or_else(|| corrupt(version, &format!("band {i}: no parts")))?
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
