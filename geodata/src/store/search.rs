//! Unit look-ups for the data API: paged search by level, parent or ancestor and by name as
//! people type it ([`NameQuery`]: folded, spaceless, aliases, type word optional) or code
//! prefix, ranked exact > prefix > substring and the higher level first; one unit by code,
//! children counts, and one unit's values across all snapshots.

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, Row};

use super::units::{INFO_COLUMNS, require_version, unit_info};
use super::{Result, Store, StoreError, packed};
use crate::model::level::Level;
use crate::model::namequery::{NameMatch, NameQuery};
use crate::model::unit::UnitInfo;

/// What `/units` asks for: every filter is optional except the version.
#[derive(Debug, Clone, Default)]
pub struct UnitQuery {
    /// Boundary version id.
    pub version: String,
    /// Only units of this level.
    pub level: Option<Level>,
    /// Only children of this unit code.
    pub parent: Option<String>,
    /// Only descendants of this unit code (children, their children, ...).
    pub within: Option<String>,
    /// Name as people type it (see [`NameQuery`]) or code prefix.
    pub q: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

/// One page of units and the number of units matching in all.
#[derive(Debug, Clone)]
pub struct UnitPage {
    /// Units of the page: best match first, then by level (top first) then code.
    pub items: Vec<UnitInfo>,
    /// Units matching the query, all pages.
    pub total: i64,
}

/// A unit a query found and how well its name matched (`None`: no `q` was asked).
#[derive(Debug, Clone, Copy)]
pub struct UnitHit<'a> {
    /// The unit.
    pub unit: &'a UnitInfo,
    /// How well it matched `q`.
    pub rank: Option<NameMatch>,
}

/// The units of `list` (one version's) that `query` asks for (its version, limit and offset
/// ignored), best first: by match ([`NameMatch`]), then level (top first), then code.
pub fn rank_units<'a>(list: &'a [UnitInfo], query: &UnitQuery) -> Vec<UnitHit<'a>> {
    let text = query.q.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let parsed = text.and_then(NameQuery::parse);
    if text.is_some() && parsed.is_none() {
        return Vec::new();
    }
    let parents: HashMap<&str, &str> = match &query.within {
        Some(_) => list
            .iter()
            .filter_map(|u| Some((u.code.as_str(), u.parent_code.as_deref()?)))
            .collect(),
        None => HashMap::new(),
    };
    let inside = |u: &UnitInfo| {
        let Some(root) = query.within.as_deref() else {
            return true;
        };
        let mut cur = u.parent_code.as_deref();
        for _ in 0..Level::ALL.len() {
            match cur {
                Some(c) if c == root => return true,
                Some(c) => cur = parents.get(c).copied(),
                None => return false,
            }
        }
        false
    };
    let mut hits: Vec<UnitHit> = list
        .iter()
        .filter(|u| query.level.is_none_or(|l| u.level == l))
        .filter(|u| {
            query
                .parent
                .as_deref()
                .is_none_or(|p| u.parent_code.as_deref() == Some(p))
        })
        .filter(|u| inside(u))
        .filter_map(|u| {
            let rank = match &parsed {
                Some(q) => Some(q.matches(&u.code, &u.name)?),
                None => None,
            };
            Some(UnitHit { unit: u, rank })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.rank
            .cmp(&a.rank)
            .then(a.unit.level.depth().cmp(&b.unit.level.depth()))
            .then(a.unit.code.cmp(&b.unit.code))
    });
    hits
}

/// `CASE level WHEN 'country' THEN 0 ... END`: the level's depth, for ordering in SQL.
fn depth_sql() -> String {
    let mut s = String::from("CASE level");
    for l in Level::ALL {
        s.push_str(&format!(" WHEN '{}' THEN {}", l.as_str(), l.depth()));
    }
    s.push_str(" ELSE 9 END");
    s
}

pub(super) async fn find_units(store: &Store, q: &UnitQuery) -> Result<UnitPage> {
    require_version(store, &q.version).await?;
    if q.q.is_some() || q.within.is_some() {
        // Matching names as people type them and walking ancestors is done over the
        // version's unit list (a few thousand rows), by the same code the server runs.
        let list = super::units::units(store, &q.version).await?;
        let hits = rank_units(&list, q);
        return Ok(UnitPage {
            total: hits.len() as i64,
            items: hits
                .into_iter()
                .skip(q.offset.max(0) as usize)
                .take(q.limit.max(0) as usize)
                .map(|h| h.unit.clone())
                .collect(),
        });
    }
    let mut conds = vec!["version = $1".to_string()];
    let mut binds: Vec<String> = vec![q.version.clone()];
    if let Some(level) = q.level {
        binds.push(level.as_str().to_string());
        conds.push(format!("level = ${}", binds.len()));
    }
    if let Some(parent) = &q.parent {
        binds.push(parent.clone());
        conds.push(format!("parent_code = ${}", binds.len()));
    }
    let wher = conds.join(" AND ");
    let mut count = sqlx::query(AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM units WHERE {wher}"
    )));
    for b in &binds {
        count = count.bind(b.clone());
    }
    let total: i64 = count.fetch_one(&store.pool).await?.try_get("n")?;
    let sql = format!(
        "SELECT {INFO_COLUMNS} FROM units WHERE {wher} ORDER BY {}, code LIMIT {} OFFSET {}",
        depth_sql(),
        q.limit.max(0),
        q.offset.max(0)
    );
    let mut page = sqlx::query(AssertSqlSafe(sql));
    for b in &binds {
        page = page.bind(b.clone());
    }
    let items = page
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| unit_info(&q.version, r))
        .collect::<Result<Vec<_>>>()?;
    Ok(UnitPage { items, total })
}

pub(super) async fn unit(store: &Store, version: &str, code: &str) -> Result<Option<UnitInfo>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {INFO_COLUMNS} FROM units WHERE version = $1 AND code = $2"
    )))
    .bind(version)
    .bind(code)
    .fetch_optional(&store.pool)
    .await?;
    row.map(|r| unit_info(version, &r)).transpose()
}

pub(super) async fn children_count(store: &Store, version: &str, code: &str) -> Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM units WHERE version = $1 AND parent_code = $2")
            .bind(version)
            .bind(code)
            .fetch_one(&store.pool)
            .await?;
    Ok(n)
}

/// One stored value of a unit in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesValue {
    /// Snapshot store id.
    pub snapshot_id: i64,
    /// Unit code.
    pub unit_code: String,
    /// Base indicator id.
    pub indicator: String,
    /// The count.
    pub value: i64,
}

/// Codes per query: far below both backends' bind-parameter limits.
const CODES_PER_QUERY: usize = 2_000;

pub(super) async fn units_values(
    store: &Store,
    unit_codes: &[&str],
    indicators: &[&str],
) -> Result<Vec<SeriesValue>> {
    if indicators.is_empty() || unit_codes.is_empty() {
        return Ok(Vec::new());
    }
    // Ids first, then one query that names the primary key's columns with literal integer
    // lists: both planners seek (snapshot, unit, indicator) directly. A join on the indicator
    // name let SQLite scan every value row of the indicator (1.1 s on the demo database).
    let names: Vec<String> = (0..indicators.len())
        .map(|i| format!("${}", i + 1))
        .collect();
    let mut q = sqlx::query_as::<_, (i32, String)>(AssertSqlSafe(format!(
        "SELECT id, name FROM indicators WHERE name IN ({})",
        names.join(", ")
    )));
    for i in indicators {
        q = q.bind(i.to_string());
    }
    let ids: HashMap<i64, String> = q
        .fetch_all(&store.pool)
        .await?
        .into_iter()
        .map(|(id, name)| (i64::from(id), name))
        .collect();
    let snapshots: Vec<(i64,)> = sqlx::query_as("SELECT id FROM snapshots")
        .fetch_all(&store.pool)
        .await?;
    if ids.is_empty() || snapshots.is_empty() {
        return Ok(Vec::new());
    }
    let list = |v: Vec<String>| v.join(", ");
    let snapshot_list = list(snapshots.iter().map(|s| s.0.to_string()).collect());
    let indicator_list = list(ids.keys().map(|i| i.to_string()).collect());
    let mut out = Vec::new();
    for codes in unit_codes.chunks(CODES_PER_QUERY) {
        // One packed row per unit (see `packed`): a province's series reads ~300 rows, not
        // the ~50,000 values of its communes over every snapshot.
        let params = list((1..=codes.len()).map(|i| format!("${i}")).collect());
        let sql = format!(
            "SELECT unit_code, {} FROM snapshot_values \
             WHERE snapshot_id IN ({snapshot_list}) AND unit_code IN ({params}) \
             AND indicator_id IN ({indicator_list}) GROUP BY unit_code",
            packed::sql(&["snapshot_id", "indicator_id", "value"])
        );
        let mut q = sqlx::query_as::<_, (String, String)>(AssertSqlSafe(sql));
        for code in codes {
            q = q.bind(code.to_string());
        }
        for (unit_code, text) in q.fetch_all(&store.pool).await? {
            let corrupt = |what: String| StoreError::Corrupt(format!("unit '{unit_code}': {what}"));
            for [snapshot_id, ind, value] in packed::unpack::<3>(&text).map_err(corrupt)? {
                let indicator = ids.get(&ind).cloned().ok_or_else(|| {
                    corrupt(format!(
                        "snapshot {snapshot_id}: unknown indicator id {ind}"
                    ))
                })?;
                out.push(SeriesValue {
                    snapshot_id,
                    unit_code: unit_code.clone(),
                    indicator,
                    value,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_orders_levels() {
        assert!(depth_sql().contains("WHEN 'commune' THEN 4"));
    }
}
