//! Bearer tokens: created and revoked with the server binary, stored only as a SHA-256 of the
//! secret (tokens are 256 random bits, so a fast hash is enough), each scoped to tables and to
//! read or read-write.

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{int_at, now_ms, required_int_at, required_text_at, Db};

/// What a token allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The token's id.
    pub id: i64,
    /// The token's name, for logs.
    pub name: String,
    /// The tables it may use; `None` means every enabled table.
    pub tables: Option<Vec<String>>,
    /// Whether it may push.
    pub can_write: bool,
}

impl Grant {
    /// Whether the token may read `table`.
    pub fn covers(&self, table: &str) -> bool {
        self.tables
            .as_ref()
            .is_none_or(|t| t.iter().any(|n| n == table))
    }
}

/// A token as `token list` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSummary {
    /// What the token allows.
    pub grant: Grant,
    /// When it was created (ms since the epoch).
    pub created_at_ms: i64,
    /// When it was revoked, if it was.
    pub revoked_at_ms: Option<i64>,
}

pub(crate) fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn parse_tables(text: &str) -> Option<Vec<String>> {
    if text.trim() == "*" {
        None
    } else {
        Some(
            text.split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
        )
    }
}

/// Creates a token and returns its id and secret; the secret is not stored and cannot be
/// shown again. `tables` is a list of table names, or `["*"]` for all.
pub async fn create(
    db: &Db,
    name: &str,
    tables: &[String],
    can_write: bool,
) -> Result<(i64, String), sqlx::Error> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!("sst_{}", hex::encode(bytes));
    let p = |n| db.ph(n);
    let sql = format!(
        "INSERT INTO sheetsync_tokens (name, secret_sha256, tables, can_write, created_at_ms) \
         VALUES ({}, {}, {}, {}, {})",
        p(1),
        p(2),
        p(3),
        p(4),
        p(5)
    );
    sqlx::query(&sql)
        .bind(name)
        .bind(hash(&secret))
        .bind(tables.join(","))
        .bind(i64::from(can_write))
        .bind(now_ms())
        .execute(&db.pool)
        .await?;
    let sql = format!(
        "SELECT id FROM sheetsync_tokens WHERE secret_sha256 = {}",
        p(1)
    );
    let row = sqlx::query(&sql)
        .bind(hash(&secret))
        .fetch_one(&db.pool)
        .await?;
    Ok((required_int_at(&row, 0)?, secret))
}

/// Every token, revoked ones included.
pub async fn list(db: &Db) -> Result<Vec<TokenSummary>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, name, tables, can_write, created_at_ms, revoked_at_ms \
         FROM sheetsync_tokens ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TokenSummary {
                grant: Grant {
                    id: required_int_at(r, 0)?,
                    name: required_text_at(r, 1)?,
                    tables: parse_tables(&required_text_at(r, 2)?),
                    can_write: required_int_at(r, 3)? != 0,
                },
                created_at_ms: required_int_at(r, 4)?,
                revoked_at_ms: int_at(r, 5)?,
            })
        })
        .collect()
}

/// Revokes token `id`; returns whether a live token was revoked.
pub async fn revoke(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE sheetsync_tokens SET revoked_at_ms = {} WHERE id = {} AND revoked_at_ms IS NULL",
        db.ph(1),
        db.ph(2)
    );
    let done = sqlx::query(&sql)
        .bind(now_ms())
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The grant of a live token with this secret, or `None` for an unknown or revoked one.
pub async fn verify(db: &Db, secret: &str) -> Result<Option<Grant>, sqlx::Error> {
    let sql = format!(
        "SELECT id, name, tables, can_write FROM sheetsync_tokens \
         WHERE secret_sha256 = {} AND revoked_at_ms IS NULL",
        db.ph(1)
    );
    let Some(r) = sqlx::query(&sql)
        .bind(hash(secret))
        .fetch_optional(&db.pool)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Grant {
        id: required_int_at(&r, 0)?,
        name: required_text_at(&r, 1)?,
        tables: parse_tables(&required_text_at(&r, 2)?),
        can_write: required_int_at(&r, 3)? != 0,
    }))
}
