//! Throwaway databases for tests (SQLite files and PostgreSQL databases). Not for production.
//!
//! PostgreSQL tests need `POPMAP_TEST_PG`, an admin URL such as
//! `postgres://postgres@127.0.0.1:55432/postgres` (start a server with `scripts/pg.sh`). Each
//! [`TestDb::postgres`] call creates a fresh database there and drops it when the `TestDb` is
//! dropped. Without the variable the PostgreSQL tests are skipped, except under `CI`, where they
//! must run.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use geodata::{Store, StoreError};
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

/// The environment variable holding the PostgreSQL admin URL for tests.
pub const PG_ENV: &str = "POPMAP_TEST_PG";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique suffix for names made in this process.
fn unique() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// A database that exists as long as this value: a temporary SQLite file or a PostgreSQL
/// database created for the test.
#[derive(Debug)]
pub struct TestDb {
    url: String,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Sqlite { dir: PathBuf },
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// A fresh SQLite database file in a new temporary directory (removed on drop).
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("popmap-test-{}", unique()));
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create test directory {}: {e}", dir.display()));
        let url = format!("sqlite://{}", dir.join("popmap.db").display());
        TestDb {
            url,
            kind: Kind::Sqlite { dir },
        }
    }

    /// A fresh PostgreSQL database under the server named by `POPMAP_TEST_PG`, or `None` (with a
    /// note on stderr) when the variable is unset. Panics when it is unset and `CI` is set.
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = match std::env::var(PG_ENV) {
            Ok(url) if !url.trim().is_empty() => url.trim().to_string(),
            _ => {
                if std::env::var_os("CI").is_some() {
                    panic!(
                        "{PG_ENV} is not set but CI is: the PostgreSQL store tests must run in \
                         CI (start a server with scripts/pg.sh and export {PG_ENV}=<its URL>)"
                    );
                }
                eprintln!(
                    "skipping PostgreSQL store tests: {PG_ENV} is not set (run scripts/pg.sh)"
                );
                return None;
            }
        };
        let name = format!("popmap_test_{}", unique());
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {PG_ENV}={admin_url}: {e}"));
        admin
            .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = admin.close().await;
        Some(TestDb {
            url: with_database(&admin_url, &name),
            kind: Kind::Postgres { admin_url, name },
        })
    }

    /// The database URL to open.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The SQLite file, for byte comparisons; `None` for PostgreSQL.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match &self.kind {
            Kind::Sqlite { dir } => Some(dir.join("popmap.db")),
            Kind::Postgres { .. } => None,
        }
    }

    /// Opens (and migrates) the store at [`TestDb::url`]; panics on failure.
    pub async fn store(&self) -> Store {
        self.try_store()
            .await
            .unwrap_or_else(|e| panic!("cannot open test store {}: {e}", self.url))
    }

    /// Opens (and migrates) the store at [`TestDb::url`].
    pub async fn try_store(&self) -> Result<Store, StoreError> {
        Store::open(&self.url).await
    }
}

/// `admin_url` with its database name replaced by `name` (query string kept).
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin_url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut url = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.kind {
            Kind::Sqlite { dir } => remove_dir(dir),
            Kind::Postgres { admin_url, name } => {
                // Drop runs inside the test's runtime: drop the database from a thread with its
                // own runtime. WITH (FORCE) ends connections the test's pools still hold.
                let (admin_url, db) = (admin_url.clone(), name.clone());
                let done = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    rt.block_on(async {
                        let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                        let sql = format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)");
                        let dropped = admin.execute(AssertSqlSafe(sql)).await;
                        let _ = admin.close().await;
                        dropped.ok()
                    })
                })
                .join();
                if !matches!(done, Ok(Some(_))) {
                    eprintln!("warning: could not drop test database {name}");
                }
            }
        }
    }
}

/// Best-effort removal of a test directory.
fn remove_dir(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_swapped() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:55432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:55432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/admin?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(
            with_database("postgresql://h:5432", "t3"),
            "postgresql://h:5432/t3"
        );
    }
}
