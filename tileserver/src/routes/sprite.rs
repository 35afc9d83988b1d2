//! The styles' sprite, `/sprites/popmap{,@2x}.{json,png}` (the MapLibre sprite protocol): one
//! stretchable image, `plate`, a rounded white label plate drawn behind province names.
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

/// Side of the plate image at pixel ratio 1, and the corner radius and margin that do not stretch.
const SIDE: u32 = 24;
const CORNER: f64 = 5.0;

/// One sprite sheet (index JSON and PNG) at one pixel ratio.
struct Sheet {
    index: TileBody,
    png: TileBody,
}

static SHEETS: LazyLock<[Sheet; 2]> = LazyLock::new(|| [sheet(1), sheet(2)]);

fn sheet(ratio: u32) -> Sheet {
    let side = SIDE * ratio;
    let edge = 6 * ratio;
    let index = json!({
        PLATE: {
            "x": 0, "y": 0, "width": side, "height": side, "pixelRatio": ratio,
            "stretchX": [[edge, side - edge]],
            "stretchY": [[edge, side - edge]],
            "content": [2 * ratio, ratio, side - 2 * ratio, side - ratio],
        }
    });
    Sheet {
        index: TileBody::new(serde_json::to_vec(&index).expect("JSON")),
        png: TileBody::new(plate_png(side, CORNER * f64::from(ratio), f64::from(ratio))),
    }
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

fn plate_png(side: u32, radius: f64, rim: f64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, side, side);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().expect("PNG header into memory");
    w.write_image_data(&plate_pixels(side, radius, rim))
        .expect("PNG data into memory");
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
        let png = plate_png(24, 5.0, 1.0);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let dec = png::Decoder::new(std::io::Cursor::new(png));
        let reader = dec.read_info().expect("decodes");
        assert_eq!((reader.info().width, reader.info().height), (24, 24));
    }
}
