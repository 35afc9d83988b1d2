//! PMTiles v3 archive writing via the `pmtiles` crate (gzip tiles, content-hash dedupe). The
//! tiles come gzipped ([`super::cut`] compresses them on every core), so the writer only
//! dedupes, indexes and writes.

use std::io::BufWriter;
use std::path::Path;

use geo_types::Rect;
use geodata::TileId;
use pmtiles::{Compression, PmTilesWriter, TileCoord, TileType};

use super::ExportError;

/// Archive-level metadata.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Archive name.
    pub name: String,
    /// Human description.
    pub description: String,
    /// Data extent in degrees (lon/lat).
    pub bounds: Option<Rect<f64>>,
    /// Lowest zoom.
    pub min_zoom: u8,
    /// Highest zoom.
    pub max_zoom: u8,
}

/// Writes `tiles` (gzipped; an empty one is left out) to `path`; returns how many were
/// written. `vector_layers` (TileJSON layers) goes into the archive's JSON metadata.
pub fn write(
    path: &Path,
    meta: &Meta,
    vector_layers: &serde_json::Value,
    tiles: impl Iterator<Item = (TileId, Vec<u8>)>,
) -> Result<u64, ExportError> {
    let io = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::create(path).map_err(io)?;
    let b = meta
        .bounds
        .unwrap_or_else(|| Rect::new((-180.0, -85.0), (180.0, 85.0)));
    let metadata = serde_json::json!({
        "name": meta.name,
        "description": meta.description,
        "format": "pbf",
        "minzoom": meta.min_zoom,
        "maxzoom": meta.max_zoom,
        "vector_layers": vector_layers,
    });
    let mut w = PmTilesWriter::new(TileType::Mvt)
        .precompressed(Compression::Gzip)
        .min_zoom(meta.min_zoom)
        .max_zoom(meta.max_zoom)
        .bounds(b.min().x, b.min().y, b.max().x, b.max().y)
        .center((b.min().x + b.max().x) / 2.0, (b.min().y + b.max().y) / 2.0)
        .center_zoom(meta.min_zoom)
        .metadata(metadata.to_string())
        .create(BufWriter::new(file))?;
    let mut n = 0;
    for (id, bytes) in tiles {
        if bytes.is_empty() {
            continue;
        }
        w.add_tile(TileCoord::new(id.z, id.x, id.y)?, &bytes)?;
        n += 1;
    }
    w.finalize()?;
    Ok(n)
}
