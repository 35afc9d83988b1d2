//! The fonts of the map labels, read from a folder (the web map's `fonts/`): each font file
//! read and parsed once, each glyph range made once on a blocking thread and kept in every
//! content coding, and the font files themselves kept for download, compressed once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use geodata::{FontFace, GlyphRange};
use moka::future::Cache;

use crate::http::encoding::TileBody;
use crate::http::error::ApiError;
use crate::state::budget::{Cache as Share, MemoryBudget};
use crate::state::meter::CacheMeter;
use crate::state::weight::{self, ENTRY_BYTES};

/// [`ENTRY_BYTES`] as moka's weight.
const ENTRY: u32 = ENTRY_BYTES as u32;

/// Parsed fonts, glyph ranges and font files, keyed by file name within the fonts folder;
/// together within the fonts' share of the memory budget: glyph ranges (a full range of Noto
/// Sans is about 100 kB, an empty one a few bytes; the Vietnamese labels need four ranges per
/// style) get 3/4 of it, font files (each kept in every coding) 3/16, parsed faces (each
/// holding its file's bytes) 1/16.
#[derive(Debug)]
pub struct Fonts {
    faces: Cache<String, (Arc<FontFace>, u32)>,
    ranges: Cache<(String, GlyphRange), Arc<TileBody>>,
    files: Cache<String, Arc<TileBody>>,
    meter: CacheMeter,
}

impl Default for Fonts {
    fn default() -> Fonts {
        Fonts::new(&MemoryBudget::default())
    }
}

/// An error shared by the requests that waited on one build, for each of them.
fn shared(e: Arc<ApiError>) -> ApiError {
    match &*e {
        ApiError::NotFound(m) => ApiError::NotFound(m.clone()),
        other => ApiError::Internal(other.to_string()),
    }
}

/// The bytes of `dir/file`; 404 when there is no such file.
async fn read(dir: &Path, file: &str) -> Result<Vec<u8>, ApiError> {
    let path = dir.join(file);
    match tokio::fs::read(&path).await {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ApiError::NotFound(format!(
            "font file '{file}' is not installed (build the web map: make web)"
        ))),
        Err(e) => Err(ApiError::Internal(format!("{}: {e}", path.display()))),
    }
}

impl Fonts {
    /// The fonts' caches within their share of `budget`.
    pub fn new(budget: &MemoryBudget) -> Fonts {
        let meter = CacheMeter::new(Share::Fonts, budget);
        let share = meter.share();
        Fonts {
            faces: Cache::builder()
                .max_capacity(share / 16)
                .weigher(|_k, v: &(Arc<FontFace>, u32)| v.1.saturating_add(ENTRY))
                .build(),
            ranges: Cache::builder()
                .max_capacity(share * 3 / 4)
                .weigher(|_k, v: &Arc<TileBody>| v.weight().saturating_add(ENTRY))
                .build(),
            files: Cache::builder()
                .max_capacity(share * 3 / 16)
                .weigher(|_k, v: &Arc<TileBody>| v.weight().saturating_add(ENTRY))
                .build(),
            meter,
        }
    }

    /// The meter of the fonts' caches.
    pub fn meter(&self) -> &CacheMeter {
        &self.meter
    }

    /// Runs the caches' pending evictions and copies their summed size into the meter.
    pub async fn report(&self) {
        self.faces.run_pending_tasks().await;
        self.ranges.run_pending_tasks().await;
        self.files.run_pending_tasks().await;
        self.meter.set_size(
            self.faces.weighted_size() + self.ranges.weighted_size() + self.files.weighted_size(),
            self.faces.entry_count() + self.ranges.entry_count() + self.files.entry_count(),
        );
    }

    /// The font `dir/file`, parsed once and served as the stack `name`.
    pub async fn face(
        &self,
        dir: &Path,
        file: &str,
        name: &str,
    ) -> Result<Arc<FontFace>, ApiError> {
        let (dir, owned, name) = (dir.to_path_buf(), file.to_string(), name.to_string());
        let entry = self
            .faces
            .entry(file.to_string())
            .or_try_insert_with(async move {
                let bytes = read(&dir, &owned).await?;
                let size = weight::clamp(bytes.len());
                tokio::task::spawn_blocking(move || FontFace::parse(&name, bytes))
                    .await
                    .map_err(|e| ApiError::Internal(format!("parsing a font failed: {e}")))?
                    .map(|f| (Arc::new(f), size))
                    // The server's own font files are broken: not the client's fault.
                    .map_err(|e| ApiError::Internal(e.to_string()))
            })
            .await
            .map_err(shared)?;
        self.meter.record(entry.is_fresh());
        Ok(entry.into_value().0)
    }

    /// The glyph protobuf of `range` in `face` (read from `file`), made once.
    pub async fn glyphs(
        &self,
        face: Arc<FontFace>,
        file: &str,
        range: GlyphRange,
    ) -> Result<Arc<TileBody>, ApiError> {
        let entry = self
            .ranges
            .entry((file.to_string(), range))
            .or_try_insert_with(async move {
                let t = std::time::Instant::now();
                let body = tokio::task::spawn_blocking(move || TileBody::new(face.glyphs(range)))
                    .await
                    .map_err(|e| ApiError::Internal(format!("making glyphs failed: {e}")))?;
                tracing::debug!(%range, ms = t.elapsed().as_millis(), "glyph range made");
                Ok::<_, ApiError>(Arc::new(body))
            })
            .await
            .map_err(shared)?;
        self.meter.record(entry.is_fresh());
        Ok(entry.into_value())
    }

    /// The font file `dir/file`, read and compressed once.
    pub async fn file(&self, dir: &Path, file: &str) -> Result<Arc<TileBody>, ApiError> {
        let dir: PathBuf = dir.to_path_buf();
        let owned = file.to_string();
        let entry = self
            .files
            .entry(file.to_string())
            .or_try_insert_with(async move {
                let bytes = read(&dir, &owned).await?;
                tokio::task::spawn_blocking(move || Arc::new(TileBody::new(bytes)))
                    .await
                    .map_err(|e| ApiError::Internal(format!("reading a font failed: {e}")))
            })
            .await
            .map_err(shared)?;
        self.meter.record(entry.is_fresh());
        Ok(entry.into_value())
    }
}
