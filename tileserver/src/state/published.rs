//! The published state a server answers from: boundary versions and snapshots, read from the
//! store at start and on each reload, swapped atomically (see [`crate::state::refresh`]).
//!
//! Tile URLs name a period three ways ([`PeriodRef`]): `latest` (the newest revision of the
//! newest month; of the newest quarter, then year, when no month is published:
//! [`geodata::latest_snapshot`]), `2025-06` (that period's newest revision) and `2025-06@r2`
//! (one revision, whose bytes never change: these URLs are cached as immutable).
//!
//! Periods compare only within one granularity ([`same_granularity`]): a quarter's births are
//! never set against a month's.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

use geodata::{BoundaryVersion, Granularity, Period, Store, Variant};
use geodata::{Snapshot, StoreError};

use crate::http::error::ApiError;

/// How a URL names the snapshot it wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodRef {
    /// The newest revision of the newest month (else quarter, else year).
    Latest,
    /// The newest revision of a period.
    Newest(Period),
    /// One revision of a period.
    Revision(Period, i64),
}

impl PeriodRef {
    /// Whether the URL names one revision (its answer never changes).
    pub fn is_immutable(&self) -> bool {
        matches!(self, PeriodRef::Revision(..))
    }
}

/// A period reference that does not parse.
#[derive(Debug, thiserror::Error)]
#[error(
    "'{0}' is not a period: use latest, 2025-06, 2025-Q3, 2025, a projection like 2030-medium, or a revision like 2025-06@r2"
)]
pub struct InvalidPeriodRef(String);

impl FromStr for PeriodRef {
    type Err = InvalidPeriodRef;

    fn from_str(s: &str) -> Result<PeriodRef, InvalidPeriodRef> {
        let bad = || InvalidPeriodRef(s.to_string());
        if s == "latest" {
            return Ok(PeriodRef::Latest);
        }
        match s.split_once("@r") {
            Some((p, r)) => {
                let period: Period = p.parse().map_err(|_| bad())?;
                let rev: i64 = r
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1 && r.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(bad)?;
                Ok(PeriodRef::Revision(period, rev))
            }
            None => s.parse().map(PeriodRef::Newest).map_err(|_| bad()),
        }
    }
}

impl fmt::Display for PeriodRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodRef::Latest => f.write_str("latest"),
            PeriodRef::Newest(p) => write!(f, "{p}"),
            PeriodRef::Revision(p, r) => write!(f, "{p}@r{r}"),
        }
    }
}

/// The URL name of one snapshot's revision, e.g. `2025-06@r2`.
pub fn revision_name(snap: &Snapshot) -> String {
    PeriodRef::Revision(snap.period, snap.revision).to_string()
}

/// Boundary versions and snapshots as of one read of the store.
#[derive(Debug, Clone, Default)]
pub struct Published {
    /// Boundary versions, by `valid_from`.
    pub versions: Vec<BoundaryVersion>,
    /// Every snapshot, by period then revision.
    pub snapshots: Vec<Snapshot>,
    /// One stamp per stored crosswalk and H3 operator (what it maps and when it was built):
    /// a rebuilt one changes its stamp, and the server forgets what it derived from it.
    pub builds: Vec<String>,
    /// The stored crosswalks as (from, to) version ids (`onto` of `/api/v1/versions`).
    pub crosswalks: Vec<(String, String)>,
    /// Boundary versions that have an H3 operator.
    pub operators: Vec<String>,
    /// 1 for the state read at start, +1 for each reload that changed it.
    pub generation: u64,
    /// Store ids of the snapshots that carry the age × sex groups (a publish gives all of them
    /// or none, and every level of the snapshot has them: they are summed up the hierarchy).
    pub ages: std::collections::BTreeSet<i64>,
    /// Index in `snapshots` of what `latest` names, found once at load (every tile URL with
    /// `latest` asks, and the search compares dates of every snapshot).
    latest: Option<usize>,
}

/// The age group whose presence marks a snapshot with ages (the catalog's first).
static AGE_MARKER: std::sync::LazyLock<Option<String>> = std::sync::LazyLock::new(|| {
    geodata::Catalog::builtin()
        .age_groups()
        .next()
        .map(|b| b.id.clone())
});

impl Published {
    /// Reads versions and snapshots from `store`.
    pub async fn load(store: &Store, generation: u64) -> Result<Published, StoreError> {
        let metas = store.crosswalk_metas().await?;
        let ops = store.operators().await?;
        let mut builds: Vec<String> = metas
            .iter()
            .map(|m| format!("crosswalk {} {} {}", m.from, m.to, m.built_at.to_rfc3339()))
            .collect();
        builds.extend(
            ops.iter()
                .map(|o| format!("operator {} {}", o.version, o.built_at.to_rfc3339())),
        );
        builds.sort();
        let snapshots = store.snapshots().await?;
        let ages = match AGE_MARKER.as_deref() {
            Some(id) => store.snapshots_with(id).await?,
            None => Default::default(),
        };
        let latest = geodata::latest_snapshot(&snapshots)
            .and_then(|l| snapshots.iter().position(|s| std::ptr::eq(s, l)));
        Ok(Published {
            versions: store.versions().await?,
            snapshots,
            builds,
            crosswalks: metas.into_iter().map(|m| (m.from, m.to)).collect(),
            operators: ops.into_iter().map(|o| o.version).collect(),
            ages,
            generation,
            latest,
        })
    }

    /// Whether `other` holds the same versions, snapshots and builds (ignoring the generation).
    pub fn same_content(&self, other: &Published) -> bool {
        self.versions == other.versions
            && self.builds == other.builds
            && self.snapshots.len() == other.snapshots.len()
            && self
                .snapshots
                .iter()
                .zip(&other.snapshots)
                .all(|(a, b)| a.id == b.id && a.revision == b.revision)
    }

    /// The snapshot a reference names, if published.
    pub fn resolve(&self, r: &PeriodRef) -> Option<&Snapshot> {
        match r {
            PeriodRef::Latest => self.latest.map(|i| &self.snapshots[i]),
            PeriodRef::Newest(p) => self
                .snapshots
                .iter()
                .filter(|s| s.period == *p)
                .max_by_key(|s| s.revision),
            PeriodRef::Revision(p, r) => self
                .snapshots
                .iter()
                .find(|s| s.period == *p && s.revision == *r),
        }
    }

    /// A boundary version by id.
    pub fn version(&self, id: &str) -> Option<&BoundaryVersion> {
        self.versions.iter().find(|v| v.id == id)
    }

    /// The one period resolver of every route: `text` (`None` means `latest`) → the reference
    /// and the snapshot it names. 400 when malformed (the message prefixed with `query`, the
    /// query parameter's name, when the period came from the query string), 404 when nothing
    /// is published under it.
    pub fn snapshot(
        &self,
        text: Option<&str>,
        query: Option<&str>,
    ) -> Result<(PeriodRef, Snapshot), ApiError> {
        let pref: PeriodRef = text
            .unwrap_or("latest")
            .parse()
            .map_err(|e: InvalidPeriodRef| {
                ApiError::bad_request(
                    query.unwrap_or("period"),
                    "a period: 2025-06, 2025-Q3, 2025, latest or a revision like 2025-06@r2",
                    match query {
                        Some(name) => format!("{name}: {e}"),
                        None => e.to_string(),
                    },
                )
            })?;
        let snap = self
            .resolve(&pref)
            .ok_or_else(|| ApiError::NotFound(format!("period '{pref}' is not published")))?
            .clone();
        Ok((pref, snap))
    }

    /// Whether snapshot `id` carries the age × sex groups.
    pub fn has_ages(&self, id: i64) -> bool {
        self.ages.contains(&id)
    }

    /// The newest period with age groups among the snapshots `on` accepts: of the newest
    /// revisions of the periods that carry them, what `latest` would choose. Read from
    /// [`Published::ages`], no store query.
    pub fn newest_with_ages(&self, on: impl Fn(&Snapshot) -> bool) -> Option<Snapshot> {
        let candidates: Vec<Snapshot> = self
            .snapshots
            .iter()
            .filter(|s| self.has_ages(s.id) && on(s))
            .filter(|s| {
                self.resolve(&PeriodRef::Newest(s.period))
                    .is_some_and(|n| n.id == s.id)
            })
            .cloned()
            .collect();
        geodata::latest_snapshot(&candidates).cloned()
    }

    /// 400 when `level` is an administrative level the snapshot's boundary version does not have:
    /// district values exist only for periods on versions with districts (vn-2019), never on
    /// vn-2025, and asking for them there is a client error, not an empty table.
    /// `level=country` (the national row, summed from the provinces) is always there;
    /// `level=region` is refused: the catalog defines no regions.
    pub fn require_level(&self, snap: &Snapshot, level: geodata::Level) -> Result<(), ApiError> {
        if level == geodata::Level::Region {
            return Err(no_regions(self.version(&snap.version)));
        }
        let admin = matches!(
            level,
            geodata::Level::Province | geodata::Level::District | geodata::Level::Commune
        );
        match self.version(&snap.version) {
            Some(v) if admin && !v.levels.contains(&level) => Err(ApiError::bad_request(
                "level",
                v.levels.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
                format!(
                    "level={level}: boundary version '{}' of period {} has no {level} level",
                    snap.version, snap.period
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The one `version=` check of every route: the boundary version the query names, or 400.
    pub fn known_version(&self, id: &str) -> Result<&BoundaryVersion, ApiError> {
        self.version(id).ok_or_else(|| {
            ApiError::bad_request(
                "version",
                self.versions
                    .iter()
                    .map(|v| v.id.as_str())
                    .collect::<Vec<_>>(),
                format!("version='{id}' is not a boundary version of this server"),
            )
        })
    }
}

/// The 400 of `level=region`: no regions are defined in the catalog (the levels `version` has,
/// and `country`, are what `level=` allows).
pub fn no_regions(version: Option<&BoundaryVersion>) -> ApiError {
    let mut allowed = vec!["country"];
    allowed.extend(
        version
            .into_iter()
            .flat_map(|v| v.levels.iter().map(|l| l.as_str())),
    );
    ApiError::bad_request(
        "level",
        allowed,
        "level=region: no regions are defined in the catalog",
    )
}

/// The URL word of a granularity: `month`, `quarter`, `year`, or a projection's variant
/// `projection-low`, `projection-medium`, `projection-high`.
pub fn granularity_name(g: Granularity) -> &'static str {
    match g {
        Granularity::Month => "month",
        Granularity::Quarter => "quarter",
        Granularity::Year => "year",
        Granularity::Projection(Variant::Low) => "projection-low",
        Granularity::Projection(Variant::Medium) => "projection-medium",
        Granularity::Projection(Variant::High) => "projection-high",
    }
}

/// Every granularity a query may name, reported first.
const GRANULARITIES: [Granularity; 6] = [
    Granularity::Month,
    Granularity::Quarter,
    Granularity::Year,
    Granularity::Projection(Variant::Low),
    Granularity::Projection(Variant::Medium),
    Granularity::Projection(Variant::High),
];

/// A granularity named in query parameter `parameter` (`month`, `quarter`, `year`,
/// `projection-medium` …, and `all` where `all` is allowed: `Ok(None)`, every reported length,
/// never projections); 400 otherwise.
pub fn parse_granularity(
    text: &str,
    parameter: &str,
    all: bool,
) -> Result<Option<Granularity>, ApiError> {
    if all && text == "all" {
        return Ok(None);
    }
    if let Some(g) = GRANULARITIES
        .into_iter()
        .find(|g| granularity_name(*g) == text)
    {
        return Ok(Some(g));
    }
    let mut allowed: Vec<&str> = GRANULARITIES.into_iter().map(granularity_name).collect();
    if all {
        allowed.push("all");
    }
    Err(ApiError::bad_request(
        parameter,
        allowed.clone(),
        format!("{parameter}='{text}' is not one of {}", allowed.join(", ")),
    ))
}

/// The one check that two periods may be compared (change maps, comparisons): 400 naming
/// query parameter `base` unless `base` has the length of `period`, e.g. "2026-Q3 is a quarter
/// and 2026-09 a month: compare periods of the same length".
///
/// A projected year compares with another variant's year and with any reported period ending a
/// year (a year, a fourth quarter, a December): a projection holds stocks at 31 December, and
/// the change from its base is what it is read for.
pub fn same_granularity(period: Period, base: Period) -> Result<(), ApiError> {
    let (a, b) = (period.granularity(), base.granularity());
    let year_end = |p: Period| {
        matches!(
            p,
            Period::Year { .. }
                | Period::Projection { .. }
                | Period::Quarter { quarter: 4, .. }
                | Period::Month { month: 12, .. }
        )
    };
    let projection = period.is_projection() || base.is_projection();
    if a == b || (projection && year_end(period) && year_end(base)) {
        return Ok(());
    }
    let word = |g: Granularity| match g {
        Granularity::Month => "a month",
        Granularity::Quarter => "a quarter",
        Granularity::Year => "a year",
        Granularity::Projection(_) => "a projection",
    };
    Err(ApiError::bad_request(
        "base",
        format!("a {} like {period}", granularity_name(a)),
        format!(
            "{base} is {} and {period} {}: compare periods of the same length",
            word(b),
            word(a)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_periods_of_one_length_compare() {
        let p = |s: &str| s.parse::<Period>().unwrap();
        assert!(same_granularity(p("2026-09"), p("2025-09")).is_ok());
        assert!(same_granularity(p("2030-medium"), p("2025")).is_ok());
        assert!(same_granularity(p("2030-high"), p("2030-low")).is_ok());
        assert!(same_granularity(p("2030-high"), p("2025-Q4")).is_ok());
        assert!(same_granularity(p("2030-high"), p("2025-12")).is_ok());
        assert!(same_granularity(p("2030-high"), p("2025-Q3")).is_err());
        assert!(same_granularity(p("2025"), p("2025-Q4")).is_err());
        assert_eq!(
            parse_granularity("projection-medium", "granularity", false).unwrap(),
            Some(Granularity::Projection(Variant::Medium))
        );
        let e = same_granularity(p("2026-09"), p("2026-Q3")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "2026-Q3 is a quarter and 2026-09 a month: compare periods of the same length"
        );
        assert!(parse_granularity("all", "granularity", false).is_err());
        assert_eq!(parse_granularity("all", "granularity", true).unwrap(), None);
        assert_eq!(
            parse_granularity("year", "granularity", false).unwrap(),
            Some(Granularity::Year)
        );
    }

    #[test]
    fn period_refs_round_trip_and_bad_ones_are_refused() {
        for s in [
            "latest",
            "2025-06",
            "2025-Q3",
            "2025",
            "2025-06@r2",
            "2025@r10",
            "2030-medium",
            "2030-high@r2",
        ] {
            assert_eq!(s.parse::<PeriodRef>().unwrap().to_string(), s);
        }
        assert!("2025-06@r2".parse::<PeriodRef>().unwrap().is_immutable());
        assert!(!"2025-06".parse::<PeriodRef>().unwrap().is_immutable());
        for s in [
            "",
            "2025-13",
            "2025-06@r0",
            "2025-06@r",
            "2025-06@r+1",
            "2025-06@2",
            "../x",
        ] {
            let e = s.parse::<PeriodRef>().unwrap_err().to_string();
            assert!(e.contains(&format!("'{s}'")), "{e}");
        }
    }
}

/// One published period as listed by the API: its newest revision.
#[derive(Debug, Serialize)]
pub struct PeriodEntry {
    /// The period, e.g. `2025-10`.
    pub period: String,
    /// Newest revision.
    pub revision: i64,
    /// Boundary version the values are on.
    pub version: String,
    /// When that revision was published (RFC 3339).
    pub published_at: String,
    /// Where the values came from.
    pub source: String,
    /// Whether that revision reported every commune (`false`: published as partial).
    pub complete: bool,
}

/// Newest revision of every period being served, in period order.
pub fn latest_periods(published: &Published) -> Vec<PeriodEntry> {
    let mut out: Vec<PeriodEntry> = Vec::new();
    for s in published.snapshots.iter().cloned() {
        let entry = PeriodEntry {
            period: s.period.to_string(),
            revision: s.revision,
            version: s.version,
            published_at: s.published_at.to_rfc3339(),
            source: s.source,
            complete: s.complete,
        };
        match out.last_mut() {
            Some(last) if last.period == entry.period => *last = entry,
            _ => out.push(entry),
        }
    }
    out
}
