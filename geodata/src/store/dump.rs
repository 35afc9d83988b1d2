//! The canonical text dump of the store, for tests that compare whole contents.

use std::fmt::Write;

use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{AssertSqlSafe, Column, Row, TypeInfo, ValueRef};

use super::{Backend, Result, Store, StoreError};

/// The tables a dump covers, in order (migration bookkeeping is left out).
const TABLES: [&str; 8] = [
    "boundary_versions",
    "units",
    "indicators",
    "snapshots",
    "snapshot_values",
    "snapshot_indicators",
    "crosswalk_meta",
    "crosswalk",
];

pub(super) async fn dump(store: &Store) -> Result<String> {
    dump_tables(store, &TABLES).await
}

/// Every table of the schema, migration bookkeeping aside, by name: what [`dump_all`] covers.
async fn schema_tables(store: &Store) -> Result<Vec<String>> {
    let sql = match store.backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite%' AND name NOT LIKE '\\_sqlx%' ESCAPE '\\' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name NOT LIKE '\\_sqlx%' ESCAPE '\\' ORDER BY 1"
        }
    };
    let rows = sqlx::query(sql).fetch_all(&store.pool).await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(Into::into))
        .collect()
}

/// The dump of every table of the schema (those of [`dump`] and the H3 operators, API keys
/// and generalisations too), in name order.
pub(super) async fn dump_all(store: &Store) -> Result<String> {
    let tables = schema_tables(store).await?;
    let names: Vec<&str> = tables.iter().map(String::as_str).collect();
    dump_tables(store, &names).await
}

/// The dump of `tables`, in that order.
async fn dump_tables(store: &Store, tables: &[&str]) -> Result<String> {
    let mut out = String::new();
    for &table in tables {
        let rows = sqlx::query(AssertSqlSafe(format!("SELECT * FROM {table}")))
            .fetch_all(&store.pool)
            .await?;
        let mut lines = rows
            .iter()
            .map(|r| format_row(table, r))
            .collect::<Result<Vec<_>>>()?;
        // Sorted in Rust, not by ORDER BY: text collation differs between backends.
        lines.sort();
        let _ = writeln!(out, "== {table} ({} rows)", lines.len());
        if let Some(first) = rows.first() {
            let names: Vec<&str> = first.columns().iter().map(|c| c.name()).collect();
            let _ = writeln!(out, "# {}", names.join(" | "));
        }
        for line in &lines {
            out.push_str(line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// One row as `a | b | c`: integers in decimal, floats in Rust's shortest exact form, text in
/// Debug quotes, blobs as `x'hex'`, NULL as `NULL`.
fn format_row(table: &str, row: &AnyRow) -> Result<String> {
    let mut fields = Vec::with_capacity(row.len());
    for i in 0..row.len() {
        let raw = row.try_get_raw(i)?;
        if raw.is_null() {
            fields.push("NULL".to_string());
            continue;
        }
        let kind = raw.type_info().kind();
        let field = match kind {
            AnyTypeInfoKind::Bool => row.try_get::<bool, _>(i)?.to_string(),
            AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
                row.try_get::<i64, _>(i)?.to_string()
            }
            AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => {
                format!("{:?}", row.try_get::<f64, _>(i)?)
            }
            AnyTypeInfoKind::Text => format!("{:?}", row.try_get::<String, _>(i)?),
            AnyTypeInfoKind::Blob => {
                let bytes: Vec<u8> = row.try_get(i)?;
                let mut s = String::with_capacity(3 + bytes.len() * 2);
                s.push_str("x'");
                for b in bytes {
                    let _ = write!(s, "{b:02x}");
                }
                s.push('\'');
                s
            }
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "table {table}: column {} has a type the dump cannot print ({})",
                    row.columns()[i].name(),
                    raw.type_info().name()
                )));
            }
        };
        fields.push(field);
    }
    Ok(fields.join(" | "))
}
