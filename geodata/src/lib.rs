//! popmap's model and geometry, shared by the ETL and the tile server.
//!
//! Seven concept folders, each a private module whose public items are re-exported here (the
//! list below is the crate's whole surface). Imports between them point down these floors:
//!
//! - `model`: units, levels, codes, boundary versions, periods, the indicator catalog,
//!   snapshots and value tables, Vietnamese text, and the two sparse linear maps (the H3
//!   operator W, the crosswalk C) with their integer apportionment. Imports nothing else.
//! - `store`: the sqlx store (SQLite or PostgreSQL). Imports only the model.
//! - `geometry`: Web Mercator, arc topology, simplification, generalisation, dissolve, snap
//!   rounding. Imports only the model.
//! - `h3`: the H3 grid of a snapshot, footprints, disclosure control, area weights. Imports the
//!   model.
//! - `tiling`: tile addressing, the tile source of a boundary version, MVT encoding, fields and
//!   layers, label points, H3 tiles. Imports the model, geometry and h3.
//! - `glyphs`: map glyphs, a font's characters as signed distance fields in 256-codepoint
//!   ranges (the MapLibre glyph protobuf). Imports nothing else.
//! - `readmodel`: what readers compute from stored data (values harmonised onto another
//!   version, series views, classification). Imports the model, h3 and the store.
//!
//! ARCHITECTURE.md at the repository root draws the whole workspace.

mod geometry;
mod glyphs;
mod h3;
mod model;
mod projection;
mod readmodel;
mod store;
mod tiling;

// The model.
pub use model::ageparts::{FEMALE_GROUPS, MALE_GROUPS, fit_ages};
pub use model::alias::{ALIASES, TYPE_ABBREVIATIONS};
pub use model::apportion::largest_remainder;
pub use model::catalog::about::{About, Stable, Texts};
pub use model::catalog::{
    AREA, Access, AgeSum, BaseIndicator, Catalog, CatalogError, Computation, DerivedIndicator,
    DerivedValue, Expanded, Kind, Sex,
};
pub use model::crosswalk::{Crosswalk, CrosswalkError, Moved, Part, SHARE_TOLERANCE};
pub use model::generalisation::{StoredBand, StoredGeneralisation};
pub use model::hierarchy::{Hierarchy, to_table};
pub use model::level::{Level, UnknownLevel};
pub use model::namequery::{NameMatch, NameQuery, search_key};
pub use model::operator::{
    COARSEST_BUILD, COARSEST_OUTPUT, DEFAULT_RESOLUTION, FINEST, Operator, OperatorError,
    check_resolution,
};
pub use model::period::{Granularity, InvalidPeriod, Period, Variant};
pub use model::snapshot::{NewSnapshot, Snapshot, ValueRow, ValueTable, combine_over_time};
pub use model::targets::assess::{Assessment, Method as TargetMethod, Observed, Status, assess};
pub use model::targets::interval::{Interval, Z95, ratio_interval, share_interval};
pub use model::targets::trend::{Point, Trend};
pub use model::targets::{
    Comparison, IntervalKind, Modelled, Scope, Target, Targets, TargetsError,
};
pub use model::text::{fold, is_nfc, nfc};
pub use model::unit::{Unit, UnitInfo};
pub use model::unittype::{UnitType, split_folded};
pub use model::version::BoundaryVersion;

// Cohort-component projections.
pub use projection::assumptions::{
    ASSUMPTIONS_TOML, Assumptions, Fertility, Method as AssumptionMethod, Migration, Mortality,
    Siler, Variants,
};
pub use projection::engine::{Cohorts, Rates, Schedules, births, project, step};
pub use projection::fit::{Published, expected_deaths, fit};
pub use projection::lifetable::{
    LifeExpectancy, Survival, brass, e0, life_expectancy, standard_lx,
};
pub use projection::{AGES, AgeSex, GROUPS, ProjectionError, group_codes};

// Geometry algorithms.
pub use geometry::crossing::{has_crossing, polygon_is_valid};
pub use geometry::dissolve::dissolve;
pub use geometry::generalise::{DEFAULT_BANDS, Generalised, ZoomBand};
pub use geometry::mercator::{
    EXTENT, MAX_ZOOM, TILE_PIXELS, pixel_metres, project_multipolygon, tile_size, tiles_per_side,
    to_degrees, to_metres, unit_metres,
};
pub use geometry::snapround::HotPixels;
pub use geometry::topology::Topology;

// Vector tiles.
pub use tiling::context::{
    CONTEXT_BOUNDS, CONTEXT_LAYERS, ContextError, ContextTiles, context_source, context_tile,
    context_vector_layers,
};
pub use tiling::fields::{
    ALL_FIELDS, FieldSet, FieldsError, admin_tile, harmonised_tile, unit_props,
};
pub use tiling::h3tile::{LAYER as H3_LAYER, cell_props, h3_tile, resolution_for_zoom};
pub use tiling::labels::{Label, english_name, short_name};
pub use tiling::layers::{MAX_TILE_ZOOM, field_descriptions, outline_zooms, vector_layers};
pub use tiling::mvt::{LayerBuilder, MVT_VERSION, PropValue, encode_tile};
pub use tiling::stored::{BandToPack, STORED_FORMAT, StoredSourceError};
pub use tiling::tile::{TileError, TileId, tiles_covering};
pub use tiling::tileset::{
    LABEL_GRID, LEVEL_ZOOMS, OUTLINE_LAYER, TILE_BUFFER, TileSource, draws_outline, feature_id,
    label_layer_name, levels_for_zoom,
};

// Map glyphs.
pub use glyphs::face::FontFace;
pub use glyphs::range::GlyphRange;
pub use glyphs::{GLYPH_BUFFER, GLYPH_SIZE, GlyphError};

// The H3 population grid.
pub use h3::area::{CoverageError, area_weights};
pub use h3::disclosure::{CellValues, DisclosureRules, cell_values, protect};
pub use h3::footprint::{cover, footprint_counts, footprint_units};
pub use h3::grid::{BOUNDS as H3_BOUNDS, Grid, GridError, GridLevel, SUMS as H3_SUMS};

// The store.
pub use store::{
    ApiKey, BAND_PART_BYTES, Backend, CrosswalkMeta, CrosswalkRow, OperatorInfo, SeriesValue,
    Store, StoreError, UnitHit, UnitPage, UnitQuery, rank_units,
};

// Read models.
pub use readmodel::breaks::{
    BreakNote, Breaks, MAX_CLASSES, MAX_SHARE, PeriodValues, balanced_sample, class_counts,
    human_round, merge_classes, nice, readable_breaks,
};
pub use readmodel::classes::{Method, ckmeans, class_of, thresholds};
pub use readmodel::diverging::{Diverging, NEUTRAL_QUANTILE, diverging};
pub use readmodel::harmonise::{HarmoniseError, Harmonised, Harmoniser, UnitCounts, harmonise};
pub use readmodel::latest::{LATEST_ORDER, latest_snapshot};
pub use readmodel::national::{NATIONAL_CODE, NATIONAL_NAME, NATIONAL_NAME_EN, National, national};
pub use readmodel::series::{
    Counts, ValuesBySnapshot, as_reported_counts, footprint_series, harmonised_counts,
};
