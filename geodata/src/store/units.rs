//! Boundary versions and their units: the transactional import and the readers.

use std::sync::Arc;

use chrono::{SecondsFormat, Utc};
use geo::BoundingRect;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Row};

use super::generalised;
use super::{Backend, Result, Store, StoreError, tuples, wkb};
use crate::model::generalisation::StoredGeneralisation;
use crate::model::level::Level;
use crate::model::text;
use crate::model::unit::{Unit, UnitInfo};
use crate::model::version::BoundaryVersion;

/// Bind parameters per unit row.
const UNIT_PARAMS: usize = 12;
/// Units per INSERT: few enough that a statement with big geometries stays small, and far
/// below both backends' bind-parameter limits (SQLite 32,766, PostgreSQL 65,535).
const UNITS_PER_INSERT: usize = 500;

/// A unit row ready to bind: the unit plus its derived columns (its WKB is encoded chunk by
/// chunk as the rows are written, see [`import_version`]).
struct UnitRow<'a> {
    unit: &'a Unit,
    folded: String,
    bbox: [f64; 4],
}

/// Checks one unit of `version` and derives its columns for writing.
fn unit_row<'a>(version: &str, unit: &'a Unit) -> Result<UnitRow<'a>> {
    let what = format!("boundary version '{version}', unit '{}'", unit.code);
    let rect = unit
        .geometry
        .bounding_rect()
        .ok_or_else(|| StoreError::Invalid(format!("{what}: the geometry is empty")))?;
    if !unit.area_km2.is_finite() || unit.area_km2 < 0.0 {
        return Err(StoreError::Invalid(format!(
            "{what}: area_km2 {} is not a finite non-negative number",
            unit.area_km2
        )));
    }
    Ok(UnitRow {
        unit,
        folded: text::fold(&unit.name),
        bbox: [rect.min().x, rect.min().y, rect.max().x, rect.max().y],
    })
}

/// `INSERT INTO units ... VALUES (...), (...)` for `rows` rows.
fn insert_units_sql(backend: Backend, rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO units (version, code, level, name, name_folded, parent_code, area_km2, \
         minx, miny, maxx, maxy, geom) VALUES ",
    );
    sql.push_str(&tuples(backend, rows, UNIT_PARAMS));
    sql
}

/// A reader of band `b`'s packed bytes, asked for when the import writes it (see
/// [`super::Store::import_generalised_version_with`]).
pub(super) type BandSource<'a> =
    dyn FnMut(usize) -> std::result::Result<Box<dyn std::io::Read + Send + 'a>, String> + Send + 'a;

pub(super) async fn import_version(
    store: &Store,
    version: &BoundaryVersion,
    units: &[Unit],
    generalisation: Option<(&StoredGeneralisation, &mut BandSource<'_>)>,
    replace: bool,
) -> Result<()> {
    // Checked before the transaction opens: a bad unit takes no write lock.
    let rows = units
        .iter()
        .map(|u| unit_row(&version.id, u))
        .collect::<Result<Vec<_>>>()?;
    let levels = version
        .levels
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let valid_from = version.valid_from.format("%Y-%m-%d").to_string();
    let imported_at = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);

    let mut tx = store.begin_write().await?;
    let exists: Option<(String,)> =
        sqlx::query_as("SELECT id FROM boundary_versions WHERE id = $1")
            .bind(&version.id)
            .fetch_optional(&mut *tx)
            .await?;
    // Two versions cannot start on the same day (which one would be in force?): named here
    // rather than left to the UNIQUE constraint, whose text is the database's.
    let same_day: Option<(String,)> =
        sqlx::query_as("SELECT id FROM boundary_versions WHERE valid_from = $1 AND id <> $2")
            .bind(&valid_from)
            .bind(&version.id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((other,)) = same_day {
        return Err(StoreError::ValidFromTaken {
            id: version.id.clone(),
            other,
            valid_from,
        });
    }
    if exists.is_some() {
        if !replace {
            return Err(StoreError::VersionExists(version.id.clone()));
        }
        let (in_use,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM snapshots WHERE version = $1")
            .bind(&version.id)
            .fetch_one(&mut *tx)
            .await?;
        if in_use > 0 {
            return Err(StoreError::VersionInUse(version.id.clone()));
        }
        // New units invalidate every crosswalk from or to the version, and the H3 operator
        // built from the old polygons.
        generalised::delete(&mut tx, &version.id).await?;
        for sql in [
            "DELETE FROM crosswalk WHERE from_version = $1 OR to_version = $1",
            "DELETE FROM crosswalk_meta WHERE from_version = $1 OR to_version = $1",
            "DELETE FROM h3_operator_units WHERE version = $1",
            "DELETE FROM h3_operators WHERE version = $1",
            "DELETE FROM units WHERE version = $1",
        ] {
            sqlx::query(sql).bind(&version.id).execute(&mut *tx).await?;
        }
        sqlx::query(
            "UPDATE boundary_versions SET valid_from = $2, levels = $3, imported_at = $4 \
             WHERE id = $1",
        )
        .bind(&version.id)
        .bind(&valid_from)
        .bind(&levels)
        .bind(&imported_at)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO boundary_versions (id, valid_from, levels, imported_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&version.id)
        .bind(&valid_from)
        .bind(&levels)
        .bind(&imported_at)
        .execute(&mut *tx)
        .await?;
    }

    let full_sql: Arc<str> = insert_units_sql(store.backend, UNITS_PER_INSERT).into();
    for chunk in rows.chunks(UNITS_PER_INSERT) {
        let sql = if chunk.len() == UNITS_PER_INSERT {
            full_sql.clone()
        } else {
            insert_units_sql(store.backend, chunk.len()).into()
        };
        // The WKB of one chunk at a time (the whole version's, 15 MB on the national file,
        // stood next to the packed bands at the import's peak); a few ms of encoding in all.
        let wkbs = chunk
            .iter()
            .map(|r| wkb::encode(&r.unit.geometry))
            .collect::<Result<Vec<_>>>()?;
        let mut q = sqlx::query::<Any>(AssertSqlSafe(sql));
        for (r, wkb) in chunk.iter().zip(wkbs) {
            q = q
                .bind(&version.id)
                .bind(&r.unit.code)
                .bind(r.unit.level.as_str())
                .bind(&r.unit.name)
                .bind(&r.folded)
                .bind(r.unit.parent_code.as_deref())
                .bind(r.unit.area_km2)
                .bind(r.bbox[0])
                .bind(r.bbox[1])
                .bind(r.bbox[2])
                .bind(r.bbox[3])
                .bind(wkb);
        }
        q.execute(&mut *tx).await?;
    }
    if let Some((head, band)) = generalisation {
        generalised::insert_with(&mut tx, &version.id, head, band).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) const INFO_COLUMNS: &str = "code, level, name, parent_code, area_km2";

/// Decodes the `INFO_COLUMNS` of a unit row of `version`.
pub(super) fn unit_info(version: &str, row: &AnyRow) -> Result<UnitInfo> {
    let code: String = row.try_get("code")?;
    let level: String = row.try_get("level")?;
    let level = level.parse::<Level>().map_err(|e| {
        StoreError::Corrupt(format!("boundary version '{version}', unit '{code}': {e}"))
    })?;
    Ok(UnitInfo {
        name: row.try_get("name")?,
        parent_code: row.try_get("parent_code")?,
        area_km2: row.try_get("area_km2")?,
        level,
        code,
    })
}

/// Fails with `UnknownVersion` unless `version` exists.
pub(super) async fn require_version(store: &Store, version: &str) -> Result<()> {
    let exists: Option<(String,)> =
        sqlx::query_as("SELECT id FROM boundary_versions WHERE id = $1")
            .bind(version)
            .fetch_optional(&store.pool)
            .await?;
    match exists {
        Some(_) => Ok(()),
        None => Err(StoreError::UnknownVersion(version.to_string())),
    }
}

pub(super) async fn units(store: &Store, version: &str) -> Result<Vec<UnitInfo>> {
    require_version(store, version).await?;
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {INFO_COLUMNS} FROM units WHERE version = $1"
    )))
    .bind(version)
    .fetch_all(&store.pool)
    .await?;
    let mut units = rows
        .iter()
        .map(|r| unit_info(version, r))
        .collect::<Result<Vec<_>>>()?;
    units.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
    Ok(units)
}

pub(super) async fn units_with_geometry(store: &Store, version: &str) -> Result<Vec<Unit>> {
    require_version(store, version).await?;
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {INFO_COLUMNS}, geom FROM units WHERE version = $1"
    )))
    .bind(version)
    .fetch_all(&store.pool)
    .await?;
    let mut units = rows
        .iter()
        .map(|r| unit_with_geometry(version, r))
        .collect::<Result<Vec<_>>>()?;
    units.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
    Ok(units)
}

pub(super) async fn geometry_of(store: &Store, version: &str, codes: &[&str]) -> Result<Vec<Unit>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (2..codes.len() + 2).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {INFO_COLUMNS}, geom FROM units WHERE version = $1 AND code IN ({})",
        marks.join(", ")
    );
    let mut q = sqlx::query(AssertSqlSafe(sql)).bind(version);
    for c in codes {
        q = q.bind(*c);
    }
    let rows = q.fetch_all(&store.pool).await?;
    rows.iter()
        .map(|r| unit_with_geometry(version, r))
        .collect()
}

pub(super) async fn unit_geometry(
    store: &Store,
    version: &str,
    code: &str,
) -> Result<Option<Unit>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {INFO_COLUMNS}, geom FROM units WHERE version = $1 AND code = $2"
    )))
    .bind(version)
    .bind(code)
    .fetch_optional(&store.pool)
    .await?;
    row.map(|r| unit_with_geometry(version, &r)).transpose()
}

/// A unit row read with its `geom` column.
fn unit_with_geometry(version: &str, r: &AnyRow) -> Result<Unit> {
    let info = unit_info(version, r)?;
    let geom: Vec<u8> = r.try_get("geom")?;
    let geometry = wkb::decode(
        &geom,
        &format!("boundary version '{version}', unit '{}'", info.code),
    )?;
    Ok(Unit {
        code: info.code,
        name: info.name,
        level: info.level,
        parent_code: info.parent_code,
        area_km2: info.area_km2,
        geometry,
    })
}

/// The WGS84 bounding box `[west, south, east, north]` of a version's units.
pub(super) async fn bounds(store: &Store, version: &str) -> Result<Option<[f64; 4]>> {
    require_version(store, version).await?;
    let row: (Option<f64>, Option<f64>, Option<f64>, Option<f64>) = sqlx::query_as(
        "SELECT MIN(minx), MIN(miny), MAX(maxx), MAX(maxy) FROM units WHERE version = $1",
    )
    .bind(version)
    .fetch_one(&store.pool)
    .await?;
    Ok(match row {
        (Some(w), Some(s), Some(e), Some(n)) => Some([w, s, e, n]),
        _ => None,
    })
}

/// Each unit's stored WGS84 bounding box `[west, south, east, north]` (of its full geometry,
/// written at import), in no particular order: the boxes without decoding any geometry.
pub(super) async fn boxes(store: &Store, version: &str) -> Result<Vec<[f64; 4]>> {
    require_version(store, version).await?;
    let rows: Vec<(f64, f64, f64, f64)> =
        sqlx::query_as("SELECT minx, miny, maxx, maxy FROM units WHERE version = $1")
            .bind(version)
            .fetch_all(&store.pool)
            .await?;
    Ok(rows.into_iter().map(|(w, s, e, n)| [w, s, e, n]).collect())
}

pub(super) async fn with_code(store: &Store, code: &str) -> Result<Vec<(String, UnitInfo)>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT version, {INFO_COLUMNS} FROM units WHERE code = $1"
    )))
    .bind(code)
    .fetch_all(&store.pool)
    .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            let version: String = r.try_get("version")?;
            let info = unit_info(&version, r)?;
            Ok((version, info))
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}
