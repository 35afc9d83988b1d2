//! Snapshots and their values: the transactional publish and the readers.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{Any, AssertSqlSafe};

use super::{
    Backend, NewSnapshot, Result, Snapshot, Store, StoreError, ValueRow, ValueTable, packed, tuples,
};
use crate::model::period::Period;

/// Bind parameters per value row.
const VALUE_PARAMS: usize = 5;

/// Value rows per INSERT: `5 × rows` stays under SQLite's 32,766 and PostgreSQL's 65,535 bind
/// parameters.
fn values_per_insert(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 6_000,
        Backend::Postgres => 5_000,
    }
}

/// `INSERT INTO snapshot_values ...` for `rows` rows.
fn insert_values_sql(backend: Backend, rows: usize) -> String {
    let tuples = tuples(backend, rows, VALUE_PARAMS);
    format!(
        "INSERT INTO snapshot_values (snapshot_id, unit_code, indicator_id, value, reported) \
         VALUES {tuples}"
    )
}

pub(super) async fn publish(store: &Store, new: &NewSnapshot) -> Result<Snapshot> {
    Ok(publish_all(store, std::slice::from_ref(new))
        .await?
        .remove(0))
}

/// SQLite page cache of the connection a publish writes on, in KiB (the default is 2,000). A
/// national table with the age groups writes ~540,000 rows; with the default cache the writes
/// spill and every row's foreign-key lookups read pages back, a third of the publish's CPU.
const PUBLISH_CACHE_KIB: i64 = 16 * 1024;

/// SQLite's default page cache, in KiB (`cache_size = -2000`).
const SQLITE_DEFAULT_CACHE_KIB: i64 = 2000;

/// Publishes every snapshot of `news` in one transaction: all of them or none.
pub(super) async fn publish_all(store: &Store, news: &[NewSnapshot]) -> Result<Vec<Snapshot>> {
    if store.backend == Backend::Postgres {
        let mut tx = store.begin_write().await?;
        // Serialise publishers so `MAX(revision) + 1` and new indicator ids cannot collide;
        // SQLite gets the same from its single writer lock.
        sqlx::query("LOCK TABLE snapshots, indicators IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
        let out = insert_all(store, &mut tx, news).await?;
        tx.commit().await?;
        return Ok(out);
    }
    // SQLite: the larger page cache on the connection for this publish only; it is set back
    // after, so the pool (and the server's memory) keeps the default.
    let mut conn = store.pool.acquire().await?;
    let cache = |kib: i64| sqlx::query(AssertSqlSafe(format!("PRAGMA cache_size = -{kib}")));
    cache(PUBLISH_CACHE_KIB).execute(&mut *conn).await?;
    let written = async {
        let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
        let out = insert_all(store, &mut tx, news).await?;
        tx.commit().await?;
        Ok(out)
    }
    .await;
    // Setting it back frees the cache's pages; a failure here leaves a connection that works.
    let _ = cache(SQLITE_DEFAULT_CACHE_KIB).execute(&mut *conn).await;
    written
}

/// Inserts every snapshot of `news` inside the publish transaction `tx`.
async fn insert_all(
    store: &Store,
    tx: &mut sqlx::Transaction<'_, Any>,
    news: &[NewSnapshot],
) -> Result<Vec<Snapshot>> {
    // Microsecond precision: what is returned is exactly what a later read parses back.
    let published_at_text = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    let published_at = parse_time(&published_at_text, "new snapshot")?;
    let mut out = Vec::with_capacity(news.len());
    for new in news {
        out.push(insert(store, tx, new, &published_at_text, published_at).await?);
    }
    Ok(out)
}

/// One snapshot's header, indicator ids and values inside the publish transaction `tx`.
async fn insert(
    store: &Store,
    tx: &mut sqlx::Transaction<'_, Any>,
    new: &NewSnapshot,
    published_at_text: &str,
    published_at: DateTime<Utc>,
) -> Result<Snapshot> {
    let period_text = new.period.to_string();
    let version: Option<(String,)> =
        sqlx::query_as("SELECT id FROM boundary_versions WHERE id = $1")
            .bind(&new.version)
            .fetch_optional(&mut **tx)
            .await?;
    if version.is_none() {
        return Err(StoreError::UnknownVersion(new.version.clone()));
    }
    let (id, revision): (i64, i64) = sqlx::query_as(
        "INSERT INTO snapshots \
         (period, revision, version, published_at, source, checksum, report, complete) \
         SELECT $1, COALESCE(MAX(revision), 0) + 1, $2, $3, $4, $5, $6, $7 \
         FROM snapshots WHERE period = $1 \
         RETURNING id, revision",
    )
    .bind(&period_text)
    .bind(&new.version)
    .bind(published_at_text)
    .bind(&new.source)
    .bind(&new.checksum)
    .bind(&new.report_json)
    .bind(i64::from(new.complete))
    .fetch_one(&mut **tx)
    .await?;

    // Indicator ids: known ones from the table, new ones numbered after the largest.
    let known: Vec<(i32, String)> = sqlx::query_as("SELECT id, name FROM indicators")
        .fetch_all(&mut **tx)
        .await?;
    // Hashed, not ordered: every value row looks its indicator up (~540,000 for a national
    // table with the age groups), and ordered string keys made that a visible share of a publish.
    let mut names: Vec<&str> = (new.values.iter())
        .map(|v| v.indicator.as_str())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    names.sort_unstable();
    let mut ids: HashMap<&str, i32> = HashMap::new();
    let mut next = known.iter().map(|(id, _)| *id).max().unwrap_or(0) + 1;
    let known: HashMap<&str, i32> = known.iter().map(|(id, n)| (n.as_str(), *id)).collect();
    for name in names {
        let id = match known.get(name) {
            Some(id) => *id,
            None => {
                sqlx::query("INSERT INTO indicators (id, name) VALUES ($1, $2)")
                    .bind(next)
                    .bind(name)
                    .execute(&mut **tx)
                    .await?;
                next += 1;
                next - 1
            }
        };
        ids.insert(name, id);
    }

    let batch = values_per_insert(store.backend);
    let full_sql: Arc<str> = insert_values_sql(store.backend, batch).into();
    for chunk in new.values.chunks(batch) {
        let sql = if chunk.len() == batch {
            full_sql.clone()
        } else {
            insert_values_sql(store.backend, chunk.len()).into()
        };
        let mut q = sqlx::query::<Any>(AssertSqlSafe(sql));
        for v in chunk {
            q = q
                .bind(id)
                .bind(&v.unit_code)
                .bind(ids[v.indicator.as_str()])
                .bind(v.value)
                .bind(i16::from(v.reported));
        }
        q.execute(&mut **tx).await?;
    }
    for iid in ids.values() {
        sqlx::query("INSERT INTO snapshot_indicators (snapshot_id, indicator_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*iid)
            .execute(&mut **tx)
            .await?;
    }
    Ok(Snapshot {
        id,
        period: new.period,
        revision,
        version: new.version.clone(),
        published_at,
        source: new.source.clone(),
        checksum: new.checksum.clone(),
        complete: new.complete,
    })
}

/// The snapshots that give `indicator` (from `snapshot_indicators`), by store id.
pub(super) async fn snapshots_with(store: &Store, indicator: &str) -> Result<BTreeSet<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT s.snapshot_id FROM snapshot_indicators s \
         JOIN indicators i ON i.id = s.indicator_id WHERE i.name = $1",
    )
    .bind(indicator)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Parses a stored RFC 3339 timestamp of row `what`.
fn parse_time(text: &str, what: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("{what}: bad timestamp '{text}': {e}")))
}

type SnapshotRow = (i64, String, i64, String, String, String, String, i64);

pub(super) async fn snapshots(store: &Store) -> Result<Vec<Snapshot>> {
    let rows: Vec<SnapshotRow> = sqlx::query_as(
        "SELECT id, period, revision, version, published_at, source, checksum, complete \
         FROM snapshots",
    )
    .fetch_all(&store.pool)
    .await?;
    let mut snapshots = rows
        .into_iter()
        .map(
            |(id, period, revision, version, published_at, source, checksum, complete)| {
                let what = format!("snapshot {id}");
                Ok(Snapshot {
                    period: period
                        .parse::<Period>()
                        .map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))?,
                    published_at: parse_time(&published_at, &what)?,
                    id,
                    revision,
                    version,
                    source,
                    checksum,
                    complete: complete != 0,
                })
            },
        )
        .collect::<Result<Vec<_>>>()?;
    snapshots.sort_by_key(|s| (s.period, s.revision));
    Ok(snapshots)
}

/// The values of a snapshot as stored, one entry per unit: (unit code, [(indicator name, value,
/// reported)]), unsorted. Read packed, one row per unit (see [`super::packed`]). Indicator
/// names are mapped in Rust rather than by a JOIN (the join made SQLite reads of a national
/// period about twice as slow).
async fn unit_values(store: &Store, snapshot_id: i64) -> Result<Vec<(String, Vec<Value>)>> {
    let names: BTreeMap<i64, String> =
        sqlx::query_as::<_, (i32, String)>("SELECT id, name FROM indicators")
            .fetch_all(&store.pool)
            .await?
            .into_iter()
            .map(|(id, name)| (i64::from(id), name))
            .collect();
    let sql = format!(
        "SELECT unit_code, {} FROM snapshot_values WHERE snapshot_id = $1 GROUP BY unit_code",
        packed::sql(&["indicator_id", "value", "reported"])
    );
    let rows: Vec<(String, String)> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(snapshot_id)
        .fetch_all(&store.pool)
        .await?;
    rows.into_iter()
        .map(|(unit, text)| {
            let corrupt = |what: String| {
                StoreError::Corrupt(format!("snapshot {snapshot_id}, unit '{unit}': {what}"))
            };
            let values = packed::unpack::<3>(&text)
                .map_err(corrupt)?
                .into_iter()
                .map(|[id, value, reported]| {
                    let name = names
                        .get(&id)
                        .ok_or_else(|| corrupt(format!("unknown indicator id {id}")))?;
                    Ok((name.clone(), value, reported != 0))
                })
                .collect::<Result<Vec<Value>>>()?;
            Ok((unit, values))
        })
        .collect()
}

/// One stored value of a unit: indicator name, value, reported.
type Value = (String, i64, bool);

pub(super) async fn value_rows(store: &Store, snapshot_id: i64) -> Result<Vec<ValueRow>> {
    let mut rows: Vec<ValueRow> = unit_values(store, snapshot_id)
        .await?
        .into_iter()
        .flat_map(|(unit_code, values)| {
            values
                .into_iter()
                .map(move |(indicator, value, reported)| ValueRow {
                    unit_code: unit_code.clone(),
                    indicator,
                    value,
                    reported,
                })
        })
        .collect();
    rows.sort_by(|a, b| (&a.unit_code, &a.indicator).cmp(&(&b.unit_code, &b.indicator)));
    Ok(rows)
}

pub(super) async fn values(store: &Store, snapshot_id: i64) -> Result<ValueTable> {
    Ok(unit_values(store, snapshot_id)
        .await?
        .into_iter()
        .map(|(unit, values)| {
            let row = values.into_iter().map(|(name, v, _)| (name, v)).collect();
            (unit, row)
        })
        .collect())
}

pub(super) async fn series(
    store: &Store,
    unit_code: &str,
    indicator: &str,
) -> Result<Vec<(i64, i64)>> {
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT s.id, s.period, s.revision, v.value \
         FROM snapshots s \
         JOIN snapshot_values v ON v.snapshot_id = s.id AND v.unit_code = $1 \
         JOIN indicators i ON i.id = v.indicator_id AND i.name = $2",
    )
    .bind(unit_code)
    .bind(indicator)
    .fetch_all(&store.pool)
    .await?;
    let mut keyed = rows
        .into_iter()
        .map(|(id, period, revision, value)| {
            let period = period
                .parse::<Period>()
                .map_err(|e| StoreError::Corrupt(format!("snapshot {id}: {e}")))?;
            Ok(((period, revision), (id, value)))
        })
        .collect::<Result<Vec<_>>>()?;
    keyed.sort_by_key(|(k, _)| *k);
    Ok(keyed.into_iter().map(|(_, v)| v).collect())
}
