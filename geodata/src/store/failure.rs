//! What a database failure means, in our words. The driver's own text (SQL, constraint names,
//! driver internals, "error returned from database: …") never reaches a user: the store's
//! errors display these sentences, and the driver's error is kept for `{:?}` (logs at debug
//! level) only. Codes are SQLite's extended result codes and PostgreSQL's SQLSTATEs.

use sqlx::error::ErrorKind;
use sqlx::migrate::MigrateError;

/// A driver error as a sentence for a user: what happened and, where there is one, what to do.
pub fn describe(e: &sqlx::Error) -> String {
    use sqlx::Error as E;
    match e {
        E::Database(d) => database(d.kind(), d.code().as_deref()).to_string(),
        E::Io(_) => {
            "the database could not be reached (connection refused, closed or timed out)".into()
        }
        E::PoolTimedOut => {
            "the database gave no connection in time (it is busy or unreachable)".into()
        }
        E::PoolClosed | E::WorkerCrashed | E::BeginFailed => {
            "the connection to the database was lost".into()
        }
        E::Configuration(_) | E::ConfigFile(_) | E::InvalidArgument(_) => {
            "the database URL or one of its options is not valid".into()
        }
        E::Tls(_) => "the encrypted (TLS) connection to the database failed".into(),
        E::RowNotFound => "a row the store expected is not there (the store is damaged)".into(),
        E::Migrate(m) => describe_migration(m),
        _ => "a stored value could not be read (the database is damaged, or written by another \
              popmap version)"
            .into(),
    }
}

/// What a database's refusal means, by its kind and code.
fn database(kind: ErrorKind, code: Option<&str>) -> &'static str {
    match kind {
        ErrorKind::UniqueViolation => "the store already holds a row with the same key",
        ErrorKind::ForeignKeyViolation => "a row refers to something the store does not hold",
        ErrorKind::NotNullViolation | ErrorKind::CheckViolation => {
            "a value breaks a rule of the store's tables"
        }
        _ => match code.unwrap_or("") {
            // SQLITE_BUSY, SQLITE_LOCKED and their extended codes.
            c if c == "5" || c == "6" || c.parse::<u32>().is_ok_and(|n| n & 0xff == 5) => {
                "the database is locked by another process; try again when it has finished"
            }
            "14" | "3D000" => "the database file or database does not exist or cannot be opened",
            "8" | "25006" => "the database is read-only",
            "13" | "53100" => "the disk holding the database is full",
            "11" | "26" | "XX001" | "XX002" => "the database file is damaged",
            "28000" | "28P01" => "the database refused the user name or password",
            "40001" | "40P01" => {
                "the database stopped this change because of a concurrent one; try again"
            }
            "57P01" | "57P02" | "57P03" => "the database server is shutting down or starting",
            "53300" => "the database server has too many connections",
            "42P01" | "42703" | "1" => {
                "the database's tables are not popmap's (or from another popmap version)"
            }
            _ => "the database refused the operation",
        },
    }
}

/// A migration failure as a sentence: which migration, and what to do.
pub fn describe_migration(e: &MigrateError) -> String {
    use MigrateError as M;
    match e {
        M::Execute(e) => format!("the store's tables could not be set up: {}", describe(e)),
        M::ExecuteMigration(e, n) => format!("migration {n} could not be applied: {}", describe(e)),
        M::VersionMissing(n) | M::VersionNotPresent(n) | M::VersionMismatch(n) => format!(
            "the database was written by another popmap version (migration {n} differs); use \
             the popmap that wrote it, or a new database"
        ),
        M::VersionTooNew(n, _) | M::VersionTooOld(n, _) => {
            format!("the database was written by a newer popmap (migration {n}); use that popmap")
        }
        M::Dirty(n) => {
            format!("migration {n} stopped half-way earlier; restore the database from a backup")
        }
        _ => "the store's tables could not be set up".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_become_sentences_without_driver_text() {
        assert!(database(ErrorKind::Other, Some("5")).contains("locked"));
        // SQLITE_BUSY_SNAPSHOT (517) is a busy code too.
        assert!(database(ErrorKind::Other, Some("517")).contains("locked"));
        assert!(database(ErrorKind::Other, Some("28P01")).contains("password"));
        assert!(database(ErrorKind::UniqueViolation, Some("2067")).contains("same key"));
        assert_eq!(
            database(ErrorKind::Other, Some("99999")),
            "the database refused the operation"
        );
        let io = sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused (os error 111)",
        ));
        assert!(!describe(&io).contains("os error"), "{}", describe(&io));
        let m = describe_migration(&MigrateError::VersionMismatch(6));
        assert!(m.contains("migration 6"), "{m}");
    }
}
