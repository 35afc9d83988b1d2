//! Unit look-ups for the data API: paged search by level, parent and folded name or code
//! prefix, one unit by code, children counts, and one unit's values across all snapshots.

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, Row};

use super::units::{INFO_COLUMNS, require_version, unit_info};
use super::{Result, Store, StoreError, packed};
use crate::model::level::Level;
use crate::model::text;
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
    /// Folded-name substring or code prefix (diacritics and case ignored).
    pub q: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

/// One page of units and the number of units matching in all.
#[derive(Debug, Clone)]
pub struct UnitPage {
    /// Units of the page, by level (top first) then code.
    pub items: Vec<UnitInfo>,
    /// Units matching the query, all pages.
    pub total: i64,
}

/// `s` with LIKE's wildcards and the escape character escaped (escape character `\`).
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
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
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        binds.push(format!("%{}%", like_escape(&text::fold(text))));
        let name = binds.len();
        binds.push(format!("{}%", like_escape(text)));
        let code = binds.len();
        conds.push(format!(
            "(name_folded LIKE ${name} ESCAPE '\\' OR code LIKE ${code} ESCAPE '\\')"
        ));
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
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_escape("a%b_c\\"), "a\\%b\\_c\\\\");
        assert!(depth_sql().contains("WHEN 'commune' THEN 4"));
    }
}
