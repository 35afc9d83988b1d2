//! The data API under `/api/v1`: periods, versions, indicators, units, series, values,
//! rankings and downloads, JSON or CSV, with ETags, pagination and stable ordering; its
//! OpenAPI document at `/api/openapi.json` and a reference page at `/api/docs`.
//!
//! Every handler refuses unknown query parameters (400 naming them), answers errors as JSON
//! `{error, message, details}`, and shows restricted indicators only to callers with an API key
//! ([`crate::state::access`]). Values come from the same per-snapshot cache as the admin tiles, unit lists
//! from a per-version cache ([`crate::state::units::UnitsCache`]); both hold immutable things only.

pub mod download;
pub mod geometry;
pub mod indicators;
pub mod openapi;
pub mod pages;
pub mod periods;
pub mod projections;
pub mod pyramid;
pub mod rankings;
pub mod series;
pub mod targets;
pub mod units;
pub mod unitsearch;
pub mod values;
pub mod view;
pub mod workbook;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

/// The `/api` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi::spec))
        .route("/api/docs", get(openapi::docs))
        .route("/api/v1/versions", get(periods::versions))
        .route("/api/v1/periods", get(periods::periods))
        .route(
            "/api/v1/projections/assumptions",
            get(projections::assumptions),
        )
        .route("/api/v1/indicators", get(indicators::list))
        .route("/api/v1/units", get(units::list))
        .route("/api/v1/units/{code}", get(units::detail))
        .route("/api/v1/units/{code}/series", get(series::series))
        .route("/api/v1/units/{code}/geometry", get(geometry::geometry))
        .route("/api/v1/units/{code}/pyramid", get(pyramid::unit))
        .route("/api/v1/pyramid", get(pyramid::set))
        .route(
            "/api/v1/h3/{period}/{cell}/pyramid",
            get(pyramid::cell::cell),
        )
        .route("/api/v1/values", get(values::values))
        .route("/api/v1/rankings", get(rankings::rankings))
        .route("/api/v1/targets", get(targets::list))
        .route("/api/v1/targets/{id}", get(targets::detail))
        .route("/api/v1/download/{period}/{file}", get(download::download))
}
