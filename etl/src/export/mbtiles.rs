//! MBTiles 1.3 archive writing: a SQLite file with `metadata` and `tiles` tables, gzip-compressed
//! vector tiles (compressed by [`super::cut`]), rows in TMS order (y flipped).
//!
//! Written with the workspace's own sqlx SQLite driver rather than the `mbtiles` crate: that crate
//! is built on an older sqlx whose `libsqlite3-sys` cannot be linked beside sqlx 0.9's in one
//! binary, and the format itself is two tables.

use std::path::Path;
use std::str::FromStr;

use geodata::TileId;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};

use super::ExportError;
use super::pmtiles::Meta;

/// Tiles inserted per transaction.
const BATCH: usize = 2_000;

fn db_err(path: &Path, e: sqlx::Error) -> ExportError {
    ExportError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Writes `tiles` (gzipped by [`super::cut`]; an empty one is left out) to a new MBTiles file at
/// `path`; returns how many were written. `vector_layers` is the TileJSON layer list stored in
/// the `json` metadata row.
pub async fn write(
    path: &Path,
    meta: &Meta,
    vector_layers: &serde_json::Value,
    tiles: impl Iterator<Item = (TileId, Vec<u8>)>,
) -> Result<u64, ExportError> {
    let err = |e| db_err(path, e);
    let url = format!("sqlite://{}", path.display());
    let mut conn = SqliteConnectOptions::from_str(&url)
        .map_err(err)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Off)
        .synchronous(SqliteSynchronous::Off)
        .connect()
        .await
        .map_err(err)?;
    sqlx::query("CREATE TABLE metadata (name TEXT NOT NULL PRIMARY KEY, value TEXT)")
        .execute(&mut conn)
        .await
        .map_err(err)?;
    sqlx::query(
        "CREATE TABLE tiles (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, \
         tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL, \
         PRIMARY KEY (zoom_level, tile_column, tile_row))",
    )
    .execute(&mut conn)
    .await
    .map_err(err)?;
    let b = meta
        .bounds
        .map_or([-180.0, -85.051_129, 180.0, 85.051_129], |r| {
            [r.min().x, r.min().y, r.max().x, r.max().y]
        });
    let rows = [
        ("name", meta.name.clone()),
        ("description", meta.description.clone()),
        ("format", "pbf".to_string()),
        ("type", "overlay".to_string()),
        ("version", "1".to_string()),
        ("minzoom", meta.min_zoom.to_string()),
        ("maxzoom", meta.max_zoom.to_string()),
        ("bounds", format!("{},{},{},{}", b[0], b[1], b[2], b[3])),
        (
            "center",
            format!(
                "{},{},{}",
                (b[0] + b[2]) / 2.0,
                (b[1] + b[3]) / 2.0,
                meta.min_zoom
            ),
        ),
        (
            "json",
            serde_json::json!({ "vector_layers": vector_layers }).to_string(),
        ),
    ];
    for (name, value) in rows {
        sqlx::query("INSERT INTO metadata (name, value) VALUES (?, ?)")
            .bind(name)
            .bind(value)
            .execute(&mut conn)
            .await
            .map_err(err)?;
    }
    let mut n = 0u64;
    let mut batch: Vec<(TileId, Vec<u8>)> = Vec::with_capacity(BATCH);
    let mut tiles = tiles.filter(|(_, bytes)| !bytes.is_empty()).peekable();
    while tiles.peek().is_some() {
        batch.clear();
        batch.extend(tiles.by_ref().take(BATCH));
        let mut tx = conn.begin().await.map_err(err)?;
        for (id, data) in batch.drain(..) {
            let tms_row = (1u32 << id.z) - 1 - id.y;
            sqlx::query(
                "INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)",
            )
            .bind(i64::from(id.z))
            .bind(i64::from(id.x))
            .bind(i64::from(tms_row))
            .bind(data)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
            n += 1;
        }
        tx.commit().await.map_err(err)?;
    }
    conn.close().await.map_err(err)?;
    Ok(n)
}
