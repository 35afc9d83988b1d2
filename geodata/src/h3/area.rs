//! Default weights: the area of each H3 cell inside a unit's polygon.

use h3o::{CellIndex, Resolution};

/// Errors measuring a unit's cells.
#[derive(Debug, thiserror::Error)]
#[error("unit {unit}: polygon refused by the H3 tiler: {source}")]
pub struct CoverageError {
    /// The unit code.
    pub unit: String,
    /// The tiler's reason.
    pub source: h3o::error::InvalidGeometry,
}

/// Area weights of a unit's polygon (WGS84 degrees): every cell it touches with the area (m²)
/// of the cell inside it. Cells fully inside skip the geometry op; border cells are clipped, so
/// a border cell is shared between neighbours by area and never counted twice.
pub fn area_weights(
    unit: &str,
    polygon: &geo::MultiPolygon<f64>,
    resolution: Resolution,
) -> Result<Vec<(CellIndex, f64)>, CoverageError> {
    use geo::{BooleanOps, ChamberlainDuquetteArea};
    use h3o::geom::{ContainmentMode, TilerBuilder};
    let mut tiler = TilerBuilder::new(resolution)
        .containment_mode(ContainmentMode::Covers)
        .build();
    for part in polygon {
        tiler.add(part.clone()).map_err(|source| CoverageError {
            unit: unit.to_owned(),
            source,
        })?;
    }
    let mut out = Vec::new();
    for annotated in tiler.into_annotated_coverage() {
        let hexagon = geo::MultiPolygon::from(annotated.cell);
        let area = if annotated.is_fully_contained {
            hexagon.chamberlain_duquette_unsigned_area()
        } else {
            polygon
                .intersection(&hexagon)
                .chamberlain_duquette_unsigned_area()
        };
        if area > 0.0 {
            out.push((annotated.cell, area));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::operator::cell_at as cell;

    #[test]
    fn area_weights_cover_the_square_and_match_its_area() {
        use geo::{ChamberlainDuquetteArea, polygon};
        let square = geo::MultiPolygon::new(vec![polygon![
            (x: 105.80, y: 21.00), (x: 105.83, y: 21.00), (x: 105.83, y: 21.03),
            (x: 105.80, y: 21.03), (x: 105.80, y: 21.00)
        ]]);
        let weights = area_weights("01", &square, Resolution::Eight).expect("valid square");
        let total: f64 = weights.iter().map(|(_, w)| w).sum();
        let expected = square.chamberlain_duquette_unsigned_area();
        assert!(
            (total / expected - 1.0).abs() < 1e-6,
            "{total} vs {expected}"
        );
        let centre = cell(21.015, 105.815, Resolution::Eight);
        assert!(weights.iter().any(|(c, _)| *c == centre));
    }
}
