//! The styles' sprite, `/sprites/popmap{,@2x}.{json,png}` (the MapLibre sprite protocol): a
//! stretchable image, `plate`, a rounded white label plate drawn behind province names, and
//! `hatch`, a repeating pattern of dark grey diagonal lines on transparent that the web map
//! lays over units whose value rests on small numbers (unstable).
//!
//! Why hatching: an unstable value must be marked in a way that survives greyscale print and
//! colour-blind reading, so a second colour will not do; lines over the class colour keep the
//! colour readable and say "do not trust this one".
//!
//! Why a plate: a name over the darkest class needs more white round it than a text halo can
//! give, because MapLibre's glyphs carry a 3 px distance field, which caps the halo at about
//! 1.75 px at 14 px text; the word space of "Hà Nội" then shows the fill through it. The plate
//! is made here (a few pixels, drawn in code and encoded with the `png` crate) so a style needs
//! nothing from outside this server.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use crate::http::conditional::immutable;
use crate::http::encoding::TileBody;
use crate::http::error::ApiError;

/// The image name styles use for the label plate.
pub const PLATE: &str = "plate";

/// The image name of the pattern laid over unstable values (`fill-pattern`).
pub const HATCH: &str = "hatch";

/// Side of the hatch tile at pixel ratio 1 (one line per tile, so lines are 8 px apart along
/// each axis, about 5.7 px apart across), its line width in pixels and its RGBA ink.
const HATCH_SIDE: u32 = 8;
const HATCH_WIDTH: f64 = 1.4;
const HATCH_INK: [u8; 4] = [40, 40, 40, 230];

/// Side of the plate image at pixel ratio 1, and the corner radius and margin that do not stretch.
const SIDE: u32 = 24;
const CORNER: f64 = 5.0;

/// One sprite sheet (index JSON and PNG) at one pixel ratio.
struct Sheet {
    index: TileBody,
    png: TileBody,
}

static SHEETS: LazyLock<[Sheet; 2]> = LazyLock::new(|| [sheet(1), sheet(2)]);

/// The sheet at `ratio`: the plate at (0, 0) and the hatch tile to its right.
fn sheet(ratio: u32) -> Sheet {
    let side = SIDE * ratio;
    let edge = 6 * ratio;
    let hatch = HATCH_SIDE * ratio;
    let index = json!({
        PLATE: {
            "x": 0, "y": 0, "width": side, "height": side, "pixelRatio": ratio,
            "stretchX": [[edge, side - edge]],
            "stretchY": [[edge, side - edge]],
            "content": [2 * ratio, ratio, side - 2 * ratio, side - ratio],
        },
        HATCH: { "x": side, "y": 0, "width": hatch, "height": hatch, "pixelRatio": ratio },
    });
    let plate = plate_pixels(side, CORNER * f64::from(ratio), f64::from(ratio));
    let lines = hatch_pixels(hatch, HATCH_WIDTH * f64::from(ratio));
    let width = side + hatch;
    let mut px = vec![0u8; (width * side * 4) as usize];
    paste(&mut px, width, &plate, side, 0);
    paste(&mut px, width, &lines, hatch, side);
    Sheet {
        index: TileBody::new(serde_json::to_vec(&index).expect("JSON")),
        png: TileBody::new(encode_png(&px, width, side)),
    }
}

/// Copies the square RGBA image `img` (side `side`) into the sheet `px` (width `width`) at
/// column `x`, row 0.
fn paste(px: &mut [u8], width: u32, img: &[u8], side: u32, x: u32) {
    for row in 0..side {
        let from = (row * side * 4) as usize;
        let to = ((row * width + x) * 4) as usize;
        px[to..to + (side * 4) as usize].copy_from_slice(&img[from..from + (side * 4) as usize]);
    }
}

/// RGBA pixels of one hatch tile: a line along x + y = side (and its wrap at 0 and 2·side),
/// anti-aliased by the distance of each pixel centre to it, so tiles join into endless
/// diagonals.
fn hatch_pixels(side: u32, width: f64) -> Vec<u8> {
    let s = f64::from(side);
    let mut px = Vec::with_capacity((side * side * 4) as usize);
    for y in 0..side {
        for x in 0..side {
            let sum = f64::from(x) + f64::from(y) + 1.0;
            let d = [0.0, s, 2.0 * s]
                .iter()
                .map(|k| (sum - k).abs() / std::f64::consts::SQRT_2)
                .fold(f64::INFINITY, f64::min);
            let cover = (width / 2.0 + 0.5 - d).clamp(0.0, 1.0);
            let [r, g, b, a] = HATCH_INK;
            px.extend_from_slice(&[r, g, b, (f64::from(a) * cover).round() as u8]);
        }
    }
    px
}

/// RGBA pixels of a white, slightly translucent rounded rectangle with a thin grey rim,
/// anti-aliased by the distance of each pixel centre to the rounded outline.
fn plate_pixels(side: u32, radius: f64, rim: f64) -> Vec<u8> {
    let s = f64::from(side);
    let mut px = Vec::with_capacity((side * side * 4) as usize);
    for y in 0..side {
        for x in 0..side {
            let (cx, cy) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            // Signed distance to the rounded rectangle inset by half a pixel (negative inside).
            let qx = (cx - s / 2.0).abs() - (s / 2.0 - 0.5 - radius);
            let qy = (cy - s / 2.0).abs() - (s / 2.0 - 0.5 - radius);
            let outside = qx.max(0.0).hypot(qy.max(0.0));
            let d = outside + qx.max(qy).min(0.0) - radius;
            let cover = (0.5 - d).clamp(0.0, 1.0);
            let in_rim = (d + rim).clamp(0.0, 1.0);
            let grey = 255.0 - 80.0 * in_rim;
            let alpha = cover * (0.88 + 0.12 * in_rim);
            let c = grey.round() as u8;
            px.extend_from_slice(&[c, c, c, (alpha * 255.0).round() as u8]);
        }
    }
    px
}

/// RGBA pixels `px` (`width` × `height`) as PNG.
fn encode_png(px: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().expect("PNG header into memory");
    w.write_image_data(px).expect("PNG data into memory");
    w.finish().expect("PNG end into memory");
    out
}

/// `GET /sprites/{file}`: `popmap.json`, `popmap.png`, `popmap@2x.json`, `popmap@2x.png`.
pub async fn sprite(Path(file): Path<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    let (sheet, kind) = match file.as_str() {
        "popmap.json" => (&SHEETS[0], "json"),
        "popmap.png" => (&SHEETS[0], "png"),
        "popmap@2x.json" => (&SHEETS[1], "json"),
        "popmap@2x.png" => (&SHEETS[1], "png"),
        _ => {
            let shown: String = file.chars().take(60).collect();
            return Err(ApiError::NotFound(format!(
                "no sprite file '{shown}'; the sprite is /sprites/popmap (.json, .png, @2x)"
            )));
        }
    };
    let (body, content_type) = match kind {
        "json" => (&sheet.index, "application/json"),
        _ => (&sheet.png, "image/png"),
    };
    // PNG is already compressed: only the index is worth a content coding.
    Ok(immutable(body, &headers, content_type, kind == "json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plate_is_opaque_inside_clear_outside_and_a_valid_png() {
        let px = plate_pixels(24, 5.0, 1.0);
        let alpha = |x: usize, y: usize| px[(y * 24 + x) * 4 + 3];
        assert_eq!(alpha(0, 0), 0, "the rounded corner is transparent");
        assert!(alpha(12, 12) > 200, "the middle is nearly opaque");
        assert_eq!(px[(12 * 24 + 12) * 4], 255, "the middle is white");
        assert!(px[(12 * 24) * 4] < 255, "the rim is grey");
        let png = encode_png(&px, 24, 24);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let dec = png::Decoder::new(std::io::Cursor::new(png));
        let reader = dec.read_info().expect("decodes");
        assert_eq!((reader.info().width, reader.info().height), (24, 24));
    }

    #[test]
    fn the_hatch_is_diagonal_lines_that_tile_seamlessly() {
        for ratio in [1, 2] {
            let side = HATCH_SIDE * ratio;
            let px = hatch_pixels(side, HATCH_WIDTH * f64::from(ratio));
            let alpha = |x: u32, y: u32| px[((y % side) * side + (x % side)) as usize * 4 + 3];
            // On the anti-diagonal: ink; half a period away: clear.
            assert!(alpha(side - 1, 0) > 150, "ink on the line at r{ratio}");
            assert_eq!(alpha(side / 2 - 1, 0), 0, "clear between lines at r{ratio}");
            let inked = (0..side * side)
                .filter(|i| px[*i as usize * 4 + 3] > 100)
                .count();
            let share = inked as f64 / f64::from(side * side);
            assert!(
                (0.1..0.4).contains(&share),
                "ink covers {share} at r{ratio}"
            );
            // Seamless: the pattern is the same one period on along the line.
            for i in 0..side {
                assert_eq!(alpha(i, side - 1 - i), alpha(side - 1, 0));
            }
        }
        let sheet = sheet(2);
        let index: serde_json::Value =
            serde_json::from_slice(sheet.index.body(crate::http::encoding::Encoding::Identity))
                .unwrap();
        assert_eq!(index[HATCH]["x"], 48);
        assert_eq!(index[HATCH]["width"], 16);
    }
}
