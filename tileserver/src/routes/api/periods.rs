//! `/api/v1/versions` (boundary versions) and `/api/v1/periods` (published periods).

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;

use crate::http::error::ApiError;
use crate::http::query::{FormatQuery, Params};
use crate::http::reply::{Table, reply};
use crate::state::AppState;
use crate::state::access::Caller;
use crate::state::published::{granularity_name, latest_periods, parse_granularity};

/// `GET /api/v1/versions`: boundary versions by `valid_from`.
#[utoipa::path(
    get,
    path = "/api/v1/versions",
    tag = "catalog",
    params(FormatQuery),
    responses(
        (status = 200, description = "OK", content((Vec<VersionItem> = "application/json"), (String = "text/csv"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn versions(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow_for::<FormatQuery>()?;
    let format = params.format(&headers)?;
    let published = st.published.load_full();
    let items: Vec<VersionItem> = published
        .versions
        .iter()
        .map(|v| VersionItem {
            id: v.id.clone(),
            valid_from: v.valid_from.to_string(),
            valid_to: v.valid_to.map(|d| d.to_string()),
            levels: v.levels.iter().map(|l| l.to_string()).collect(),
            onto: onto(&published, &v.id),
            h3: published.operators.contains(&v.id),
        })
        .collect();
    reply(&headers, &caller, format, &items, || {
        Some(Table {
            columns: ["id", "valid_from", "valid_to", "levels", "onto", "h3"]
                .map(String::from)
                .to_vec(),
            rows: items
                .iter()
                .map(|v| {
                    vec![
                        Some(v.id.clone()),
                        Some(v.valid_from.clone()),
                        v.valid_to.clone(),
                        Some(v.levels.join(" ")),
                        Some(v.onto.join(" ")),
                        Some(v.h3.to_string()),
                    ]
                })
                .collect(),
        })
    })
}

/// A boundary version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionItem {
    /// Version id, e.g. `vn-2025`.
    pub id: String,
    /// First day in force (YYYY-MM-DD).
    pub valid_from: String,
    /// Last day in force, `null` for the current version.
    pub valid_to: Option<String>,
    /// Levels, top first.
    pub levels: Vec<String>,
    /// Versions this version's periods can be harmonised onto (`?version=`): a crosswalk from
    /// this version to each is stored. In `valid_from` order.
    pub onto: Vec<String>,
    /// Whether an H3 operator exists for this version (its periods have H3 tiles and cells).
    pub h3: bool,
}

/// The versions a crosswalk from `id` leads to, in `valid_from` order.
fn onto(published: &crate::state::published::Published, id: &str) -> Vec<String> {
    published
        .versions
        .iter()
        .filter(|v| {
            published
                .crosswalks
                .iter()
                .any(|(f, t)| f == id && *t == v.id)
        })
        .map(|v| v.id.clone())
        .collect()
}

/// One published period: its newest revision and every revision published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodItem {
    /// The period, e.g. `2025-10`.
    pub period: String,
    /// `month`, `quarter`, `year`, or `projection-low` / `projection-medium` / `projection-high`.
    pub granularity: String,
    /// `reported` (published tables) or `projection` (`popmap project`: computed, never reported;
    /// `latest` never names one).
    pub kind: &'static str,
    /// A projection's variant: `low`, `medium` or `high`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<&'static str>,
    /// The period in Vietnamese words, e.g. "Tháng 9/2026", "Dự báo 2030 (phương án trung bình)".
    pub label_vi: String,
    /// The period in English words, e.g. "September 2026", "Projection 2030 (medium variant)".
    pub label_en: String,
    /// A projection's assumptions (sources, derivation): `/api/v1/projections/assumptions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumptions: Option<&'static str>,
    /// Newest revision (what `?period=2025-10` resolves to; `latest` is the newest month's).
    pub revision: i64,
    /// Boundary version of the newest revision.
    pub version: String,
    /// When the newest revision was published (RFC 3339).
    pub published_at: String,
    /// Every revision of the period, oldest first.
    pub revisions: Vec<i64>,
    /// Present and true when the newest revision was published as partial (`popmap publish
    /// --partial`): totals above the communes miss the communes not reported.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    /// Whether the newest revision carries the age × sex groups (and so the pyramids and the
    /// derived age indicators), at every level of its version. Monthly reports often have no
    /// ages; a quarter or a year has them when its last month does.
    pub ages: bool,
}

/// The query of `GET /api/v1/periods`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct PeriodsQuery {
    /// Only periods of this length: `month`, `quarter` or `year` (default: all)
    pub granularity: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV
    pub format: Option<String>,
}

/// `GET /api/v1/periods[?granularity=month|quarter|year]`: every published period (of that
/// length) in period order.
#[utoipa::path(
    get,
    path = "/api/v1/periods",
    tag = "catalog",
    params(PeriodsQuery),
    responses(
        (status = 200, description = "OK", content((Vec<PeriodItem> = "application/json"), (String = "text/csv"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn periods(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow_for::<PeriodsQuery>()?;
    let format = params.format(&headers)?;
    let only = match params.str("granularity") {
        Some(g) => parse_granularity(g, "granularity", false)?,
        None => None,
    };
    let published = st.published.load_full();
    let items: Vec<PeriodItem> = latest_periods(&published)
        .into_iter()
        .filter_map(|p| {
            let period = p.period.parse::<geodata::Period>().ok()?;
            only.is_none_or(|g| period.granularity() == g)
                .then_some((p, period))
        })
        .map(|(p, period)| {
            let same: Vec<_> = published
                .snapshots
                .iter()
                .filter(|s| s.period.to_string() == p.period)
                .collect();
            let revisions = same.iter().map(|s| s.revision).collect();
            let ages = same
                .iter()
                .any(|s| s.revision == p.revision && published.ages.contains(&s.id));
            PeriodItem {
                period: p.period,
                granularity: granularity_name(period.granularity()).to_string(),
                kind: if period.is_projection() {
                    "projection"
                } else {
                    "reported"
                },
                variant: period.variant().map(geodata::Variant::as_str),
                label_vi: super::workbook::period_words(&period),
                label_en: period_words_en(&period),
                assumptions: period
                    .is_projection()
                    .then_some(super::projections::ASSUMPTIONS_PATH),
                revision: p.revision,
                version: p.version,
                published_at: p.published_at,
                revisions,
                incomplete: !p.complete,
                ages,
            }
        })
        .collect();
    reply(&headers, &caller, format, &items, || {
        Some(Table {
            columns: [
                "period",
                "granularity",
                "kind",
                "variant",
                "revision",
                "version",
                "published_at",
                "ages",
            ]
            .map(String::from)
            .to_vec(),
            rows: items
                .iter()
                .map(|p| {
                    vec![
                        Some(p.period.clone()),
                        Some(p.granularity.clone()),
                        Some(p.kind.to_string()),
                        p.variant.map(str::to_string),
                        Some(p.revision.to_string()),
                        Some(p.version.clone()),
                        Some(p.published_at.clone()),
                        Some(p.ages.to_string()),
                    ]
                })
                .collect(),
        })
    })
}

/// A period in English words: "September 2026", "Q3 2026", "2026",
/// "Projection 2030 (medium variant)".
pub fn period_words_en(p: &geodata::Period) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match *p {
        geodata::Period::Month { year, month } => {
            format!("{} {year}", MONTHS[(month as usize - 1) % 12])
        }
        geodata::Period::Quarter { year, quarter } => format!("Q{quarter} {year}"),
        geodata::Period::Year { year } => year.to_string(),
        geodata::Period::Projection { year, variant } => {
            format!("Projection {year} ({} variant)", variant.as_str())
        }
    }
}
