//! API keys: only their SHA-256 is stored; revoking keeps the row so logs can still name it.

use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Result, Store, StoreError};

/// An API key as stored (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    /// Store id, named in access logs.
    pub id: i64,
    /// Who or what the key is for.
    pub name: String,
    /// Whether the key authorises `/admin/*`.
    pub admin: bool,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was revoked (RFC 3339), if it was.
    pub revoked_at: Option<String>,
}

impl ApiKey {
    /// Whether the key is still valid.
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

const KEY_COLUMNS: &str = "id, name, admin, created_at, revoked_at";

fn key_row(r: &AnyRow) -> Result<ApiKey> {
    let admin: i64 = match r.try_get::<i64, _>("admin") {
        Ok(v) => v,
        Err(_) => i64::from(r.try_get::<i16, _>("admin")?),
    };
    Ok(ApiKey {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        admin: admin != 0,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

pub(super) async fn create_key(
    store: &Store,
    name: &str,
    admin: bool,
    hash_hex: &str,
) -> Result<ApiKey> {
    if hash_hex.len() != 64 || !hash_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::Invalid(
            "an API key hash must be 64 hex digits (SHA-256)".into(),
        ));
    }
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let row = sqlx::query(
        "INSERT INTO api_keys (name, hash, admin, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id, name, admin, created_at, revoked_at",
    )
    .bind(name)
    .bind(hash_hex.to_ascii_lowercase())
    .bind(i16::from(admin))
    .bind(now)
    .fetch_one(&store.pool)
    .await?;
    key_row(&row)
}

pub(super) async fn keys(store: &Store) -> Result<Vec<ApiKey>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY id"
    )))
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(key_row)
    .collect()
}

pub(super) async fn key_by_hash(store: &Store, hash_hex: &str) -> Result<Option<ApiKey>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {KEY_COLUMNS} FROM api_keys WHERE hash = $1"
    )))
    .bind(hash_hex.to_ascii_lowercase())
    .fetch_optional(&store.pool)
    .await?
    .as_ref()
    .map(key_row)
    .transpose()
}

pub(super) async fn revoke_key(store: &Store, id: i64) -> Result<Option<ApiKey>> {
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(id)
        .bind(now)
        .execute(&store.pool)
        .await?;
    Ok(keys(store).await?.into_iter().find(|k| k.id == id))
}
