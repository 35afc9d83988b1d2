//! MapLibre style documents at `/styles/{name}.json` (names and indicators from
//! `styles/indicators.json`; `/styles/index.json` lists them).
//!
//! Query: `period=` (default `latest`), `method=`, `k=`, and `join=`:
//! - `join=props` (default): a self-contained style over the admin tiles of one revision, each
//!   level's fill a `step` expression over the indicator property with the server's classes
//!   (its source's TileJSON asks for that property, `?fields={indicator}`: tiles are compact
//!   by default);
//! - `join=state`: the same classes over `["feature-state", "v"]` on boundary tiles, for the
//!   web map, which loads per-period values from `/api/v1/map/values` and so never refetches
//!   geometry when only the period changes.
//!
//! Every source, and the glyphs (`/fonts/{fontstack}/{range}.pbf`), is on this server (public
//! base URL respected), so a style needs no external network. Layers, bottom to top
//! ([`context`], [`layers`]):
//!
//! | layers | what |
//! |---|---|
//! | `background` | the sea |
//! | `context-land`, `context-land-vn` | neighbouring countries (quiet grey), Vietnam's land |
//! | `{level}-fill`, `{level}-line` | the data, one pair per level at its zooms |
//! | `context-border` | Vietnam's national outline |
//! | `province-outline` | province borders where communes or districts are drawn |
//! | `{level}-hover` | the web map's hover outline (`join=state`) |
//! | `context-island-shape`, `context-island` | the Hoàng Sa and Trường Sa islands |
//! | `{level}-label` | unit names (`label`; the web map swaps in `label_en` in English) |
//! | `context-country-label`, `context-archipelago-label` | neighbours' and archipelagos' names |
//!
//! The H3 style has the context, the hexagons and the province names (from the boundary tiles).

mod context;
mod layers;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::{BoundaryVersion, Level, Snapshot};
use serde_json::{Value, json};

use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::json_response;
use crate::routes::classes::{Choice, classification};
use crate::routes::mapdata::snapshot_for;
use crate::routes::palette::{Basemap, NamedStyle, StyleConfig, StyleSource};
use crate::routes::tilejson::base_url;
use crate::state::AppState;
use crate::state::published::revision_name;

pub use layers::{Join, fill_expression, level_zooms};

/// `GET /styles/index.json`: the named styles and their indicators.
pub async fn index(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(&st, &headers);
    let cfg = StyleConfig::builtin();
    let list: Vec<Value> = cfg
        .styles
        .iter()
        .map(|(name, s)| {
            json!({
                "name": name, "indicator": s.indicator,
                "source": match s.source { StyleSource::Admin => "admin", StyleSource::H3 => "h3" },
                "url": format!("{base}/styles/{name}.json"),
            })
        })
        .collect();
    json_response(&headers, serde_json::to_vec(&list).expect("JSON"), false)
}

/// `GET /styles/{name}.json`.
pub async fn style(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(file): Path<String>,
    q: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let name = file
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::NotFound(format!("'{file}': styles end in .json")))?;
    if name == "index" {
        return Ok(index(State(st), headers).await);
    }
    q.allow(&[
        "period", "method", "k", "join", "version", "breaks", "level",
    ])?;
    let cfg = StyleConfig::builtin();
    let mut named = named_style(&st, cfg, name, &caller)?;
    // `level=h3`: the indicator's H3 style (the named `h3-*` styles are H3 already).
    match q.get("level").map(String::as_str) {
        None => {}
        Some("h3") => named.to_mut().source = StyleSource::H3,
        Some(l) => {
            return Err(ApiError::bad_request(
                "level",
                ["h3"],
                format!(
                    "level='{l}': a style draws every administrative level; use level=h3 for H3 cells"
                ),
            ));
        }
    }
    let join = join_param(&q)?;
    let indicator = named.indicator.as_str();
    let choice = crate::routes::classes::choice(cfg, indicator, &q)?;
    let (pref, snap) = snapshot_for(&st, q.get("period"))?;
    // `version=`: the period harmonised onto another boundary version (admin styles only).
    let target = crate::routes::mapdata::target_for(&st, &snap, q.get("version"))?;
    if target.is_some() && named.source == StyleSource::H3 {
        return Err(ApiError::bad_request(
            "version",
            "nothing: H3 styles have no boundary version",
            "H3 styles have no boundary version: drop version=",
        ));
    }
    let t = target.as_deref();
    let published = st.published.load_full();
    let shown = t.unwrap_or(&snap.version);
    let version = published
        .version(shown)
        .ok_or_else(|| ApiError::Internal(format!("version {shown} not loaded")))?;
    let base = base_url(&st, &headers);
    let rev = revision_name(&snap);
    let fill = Fill {
        snap: &snap,
        target: t,
        indicator,
        choice,
        join,
    };
    let parts = match named.source {
        StyleSource::H3 => h3_layers(&st, cfg, &fill, version, &base, &rev).await?,
        StyleSource::Admin => admin_layers(&st, cfg, &fill, version, &base, &rev).await?,
    };
    let mut doc = document(&st, name, &fill, &rev, version, &snap, parts);
    doc["glyphs"] = json!(format!("{base}/fonts/{{fontstack}}/{{range}}.pbf"));
    doc["sprite"] = json!(format!("{base}/sprites/popmap"));
    Ok(json_response(
        &headers,
        serde_json::to_vec(&doc).expect("JSON"),
        pref.is_immutable(),
    ))
}

/// The named style `name`, or the default admin style of a public indicator id; a restricted
/// indicator's id is refused as on every map route (401 without a key, 403 with one), any
/// other name 404.
fn named_style(
    st: &AppState,
    cfg: &'static StyleConfig,
    name: &str,
    caller: &Caller,
) -> Result<std::borrow::Cow<'static, NamedStyle>, ApiError> {
    if let Some(n) = cfg.styles.get(name) {
        return Ok(std::borrow::Cow::Borrowed(n));
    }
    if st.catalog.base(name).is_some() || st.catalog.derived(name).is_some() {
        crate::routes::mapdata::public_indicator(&st.catalog, name, "indicator", caller)?;
        return Ok(std::borrow::Cow::Owned(NamedStyle {
            indicator: name.to_string(),
            source: StyleSource::Admin,
        }));
    }
    Err(ApiError::NotFound(format!(
        "no style '{name}' (see /styles/index.json, or use a public indicator id)"
    )))
}

/// `join=props|state` (props when absent).
fn join_param(q: &Params) -> Result<Join, ApiError> {
    match q.get("join").map(String::as_str) {
        None | Some("props") => Ok(Join::Props),
        Some("state") => Ok(Join::State),
        Some(j) => Err(ApiError::bad_request(
            "join",
            ["props", "state"],
            format!("join='{j}': use props or state"),
        )),
    }
}

/// What colours a style: the snapshot (harmonised onto `target` when set), the indicator and
/// its classification, and how values reach the features.
struct Fill<'a> {
    snap: &'a Snapshot,
    target: Option<&'a str>,
    indicator: &'a str,
    choice: Choice,
    join: Join,
}

/// A style's sources, its layers (background first) and the classes per layer name.
type Layers = (
    serde_json::Map<String, Value>,
    Vec<Value>,
    serde_json::Map<String, Value>,
);

/// The H3 style: hexagons filled from their own property of the indicator, classified on H3
/// cell values ([`crate::routes::h3::classification`]), in the country context, with the
/// province names of the boundary tiles.
async fn h3_layers(
    st: &AppState,
    cfg: &StyleConfig,
    f: &Fill<'_>,
    version: &BoundaryVersion,
    base: &str,
    rev: &str,
) -> Result<Layers, ApiError> {
    let b = Basemap::builtin();
    let mut layers = context::below(cfg, b);
    let mut meta_classes = serde_json::Map::new();
    let c = crate::routes::h3::classification(st, f.snap, f.indicator, f.choice).await?;
    let fill = fill_expression(&c, json!(["get", f.indicator]), Join::Props, &cfg.no_data);
    layers.push(json!({
        "id": "h3-fill", "type": "fill", "source": "popmap", "source-layer": "h3",
        "paint": {"fill-color": fill, "fill-opacity": 0.85,
                  "fill-outline-color": "rgba(255,255,255,0.3)"}
    }));
    layers.push(context::border(b));
    layers.extend(context::islands(b));
    let province = level_zooms(&version.levels)
        .into_iter()
        .find(|row| row.0 == Level::Province);
    if let Some(row) = province {
        layers.push(layers::label_layer(row, "boundaries", b));
    }
    layers.extend(context::labels(b));
    meta_classes.insert("h3".into(), serde_json::to_value(&c).expect("JSON"));
    let mut sources = serde_json::Map::new();
    sources.insert(
        "popmap".into(),
        // An age indicator's cells come from the age grid (`ages=1`: r4–r7).
        json!({"type": "vector", "url": format!(
            "{base}/tiles/h3/{rev}.json{}",
            if crate::routes::h3::ages::reads_ages(st, f.indicator) { "?ages=1" } else { "" }
        )}),
    );
    sources.insert(
        "boundaries".into(),
        json!({"type": "vector", "url": format!("{base}/tiles/boundaries/{}.json", version.id)}),
    );
    sources.insert(context::SOURCE.into(), context::source(base));
    Ok((sources, layers, meta_classes))
}

/// The admin style: one fill (and outline) per level of the version, each classified on its
/// own level; values from tile properties (`join=props`) or feature-state (`join=state`); the
/// context, province outlines and names around them (see the module doc for the order).
async fn admin_layers(
    st: &AppState,
    cfg: &StyleConfig,
    f: &Fill<'_>,
    version: &BoundaryVersion,
    base: &str,
    rev: &str,
) -> Result<Layers, ApiError> {
    let b = Basemap::builtin();
    let (mut fills, mut lines, mut hovers, mut labels) = (vec![], vec![], vec![], vec![]);
    let mut meta_classes = serde_json::Map::new();
    for row in level_zooms(&version.levels) {
        let level = row.0;
        let c = classification(st, f.snap, f.target, level, f.indicator, f.choice).await?;
        let input = match f.join {
            Join::Props => json!(["get", f.indicator]),
            Join::State => json!(["feature-state", "v"]),
        };
        let fill = fill_expression(&c, input, f.join, &cfg.no_data);
        let l = layers::level_layers(cfg, row, fill, f.join);
        fills.push(l.fill);
        lines.push(l.line);
        hovers.extend(l.hover);
        labels.push(layers::label_layer(row, "popmap", b));
        meta_classes.insert(
            level.as_str().into(),
            serde_json::to_value(&c).expect("JSON"),
        );
    }
    let mut out = context::below(cfg, b);
    out.extend(fills);
    out.extend(lines);
    out.push(context::border(b));
    out.extend(layers::province_outline(&version.levels, b));
    out.extend(hovers);
    out.extend(context::islands(b));
    out.extend(labels);
    out.extend(context::labels(b));
    // Admin tiles are compact by default: a style colouring by a tile property asks for it
    // (and so gets its `_unstable` flag), so any MapLibre page given the style draws the same.
    let ind = f.indicator;
    let url = match (f.join, f.target) {
        (Join::Props, None) => format!("{base}/tiles/admin/{rev}.json?fields={ind}"),
        (Join::Props, Some(v)) => {
            format!("{base}/tiles/admin/{rev}.json?fields={ind}&version={v}")
        }
        (Join::State, _) => format!("{base}/tiles/boundaries/{}.json", version.id),
    };
    let mut sources = serde_json::Map::new();
    sources.insert("popmap".into(), json!({"type": "vector", "url": url}));
    sources.insert(context::SOURCE.into(), context::source(base));
    Ok((sources, out, meta_classes))
}

/// The style document: MapLibre style 8 with popmap's metadata.
fn document(
    st: &AppState,
    name: &str,
    f: &Fill<'_>,
    rev: &str,
    version: &BoundaryVersion,
    snap: &Snapshot,
    (sources, layers, meta_classes): Layers,
) -> Value {
    let d = st.catalog.derived(f.indicator);
    let b = st.catalog.base(f.indicator);
    let title_en = d
        .map(|d| d.name_en.as_str())
        .or(b.map(|b| b.name_en.as_str()));
    let title_vi = d
        .map(|d| d.name_vi.as_str())
        .or(b.map(|b| b.name_vi.as_str()));
    json!({
        "version": 8,
        "name": format!("popmap {name} {rev}"),
        "metadata": {
            "popmap:style": name,
            "popmap:indicator": f.indicator,
            "popmap:title_en": title_en,
            "popmap:title_vi": title_vi,
            "popmap:period": rev,
            "popmap:version": version.id,
            "popmap:reported_on": snap.version,
            "popmap:harmonised": f.target.is_some(),
            "popmap:join": match f.join { Join::Props => "props", Join::State => "state" },
            "popmap:level": if meta_classes.contains_key("h3") { "h3" } else { "admin" },
            "popmap:breaks": f.choice.breaks.as_str(),
            "popmap:synthetic": st.config.synthetic,
            "popmap:classes": meta_classes,
        },
        // Re-colouring (a period switch) is immediate: no cross-fade to wait for.
        "transition": {"duration": 0, "delay": 0},
        "center": [106.0, 16.0],
        "zoom": 4.6,
        "sources": sources,
        "layers": layers,
    })
}
