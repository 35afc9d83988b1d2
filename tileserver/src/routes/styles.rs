//! MapLibre style documents at `/styles/{name}.json` (names and indicators from
//! `styles/indicators.json`; `/styles/index.json` lists them).
//!
//! Query: `period=` (default `latest`), `method=`, `k=`, and `join=`:
//! - `join=props` (default): a self-contained style over the admin tiles of one revision, each
//!   level's fill a `step` expression over the indicator property with the server's classes;
//! - `join=state`: the same classes over `["feature-state", "v"]` on boundary tiles, for the
//!   web map, which loads per-period values from `/api/v1/map/values` and so never refetches
//!   geometry when only the period changes.
//!
//! Sources point at the server's own TileJSON (public base URL respected); there is no basemap
//! and no label layer (the server serves no glyphs yet), so a style needs no external network.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::levels_for_zoom;
use geodata::{BoundaryVersion, Level, Method, Snapshot};
use serde_json::{Value, json};

use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::json_response;
use crate::routes::classes::{Classification, classification, method_and_k};
use crate::routes::mapdata::snapshot_for;
use crate::routes::palette::{NamedStyle, StyleConfig, StyleSource};
use crate::routes::tilejson::{MAX_ZOOM, base_url};
use crate::state::AppState;
use crate::state::published::revision_name;

/// How a style joins values to features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// Values are properties of admin tiles.
    Props,
    /// Values are feature state set by the web map on boundary tiles.
    State,
}

/// `[minzoom, maxzoom)` of each level shown by a version (the last one open-ended).
pub fn level_zooms(levels: &[Level]) -> Vec<(Level, u8, Option<u8>)> {
    let mut out: Vec<(Level, u8, Option<u8>)> = Vec::new();
    for z in 0..=MAX_ZOOM {
        for l in levels_for_zoom(z, levels) {
            match out.iter_mut().find(|(lv, _, _)| *lv == l) {
                Some(row) => row.2 = Some(z + 1),
                None => out.push((l, z, Some(z + 1))),
            }
        }
    }
    if let Some(last) = out.last_mut() {
        last.2 = None;
    }
    out
}

/// The fill colour expression of one classification over `input`.
pub fn fill_expression(c: &Classification, input: Value, join: Join, no_data: &str) -> Value {
    let colours: Vec<&str> = c.classes.iter().map(|k| k.color.as_str()).collect();
    let step = if c.thresholds.is_empty() {
        json!(colours.first().copied().unwrap_or(no_data))
    } else {
        let mut e = vec![json!("step"), input.clone(), json!(colours[0])];
        for (t, col) in c.thresholds.iter().zip(&colours[1..]) {
            e.push(json!(t));
            e.push(json!(col));
        }
        Value::Array(e)
    };
    // The same test for both joins: a property or a state that is absent or null is no data.
    let _ = join;
    json!(["case", ["==", ["typeof", input], "number"], step, no_data])
}

/// The layers of one level: fill, outline, and (for the web map) a hover outline.
fn level_layers(
    cfg: &StyleConfig,
    level: Level,
    min: u8,
    max: Option<u8>,
    fill: Value,
    join: Join,
    source_layer: &str,
) -> Vec<Value> {
    let name = level.as_str();
    let zooms = |mut l: Value| {
        l["minzoom"] = json!(min);
        if let Some(m) = max {
            l["maxzoom"] = json!(m);
        }
        l
    };
    let mut out = vec![
        zooms(json!({
            "id": format!("{name}-fill"), "type": "fill", "source": "popmap",
            "source-layer": source_layer,
            "metadata": {"popmap:level": name},
            "paint": {"fill-color": fill, "fill-opacity": 0.9}
        })),
        zooms(json!({
            "id": format!("{name}-line"), "type": "line", "source": "popmap",
            "source-layer": source_layer,
            "paint": {"line-color": cfg.outline, "line-width": 0.4, "line-opacity": 0.7}
        })),
    ];
    if join == Join::State {
        out.push(zooms(json!({
            "id": format!("{name}-hover"), "type": "line", "source": "popmap",
            "source-layer": source_layer,
            "paint": {
                "line-color": "#111111",
                "line-width": ["case", ["boolean", ["feature-state", "hover"], false], 2.5, 0],
            }
        })));
    }
    out
}

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
    q.allow(&["period", "method", "k", "join", "version"])?;
    let cfg = StyleConfig::builtin();
    let named = named_style(&st, cfg, name)?;
    let join = join_param(&q)?;
    let indicator = named.indicator.as_str();
    let (method, k) = method_and_k(cfg, indicator, q.get("method"), q.get("k"))?;
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
        method,
        k,
        join,
    };
    let (source, layers, meta_classes) = match named.source {
        StyleSource::H3 => h3_layers(&st, cfg, &fill, version, &base, &rev).await?,
        StyleSource::Admin => admin_layers(&st, cfg, &fill, version, &base, &rev).await?,
    };
    let doc = document(
        &st,
        name,
        &fill,
        &rev,
        version,
        &snap,
        (source, layers, meta_classes),
    );
    Ok(json_response(
        &headers,
        serde_json::to_vec(&doc).expect("JSON"),
        pref.is_immutable(),
    ))
}

/// The named style `name`, or the default admin style of a public indicator id; 404 otherwise.
fn named_style(
    st: &AppState,
    cfg: &'static StyleConfig,
    name: &str,
) -> Result<std::borrow::Cow<'static, NamedStyle>, ApiError> {
    if let Some(n) = cfg.styles.get(name) {
        return Ok(std::borrow::Cow::Borrowed(n));
    }
    if crate::routes::mapdata::public_indicator(&st.catalog, name, "indicator").is_ok() {
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
    method: Method,
    k: usize,
    join: Join,
}

/// A style's source, its layers (background first) and the classes per layer name.
type Layers = (Value, Vec<Value>, serde_json::Map<String, Value>);

/// The background layer every style starts with.
fn background(cfg: &StyleConfig) -> Value {
    json!({
        "id": "background", "type": "background",
        "paint": {"background-color": cfg.background}
    })
}

/// The H3 style: hexagons classified on the finest level of the version (they are
/// commune-sized).
async fn h3_layers(
    st: &AppState,
    cfg: &StyleConfig,
    f: &Fill<'_>,
    version: &BoundaryVersion,
    base: &str,
    rev: &str,
) -> Result<Layers, ApiError> {
    let mut layers = vec![background(cfg)];
    let mut meta_classes = serde_json::Map::new();
    let finest = *version
        .levels
        .iter()
        .max_by_key(|l| l.depth())
        .unwrap_or(&Level::Province);
    let c = classification(st, f.snap, None, finest, f.indicator, f.method, f.k).await?;
    let fill = fill_expression(&c, json!(["get", f.indicator]), Join::Props, &cfg.no_data);
    layers.push(json!({
        "id": "h3-fill", "type": "fill", "source": "popmap", "source-layer": "h3",
        "paint": {"fill-color": fill, "fill-opacity": 0.85,
                  "fill-outline-color": "rgba(255,255,255,0.3)"}
    }));
    meta_classes.insert("h3".into(), serde_json::to_value(&c).expect("JSON"));
    let source = json!({"type": "vector", "url": format!("{base}/tiles/h3/{rev}.json")});
    Ok((source, layers, meta_classes))
}

/// The admin style: one fill (and outline) per level of the version, each classified on its
/// own level; values from tile properties (`join=props`) or feature-state (`join=state`).
async fn admin_layers(
    st: &AppState,
    cfg: &StyleConfig,
    f: &Fill<'_>,
    version: &BoundaryVersion,
    base: &str,
    rev: &str,
) -> Result<Layers, ApiError> {
    let mut layers = vec![background(cfg)];
    let mut meta_classes = serde_json::Map::new();
    for (level, min, max) in level_zooms(&version.levels) {
        let c = classification(st, f.snap, f.target, level, f.indicator, f.method, f.k).await?;
        let input = match f.join {
            Join::Props => json!(["get", f.indicator]),
            Join::State => json!(["feature-state", "v"]),
        };
        let fill = fill_expression(&c, input, f.join, &cfg.no_data);
        layers.extend(level_layers(
            cfg,
            level,
            min,
            max,
            fill,
            f.join,
            level.as_str(),
        ));
        meta_classes.insert(
            level.as_str().into(),
            serde_json::to_value(&c).expect("JSON"),
        );
    }
    let url = match (f.join, f.target) {
        (Join::Props, None) => format!("{base}/tiles/admin/{rev}.json"),
        (Join::Props, Some(v)) => format!("{base}/tiles/admin/{rev}.json?version={v}"),
        (Join::State, _) => format!("{base}/tiles/boundaries/{}.json", version.id),
    };
    Ok((json!({"type": "vector", "url": url}), layers, meta_classes))
}

/// The style document: MapLibre style 8 with popmap's metadata.
fn document(
    st: &AppState,
    name: &str,
    f: &Fill<'_>,
    rev: &str,
    version: &BoundaryVersion,
    snap: &Snapshot,
    (source, layers, meta_classes): Layers,
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
            "popmap:synthetic": st.config.synthetic,
            "popmap:classes": meta_classes,
        },
        // Re-colouring (a period switch) is immediate: no cross-fade to wait for.
        "transition": {"duration": 0, "delay": 0},
        "center": [106.0, 16.0],
        "zoom": 4.6,
        "sources": {"popmap": source},
        "layers": layers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::classes::Class;
    use geodata::Method;

    #[test]
    fn level_zooms_are_contiguous_and_open_ended() {
        let z = level_zooms(&[Level::Province, Level::District, Level::Commune]);
        assert_eq!(
            z,
            vec![
                (Level::Province, 0, Some(6)),
                (Level::District, 6, Some(8)),
                (Level::Commune, 8, None)
            ]
        );
        let z = level_zooms(&[Level::Province, Level::Commune]);
        assert_eq!(z[0], (Level::Province, 0, Some(8)));
        assert_eq!(z[1], (Level::Commune, 8, None));
    }

    #[test]
    fn fill_is_a_step_over_the_thresholds_with_a_no_data_case() {
        let class = |c: &str| Class {
            min: None,
            max: None,
            count: 1,
            color: c.into(),
        };
        let c = Classification {
            indicator: "density".into(),
            period: "2025-06".into(),
            revision: 1,
            version: "vn-2019".into(),
            level: "province".into(),
            method: Method::Quantile,
            k: 3,
            thresholds: vec![10.0, 20.0],
            classes: vec![class("#a"), class("#b"), class("#c")],
            no_data: class("#n"),
            normal: None,
            synthetic: true,
        };
        let e = fill_expression(&c, json!(["feature-state", "v"]), Join::State, "#n");
        assert_eq!(
            e,
            json!([
                "case",
                ["==", ["typeof", ["feature-state", "v"]], "number"],
                ["step", ["feature-state", "v"], "#a", 10.0, "#b", 20.0, "#c"],
                "#n"
            ])
        );
    }
}
