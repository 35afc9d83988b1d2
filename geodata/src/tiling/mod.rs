//! Vector tiles: XYZ addressing, the per-version tile source of administrative units, MVT
//! encoding, the fields and layers a tile carries, label points, H3 hexagon tiles and the static
//! country context. Imports the model, the geometry algorithms and the H3 grid.

pub(crate) mod clip;
pub(crate) mod context;
pub(crate) mod fields;
pub(crate) mod h3tile;
pub(crate) mod labels;
pub(crate) mod layers;
pub(crate) mod mvt;
pub(crate) mod stored;
pub(crate) mod tile;
pub(crate) mod tileset;
