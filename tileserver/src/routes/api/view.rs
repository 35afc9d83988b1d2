//! The three views of a unit's series (`?view=` on `/api/v1/units/{code}/series`): the base
//! counts each period contributes, before derived indicators are recomputed from them.
//!
//! - `as-reported`: each period on its own boundary version (a code reused by the 2025
//!   reorganisation jumps at July 2025);
//! - `harmonised`: every period on one target version, older periods moved through the stored
//!   crosswalk ([`geodata::Harmoniser::unit_counts`], the same integers the harmonised
//!   tiles show), flagged `estimated` where a split old unit contributed;
//! - `h3`: a fixed footprint, the H3 cells whose centre lies in the unit on the target version,
//!   filled in every period by that period's own operator ([`geodata::footprint_counts`],
//!   the same integers as the H3 tiles' cells summed): boundary-free, always an estimate.

use std::collections::HashMap;
use std::str::FromStr;

use geodata::{
    Counts, Snapshot, ValuesBySnapshot, as_reported_counts, cover, footprint_series,
    footprint_units, harmonised_counts,
};
use serde::Serialize;

use crate::http::error::ApiError;
use crate::state::AppState;

/// Which view of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Each period on its own boundary version.
    AsReported,
    /// Every period on one target version through the crosswalk.
    Harmonised,
    /// Every period on a fixed set of H3 cells.
    H3,
}

impl FromStr for View {
    type Err = ApiError;

    fn from_str(s: &str) -> Result<View, ApiError> {
        match s {
            "as-reported" => Ok(View::AsReported),
            "harmonised" | "harmonized" => Ok(View::Harmonised),
            "h3" => Ok(View::H3),
            other => Err(ApiError::bad_request(
                "view",
                ["as-reported", "harmonised", "h3"],
                format!("view='{other}' is not one of as-reported, harmonised, h3"),
            )),
        }
    }
}

impl View {
    /// The name used in URLs and answers.
    pub fn name(self) -> &'static str {
        match self {
            View::AsReported => "as-reported",
            View::Harmonised => "harmonised",
            View::H3 => "h3",
        }
    }
}

/// The H3 cells a series of the `h3` view is read from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Footprint {
    /// The version whose boundary chose the cells.
    pub version: String,
    /// The cells' resolution.
    pub resolution: u8,
    /// How many cells.
    pub cells: usize,
    /// Their area (km²).
    pub area_km2: f64,
}

/// Values of `codes` (base `inputs`) in every snapshot, by snapshot id.
async fn values_by_snapshot(
    st: &AppState,
    codes: &[&str],
    inputs: &[&str],
) -> Result<ValuesBySnapshot, ApiError> {
    let mut out = ValuesBySnapshot::new();
    for v in st.store.units_values(codes, inputs).await? {
        out.entry(v.snapshot_id)
            .or_default()
            .entry(v.unit_code)
            .or_default()
            .insert(v.indicator, v.value);
    }
    Ok(out)
}

/// Areas of unit `code` in each published version that has it.
async fn areas(st: &AppState, code: &str) -> Result<HashMap<String, f64>, ApiError> {
    let mut out = HashMap::new();
    for v in &st.published.load_full().versions {
        if let Some(u) = st.api.units.get(&st.store, &v.id).await?.get(code) {
            out.insert(v.id.clone(), u.area_km2);
        }
    }
    Ok(out)
}

/// 404 unless `code` is a unit of `target`.
async fn unit_area(st: &AppState, code: &str, target: &str) -> Result<f64, ApiError> {
    let units = st.api.units.get(&st.store, target).await?;
    units.get(code).map(|u| u.area_km2).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no unit '{code}' in boundary version {target} (its successors: /api/v1/units/{code}/lineage)"
        ))
    })
}

/// As reported: each snapshot's own values of `code`, where its version has the unit.
pub async fn as_reported(
    st: &AppState,
    code: &str,
    snaps: &[&Snapshot],
    inputs: &[&str],
) -> Result<HashMap<i64, Counts>, ApiError> {
    let areas = areas(st, code).await?;
    if areas.is_empty() {
        return Err(ApiError::NotFound(format!(
            "no unit '{code}' in any boundary version"
        )));
    }
    let values = values_by_snapshot(st, &[code], inputs).await?;
    Ok(as_reported_counts(code, snaps, &areas, values))
}

/// Harmonised onto `target`: the unit's own values in snapshots on `target`, its predecessors'
/// values moved through the crosswalk in the others (400 naming a missing crosswalk).
pub async fn harmonised(
    st: &AppState,
    code: &str,
    target: &str,
    snaps: &[&Snapshot],
    inputs: &[&str],
) -> Result<HashMap<i64, Counts>, ApiError> {
    let area = unit_area(st, code, target).await?;
    let mut harmonisers = HashMap::new();
    for s in snaps.iter().filter(|s| s.version != target) {
        if !harmonisers.contains_key(&s.version) {
            let h = st.tiles.harmoniser(&st.store, &s.version, target).await?;
            harmonisers.insert(s.version.clone(), h);
        }
    }
    let mut codes: Vec<&str> = vec![code];
    for h in harmonisers.values() {
        codes.extend(h.sources(code));
    }
    codes.sort_unstable();
    codes.dedup();
    let values = values_by_snapshot(st, &codes, inputs).await?;
    Ok(harmonised_counts(
        code,
        target,
        area,
        snaps,
        &harmonisers,
        &values,
        inputs,
    ))
}

/// On the H3 grid: the cells whose centre lies in `code` on `target`, at the coarsest of the
/// resolutions of the operators involved, summed in each snapshot from that snapshot's
/// operator; a footprint below the disclosure total shows the total only.
pub async fn h3(
    st: &AppState,
    code: &str,
    target: &str,
    snaps: &[&Snapshot],
    inputs: &[&str],
) -> Result<(HashMap<i64, Counts>, Footprint), ApiError> {
    unit_area(st, code, target).await?;
    let mut operators = HashMap::new();
    for s in snaps {
        if !operators.contains_key(&s.version) {
            let op = st.tiles.operator(&st.store, &s.version).await?;
            operators.insert(s.version.clone(), op);
        }
    }
    if operators.is_empty() {
        operators.insert(
            target.to_owned(),
            st.tiles.operator(&st.store, target).await?,
        );
    }
    let res = operators
        .values()
        .map(|op| op.1.resolution())
        .min()
        .unwrap_or(geodata::DEFAULT_RESOLUTION);
    let unit = st
        .store
        .unit_geometry(target, code)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no unit '{code}' in {target}")))?;
    let cells = tokio::task::spawn_blocking(move || cover(&unit.geometry, res))
        .await
        .map_err(|e| ApiError::Internal(format!("footprint failed: {e}")))?;
    let area: f64 = cells.iter().map(|c| c.area_km2()).sum();
    let mut codes: Vec<&str> = operators
        .values()
        .flat_map(|op| footprint_units(&op.1, &cells))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    // The disclosure total is always read: it decides whether the footprint is too small.
    let rules = &st.config.disclosure;
    let mut columns: Vec<&str> = inputs.to_vec();
    if !columns.contains(&rules.total.as_str()) {
        columns.push(&rules.total);
    }
    let values = values_by_snapshot(st, &codes, &columns).await?;
    let columns: Vec<String> = columns.iter().map(|s| s.to_string()).collect();
    let ops: HashMap<String, &geodata::Operator> =
        operators.iter().map(|(v, op)| (v.clone(), &op.1)).collect();
    let out = footprint_series(snaps, &ops, &cells, area, &values, &columns, rules);
    let footprint = Footprint {
        version: target.to_owned(),
        resolution: u8::from(res),
        cells: cells.len(),
        area_km2: area,
    };
    Ok((out, footprint))
}

/// The national row (`VN`): each snapshot's province counts summed ([`geodata::national`]), as
/// reported on the snapshot's own version, or, with a `target`, expressed on it (moving values
/// between units through a crosswalk keeps their total, so the sums stand as they are, with the
/// target's national area; never an estimate).
pub async fn national(
    st: &AppState,
    target: Option<&str>,
    snaps: &[&Snapshot],
    inputs: &[&str],
) -> Result<HashMap<i64, Counts>, ApiError> {
    let mut units = HashMap::new();
    for v in snaps.iter().map(|s| s.version.as_str()).chain(target) {
        if !units.contains_key(v) {
            units.insert(v.to_owned(), st.api.units.get(&st.store, v).await?);
        }
    }
    let mut provinces: Vec<&str> = units
        .values()
        .flat_map(|u| u.list.iter())
        .filter(|u| u.level == geodata::Level::Province)
        .map(|u| u.code.as_str())
        .collect();
    provinces.sort_unstable();
    provinces.dedup();
    let values = values_by_snapshot(st, &provinces, inputs).await?;
    let empty = geodata::ValueTable::new();
    let area = |v: &str| geodata::national(&units[v].list, &empty).unit.area_km2;
    Ok(snaps
        .iter()
        .map(|s| {
            let n = geodata::national(&units[&s.version].list, values.get(&s.id).unwrap_or(&empty));
            let version = target.unwrap_or(&s.version);
            let counts = Counts {
                version: version.to_owned(),
                counts: n.counts,
                area_km2: area(version),
                ..Counts::default()
            };
            (s.id, counts)
        })
        .collect())
}
