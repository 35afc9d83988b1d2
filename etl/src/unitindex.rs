//! An R-tree of units' bounding boxes: which units may contain a point, before the exact test.

use geo::BoundingRect;
use geodata::Unit;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

/// A bounding box with the unit's index.
pub type UnitBox = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// The R-tree of the units' bounding boxes (data: index in `units`; empty geometries left out).
pub fn unit_index(units: &[&Unit]) -> RTree<UnitBox> {
    RTree::bulk_load(
        units
            .iter()
            .enumerate()
            .filter_map(|(i, u)| {
                let r = u.geometry.bounding_rect()?;
                let rect = Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                Some(GeomWithData::new(rect, i))
            })
            .collect(),
    )
}
