//! Map fonts: `GET /fonts/{fontstack}/{range}.pbf`, the glyphs of the map's labels in the
//! MapLibre glyph protocol, and `GET /fonts/{file}.ttf`, the font files themselves (the PDF
//! export embeds them).
//!
//! The fonts are the Noto Sans files the web map's build copies into `<web dir>/fonts/`. A
//! font stack is a comma list of font names, as a style's `text-font`; the first one served
//! here answers. Both answers are immutable (the files come from one pinned npm package), with
//! a strong ETag per content coding, and are gzip or brotli coded when the client accepts it.

use std::path::PathBuf;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::GlyphRange;

use crate::http::conditional::immutable;
use crate::http::error::ApiError;
use crate::state::AppState;

/// The font stacks served, and their files in the fonts folder.
pub const STACKS: [(&str, &str); 3] = [
    ("Noto Sans Regular", "NotoSans-Regular.ttf"),
    ("Noto Sans Bold", "NotoSans-Bold.ttf"),
    ("Noto Sans Italic", "NotoSans-Italic.ttf"),
];

/// The folder the fonts are read from: `fonts/` in the web map's folder.
fn fonts_dir(st: &AppState) -> PathBuf {
    crate::routes::web::web_dir(st).join("fonts")
}

/// `GET /fonts/{fontstack}/{range}.pbf`: the SDF glyphs of `range` in the first font of the
/// stack served here; 404 when none is, 400 for a range that is not `N-M` over 256
/// codepoints. A range the font has no glyph in is a valid protobuf with no glyph.
pub async fn glyphs(
    State(st): State<AppState>,
    Path((stack, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let range = file
        .strip_suffix(".pbf")
        .ok_or_else(|| ApiError::NotFound(format!("no glyph file '{}'", clip(&file))))?;
    let range: GlyphRange = range.parse().map_err(|e: geodata::GlyphError| {
        ApiError::bad_request("range", "0-255, 256-511, …", e.to_string())
    })?;
    let dir = fonts_dir(&st);
    let mut missing = None;
    for wanted in stack.split(',').map(str::trim) {
        let Some((name, file)) = STACKS.iter().find(|(n, _)| *n == wanted) else {
            continue;
        };
        match st.fonts.face(&dir, file, name).await {
            Ok(face) => {
                let body = st.fonts.glyphs(face, file, range).await?;
                return Ok(immutable(&body, &headers, "application/x-protobuf", true));
            }
            Err(e @ ApiError::NotFound(_)) => missing = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(missing.unwrap_or_else(|| {
        let names: Vec<&str> = STACKS.iter().map(|(n, _)| *n).collect();
        ApiError::NotFound(format!(
            "no font of the stack '{}' is served here; the fonts are: {}",
            clip(&stack),
            names.join(", ")
        ))
    }))
}

/// `GET /fonts/{file}.ttf`: a font file of the fonts folder (letters, digits, `-` and `_`
/// before `.ttf`; nothing else, so no path leaves the folder).
pub async fn file(
    State(st): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ok = file.strip_suffix(".ttf").is_some_and(|stem| {
        !stem.is_empty()
            && stem.len() <= 64
            && stem
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    if !ok {
        return Err(ApiError::NotFound(format!(
            "no font file '{}'",
            clip(&file)
        )));
    }
    let body = st.fonts.file(&fonts_dir(&st), &file).await?;
    Ok(immutable(&body, &headers, "font/ttf", true))
}

/// The first characters of a client's text, to quote it in an error.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
