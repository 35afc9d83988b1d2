//! The pyramid of one H3 cell: `GET /api/v1/h3/{period}/{cell}/pyramid`, named like the cell
//! API it extends (`/api/v1/h3/{period}/{cell}`). The groups come from the snapshot's age grid
//! (`state::tilecache` `grids.rs`: r4–r7, made when first asked), read through the unit
//! pyramid's [`Pyramid`], with the national pyramid as the outline.
//!
//! Disclosure: a cell that disclosure control suppresses shows no groups (200 with
//! `suppressed: true`, its population only, as the cell API shows its total only); a cell finer
//! than r7 gets its r7 parent's pyramid (the answer's `cell`), because 34 groups of a smaller
//! area come close to describing households. A period without age groups is a 404 naming the
//! newest period with them.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::{COARSEST_OUTPUT, Snapshot};
use h3o::CellIndex;
use serde::Serialize;

use super::shape::{GroupRow, Pyramid, Totals};
use super::{Outline, Outlines, PeriodCounts, PyramidPeriod};
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::{ResponseCache, Table, prepare};
use crate::routes::h3::parse_cell;
use crate::state::AppState;
use crate::state::access::Caller;
use crate::state::tilecache::{AGE_FINEST, GridKind};

/// One H3 cell's pyramid in one period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CellPyramid {
    /// The cell the pyramid is of (hex): the cell asked, or its r7 parent for a finer one.
    pub cell: String,
    /// The cell asked (hex).
    pub asked: String,
    /// The resolution of `cell`.
    pub resolution: u8,
    /// The period.
    pub period: PyramidPeriod,
    /// The boundary version whose H3 operator placed the counts on the grid.
    pub version: String,
    /// True when disclosure control hides the cell's split: no groups and no totals, only
    /// `population`.
    pub suppressed: bool,
    /// The cell's population (shown even when suppressed, as on the map).
    pub population: i64,
    /// The 17 groups (0–4 … 80+), youngest first; empty when suppressed.
    pub groups: Vec<GroupRow>,
    /// The groups summed (`null` when suppressed).
    pub totals: Option<Totals>,
    /// The national pyramid as shares (`parent` is always `null`: a cell has no parent unit).
    pub outline: Outlines,
}

/// The query of `GET /api/v1/h3/{period}/{cell}/pyramid`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct CellPyramidQuery {
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV
    pub format: Option<String>,
}

/// `GET /api/v1/h3/{period}/{cell}/pyramid`: the 17 age groups per sex of an H3 cell.
#[utoipa::path(
    get,
    path = "/api/v1/h3/{period}/{cell}/pyramid",
    tag = "h3",
    params(
        ("period" = String, Path, description = "`latest`, a period (`2025-06`, `2025-Q3`, `2025`: its newest revision) or one revision (`2025-06@r2`)", example = "2025-12"),
        ("cell" = String, Path, description = "An H3 cell index (hex) from r4 to the grid's build resolution; a cell finer than r7 gets its r7 parent's pyramid", example = "87415cb4dffffff"),
        CellPyramidQuery
    ),
    responses(
        (status = 200, description = "OK", content((CellPyramid = "application/json"), (String = "text/csv"))),
        super::super::openapi::ErrorResponses,
    )
)]
pub async fn cell(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (period, cell) = crate::http::query::path(path)?;
    params.allow_for::<CellPyramidQuery>()?;
    let format = params.format(&headers)?;
    let asked = parse_cell(&cell)?;
    let published = st.published.load_full();
    let (_, snap) = published.snapshot(Some(&period), None)?;
    let index = pyramid_cell(asked)?;
    let extra = format!("{format:?}|{index}|{asked}");
    let key = ResponseCache::key("h3-pyramid", snap.id, &caller, &params, &extra);
    if let Some(hit) = st.api.responses.get(&key).await {
        return Ok(hit.send(&headers, &caller));
    }
    let (h3, _turn) = crate::routes::h3::grid(&st, &snap, GridKind::Ages).await?;
    let grid = &h3.grid;
    let rules = &st.config.disclosure;
    let Some(level) = grid.level(index.resolution()) else {
        return Err(ApiError::bad_request(
            "cell",
            format!(
                "a cell of resolution r{} or finer",
                u8::from(COARSEST_OUTPUT)
            ),
            format!(
                "this grid has no cells of r{}",
                u8::from(index.resolution())
            ),
        ));
    };
    let total = grid.column(&rules.total);
    let population = |i: usize| total.map_or(0, |k| i64::from(level.row(i)[k]));
    let i = level
        .find(index)
        .filter(|&i| population(i) > 0)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "cell {index} has no people in period {}",
                snap.period
            ))
        })?;
    let suppressed = level.suppressed[i];
    // A suppressed cell shows no groups (see the module doc).
    let pyramid = (!suppressed)
        .then(|| {
            let counts: BTreeMap<String, i64> = grid
                .indicators()
                .iter()
                .zip(level.row(i))
                .map(|(id, n)| (id.clone(), i64::from(*n)))
                .collect();
            Pyramid::of(Some(&counts))
        })
        .flatten();
    let national = national_outline(&st, &snap).await?;
    let (groups, totals) = match pyramid {
        Some(p) => (p.groups, Some(p.totals)),
        None => (Vec::new(), None),
    };
    let doc = CellPyramid {
        cell: index.to_string(),
        asked: asked.to_string(),
        resolution: u8::from(index.resolution()),
        period: PyramidPeriod::of(&snap),
        version: snap.version.clone(),
        suppressed,
        population: population(i),
        groups,
        totals,
        outline: Outlines {
            parent: None,
            national,
        },
    };
    let prepared = prepare(format, &doc, || Some(csv_table(&doc)))?;
    Ok(st
        .api
        .responses
        .put(key, prepared)
        .await
        .send(&headers, &caller))
}

/// The cell whose pyramid answers for `asked`: itself, or its parent at the age grid's finest
/// resolution; 400 for a cell coarser than the grid's coarsest.
fn pyramid_cell(asked: CellIndex) -> Result<CellIndex, ApiError> {
    if asked.resolution() < COARSEST_OUTPUT {
        return Err(ApiError::bad_request(
            "cell",
            format!(
                "a cell of resolution r{} or finer",
                u8::from(COARSEST_OUTPUT)
            ),
            format!(
                "cell {asked} is at r{}; pyramids are given from r{} down",
                u8::from(asked.resolution()),
                u8::from(COARSEST_OUTPUT)
            ),
        ));
    }
    Ok(asked.parent(AGE_FINEST).unwrap_or(asked))
}

/// The national pyramid of `snap` as a share outline.
async fn national_outline(st: &AppState, snap: &Snapshot) -> Result<Option<Outline>, ApiError> {
    let units = st.api.units.get(&st.store, &snap.version).await?;
    let main = PeriodCounts::load(st, &units, snap.clone(), &snap.version).await?;
    Ok(main.national.as_ref().map(|py| Outline {
        code: geodata::NATIONAL_CODE.into(),
        name: geodata::NATIONAL_NAME.into(),
        groups: py.shares(),
    }))
}

/// The CSV: one row per age group (none when the cell is suppressed).
fn csv_table(p: &CellPyramid) -> Table {
    let lead = [Some(p.cell.clone()), Some(p.resolution.to_string())];
    Table {
        columns: super::group_columns(&["cell", "resolution"]),
        rows: super::group_rows(&lead, &p.period, &p.version, &p.groups).collect(),
    }
}
