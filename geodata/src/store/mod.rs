//! The store: boundary versions, units, snapshots and values, through sqlx.
//!
//! One URL picks the backend: `sqlite://path/to/popmap.db` (the embedded default, created if
//! missing) or `postgres://user@host/db`. Migrations run on open. Geometry is stored as WKB.
//! Every write that must be all-or-nothing (a boundary import, a publish) is one transaction.
//!
//! SKELETON: the bodies are filled in by the store work; the signatures are the contract the
//! ETL and the server code against.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::period::Period;
use crate::unit::{Unit, UnitInfo};
use crate::version::BoundaryVersion;

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL is neither `sqlite:` nor `postgres:`.
    #[error("unsupported database URL '{0}': use sqlite://FILE or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// A boundary version with this id already exists.
    #[error("boundary version '{0}' already exists (use --replace to replace it)")]
    VersionExists(String),
    /// A boundary version cannot be replaced because snapshots are published on it.
    #[error("boundary version '{0}' has published snapshots and cannot be replaced")]
    VersionInUse(String),
    /// No such boundary version.
    #[error("unknown boundary version '{0}'")]
    UnknownVersion(String),
    /// Stored data that cannot be decoded (bad WKB, bad period text...).
    #[error("corrupt store data: {0}")]
    Corrupt(String),
    /// An error from the database driver.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    /// A migration error.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
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

/// One published (period, revision) of indicator values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Store id.
    pub id: i64,
    /// The period the values are for.
    pub period: Period,
    /// 1 for the first publish of a period, then 2, 3...
    pub revision: i64,
    /// Boundary version the values are published against.
    pub version: String,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// Where the values came from: a file name, or `aggregate:2025-07,2025-08,2025-09`.
    pub source: String,
    /// SHA-256 of the source (file bytes, or of the input snapshots).
    pub checksum: String,
}

/// One stored value: a base-indicator count for one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueRow {
    /// Unit code.
    pub unit_code: String,
    /// Base indicator id from the catalog.
    pub indicator: String,
    /// The count.
    pub value: i64,
    /// True when the value was in the published table, false when it was summed from children.
    pub reported: bool,
}

/// What a publish writes: the snapshot header and all its values.
#[derive(Debug, Clone)]
pub struct NewSnapshot {
    /// The period.
    pub period: Period,
    /// The boundary version the values are on.
    pub version: String,
    /// Source description (file name or aggregate inputs).
    pub source: String,
    /// SHA-256 hex of the source.
    pub checksum: String,
    /// The validation report as JSON, kept with the snapshot.
    pub report_json: String,
    /// Every value, already aggregated up the hierarchy.
    pub values: Vec<ValueRow>,
}

/// Values of one snapshot: unit code → indicator id → count.
pub type ValueTable = BTreeMap<String, BTreeMap<String, i64>>;

/// A connection pool to the popmap database.
#[derive(Debug, Clone)]
pub struct Store {
    _private: (),
}

impl Store {
    /// Opens (creating a SQLite file if missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Store> {
        let _ = url;
        todo!("store")
    }

    /// The backend this store runs on.
    pub fn backend(&self) -> Backend {
        todo!("store")
    }

    /// All boundary versions ordered by `valid_from`, with `valid_to` derived from the next one.
    pub async fn versions(&self) -> Result<Vec<BoundaryVersion>> {
        todo!("store")
    }

    /// One boundary version by id.
    pub async fn version(&self, id: &str) -> Result<Option<BoundaryVersion>> {
        let _ = id;
        todo!("store")
    }

    /// Writes a boundary version and all its units in one transaction; `replace` swaps an
    /// existing version that has no snapshots.
    pub async fn import_version(
        &self,
        version: &BoundaryVersion,
        units: &[Unit],
        replace: bool,
    ) -> Result<()> {
        let _ = (version, units, replace);
        todo!("store")
    }

    /// Units of a version without geometry, ordered by level then code.
    pub async fn units(&self, version: &str) -> Result<Vec<UnitInfo>> {
        let _ = version;
        todo!("store")
    }

    /// Units of a version with geometry, ordered by level then code.
    pub async fn units_with_geometry(&self, version: &str) -> Result<Vec<Unit>> {
        let _ = version;
        todo!("store")
    }

    /// Writes a snapshot and its values in one transaction, as the next revision of its period.
    pub async fn publish(&self, snapshot: &NewSnapshot) -> Result<Snapshot> {
        let _ = snapshot;
        todo!("store")
    }

    /// All snapshots, ordered by period then revision.
    pub async fn snapshots(&self) -> Result<Vec<Snapshot>> {
        todo!("store")
    }

    /// The newest revision of a period, if published.
    pub async fn latest_snapshot(&self, period: &Period) -> Result<Option<Snapshot>> {
        let _ = period;
        todo!("store")
    }

    /// All values of a snapshot.
    pub async fn values(&self, snapshot_id: i64) -> Result<ValueTable> {
        let _ = snapshot_id;
        todo!("store")
    }

    /// The stored validation report (JSON) of a snapshot.
    pub async fn report(&self, snapshot_id: i64) -> Result<Option<String>> {
        let _ = snapshot_id;
        todo!("store")
    }

    /// A canonical text dump of every table, rows sorted: equal dumps mean equal contents.
    pub async fn dump(&self) -> Result<String> {
        todo!("store")
    }
}
