//! The H3 family: `/tiles/h3/{period}/{z}/{x}/{y}.mvt`, its TileJSON `/tiles/h3/{period}.json`
//! and the cell API `GET /api/v1/h3/{period}/{cell}`.
//!
//! H3 classes ([`classification`], for `/api/v1/classes?level=h3` and the H3 styles) come
//! from the cells' own values at the resolution drawn at zoom [`CLASS_ZOOM`].
//!
//! A snapshot's grid is the stored operator of its boundary version applied to its commune
//! counts, disclosure-protected once ([`geodata::disclosure`]) and cached. Tiles follow the admin
//! family's HTTP rules (400/404, 204 for empty tiles, ETag/304, gzip/br, immutable revision URLs,
//! `latest` with `Content-Location`); one layer `h3` at the resolution of
//! [`geodata::resolution_for_zoom`]. A version without an operator answers 404 naming
//! the command that builds it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use geodata::COARSEST_OUTPUT;
use geodata::Snapshot;
use geodata::cell_values;
use geodata::{H3_LAYER as LAYER, cell_props, h3_tile, resolution_for_zoom};
use h3o::CellIndex;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::http::conditional::{IMMUTABLE, SHORT};
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::routes::classes::{BreaksMode, Choice, Classification, Note, assemble, timeline};
use crate::routes::tilejson::{MAX_ZOOM, base_url};
use crate::routes::tiles::{parse_tile, tile_response};
use crate::state::AppState;
use crate::state::inflight::Turn;
use crate::state::published::{PeriodRef, Published, revision_name};
use crate::state::tilecache::{AGE_FINEST, GridKind, H3Snapshot, TileKey};

pub mod ages;

use self::ages::{age_cell, ages_param, reads_ages};

/// The period reference in a URL and the snapshot it names (400 malformed, 404 unpublished).
fn snapshot(st: &AppState, period: &str) -> Result<(PeriodRef, Snapshot), ApiError> {
    st.published.load().snapshot(Some(period), None)
}

/// The snapshot's disclosure-protected `kind` grid, from the cache; 404 for an age grid of a
/// period without ages. A grid the cache does not hold is made for the request under a turn of
/// the large requests ([`crate::state::inflight`]): the caller keeps the turn while it uses the
/// grid, which the cache may not keep.
pub(crate) async fn grid(
    st: &AppState,
    snap: &Snapshot,
    kind: GridKind,
) -> Result<(Arc<H3Snapshot>, Option<Turn>), ApiError> {
    if kind == GridKind::Ages && !st.published.load().has_ages(snap.id) {
        return Err(ages::no_ages(st, snap));
    }
    let turn = if st.tiles.has_grid(kind, snap.id) {
        None
    } else {
        let what = match kind {
            GridKind::Default => "an H3 grid",
            GridKind::Ages => "an H3 age grid",
        };
        Some(st.large.turn(what).await?)
    };
    let (rules, catalog) = (&st.config.disclosure, &st.catalog);
    let grid = (st.tiles)
        .grid(kind, &st.store, catalog, rules, snap.id, &snap.version)
        .await?;
    Ok((grid, turn))
}

/// The zoom whose H3 resolution the classes are computed at (the national and regional view).
pub const CLASS_ZOOM: u8 = 6;

/// The values of `indicator` on the populated cells of `snap`'s grid at the resolution of
/// [`CLASS_ZOOM`] (`None` where disclosure control hides the value), and that resolution.
async fn cell_column(
    st: &AppState,
    snap: &Snapshot,
    indicator: &str,
) -> Result<(Vec<Option<f64>>, u8), ApiError> {
    // An age indicator is classified on the age grid's cells (the default grid has no groups).
    let kind = if reads_ages(st, indicator) {
        GridKind::Ages
    } else {
        GridKind::Default
    };
    let (h3, _turn) = grid(st, snap, kind).await?;
    let grid = &h3.grid;
    let res = resolution_for_zoom(CLASS_ZOOM, grid.finest());
    let Some(level) = grid.level(res) else {
        return Ok((Vec::new(), u8::from(res)));
    };
    let rules = &st.config.disclosure;
    let total = grid.column(&rules.total);
    let months = snap.period.month_count();
    let values = (0..level.len())
        .filter(|&i| total.is_none_or(|k| level.row(i)[k] > 0))
        .map(|i| {
            let v = cell_values(&st.catalog, grid, level, i, months, rules);
            v.counts
                .iter()
                .find(|(id, _)| id == indicator)
                .map(|(_, n)| *n as f64)
                .or_else(|| {
                    v.derived
                        .iter()
                        .find(|(id, _, _)| id == indicator)
                        .map(|(_, x, _)| *x)
                })
        })
        .collect();
    Ok((values, u8::from(res)))
}

/// The classes of `indicator` on the H3 cells of `snap`: values of the cells at the resolution
/// of [`CLASS_ZOOM`]; timeline breaks pool the newest period of each boundary version of the
/// granularity (a grid per period is too costly to pool every period).
pub async fn classification(
    st: &AppState,
    snap: &Snapshot,
    indicator: &str,
    choice: Choice,
) -> Result<Classification, ApiError> {
    let (values, res) = cell_column(st, snap, indicator).await?;
    let tl = match choice.breaks {
        BreaksMode::Period => None,
        BreaksMode::Timeline => {
            let id = indicator.to_string();
            let load = move |st: AppState, published: Arc<Published>, s: Snapshot| {
                let indicator = id.clone();
                async move {
                    if !newest_of_its_version(&published, &s) {
                        return Ok(None);
                    }
                    // A version without an H3 operator is left out of the pool.
                    match cell_column(&st, &s, &indicator).await {
                        Ok((v, _)) => Ok(Some(v.into_iter().flatten().collect())),
                        Err(ApiError::NotFound(_)) => Ok(None),
                        Err(e) => Err(e),
                    }
                }
            };
            Some(timeline(st, snap, "h3", indicator, choice, load).await?)
        }
    };
    let mut c = assemble(
        st,
        snap,
        &snap.version,
        "h3",
        indicator,
        choice,
        &values,
        tl.as_deref(),
    );
    if st.catalog.base(indicator).is_some() {
        c.notes.push(Note {
            code: "h3_resolution".into(),
            vi: format!("Các lớp tính trên ô H3 cấp {res} (bản đồ toàn quốc); ô nhỏ hơn khi phóng to có số đếm nhỏ hơn."),
            en: format!("Classes are computed on H3 cells of resolution {res} (the national view); the smaller cells shown when zoomed in hold smaller counts."),
        });
    }
    Ok(c)
}

/// Whether `s` is the newest revision of the newest period of its granularity on its boundary
/// version in `published`: an H3 timeline pools one snapshot per version (a grid each).
fn newest_of_its_version(published: &Published, s: &Snapshot) -> bool {
    let g = s.period.granularity();
    published
        .snapshots
        .iter()
        .filter(|o| o.version == s.version && o.period.granularity() == g)
        .max_by_key(|o| (o.period, o.revision))
        .is_some_and(|n| n.id == s.id)
}

/// `GET /tiles/h3/{period}/{z}/{x}/{y}.mvt`.
pub async fn tile(
    State(st): State<AppState>,
    Path((period, z, x, y)): Path<(String, String, String, String)>,
    query: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_tile(&z, &x, &y)?;
    query.allow(&["ages"])?;
    let with_ages = ages_param(&query)?;
    let (pref, snap) = snapshot(&st, &period)?;
    let kind = if with_ages {
        GridKind::Ages
    } else {
        GridKind::Default
    };
    let (h3, turn) = grid(&st, &snap, kind).await?;
    let key = TileKey::H3 {
        snapshot: snap.id,
        ages: with_ages,
        zxy: (id.z, id.x, id.y),
    };
    let catalog = st.catalog.clone();
    let rules = st.config.disclosure.clone();
    let months = snap.period.month_count();
    let tile = st
        .tiles
        .tile(key, &st.metrics, move || {
            // The turn ends when the tile is made (or found made).
            let _turn = turn;
            let grid = &h3.grid;
            let Some(level) = grid.level(resolution_for_zoom(id.z, grid.finest())) else {
                return Vec::new();
            };
            h3_tile(level, id, |i| {
                cell_props(&if with_ages {
                    age_cell(&catalog, &rules, grid, level, i, months)
                } else {
                    cell_values(&catalog, grid, level, i, months, &rules)
                })
            })
        })
        .await?;
    if pref.is_immutable() {
        return Ok(tile_response(&st, &tile, "h3", &headers, IMMUTABLE));
    }
    let mut resp = tile_response(&st, &tile, "h3", &headers, SHORT);
    let location = format!(
        "/tiles/h3/{}/{}/{}/{}.mvt{}",
        revision_name(&snap),
        id.z,
        id.x,
        id.y,
        if with_ages { "?ages=1" } else { "" }
    );
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::CONTENT_LOCATION, v);
    }
    Ok(resp)
}

fn respond(doc: Value, immutable: bool) -> Response {
    crate::routes::tilejson::respond(doc, if immutable { IMMUTABLE } else { SHORT })
}

/// `GET /tiles/h3/{period}.json`.
pub async fn tilejson(
    State(st): State<AppState>,
    Path(file): Path<String>,
    query: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let name = file
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::NotFound(format!("no such resource '/tiles/h3/{file}'")))?;
    query.allow(&["ages"])?;
    let with_ages = ages_param(&query)?;
    let (pref, snap) = snapshot(&st, name)?;
    if with_ages && !st.published.load().has_ages(snap.id) {
        return Err(ages::no_ages(&st, &snap));
    }
    let op = st.tiles.operator(&st.store, &snap.version).await?;
    let finest = if with_ages {
        op.0.resolution.min(AGE_FINEST)
    } else {
        op.0.resolution
    };
    let b = st.store.version_bounds(&snap.version).await?.unwrap_or([
        -180.0,
        -85.051_128,
        180.0,
        85.051_128,
    ]);
    let mut fields = ages::tile_fields(&st, with_ages);
    fields.remove("code");
    fields.remove("name");
    fields.insert("cell".into(), json!("String: H3 cell index (hex)"));
    fields.insert("resolution".into(), json!("Number: H3 resolution"));
    fields.insert(
        "suppressed".into(),
        json!("Boolean: present and true when the cell shows its total only (disclosure control)"),
    );
    let zooms: Vec<Value> = (0..=MAX_ZOOM)
        .map(|z| json!({"zoom": z, "resolution": u8::from(resolution_for_zoom(z, finest))}))
        .collect();
    let rules = &st.config.disclosure;
    let doc = json!({
        "tilejson": "3.0.0",
        "name": format!("popmap H3 {} r{}", snap.period, snap.revision),
        "description": format!(
            "Population of period {} (revision {}) on the H3 grid (r{}–r{}), from boundary version {}.{}",
            snap.period, snap.revision, u8::from(COARSEST_OUTPUT), u8::from(finest), snap.version,
            if st.config.synthetic { " SYNTHETIC demo values, not real statistics." } else { "" }
        ),
        "version": "1.0.0",
        "attribution": if st.config.synthetic { "popmap demo: synthetic values" } else { "popmap" },
        "scheme": "xyz",
        "tiles": [format!("{}/tiles/h3/{}/{{z}}/{{x}}/{{y}}.mvt{}", base_url(&st, &headers), revision_name(&snap), if with_ages { "?ages=1" } else { "" })],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": b,
        "center": [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0, 5.0],
        "vector_layers": [{
            "id": LAYER,
            "description": "H3 hexagons; resolution chosen by zoom",
            "minzoom": 0,
            "maxzoom": MAX_ZOOM,
            "fields": fields,
        }],
        "popmap": {
            "family": "h3",
            "period": snap.period.to_string(),
            "revision": snap.revision,
            "version": snap.version,
            "operator_weights": op.0.weights,
            "resolutions": zooms,
            "disclosure": {"min_population": rules.min_total, "min_numerator": rules.min_numerator},
            "ages": with_ages,
            "synthetic": st.config.synthetic,
            "empty_tiles": "204 No Content",
        },
    });
    Ok(respond(doc, pref.is_immutable()))
}

/// A commune a cell draws from.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CellCommune {
    /// Commune code.
    pub code: String,
    /// Commune name.
    pub name: String,
    /// The fraction of the commune's people placed in the cell.
    pub share: f64,
}

/// Disclosure flags of a cell.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CellFlags {
    /// True when the cell shows its total only (fewer people than the disclosure minimum, or
    /// suppressed against differencing).
    pub suppressed: bool,
    /// Derived values whose numerator is under the minimum: shown, but unstable.
    pub unstable: Vec<String>,
}

/// The answer of `/api/v1/h3/{period}/{cell}`. Fields are in alphabetical order, the order of
/// the keys of the `serde_json` object this answer was built as before it had a schema.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CellAnswer {
    /// The cell index (hex).
    pub cell: String,
    /// The communes the cell draws from, by code.
    pub communes: Vec<CellCommune>,
    /// Disclosure flags.
    pub flags: CellFlags,
    /// The period.
    pub period: String,
    /// The cell's H3 resolution.
    pub resolution: u8,
    /// The revision served.
    pub revision: i64,
    /// The public counts and derived values shown (a suppressed cell shows its total only); in
    /// a period with age groups, the age indicators too, on cells of r4 to r7.
    #[schema(value_type = Object)]
    pub values: Map<String, Value>,
    /// The boundary version of the period (whose H3 operator built the grid).
    pub version: String,
}

/// The communes `index` draws from, with the share of each one's people placed in it.
fn communes_of(
    op: &geodata::Operator,
    names: &HashMap<&str, &str>,
    index: CellIndex,
) -> Vec<CellCommune> {
    let res = index.resolution();
    let mut communes = Vec::new();
    for (code, cells) in op.units() {
        let up = |c: &CellIndex| c.parent(res).unwrap_or(*c);
        let start = cells.partition_point(|(c, _)| up(c) < index);
        let end = cells.partition_point(|(c, _)| up(c) <= index);
        if start < end {
            let share: f64 = cells[start..end].iter().map(|(_, s)| s).sum();
            communes.push(CellCommune {
                code: code.to_string(),
                name: names.get(code).copied().unwrap_or("").to_string(),
                share,
            });
        }
    }
    communes
}

/// An H3 cell index in hex from a URL, or 400.
pub fn parse_cell(cell: &str) -> Result<CellIndex, ApiError> {
    cell.parse().map_err(|_| {
        ApiError::bad_request(
            "cell",
            "an H3 cell index in hex, e.g. 88415cb4d1fffff",
            format!("'{cell}' is not an H3 cell index"),
        )
    })
}

/// `GET /api/v1/h3/{period}/{cell}`: the cell's publishable values and the communes it draws
/// from (`share`: the fraction of the commune's people placed in the cell).
#[utoipa::path(
    get,
    path = "/api/v1/h3/{period}/{cell}",
    tag = "h3",
    params(
        ("period" = String, Path, description = "`latest`, a period (`2025-06`, `2025-Q3`, `2025`: its newest revision) or one revision (`2025-06@r2`)", example = "latest"),
        ("cell" = String, Path, description = "An H3 cell index (hex), at a resolution from r4 to the grid's build resolution", example = "88415cb4d1fffff"),
    ),
    responses(
        (status = 200, description = "OK", body = CellAnswer, content_type = "application/json"),
        crate::routes::api::openapi::ErrorResponses,
    )
)]
pub async fn cell(
    State(st): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Params,
) -> Result<Response, ApiError> {
    let (period, cell) = crate::http::query::path(path)?;
    query.allow(&[])?;
    let (pref, snap) = snapshot(&st, &period)?;
    let index = parse_cell(&cell)?;
    let (h3, _turn) = grid(&st, &snap, GridKind::Default).await?;
    let res = index.resolution();
    let grid = &h3.grid;
    let Some(level) = grid.level(res) else {
        let (coarsest, finest) = (u8::from(COARSEST_OUTPUT), u8::from(grid.finest()));
        return Err(ApiError::bad_request(
            "cell",
            format!("a cell of resolution r{coarsest} to r{finest}"),
            format!(
                "cell {index} is at r{}; this grid serves r{coarsest}–r{finest}",
                u8::from(res)
            ),
        ));
    };
    let rules = &st.config.disclosure;
    let total = grid.column(&rules.total);
    let i = level
        .find(index)
        .filter(|&i| total.is_none_or(|k| level.row(i)[k] > 0))
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "cell {index} has no people in period {}",
                snap.period
            ))
        })?;
    let v = cell_values(
        &st.catalog,
        grid,
        level,
        i,
        snap.period.month_count(),
        rules,
    );
    let mut values = Map::new();
    for (id, n) in &v.counts {
        values.insert(id.clone(), json!(n));
    }
    let mut derived = v.derived;
    derived.extend(ages::age_values(&st, &snap, index).await?);
    let mut unstable = Vec::new();
    for (id, x, u) in &derived {
        values.insert(id.clone(), json!(x));
        if *u {
            unstable.push(id.clone());
        }
    }
    let src = st.tiles.source(&st.store, &snap.version).await?;
    let names: HashMap<&str, &str> = src
        .units()
        .iter()
        .map(|u| (u.code.as_str(), u.name.as_str()))
        .collect();
    let communes = communes_of(&h3.operator.1, &names, index);
    let doc = CellAnswer {
        cell: index.to_string(),
        communes,
        flags: CellFlags {
            suppressed: v.suppressed,
            unstable,
        },
        period: snap.period.to_string(),
        resolution: u8::from(res),
        revision: snap.revision,
        values,
        version: snap.version,
    };
    Ok(respond(
        serde_json::to_value(&doc).expect("JSON of plain values"),
        pref.is_immutable(),
    ))
}
