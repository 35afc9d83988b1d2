//! A glyph range: 256 consecutive codepoints starting at a multiple of 256, written `N-M`.

use std::fmt;
use std::str::FromStr;

use super::GlyphError;

/// Codepoints per range.
const SPAN: u32 = 256;
/// The last Unicode codepoint.
const MAX_CODEPOINT: u32 = 0x10_FFFF;

/// 256 codepoints `start..=start + 255`, as named in a glyph URL (`0-255`, `7680-7935`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GlyphRange {
    start: u32,
}

impl GlyphRange {
    /// The range holding codepoint `c`.
    pub fn of(c: char) -> GlyphRange {
        GlyphRange {
            start: u32::from(c) / SPAN * SPAN,
        }
    }

    /// The first codepoint.
    pub fn start(self) -> u32 {
        self.start
    }

    /// The last codepoint.
    pub fn end(self) -> u32 {
        self.start + SPAN - 1
    }

    /// The characters of the range (surrogates, which are no characters, left out).
    pub fn chars(self) -> impl Iterator<Item = char> {
        (self.start..=self.end()).filter_map(char::from_u32)
    }
}

impl FromStr for GlyphRange {
    type Err = GlyphError;

    fn from_str(s: &str) -> Result<GlyphRange, GlyphError> {
        let bad = || GlyphError::BadRange(s.chars().take(40).collect());
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let digits =
            |t: &str| !t.is_empty() && t.len() <= 7 && t.bytes().all(|c| c.is_ascii_digit());
        if !digits(a) || !digits(b) {
            return Err(bad());
        }
        let (start, end): (u32, u32) =
            (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
        if start % SPAN != 0 || end != start + SPAN - 1 || end > MAX_CODEPOINT {
            return Err(bad());
        }
        Ok(GlyphRange { start })
    }
}

impl fmt::Display for GlyphRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_and_print_as_maplibre_names_them() {
        for s in [
            "0-255",
            "256-511",
            "768-1023",
            "7680-7935",
            "1113856-1114111",
        ] {
            assert_eq!(s.parse::<GlyphRange>().unwrap().to_string(), s);
        }
        for s in [
            "",
            "0",
            "0-256",
            "1-256",
            "256-255",
            "-0-255",
            "0-255.pbf",
            "+0-255",
            "0x0-255",
            "1114112-1114367",
            "99999999999-0",
            "0-255-511",
            "a-b",
        ] {
            assert!(s.parse::<GlyphRange>().is_err(), "{s}");
        }
        assert_eq!(GlyphRange::of('ẫ').to_string(), "7680-7935");
        assert_eq!(GlyphRange::of('Đ').to_string(), "256-511");
        assert_eq!(GlyphRange::of('\u{0300}').to_string(), "768-1023");
        let r: GlyphRange = "55296-55551".parse().unwrap();
        assert_eq!(r.chars().count(), 0, "surrogates are no characters");
        assert_eq!(GlyphRange::of('a').chars().count(), 256);
    }
}
