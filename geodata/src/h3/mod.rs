//! The H3 population grid: default area weights of the operator, the grid a snapshot's counts
//! make on it (every resolution, exact sums), the footprint of a unit on the grid, and the
//! disclosure control of cell values. Imports only the model.

pub(crate) mod area;
pub(crate) mod disclosure;
pub(crate) mod footprint;
pub(crate) mod grid;
