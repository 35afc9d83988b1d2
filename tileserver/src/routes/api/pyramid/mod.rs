//! Population pyramids: `/api/v1/units/{code}/pyramid` (one unit), `/api/v1/pyramid?units=`
//! (a set of units) and `/api/v1/h3/{period}/{cell}/pyramid` (an H3 cell, [`cell`]), each the 17 five-year age groups per sex of one period ([`shape`]), with
//! the parent's and the national pyramid as share outlines and, with `compare=`, a second period
//! on the same boundary version for an overlay.
//!
//! The period comes through the one resolver [`Published::snapshot`]; without `period=` it is
//! the newest period that has age groups for the units asked (what `latest` would choose among
//! those periods). A period without age groups is a 404 naming the newest period that has them.

pub mod cell;
pub mod shape;

use std::collections::HashSet;
use std::sync::Arc;

use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::{Harmonised, NATIONAL_CODE, Snapshot, UnitInfo, ValueTable};
use serde::Serialize;

use self::shape::{GroupRow, Pyramid, ShareRow, Totals};
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::{ResponseCache, Table, prepare};
use crate::state::AppState;
use crate::state::access::Caller;
use crate::state::published::{Published, revision_name};
use crate::state::units::VersionUnits;

/// Units per `/api/v1/pyramid` request.
pub const MAX_PYRAMID_UNITS: usize = 50;

/// A period of a pyramid, by reference and in words.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PyramidPeriod {
    /// The period: `2025-12`, `2025-Q4`, `2025`.
    pub period: String,
    /// Its revision.
    pub revision: i64,
    /// The exact revision, for links: `2025-12@r1`.
    pub reference: String,
    /// The period in Vietnamese words: "Tháng 12/2025", "Quý IV/2025", "Năm 2025".
    pub words_vi: String,
    /// The period in English words: "December 2025", "Q4 2025", "2025".
    pub words_en: String,
    /// The boundary version the period was published on.
    pub published_on: String,
}

impl PyramidPeriod {
    /// The period of `snap`.
    fn of(snap: &Snapshot) -> PyramidPeriod {
        PyramidPeriod {
            period: snap.period.to_string(),
            revision: snap.revision,
            reference: revision_name(snap),
            words_vi: super::workbook::period_words(&snap.period),
            words_en: super::periods::period_words_en(&snap.period),
            published_on: snap.version.clone(),
        }
    }
}

/// The unit a pyramid is of.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PyramidUnit {
    /// Code (`VN`: the country, summed from the provinces).
    pub code: String,
    /// Vietnamese name.
    pub name: String,
    /// Level.
    pub level: String,
    /// Parent's code (`null` at the top).
    pub parent_code: Option<String>,
}

/// A comparison pyramid drawn as an outline: shares only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Outline {
    /// Code of the unit outlined (`VN` for the country).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its groups' shares, youngest first.
    pub groups: Vec<ShareRow>,
}

/// The outlines a pyramid is compared with.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Outlines {
    /// The parent unit's pyramid (`null` for a province or the country, or when the parent has
    /// no age groups).
    pub parent: Option<Outline>,
    /// The national pyramid (`null` for the country itself).
    pub national: Option<Outline>,
}

/// The same unit in a second period (`compare=`), on the shown boundary version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComparedPyramid {
    /// The second period.
    pub period: PyramidPeriod,
    /// True when the unit's counts of that period were moved onto the shown boundary version
    /// through a split of an old unit (an estimate).
    pub estimated: bool,
    /// Its groups, youngest first.
    pub groups: Vec<GroupRow>,
    /// Its totals.
    pub totals: Totals,
}

/// One unit's pyramid in one period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitPyramid {
    /// The unit.
    pub unit: PyramidUnit,
    /// The boundary version of the unit and its counts.
    pub version: String,
    /// The period.
    pub period: PyramidPeriod,
    /// True when the counts were moved onto `version` through a split of an old unit.
    pub estimated: bool,
    /// The 17 groups (0–4 … 75–79, 80+), youngest first: counts and shares of the whole
    /// population (both sexes), which sum to 100 within rounding.
    pub groups: Vec<GroupRow>,
    /// The groups summed.
    pub totals: Totals,
    /// The parent's and the national pyramid, as shares.
    pub outline: Outlines,
    /// The second period, with `compare=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<ComparedPyramid>,
}

/// Pyramids of several units in one period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PyramidSet {
    /// The period.
    pub period: PyramidPeriod,
    /// The boundary version of the units.
    pub version: String,
    /// One pyramid per unit, in the order asked.
    pub items: Vec<UnitPyramid>,
}

/// The query of `GET /api/v1/units/{code}/pyramid`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct PyramidQuery {
    /// `latest` (the newest month; the default unless the operation says otherwise), a period (`2025-06`, `2025-Q3`, `2025`, a projection `2030-medium`: its newest revision) or one revision (`2025-06@r2`)
    pub period: Option<String>,
    /// A second period to overlay, moved onto the shown boundary version when it was published on another (400 when no crosswalk leads there)
    pub compare: Option<String>,
    /// Boundary version of the unit (default: the period's); another version's units get counts through the stored crosswalk
    pub version: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV
    pub format: Option<String>,
}

/// The query of `GET /api/v1/pyramid`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct PyramidSetQuery {
    /// Comma-separated unit codes (`VN` for the country), 1 to 50
    pub units: Option<String>,
    /// `latest` (the newest month; the default unless the operation says otherwise), a period (`2025-06`, `2025-Q3`, `2025`, a projection `2030-medium`: its newest revision) or one revision (`2025-06@r2`)
    pub period: Option<String>,
    /// A second period to overlay, moved onto the shown boundary version when it was published on another
    pub compare: Option<String>,
    /// Boundary version of the units (default: the period's)
    pub version: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV
    pub format: Option<String>,
}

/// `GET /api/v1/units/{code}/pyramid`.
///
/// Without `period`, the newest period that has age groups for the unit (not `latest`: monthly
/// reports often carry no ages).
#[utoipa::path(
    get,
    path = "/api/v1/units/{code}/pyramid",
    tag = "units",
    params(
        ("code" = String, Path, description = "Unit code, e.g. `01`; `VN` for the country", example = "01"),
        PyramidQuery
    ),
    responses(
        (status = 200, description = "OK", content((UnitPyramid = "application/json"), (String = "text/csv"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn unit(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    code: Result<Path<String>, PathRejection>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let code = crate::http::query::path(code)?;
    params.allow_for::<PyramidQuery>()?;
    answer(&st, &caller, &params, &headers, vec![code], true).await
}

/// `GET /api/v1/pyramid?units=01,79`.
///
/// Without `period`, the newest period that has age groups for the units.
#[utoipa::path(
    get,
    path = "/api/v1/pyramid",
    tag = "units",
    params(PyramidSetQuery),
    responses(
        (status = 200, description = "OK", content((PyramidSet = "application/json"), (String = "text/csv"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn set(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow_for::<PyramidSetQuery>()?;
    let codes = params.list("units")?.unwrap_or_default();
    if codes.is_empty() || codes.len() > MAX_PYRAMID_UNITS {
        return Err(ApiError::bad_request(
            "units",
            format!("1 to {MAX_PYRAMID_UNITS} comma-separated unit codes"),
            format!(
                "units names {} codes: give 1 to {MAX_PYRAMID_UNITS}, e.g. units=01,79",
                codes.len()
            ),
        ));
    }
    answer(&st, &caller, &params, &headers, codes, false).await
}

/// The counts of one snapshot on one boundary version: as published, or harmonised.
enum Counts {
    /// The snapshot's own version.
    Plain(Arc<ValueTable>),
    /// Moved onto another version through the stored crosswalk.
    Moved(Arc<Harmonised>),
}

impl Counts {
    /// `snap`'s counts on `version`.
    async fn of(st: &AppState, snap: &Snapshot, version: &str) -> Result<Counts, ApiError> {
        Ok(if snap.version == version {
            Counts::Plain(st.tiles.values(&st.store, snap.id).await?)
        } else {
            Counts::Moved(
                st.tiles
                    .harmonised(&st.store, &st.catalog, snap, version)
                    .await?,
            )
        })
    }

    /// The table.
    fn table(&self) -> &ValueTable {
        match self {
            Counts::Plain(t) => t,
            Counts::Moved(h) => &h.values,
        }
    }

    /// Whether `code`'s counts rest on a split estimate.
    fn estimated(&self, code: &str) -> bool {
        match self {
            Counts::Plain(_) => false,
            Counts::Moved(h) => h.estimated.contains(code),
        }
    }
}

/// One period's counts with the national pyramid summed once.
struct PeriodCounts {
    snap: Snapshot,
    counts: Counts,
    national: Option<Pyramid>,
}

impl PeriodCounts {
    async fn load(
        st: &AppState,
        units: &VersionUnits,
        snap: Snapshot,
        version: &str,
    ) -> Result<PeriodCounts, ApiError> {
        let counts = Counts::of(st, &snap, version).await?;
        let national = Pyramid::of(Some(&geodata::national(&units.list, counts.table()).counts));
        Ok(PeriodCounts {
            snap,
            counts,
            national,
        })
    }

    /// The pyramid of `code` (`VN`: the national one).
    fn pyramid(&self, code: &str) -> Option<Pyramid> {
        match code {
            NATIONAL_CODE => self.national.clone(),
            _ => Pyramid::of(self.counts.table().get(code)),
        }
    }
}

/// The answer of both routes: `codes` in one period (`one`: the single-unit shape).
async fn answer(
    st: &AppState,
    caller: &Caller,
    params: &Params,
    headers: &HeaderMap,
    codes: Vec<String>,
    one: bool,
) -> Result<Response, ApiError> {
    let format = params.format(headers)?;
    let published = st.published.load_full();
    let snap = match params.str("period") {
        Some(p) => published.snapshot(Some(p), Some("period"))?.1,
        None => newest_with_age(st, &published, &codes)
            .await?
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "no published period has age and sex groups for {}",
                    codes.join(", ")
                ))
            })?,
    };
    let compare = params
        .str("compare")
        .map(|c| published.snapshot(Some(c), Some("compare")).map(|s| s.1))
        .transpose()?;
    let version = match params.str("version") {
        Some(v) => published.known_version(v)?.id.clone(),
        None => snap.version.clone(),
    };
    // The path's code is not among the query parameters: the key names the units itself.
    let extra = format!(
        "{format:?}|{version}|{:?}|{}|{one}",
        compare.as_ref().map(|c| c.id),
        codes.join(",")
    );
    let key = ResponseCache::key("pyramid", snap.id, caller, params, &extra);
    if let Some(hit) = st.api.responses.get(&key).await {
        return Ok(hit.send(headers, caller));
    }
    let units = st.api.units.get(&st.store, &version).await?;
    let main = PeriodCounts::load(st, &units, snap, &version).await?;
    let second = match compare {
        Some(c) => Some(PeriodCounts::load(st, &units, c, &version).await?),
        None => None,
    };
    let mut items = Vec::with_capacity(codes.len());
    for code in &codes {
        items.push(unit_pyramid(st, &published, &units, code, &main, second.as_ref()).await?);
    }
    let table = || Some(csv_table(&items));
    let prepared = if one && let Some(item) = items.first() {
        prepare(format, item, table)?
    } else {
        let set = PyramidSet {
            period: PyramidPeriod::of(&main.snap),
            version: version.clone(),
            items: items.clone(),
        };
        prepare(format, &set, table)?
    };
    Ok(st
        .api
        .responses
        .put(key, prepared)
        .await
        .send(headers, caller))
}

/// The pyramid of `code` in `main` (and `second`), or the 404 of a unit or period without one.
async fn unit_pyramid(
    st: &AppState,
    published: &Published,
    units: &VersionUnits,
    code: &str,
    main: &PeriodCounts,
    second: Option<&PeriodCounts>,
) -> Result<UnitPyramid, ApiError> {
    let national_unit;
    let unit: &UnitInfo = if code == NATIONAL_CODE {
        national_unit = geodata::national(&units.list, &ValueTable::new()).unit;
        &national_unit
    } else {
        units.get(code).ok_or_else(|| {
            ApiError::NotFound(format!(
                "no unit '{code}' in boundary version '{}'",
                main.counts_version()
            ))
        })?
    };
    let own = |pc: &PeriodCounts| pc.pyramid(code);
    let Some(pyramid) = own(main) else {
        return Err(no_age(st, published, code, &main.snap).await);
    };
    let compare = match second {
        Some(s) => {
            let Some(p) = own(s) else {
                return Err(no_age(st, published, code, &s.snap).await);
            };
            Some(ComparedPyramid {
                period: PyramidPeriod::of(&s.snap),
                estimated: s.counts.estimated(code),
                groups: p.groups,
                totals: p.totals,
            })
        }
        None => None,
    };
    let parent = unit
        .parent_code
        .as_deref()
        .and_then(|p| units.get(p))
        .and_then(|p| {
            main.pyramid(&p.code).map(|py| Outline {
                code: p.code.clone(),
                name: p.name.clone(),
                groups: py.shares(),
            })
        });
    let national = (code != NATIONAL_CODE)
        .then_some(main.national.as_ref())
        .flatten()
        .map(|py| Outline {
            code: NATIONAL_CODE.into(),
            name: geodata::NATIONAL_NAME.into(),
            groups: py.shares(),
        });
    Ok(UnitPyramid {
        unit: PyramidUnit {
            code: unit.code.clone(),
            name: unit.name.clone(),
            level: unit.level.to_string(),
            parent_code: unit.parent_code.clone(),
        },
        version: main.counts_version(),
        period: PyramidPeriod::of(&main.snap),
        estimated: main.counts.estimated(code),
        groups: pyramid.groups,
        totals: pyramid.totals,
        outline: Outlines { parent, national },
        compare,
    })
}

impl PeriodCounts {
    /// The boundary version the counts are on.
    fn counts_version(&self) -> String {
        match &self.counts {
            Counts::Plain(_) => self.snap.version.clone(),
            Counts::Moved(h) => h.version.clone(),
        }
    }
}

/// The 404 of a period without age groups for `code`, naming the newest period that has them.
async fn no_age(st: &AppState, published: &Published, code: &str, snap: &Snapshot) -> ApiError {
    let newest = newest_with_age(st, published, &[code.to_string()])
        .await
        .ok()
        .flatten();
    let shown = revision_name(snap);
    ApiError::NotFound(match newest {
        Some(n) => format!(
            "period {shown} has no age and sex groups for unit '{code}': the newest period with them is {} ({})",
            n.period,
            super::workbook::period_words(&n.period)
        ),
        None => format!(
            "period {shown} has no age and sex groups for unit '{code}', and no published period has them"
        ),
    })
}

/// The newest period with age groups for `codes` (`VN`: any version, it has provinces): among
/// the newest revisions of the periods that carry them ([`Published::newest_with_ages`]), on a
/// boundary version that has one of the units, what `latest` would choose. A publish gives the
/// groups to every unit of its version or to none, so the version decides; no store query.
async fn newest_with_age(
    st: &AppState,
    published: &Published,
    codes: &[String],
) -> Result<Option<Snapshot>, ApiError> {
    let national = codes.iter().any(|c| c == NATIONAL_CODE);
    let mut versions: HashSet<&str> = HashSet::new();
    for v in &published.versions {
        let aged = published
            .snapshots
            .iter()
            .any(|s| s.version == v.id && published.has_ages(s.id));
        if !aged {
            continue;
        }
        let units = st.api.units.get(&st.store, &v.id).await?;
        if national || codes.iter().any(|c| units.get(c).is_some()) {
            versions.insert(v.id.as_str());
        }
    }
    Ok(published.newest_with_ages(|s| versions.contains(s.version.as_str())))
}

/// The CSV: one row per unit, period and age group.
fn csv_table(items: &[UnitPyramid]) -> Table {
    let mut rows = Vec::new();
    for i in items {
        let lead = [Some(i.unit.code.clone()), Some(i.unit.name.clone())];
        let periods = std::iter::once((&i.period, &i.groups))
            .chain(i.compare.as_ref().map(|c| (&c.period, &c.groups)));
        for (p, groups) in periods {
            rows.extend(group_rows(&lead, p, &i.version, groups));
        }
    }
    Table {
        columns: group_columns(&["code", "name"]),
        rows,
    }
}

/// A pyramid CSV's columns: `lead` (what the pyramid is of), then the period, the age group and
/// its counts and shares (the unit and the cell pyramids write the same columns after their own).
fn group_columns(lead: &[&str]) -> Vec<String> {
    let groups = [
        "period",
        "revision",
        "version",
        "age",
        "males",
        "females",
        "males_share",
        "females_share",
    ];
    lead.iter().chain(&groups).map(|c| c.to_string()).collect()
}

/// One CSV row per group of `groups` (of `period` on `version`) after the `lead` cells, in
/// [`group_columns`] order.
fn group_rows<'a>(
    lead: &'a [Option<String>],
    period: &'a PyramidPeriod,
    version: &'a str,
    groups: &'a [GroupRow],
) -> impl Iterator<Item = Vec<Option<String>>> + 'a {
    groups.iter().map(move |g| {
        let own = [
            Some(period.period.clone()),
            Some(period.revision.to_string()),
            Some(version.to_string()),
            Some(g.age.clone()),
            Some(g.males.to_string()),
            Some(g.females.to_string()),
            Some(g.males_share.to_string()),
            Some(g.females_share.to_string()),
        ];
        lead.iter().cloned().chain(own).collect()
    })
}
