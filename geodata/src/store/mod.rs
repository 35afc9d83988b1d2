//! The store: boundary versions, units, snapshots and values, through sqlx.
//!
//! One URL picks the backend: `sqlite://path/to/popmap.db` (the embedded default, created if
//! missing) or `postgres://user@host/db`. Migrations run on open. Geometry is stored as WKB.
//! Every write that must be all-or-nothing (a boundary import, a publish) is one transaction.
//!
//! Both backends go through one [`sqlx::AnyPool`], so every query is ONE SQL text with `$N`
//! placeholders (sqlx's SQLite driver binds `$N` by number). An enum of `SqlitePool`/`PgPool`
//! would need every query written (or macro-expanded) twice. With `Any` the per-backend code is
//! small and named: opening (SQLite file creation, WAL, pragmas), the migration folder, how a
//! write transaction begins (SQLite `BEGIN IMMEDIATE`, PostgreSQL `LOCK TABLE` in `publish`),
//! and the generated multi-row INSERTs (anonymous `?` on SQLite, batch sizes per bind-parameter
//! limit; see `tuples`). The schema keeps to types that `Any` maps on both sides: TEXT,
//! integers, doubles and BLOB/BYTEA; dates and timestamps are TEXT (ISO 8601 / RFC 3339).
//!
//! Tables (migrations/sqlite and migrations/postgres hold the same columns): `boundary_versions`,
//! `units` (WKB geometry, bbox, folded name), `indicators` (name → small integer id),
//! `snapshots` (UNIQUE period, revision), `snapshot_values` (PRIMARY KEY snapshot, unit,
//! indicator; `WITHOUT ROWID` on SQLite), `crosswalk_meta` and `crosswalk` (old → new unit shares),
//! `api_keys` (SHA-256 of each key, never the key), `h3_operators` and `h3_operator_units` (one
//! row per version and per unit, entries packed as bytes), `generalisations` and
//! `generalised_bands` (a version's generalised geometry per zoom band and label points, packed;
//! the bytes in `generalised_band_parts`).

mod crosswalks;
mod dump;
pub mod failure;
mod generalised;
mod keys;
mod operators;
mod packed;
mod search;
mod snapshots;
mod units;
pub mod wkb;

pub use generalised::BAND_PART_BYTES;
pub use keys::ApiKey;
pub use operators::OperatorInfo;
pub use search::{SeriesValue, UnitHit, UnitPage, UnitQuery, rank_units};

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, Executor};

pub use crosswalks::{CrosswalkMeta, CrosswalkRow};

use crate::model::crosswalk::Crosswalk;
use crate::model::generalisation::StoredGeneralisation;
use crate::model::level::Level;
use crate::model::operator::Operator;
use crate::model::period::Period;
use crate::model::snapshot::{NewSnapshot, Snapshot, ValueRow, ValueTable};
use crate::model::unit::{Unit, UnitInfo};
use crate::model::version::BoundaryVersion;

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL is neither `sqlite:` nor `postgres:`.
    #[error("unsupported database URL '{0}': use sqlite://FILE or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// A boundary version with this id already exists.
    #[error("boundary version '{0}' already exists (use --replace to replace it)")]
    VersionExists(String),
    /// Another boundary version is already in force from the same day.
    #[error(
        "boundary version '{id}' cannot start on {valid_from}: version '{other}' already starts \
         that day (give another --valid-from, or --replace '{other}')"
    )]
    ValidFromTaken {
        /// The version being imported.
        id: String,
        /// The version holding that day.
        other: String,
        /// The day, YYYY-MM-DD.
        valid_from: String,
    },
    /// A boundary version cannot be replaced because snapshots are published on it.
    #[error("boundary version '{0}' has published snapshots and cannot be replaced")]
    VersionInUse(String),
    /// No such boundary version.
    #[error("unknown boundary version '{0}'")]
    UnknownVersion(String),
    /// Input the store refuses to write (empty geometry, non-finite area...).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// Stored data that cannot be decoded (bad WKB, bad period text...).
    #[error("corrupt store data: {0}")]
    Corrupt(String),
    /// An error from the database driver, displayed in our words ([`failure::describe`]); the
    /// driver's text is not a source, so `{:#}` chains leave it out too (it shows in `{:?}`).
    #[error("{}", failure::describe(.0))]
    Sqlx(sqlx::Error),
    /// A migration error, in our words ([`failure::describe_migration`]).
    #[error("{}", failure::describe_migration(.0))]
    Migrate(sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        StoreError::Sqlx(e)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> StoreError {
        StoreError::Migrate(e)
    }
}

/// The result type of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backend {
    /// SQLite, one file.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A connection pool to the popmap database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// How long a SQLite connection waits for another writer before failing with "database is locked".
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Per-connection SQLite settings (busy_timeout in ms, same as `SQLITE_BUSY_TIMEOUT`).
/// `synchronous = NORMAL` is durable against application crashes in WAL mode.
const SQLITE_PRAGMAS: &str =
    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";

impl Store {
    /// Opens (creating a SQLite file if missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Store> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        sqlx::any::install_default_drivers();
        let mut options = AnyPoolOptions::new();
        match backend {
            Backend::Sqlite => {
                let memory = url.contains(":memory:") || url.contains("mode=memory");
                if memory {
                    // Every connection to `sqlite::memory:` is its own database: keep exactly one.
                    options = options
                        .max_connections(1)
                        .idle_timeout(None)
                        .max_lifetime(None);
                } else {
                    // Create the file and switch it to WAL (a persistent property of the file)
                    // before the pool opens it: the Any driver only reads options from the URL.
                    let conn = SqliteConnectOptions::from_str(url)?
                        .create_if_missing(true)
                        .journal_mode(SqliteJournalMode::Wal)
                        .busy_timeout(SQLITE_BUSY_TIMEOUT)
                        .connect()
                        .await?;
                    conn.close().await?;
                    options = options.max_connections(4);
                }
                options = options.after_connect(|conn, _meta| {
                    Box::pin(async move {
                        conn.execute(SQLITE_PRAGMAS).await?;
                        Ok(())
                    })
                });
            }
            Backend::Postgres => {
                // One attempt first: a refused or failed connection is said at once, in its
                // own words, where the pool would retry it for its whole acquire timeout.
                sqlx::AnyConnection::connect(url).await?.close().await?;
                options = options.max_connections(8);
            }
        }
        let pool = options.connect(url).await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Store { pool, backend })
    }

    /// Opens a write transaction. On SQLite it is `BEGIN IMMEDIATE`, taking the write lock up
    /// front: a deferred transaction that reads first fails with SQLITE_BUSY when another
    /// writer commits in between, whatever the busy timeout.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// The backend this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection of the pool (waits for connections in use to come back).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Moves SQLite's write-ahead log into the database file and truncates the log, so the
    /// file alone holds the data (for copies and byte comparisons); a no-op on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// All boundary versions ordered by `valid_from`, with `valid_to` derived from the next one.
    pub async fn versions(&self) -> Result<Vec<BoundaryVersion>> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, valid_from, levels FROM boundary_versions")
                .fetch_all(&self.pool)
                .await?;
        let mut versions = rows
            .into_iter()
            .map(|(id, from, levels)| {
                Ok(BoundaryVersion {
                    valid_from: parse_date(&from, &id)?,
                    levels: parse_levels(&levels, &id)?,
                    valid_to: None,
                    id,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        versions.sort_by_key(|v| v.valid_from);
        for i in 1..versions.len() {
            let next_from = versions[i].valid_from;
            versions[i - 1].valid_to = next_from.pred_opt();
        }
        Ok(versions)
    }

    /// One boundary version by id.
    pub async fn version(&self, id: &str) -> Result<Option<BoundaryVersion>> {
        Ok(self.versions().await?.into_iter().find(|v| v.id == id))
    }

    /// The boundary version in force on `date` (its `valid_from..=valid_to` covers the date).
    pub async fn version_for(&self, date: NaiveDate) -> Result<Option<BoundaryVersion>> {
        Ok(self.versions().await?.into_iter().find(|v| v.covers(date)))
    }

    /// Writes a boundary version and all its units in one transaction; `replace` swaps an
    /// existing version that has no snapshots. No generalisation is stored: the server makes
    /// and stores it on first use (see [`Store::import_generalised_version`]).
    pub async fn import_version(
        &self,
        version: &BoundaryVersion,
        units: &[Unit],
        replace: bool,
    ) -> Result<()> {
        units::import_version(self, version, units, None, replace).await
    }

    /// Like [`Store::import_version`], with the version's generalisation written in the same
    /// transaction. Taken by value: each band's bytes are freed once written.
    pub async fn import_generalised_version(
        &self,
        version: &BoundaryVersion,
        units: &[Unit],
        mut generalisation: StoredGeneralisation,
        replace: bool,
    ) -> Result<()> {
        let mut packed: Vec<Vec<u8>> = generalisation
            .bands
            .iter_mut()
            .map(|b| std::mem::take(&mut b.geometry))
            .collect();
        let mut band = |b: usize| {
            let bytes = std::io::Cursor::new(std::mem::take(&mut packed[b]));
            Ok(Box::new(bytes) as Box<dyn std::io::Read + Send>)
        };
        units::import_version(
            self,
            version,
            units,
            Some((&generalisation, &mut band)),
            replace,
        )
        .await
    }

    /// Like [`Store::import_generalised_version`] with `head`'s bands (their `geometry` not
    /// read) read from `band(b)` when written, a part of [`BAND_PART_BYTES`] at a time, so
    /// the caller can keep them out of memory (the import spills them to a file). `band`'s
    /// error, or its reader's, is reported as [`StoreError::Invalid`] and nothing is written.
    pub async fn import_generalised_version_with<'r, R: std::io::Read + Send + 'r>(
        &self,
        version: &BoundaryVersion,
        units: &[Unit],
        head: &StoredGeneralisation,
        mut band: impl FnMut(usize) -> std::result::Result<R, String> + Send + 'r,
        replace: bool,
    ) -> Result<()> {
        let mut band =
            move |b: usize| band(b).map(|r| Box::new(r) as Box<dyn std::io::Read + Send + 'r>);
        units::import_version(self, version, units, Some((head, &mut band)), replace).await
    }

    /// The stored generalisation of `version`, if one was written.
    pub async fn generalisation(&self, version: &str) -> Result<Option<StoredGeneralisation>> {
        generalised::load(self, version, true).await
    }

    /// The stored generalisation of `version` without the bands' packed geometry (each band's
    /// `geometry` empty), to read band by band with [`Store::generalisation_band`].
    pub async fn generalisation_head(&self, version: &str) -> Result<Option<StoredGeneralisation>> {
        generalised::load(self, version, false).await
    }

    /// The packed geometry of band `band` of `version`'s stored generalisation (its parts
    /// joined).
    pub async fn generalisation_band(&self, version: &str, band: usize) -> Result<Option<Vec<u8>>> {
        generalised::band(self, version, band).await
    }

    /// Stores `g` as the generalisation of `version` (an existing version), replacing any, in
    /// one transaction.
    pub async fn save_generalisation(&self, version: &str, g: &StoredGeneralisation) -> Result<()> {
        generalised::save(self, version, g).await
    }

    /// Units of a version without geometry, ordered by level then code.
    pub async fn units(&self, version: &str) -> Result<Vec<UnitInfo>> {
        units::units(self, version).await
    }

    /// Units of a version with geometry, ordered by level then code.
    pub async fn units_with_geometry(&self, version: &str) -> Result<Vec<Unit>> {
        units::units_with_geometry(self, version).await
    }

    /// The units of `version` among `codes` with their geometry, in no particular order
    /// (codes it lacks are left out): a few at a time, for answers streamed in pages.
    pub async fn units_with_geometry_of(&self, version: &str, codes: &[&str]) -> Result<Vec<Unit>> {
        units::geometry_of(self, version, codes).await
    }

    /// One unit of `version` with its geometry (`None` when the version has no such code).
    pub async fn unit_geometry(&self, version: &str, code: &str) -> Result<Option<Unit>> {
        units::unit_geometry(self, version, code).await
    }

    /// Every (version, unit) with this code, without geometry, ordered by version.
    pub async fn units_with_code(&self, code: &str) -> Result<Vec<(String, UnitInfo)>> {
        units::with_code(self, code).await
    }

    /// The WGS84 bounding box `[west, south, east, north]` of a version (`None` if it has no units).
    pub async fn version_bounds(&self, version: &str) -> Result<Option<[f64; 4]>> {
        units::bounds(self, version).await
    }

    /// Each unit's WGS84 box `[west, south, east, north]` as stored at import, in no order.
    pub async fn unit_boxes(&self, version: &str) -> Result<Vec<[f64; 4]>> {
        units::boxes(self, version).await
    }

    /// Writes a snapshot and its values in one transaction, as the next revision of its period.
    pub async fn publish(&self, snapshot: &NewSnapshot) -> Result<Snapshot> {
        snapshots::publish(self, snapshot).await
    }

    /// Writes several snapshots in one transaction (all or none), each the next revision of its
    /// period: a projection run's years and variants.
    pub async fn publish_all(&self, snapshots: &[NewSnapshot]) -> Result<Vec<Snapshot>> {
        snapshots::publish_all(self, snapshots).await
    }

    /// All snapshots, ordered by period then revision.
    pub async fn snapshots(&self) -> Result<Vec<Snapshot>> {
        snapshots::snapshots(self).await
    }

    /// The store ids of the snapshots that give `indicator` (e.g. an age group: which periods
    /// carry ages).
    pub async fn snapshots_with(&self, indicator: &str) -> Result<std::collections::BTreeSet<i64>> {
        snapshots::snapshots_with(self, indicator).await
    }

    /// One snapshot by store id.
    pub async fn snapshot(&self, id: i64) -> Result<Option<Snapshot>> {
        Ok(self.snapshots().await?.into_iter().find(|s| s.id == id))
    }

    /// The newest revision of a period, if published.
    pub async fn latest_snapshot(&self, period: &Period) -> Result<Option<Snapshot>> {
        Ok(self
            .snapshots()
            .await?
            .into_iter()
            .filter(|s| s.period == *period)
            .max_by_key(|s| s.revision))
    }

    /// All values of a snapshot.
    pub async fn values(&self, snapshot_id: i64) -> Result<ValueTable> {
        snapshots::values(self, snapshot_id).await
    }

    /// All value rows of a snapshot with their `reported` flag, sorted by unit then indicator.
    pub async fn value_rows(&self, snapshot_id: i64) -> Result<Vec<ValueRow>> {
        snapshots::value_rows(self, snapshot_id).await
    }

    /// One unit's values of one indicator across all snapshots: (snapshot id, value), ordered
    /// by period then revision.
    pub async fn series(&self, unit_code: &str, indicator: &str) -> Result<Vec<(i64, i64)>> {
        snapshots::series(self, unit_code, indicator).await
    }

    /// One page of a version's units matching `query`, and how many match in all.
    pub async fn find_units(&self, query: &UnitQuery) -> Result<UnitPage> {
        search::find_units(self, query).await
    }

    /// One unit of a version by code.
    pub async fn unit(&self, version: &str, code: &str) -> Result<Option<UnitInfo>> {
        search::unit(self, version, code).await
    }

    /// How many units of a version have `code` as parent.
    pub async fn children_count(&self, version: &str, code: &str) -> Result<i64> {
        search::children_count(self, version, code).await
    }

    /// One unit's stored values of `indicators` in every snapshot (unordered).
    pub async fn unit_values(
        &self,
        unit_code: &str,
        indicators: &[&str],
    ) -> Result<Vec<SeriesValue>> {
        search::units_values(self, &[unit_code], indicators).await
    }

    /// Several units' stored values of `indicators` in every snapshot (unordered): what a
    /// harmonised or H3 series reads from the units that feed it.
    pub async fn units_values(
        &self,
        unit_codes: &[&str],
        indicators: &[&str],
    ) -> Result<Vec<SeriesValue>> {
        search::units_values(self, unit_codes, indicators).await
    }

    /// Stores a new API key by the hex SHA-256 of its secret.
    pub async fn create_key(&self, name: &str, admin: bool, hash_hex: &str) -> Result<ApiKey> {
        keys::create_key(self, name, admin, hash_hex).await
    }

    /// Every API key, revoked ones included, by id.
    pub async fn keys(&self) -> Result<Vec<ApiKey>> {
        keys::keys(self).await
    }

    /// The key whose secret hashes to `hash_hex`, revoked or not.
    pub async fn key_by_hash(&self, hash_hex: &str) -> Result<Option<ApiKey>> {
        keys::key_by_hash(self, hash_hex).await
    }

    /// Revokes key `id` (a no-op if already revoked); `None` if there is no such key.
    pub async fn revoke_key(&self, id: i64) -> Result<Option<ApiKey>> {
        keys::revoke_key(self, id).await
    }

    /// The stored validation report (JSON) of a snapshot.
    pub async fn report(&self, snapshot_id: i64) -> Result<Option<String>> {
        let report: Option<(String,)> =
            sqlx::query_as("SELECT report FROM snapshots WHERE id = $1")
                .bind(snapshot_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(report.map(|(r,)| r))
    }

    /// Stores the crosswalk `cw.from → cw.to` in one transaction, replacing an older one;
    /// `sources` names each old unit's row source (`geometry` when absent).
    pub async fn save_crosswalk(
        &self,
        cw: &Crosswalk,
        method: &str,
        disagreements: i64,
        sources: &BTreeMap<String, String>,
    ) -> Result<CrosswalkMeta> {
        crosswalks::save(self, cw, method, disagreements, sources).await
    }

    /// Metadata of every stored crosswalk, ordered by (from, to).
    pub async fn crosswalk_metas(&self) -> Result<Vec<CrosswalkMeta>> {
        crosswalks::metas(self).await
    }

    /// The stored crosswalk `from → to`, if built.
    pub async fn crosswalk(&self, from: &str, to: &str) -> Result<Option<Crosswalk>> {
        crosswalks::load(self, from, to).await
    }

    /// Crosswalk rows where `code` is the old or the new unit (lineage).
    pub async fn crosswalk_rows_of(&self, code: &str) -> Result<Vec<CrosswalkRow>> {
        crosswalks::rows_of(self, code).await
    }

    /// Stores `op` as the H3 operator of `version` (replacing any), in one transaction;
    /// `weights` says where its weights came from.
    pub async fn save_operator(
        &self,
        version: &str,
        op: &Operator,
        weights: &str,
    ) -> Result<OperatorInfo> {
        operators::save(self, version, op, weights).await
    }

    /// The stored H3 operator of `version` with its description, if one was built.
    pub async fn operator(&self, version: &str) -> Result<Option<(OperatorInfo, Operator)>> {
        operators::load(self, version).await
    }

    /// The descriptions of every stored H3 operator, by version.
    pub async fn operators(&self) -> Result<Vec<OperatorInfo>> {
        operators::infos(self).await
    }

    /// A canonical text dump of the data tables (versions, units, indicators, snapshots, values,
    /// crosswalks), rows sorted: equal dumps mean equal contents.
    pub async fn dump(&self) -> Result<String> {
        dump::dump(self).await
    }

    /// The same dump over every table of the schema, found in the database's own catalogue
    /// (H3 operators, API keys and stored generalisations included): what a refused input
    /// must leave byte-identical.
    pub async fn dump_all(&self) -> Result<String> {
        dump::dump_all(self).await
    }
}

/// `(.., ..), (.., ..)`: `rows` tuples of `per` bind parameters. PostgreSQL gets `$1, $2...`;
/// SQLite gets anonymous `?`, because sqlx binds a *named* SQLite parameter (`$N`, `?N`) by
/// looking its name up in SQLite's linear list, which is quadratic: a 30,000-parameter INSERT
/// took seconds to bind.
fn tuples(backend: Backend, rows: usize, per: usize) -> String {
    let mut s = String::with_capacity(rows * per * 8);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..per {
            if c > 0 {
                s.push_str(", ");
            }
            match backend {
                Backend::Sqlite => s.push('?'),
                Backend::Postgres => {
                    s.push('$');
                    s.push_str(&(r * per + c + 1).to_string());
                }
            }
        }
        s.push(')');
    }
    s
}

/// Parses a stored `YYYY-MM-DD` date of version `what`.
fn parse_date(text: &str, what: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| {
        StoreError::Corrupt(format!("boundary version '{what}': bad date '{text}': {e}"))
    })
}

/// Parses a stored comma-separated level list of version `what`.
fn parse_levels(text: &str, what: &str) -> Result<Vec<Level>> {
    text.split(',')
        .map(|l| {
            l.parse::<Level>()
                .map_err(|e| StoreError::Corrupt(format!("boundary version '{what}': {e}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_number_parameters_per_backend() {
        assert_eq!(
            tuples(Backend::Postgres, 2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(tuples(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }
}
