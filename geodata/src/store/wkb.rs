//! Geometry ↔ WKB for the `units.geom` column (2D, little-endian ISO WKB, no SRID).
//!
//! geozero's own sqlx integration is built on sqlx 0.8, so the store passes WKB through plain
//! `Vec<u8>` columns and converts here.

use geo_types::{Geometry, MultiPolygon};
use geozero::wkb::Wkb;
use geozero::{CoordDimensions, ToGeo, ToWkb};

use super::{Result, StoreError};

/// Encodes a multipolygon as 2D WKB.
pub fn encode(geometry: &MultiPolygon<f64>) -> Result<Vec<u8>> {
    Geometry::MultiPolygon(geometry.clone())
        .to_wkb(CoordDimensions::xy())
        .map_err(|e| StoreError::Corrupt(format!("cannot encode geometry as WKB: {e}")))
}

/// Decodes WKB holding a polygon or a multipolygon; `what` names the row in errors.
pub fn decode(bytes: &[u8], what: &str) -> Result<MultiPolygon<f64>> {
    let geometry = Wkb(bytes)
        .to_geo()
        .map_err(|e| StoreError::Corrupt(format!("{what}: bad WKB geometry: {e}")))?;
    match geometry {
        Geometry::MultiPolygon(mp) => Ok(mp),
        Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        other => Err(StoreError::Corrupt(format!(
            "{what}: WKB geometry is a {}, expected a (multi)polygon",
            geometry_kind(&other)
        ))),
    }
}

fn geometry_kind(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "point",
        Geometry::Line(_) => "line",
        Geometry::LineString(_) => "linestring",
        Geometry::Polygon(_) => "polygon",
        Geometry::MultiPoint(_) => "multipoint",
        Geometry::MultiLineString(_) => "multilinestring",
        Geometry::MultiPolygon(_) => "multipolygon",
        Geometry::GeometryCollection(_) => "geometry collection",
        Geometry::Rect(_) => "rect",
        Geometry::Triangle(_) => "triangle",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{LineString, Polygon, point};

    fn square_with_hole() -> MultiPolygon<f64> {
        let outer = LineString::from(vec![
            (105.0, 21.0),
            (105.1, 21.0),
            (105.1, 21.1),
            (105.0, 21.1),
            (105.0, 21.0),
        ]);
        let hole = LineString::from(vec![
            (105.02, 21.02),
            (105.02, 21.03),
            (105.03, 21.03),
            (105.02, 21.02),
        ]);
        let other = LineString::from(vec![
            (106.123456789012, 20.0),
            (106.2, 20.0),
            (106.2, 20.1),
            (106.123456789012, 20.0),
        ]);
        MultiPolygon(vec![
            Polygon::new(outer, vec![hole]),
            Polygon::new(other, vec![]),
        ])
    }

    #[test]
    fn round_trip_is_exact() {
        let mp = square_with_hole();
        let bytes = encode(&mp).unwrap();
        // ISO WKB: byte order 1 (little endian), type 6 (multipolygon), 2 polygons.
        assert_eq!(&bytes[..9], &[1, 6, 0, 0, 0, 2, 0, 0, 0]);
        // 9 header + polygon 1 (9 + 4+5*16 + 4+4*16) + polygon 2 (9 + 4+4*16)
        assert_eq!(bytes.len(), 9 + (9 + 84 + 68) + (9 + 68));
        assert_eq!(decode(&bytes, "unit 1").unwrap(), mp);
    }

    #[test]
    fn single_polygon_becomes_multipolygon() {
        let p = square_with_hole().0.remove(0);
        let bytes = Geometry::Polygon(p.clone())
            .to_wkb(CoordDimensions::xy())
            .unwrap();
        assert_eq!(decode(&bytes, "unit 1").unwrap(), MultiPolygon(vec![p]));
    }

    #[test]
    fn rejects_points_and_garbage() {
        let bytes = Geometry::Point(point!(x: 1.0, y: 2.0))
            .to_wkb(CoordDimensions::xy())
            .unwrap();
        assert_eq!(
            decode(&bytes, "unit vn-2025/00004")
                .unwrap_err()
                .to_string(),
            "corrupt store data: unit vn-2025/00004: WKB geometry is a point, expected a (multi)polygon"
        );
        let err = decode(&[1, 6, 0], "unit x").unwrap_err().to_string();
        assert!(
            err.starts_with("corrupt store data: unit x: bad WKB geometry"),
            "{err}"
        );
    }
}
