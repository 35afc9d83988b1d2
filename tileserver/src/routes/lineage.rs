//! `GET /api/v1/units/{code}/lineage`: where a unit came from and where it went, through the
//! stored crosswalks, with shares, the exact flag and the date the change took effect.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use serde::Serialize;

use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::state::AppState;

/// One link of a unit's lineage.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Link {
    /// Version the other unit belongs to.
    pub version: String,
    /// The other unit's code.
    pub code: String,
    /// The other unit's name, when it is known.
    pub name: Option<String>,
    /// Share of the old unit's people that went into the new unit.
    pub share: f64,
    /// Whole merge (true) or split estimate (false).
    pub exact: bool,
    /// Day the change took effect: the target version's `valid_from`.
    #[schema(value_type = Option<String>, format = Date)]
    pub effective: Option<NaiveDate>,
    /// Where the link came from (`mapping`, `geometry`).
    pub source: String,
}

/// The lineage of one code.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Lineage {
    /// The code asked for.
    pub code: String,
    /// The versions that have a unit with this code, with its name and level.
    pub units: Vec<UnitIn>,
    /// Units this code's unit was formed from (it is the new unit of these links).
    pub predecessors: Vec<Link>,
    /// Units this code's unit went into (it is the old unit of these links).
    pub successors: Vec<Link>,
}

/// A unit with this code in one version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitIn {
    /// Version id.
    pub version: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: String,
}

/// The handler: 404 when no version has a unit with this code.
#[utoipa::path(
    get,
    path = "/api/v1/units/{code}/lineage",
    tag = "units",
    params(
        ("code" = String, Path, description = "Unit code, in any boundary version, e.g. `01`", example = "01"),
    ),
    responses(
        (status = 200, description = "OK", body = Lineage, content_type = "application/json"),
        crate::routes::api::openapi::ErrorResponses,
    )
)]
pub async fn lineage(
    State(state): State<AppState>,
    code: Result<Path<String>, PathRejection>,
    params: Params,
) -> Result<Json<Lineage>, ApiError> {
    let code = crate::http::query::path(code)?;
    params.allow(&[])?;
    let units = state.store.units_with_code(&code).await?;
    if units.is_empty() {
        return Err(ApiError::NotFound(format!("no unit with code '{code}'")));
    }
    let rows = state.store.crosswalk_rows_of(&code).await?;
    let published = state.published.load();
    let effective = |to: &str| published.version(to).map(|v| v.valid_from);
    let mut names: BTreeMap<(String, String), Option<String>> = BTreeMap::new();
    let (mut predecessors, mut successors) = (Vec::new(), Vec::new());
    for r in rows {
        // The same code can name a unit in both versions (and a unit can keep its code): a
        // link counts on each side whose version actually holds this code.
        let is_new = r.new_code == code && units.iter().any(|(v, _)| *v == r.to);
        let is_old = r.old_code == code && units.iter().any(|(v, _)| *v == r.from);
        for (wanted, predecessor, version, other) in [
            (is_new, true, &r.from, &r.old_code),
            (is_old, false, &r.to, &r.new_code),
        ] {
            if !wanted {
                continue;
            }
            let key = (version.clone(), other.clone());
            if !names.contains_key(&key) {
                let name = state
                    .store
                    .units_with_code(other)
                    .await?
                    .into_iter()
                    .find(|(v, _)| v == version)
                    .map(|(_, u)| u.name);
                names.insert(key.clone(), name);
            }
            let link = Link {
                name: names[&key].clone(),
                effective: effective(&r.to),
                version: version.clone(),
                code: other.clone(),
                share: r.share,
                exact: r.exact,
                source: r.source.clone(),
            };
            if predecessor {
                predecessors.push(link);
            } else {
                successors.push(link);
            }
        }
    }
    Ok(Json(Lineage {
        units: units
            .into_iter()
            .map(|(version, u)| UnitIn {
                version,
                name: u.name,
                level: u.level.as_str().to_owned(),
            })
            .collect(),
        code,
        predecessors,
        successors,
    }))
}
