//! Map glyphs: a font's characters as signed distance fields in 256-codepoint ranges, encoded
//! as the MapLibre glyph protobuf (`fontstack {name, range, glyphs[...]}`), the format MapLibre
//! GL requests at `{fontstack}/{range}.pbf` for symbol layers.
//!
//! `range` parses and checks a range ("0-255", "7680-7935"); `face` parses a TrueType/OpenType
//! font once and renders a range; `proto` holds the protobuf messages. Imports nothing else in
//! the crate.

pub(crate) mod face;
pub(crate) mod proto;
pub(crate) mod range;

/// Size of a glyph's em square in pixels, as MapLibre lays glyphs out (its `ONE_EM`).
pub const GLYPH_SIZE: u32 = 24;
/// Blank pixels around every glyph bitmap, on each side (MapLibre's glyph `border`).
pub const GLYPH_BUFFER: u32 = 3;

/// Why a font or a glyph range cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum GlyphError {
    /// The range is not `N-M` with `N` a multiple of 256 and `M = N + 255` within Unicode.
    #[error(
        "bad glyph range '{0}': expected start-end covering 256 codepoints, such as 0-255 or 256-511"
    )]
    BadRange(String),
    /// The font file cannot be read as a font.
    #[error("font '{name}' is not a usable font: {reason}")]
    BadFont {
        /// The font's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
}
