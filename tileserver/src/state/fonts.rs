//! The fonts of the map labels, read from a folder (the web map's `fonts/`): each font file
//! read and parsed once, each glyph range made once on a blocking thread and kept in every
//! content coding, and the font files themselves kept for download, compressed once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use geodata::{FontFace, GlyphRange};
use moka::future::Cache;

use crate::http::encoding::TileBody;
use crate::http::error::ApiError;

/// Bytes of glyph ranges kept (a full range of Noto Sans is about 100 kB, an empty one a few
/// bytes; the Vietnamese labels need four ranges per style).
const RANGE_BYTES: u64 = 32 << 20;

/// Parsed fonts, glyph ranges and font files, keyed by file name within the fonts folder.
#[derive(Debug)]
pub struct Fonts {
    faces: Cache<String, Arc<FontFace>>,
    ranges: Cache<(String, GlyphRange), Arc<TileBody>>,
    files: Cache<String, Arc<TileBody>>,
}

impl Default for Fonts {
    fn default() -> Fonts {
        Fonts {
            faces: Cache::new(16),
            ranges: Cache::builder()
                .max_capacity(RANGE_BYTES)
                .weigher(|_k, v: &Arc<TileBody>| v.weight())
                .build(),
            files: Cache::new(16),
        }
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
    /// The font `dir/file`, parsed once and served as the stack `name`.
    pub async fn face(
        &self,
        dir: &Path,
        file: &str,
        name: &str,
    ) -> Result<Arc<FontFace>, ApiError> {
        let (dir, owned, name) = (dir.to_path_buf(), file.to_string(), name.to_string());
        self.faces
            .try_get_with(file.to_string(), async move {
                let bytes = read(&dir, &owned).await?;
                tokio::task::spawn_blocking(move || FontFace::parse(&name, bytes))
                    .await
                    .map_err(|e| ApiError::Internal(format!("parsing a font failed: {e}")))?
                    .map(Arc::new)
                    // The server's own font files are broken: not the client's fault.
                    .map_err(|e| ApiError::Internal(e.to_string()))
            })
            .await
            .map_err(shared)
    }

    /// The glyph protobuf of `range` in `face` (read from `file`), made once.
    pub async fn glyphs(
        &self,
        face: Arc<FontFace>,
        file: &str,
        range: GlyphRange,
    ) -> Result<Arc<TileBody>, ApiError> {
        self.ranges
            .try_get_with((file.to_string(), range), async move {
                let t = std::time::Instant::now();
                let body = tokio::task::spawn_blocking(move || TileBody::new(face.glyphs(range)))
                    .await
                    .map_err(|e| ApiError::Internal(format!("making glyphs failed: {e}")))?;
                tracing::debug!(%range, ms = t.elapsed().as_millis(), "glyph range made");
                Ok::<_, ApiError>(Arc::new(body))
            })
            .await
            .map_err(shared)
    }

    /// The font file `dir/file`, read and compressed once.
    pub async fn file(&self, dir: &Path, file: &str) -> Result<Arc<TileBody>, ApiError> {
        let dir: PathBuf = dir.to_path_buf();
        let owned = file.to_string();
        self.files
            .try_get_with(file.to_string(), async move {
                let bytes = read(&dir, &owned).await?;
                tokio::task::spawn_blocking(move || Arc::new(TileBody::new(bytes)))
                    .await
                    .map_err(|e| ApiError::Internal(format!("reading a font failed: {e}")))
            })
            .await
            .map_err(shared)
    }
}
