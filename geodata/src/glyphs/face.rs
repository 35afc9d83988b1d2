//! A font parsed once, and its glyph ranges rendered as signed distance fields.
//!
//! The outlines are read and rasterised by `ab_glyph` (pure Rust, over `ttf-parser`) and the
//! distance transform is `sdf_glyph_renderer`'s (Felzenszwalb–Huttenlocher, as TinySDF), so no
//! FreeType is linked. The metrics follow what FreeType gives node-fontnik and martin at 24 px
//! per em without hinting, which is what MapLibre's text layout expects: the ink box is the
//! outline's box rounded outwards to whole pixels, `left` its left edge, `top` its top edge
//! minus the ascender (rounded up, as FreeType grid-fits it), `advance` the advance width
//! truncated to whole pixels.

use std::fmt;

use ab_glyph::{Font, FontVec, PxScale, point};
use prost::Message;
use sdf_glyph_renderer::{BitmapGlyph, clamp_to_u8};

use super::proto::{Fontstack, Glyph, Glyphs};
use super::range::GlyphRange;
use super::{GLYPH_BUFFER, GLYPH_SIZE, GlyphError};

/// How far (px) from the outline distances are recorded before they saturate.
const SDF_RADIUS: usize = 8;
/// Share of the byte range given to distances inside the outline (the edge is at 192).
const SDF_CUTOFF: f64 = 0.25;

/// A font ready to render glyph ranges: parsed once, shared by every request.
pub struct FontFace {
    name: String,
    font: FontVec,
    /// The scale that makes one em [`GLYPH_SIZE`] pixels.
    scale: PxScale,
    /// Pixels per font unit.
    px_per_unit: f32,
    /// The ascender in whole pixels.
    ascender: i32,
}

impl fmt::Debug for FontFace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FontFace")
            .field("name", &self.name)
            .field("ascender", &self.ascender)
            .finish_non_exhaustive()
    }
}

impl FontFace {
    /// Parses the TrueType/OpenType font `bytes`, to be served as the font stack `name`.
    pub fn parse(name: &str, bytes: Vec<u8>) -> Result<FontFace, GlyphError> {
        let bad = |reason: &str| GlyphError::BadFont {
            name: name.to_string(),
            reason: reason.to_string(),
        };
        let font = FontVec::try_from_vec(bytes).map_err(|_| bad("not a TrueType/OpenType font"))?;
        let units_per_em = font
            .units_per_em()
            .filter(|u| *u > 0.0)
            .ok_or_else(|| bad("no units per em"))?;
        let px_per_unit = GLYPH_SIZE as f32 / units_per_em;
        // ab_glyph's PxScale is the height ascent - descent spans, not the em.
        let scale = PxScale::from(font.height_unscaled() * px_per_unit);
        let ascender = (font.ascent_unscaled() * px_per_unit).ceil() as i32;
        Ok(FontFace {
            name: name.to_string(),
            font,
            scale,
            px_per_unit,
            ascender,
        })
    }

    /// The font stack name this face is served as.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the font has a glyph for `c`.
    pub fn has(&self, c: char) -> bool {
        self.font.glyph_id(c).0 != 0
    }

    /// The glyph protobuf of `range`: every character of the range the font has. A range
    /// with none is a valid message with no glyph (MapLibre asks for such ranges too).
    pub fn glyphs(&self, range: GlyphRange) -> Vec<u8> {
        let stack = Fontstack {
            name: self.name.clone(),
            range: range.to_string(),
            glyphs: range.chars().filter_map(|c| self.glyph(c)).collect(),
        };
        Glyphs {
            stacks: vec![stack],
        }
        .encode_to_vec()
    }

    /// The SDF glyph of `c`, `None` when the font has none. Blank glyphs (spaces) have no ink:
    /// width and height 0 and a bitmap of the buffer alone, as FreeType-based servers send.
    pub(crate) fn glyph(&self, c: char) -> Option<Glyph> {
        let id = self.font.glyph_id(c);
        if id.0 == 0 {
            return None;
        }
        let advance = (self.font.h_advance_unscaled(id) * self.px_per_unit).max(0.0) as u32;
        let (alpha, width, height, left, top) = match self
            .font
            .outline_glyph(id.with_scale_and_position(self.scale, point(0.0, 0.0)))
        {
            Some(outlined) => {
                let b = outlined.px_bounds();
                let (w, h) = (b.width() as usize, b.height() as usize);
                let mut alpha = vec![0u8; w * h];
                outlined.draw(|x, y, coverage| {
                    if let Some(a) = alpha.get_mut(y as usize * w + x as usize) {
                        *a = (coverage.clamp(0.0, 1.0) * 255.0).round() as u8;
                    }
                });
                // Screen coordinates point down: the top edge is -min.y above the baseline.
                (alpha, w, h, b.min.x as i32, -b.min.y as i32)
            }
            None => (Vec::new(), 0, 0, 0, 0),
        };
        let buffer = GLYPH_BUFFER as usize;
        let bitmap = BitmapGlyph::from_unbuffered(&alpha, width, height, buffer)
            .expect("the bitmap is width * height bytes");
        let sdf = clamp_to_u8(&bitmap.render_sdf(SDF_RADIUS), SDF_CUTOFF)
            .expect("the cutoff is within (0, 1)");
        Some(Glyph {
            id: u32::from(c),
            bitmap: Some(sdf),
            width: width as u32,
            height: height as u32,
            left,
            top: top - self.ascender,
            advance,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Noto Sans Regular as the web map's build copies it (`make web`).
    fn noto(style: &str) -> FontFace {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../web-map/dist/fonts/NotoSans-{style}.ttf"));
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (build the web map: make web)", path.display()));
        FontFace::parse(&format!("Noto Sans {style}"), bytes).unwrap()
    }

    #[test]
    fn metrics_follow_the_freetype_conventions_maplibre_expects() {
        let f = noto("Regular");
        // Noto Sans: 1000 units per em, ascender 1069 → 25.66 px, grid-fitted up to 26.
        assert_eq!(f.ascender, 26);
        let h = f.glyph('H').unwrap();
        // 'H' stands on the baseline, 714 units tall (17.1 px); advance 742 units (17.8 px).
        assert_eq!((h.advance, h.height, h.top), (17, 18, 18 - 26));
        assert!(h.left >= 1 && h.left <= 3, "{h:?}");
        let bitmap = h.bitmap.as_ref().unwrap();
        assert_eq!(bitmap.len(), ((h.width + 6) * (h.height + 6)) as usize);
        // The buffer's corner is outside (< 192, the edge); the stem's middle is inside.
        assert!(bitmap[0] < 100, "{}", bitmap[0]);
        let row = (h.height / 2 + 3) as usize * (h.width + 6) as usize;
        assert!(bitmap[row + 3 + 1] > 192, "{:?}", &bitmap[row..row + 12]);
        let space = f.glyph(' ').unwrap();
        assert_eq!((space.width, space.height), (0, 0));
        assert_eq!(space.bitmap.unwrap().len(), 36);
        assert!(space.advance > 4);
        // 'g' descends below the baseline: its ink's top minus its height is negative.
        let g = f.glyph('g').unwrap();
        assert!(g.top + 26 - (g.height as i32) < 0, "{g:?}");
        assert!(f.glyph('\u{4E2D}').is_none(), "no CJK in Noto Sans");
    }

    #[test]
    fn vietnamese_letters_have_ink_in_every_style() {
        for style in ["Regular", "Bold", "Italic"] {
            let f = noto(style);
            for c in "ẫệỗữĐđƠơƯưĂăÀàẠạẢảÃãẸẹỊịỌọỤụỴỵ"
                .chars()
                .chain('\u{1EA0}'..='\u{1EF9}')
            {
                let g = f.glyph(c).unwrap_or_else(|| panic!("{style}: no {c}"));
                assert!(g.width > 0 && g.height > 0, "{style} {c}: {g:?}");
                let bitmap = g.bitmap.unwrap();
                assert!(bitmap.iter().any(|&v| v > 192), "{style} {c}: no inside");
            }
            // Combining marks have ink but no advance: they sit on the letter before them.
            for c in ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'] {
                let g = f
                    .glyph(c)
                    .unwrap_or_else(|| panic!("{style}: no U+{:04X}", c as u32));
                assert_eq!(g.advance, 0, "{style} U+{:04X}", c as u32);
                assert!(g.width > 0);
            }
        }
        // A marked capital reaches above the plain one.
        let f = noto("Regular");
        assert!(f.glyph('Ẫ').unwrap().top > f.glyph('A').unwrap().top);
        assert!(f.glyph('Đ').unwrap().width >= f.glyph('D').unwrap().width);
    }

    #[test]
    fn a_range_encodes_every_glyph_the_font_has_and_empty_ranges_stay_valid() {
        let f = noto("Bold");
        let bytes = f.glyphs("7680-7935".parse().unwrap());
        let msg = Glyphs::decode(&bytes[..]).unwrap();
        assert_eq!(msg.stacks.len(), 1);
        let stack = &msg.stacks[0];
        assert_eq!(
            (stack.name.as_str(), stack.range.as_str()),
            ("Noto Sans Bold", "7680-7935")
        );
        let ids: Vec<u32> = stack.glyphs.iter().map(|g| g.id).collect();
        for c in '\u{1EA0}'..='\u{1EF9}' {
            assert!(ids.contains(&u32::from(c)), "U+{:04X}", c as u32);
        }
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        let empty = Glyphs::decode(&f.glyphs("57344-57599".parse().unwrap())[..]).unwrap();
        assert_eq!(empty.stacks[0].range, "57344-57599");
        assert!(empty.stacks[0].glyphs.is_empty());
        assert!(FontFace::parse("x", b"not a font".to_vec()).is_err());
    }
}
