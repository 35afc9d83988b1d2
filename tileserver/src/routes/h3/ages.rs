//! The age side of the H3 family: a snapshot's age grid ([`crate::state::tilecache::AGE_FINEST`],
//! made when asked), `ages=1` on H3 tiles and TileJSON (cells carrying the age indicators), and
//! the age values of one cell. A period without age groups answers 404 naming the newest period
//! that has them, as the unit pyramid does.

use geodata::{Catalog, CellValues, DisclosureRules, Grid, GridLevel, Snapshot, cell_values};
use geodata::{FieldSet, field_descriptions};
use h3o::CellIndex;
use serde_json::{Map, Value};

use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::routes::api::workbook::period_words;
use crate::state::AppState;
use crate::state::tilecache::{AGE_FINEST, GridKind, age_grid_ids};

/// `ages=1|0` (default 0) of H3 tiles and TileJSON: whether cells carry the age indicators,
/// drawn from the age grid (r4–r7).
pub fn ages_param(query: &Params) -> Result<bool, ApiError> {
    match query.str("ages") {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(a) => Err(ApiError::bad_request(
            "ages",
            ["0", "1"],
            format!("ages='{a}': use 1 (cells carry the age indicators, r4–r7) or 0"),
        )),
    }
}

/// Whether `indicator` is a derived indicator made of age groups.
pub fn reads_ages(st: &AppState, indicator: &str) -> bool {
    st.catalog
        .derived(indicator)
        .is_some_and(|d| st.catalog.reads_ages(d))
}

/// The 404 of a snapshot without age groups, naming the newest period that has them.
pub fn no_ages(st: &AppState, snap: &Snapshot) -> ApiError {
    let published = st.published.load();
    let shown = crate::state::published::revision_name(snap);
    ApiError::NotFound(match published.newest_with_ages(|_| true) {
        Some(n) => format!(
            "period {shown} has no age and sex groups: the newest period with them is {} ({})",
            n.period,
            period_words(&n.period)
        ),
        None => {
            format!("period {shown} has no age and sex groups, and no published period has them")
        }
    })
}

/// What a cell of the age grid shows on a tile or beside the default grid's values: the
/// total, the sexes and women 15–49 as counts (the 34 groups are the pyramid's, not the
/// tile's), and every derived value the age grid can compute (a suppressed cell: its total).
pub fn age_cell(
    catalog: &Catalog,
    rules: &DisclosureRules,
    grid: &Grid,
    level: &GridLevel,
    i: usize,
    months: u32,
) -> CellValues {
    let mut v = cell_values(catalog, grid, level, i, months, rules);
    v.counts
        .retain(|(id, _)| catalog.base(id).is_some_and(|b| !b.is_age_group()));
    v
}

/// The age indicators of `index` in `snap` from the age grid (with their unstable flags), when
/// the period has age groups and the cell is no finer than the age grid's finest resolution;
/// none otherwise.
pub async fn age_values(
    st: &AppState,
    snap: &Snapshot,
    index: CellIndex,
) -> Result<Vec<(String, f64, bool)>, ApiError> {
    let res = index.resolution();
    if !st.published.load().has_ages(snap.id) || res > AGE_FINEST {
        return Ok(Vec::new());
    }
    let (a, _turn) = super::grid(st, snap, GridKind::Ages).await?;
    let Some(level) = a.grid.level(res) else {
        return Ok(Vec::new());
    };
    let Some(j) = level.find(index) else {
        return Ok(Vec::new());
    };
    let months = snap.period.month_count();
    let rules = &st.config.disclosure;
    let derived = age_cell(&st.catalog, rules, &a.grid, level, j, months).derived;
    Ok(derived
        .into_iter()
        .filter(|(id, ..)| reads_ages(st, id))
        .collect())
}

/// The `fields` of an H3 TileJSON: the public indicators as the admin layers describe them,
/// on cells instead of units, as far as the tiles' grid computes them: without `ages=1` no age
/// indicator; with it, the age grid's counts but the groups (those are the cell pyramid's) and
/// what they make.
pub fn tile_fields(st: &AppState, with_ages: bool) -> Map<String, Value> {
    let mut fields = field_descriptions(&st.catalog, &FieldSet::all_public(&st.catalog));
    let aged = age_grid_ids(&st.catalog, &st.config.disclosure);
    let computable = |id: &str| match st.catalog.derived(id) {
        Some(d) if with_ages => d
            .inputs()
            .all(|t| t == geodata::AREA || aged.iter().any(|a| a == t)),
        Some(d) => !st.catalog.reads_ages(d),
        None => st
            .catalog
            .base(id)
            .is_none_or(|b| !b.is_age_group() && (!with_ages || aged.contains(&b.id))),
    };
    fields.retain(|id, _| computable(id.strip_suffix("_unstable").unwrap_or(id)));
    fields
}
