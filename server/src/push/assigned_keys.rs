//! Keys for inserted rows whose key the database assigns, for a whole run of inserts at once,
//! so the run is written with multi-row INSERTs like rows that bring their own key.
//!
//! A multi-row `INSERT ... RETURNING key` would be one statement, but no backend promises that
//! RETURNING lists rows in the order of the VALUES list (PostgreSQL says outright it does not),
//! and a push must tell each row its own key. So the keys are known before or by a documented
//! rule instead:
//! - PostgreSQL: the key column's sequence (serial or identity) hands out the keys first
//!   (`nextval`), and the rows are inserted with them (`OVERRIDING SYSTEM VALUE`);
//! - SQLite: the push holds the database's write lock, so the next keys are the ones after the
//!   largest key (and after the AUTOINCREMENT counter, when the table has one);
//! - MariaDB/MySQL: one multi-row INSERT gets consecutive keys in row order, the first one
//!   reported by `LAST_INSERT_ID()`, as long as `innodb_autoinc_lock_mode` is 0 or 1 (the
//!   default on MariaDB; MySQL 8 defaults to 2, where the keys may interleave with other
//!   sessions' and the rows are inserted one statement each).
//!
//! Where no rule applies (a key computed by some other default), `None` sends the caller to one
//! statement per row.

use sqlx::AnyConnection;

use crate::db::catalog::TableInfo;
use crate::db::{int_at, text_at, Backend, Db};

use super::PushError;

/// How the keys of `count` new rows are known.
pub(super) enum Plan {
    /// These keys, one per row in order, to be inserted as given (on PostgreSQL overriding the
    /// identity column's own values).
    Given(Vec<String>),
    /// Insert without keys in one statement, then ask [`consecutive`] for them.
    Consecutive,
}

/// Decides how the keys of `count` new rows of `info`'s table are known, or `None` when only
/// one INSERT per row can tell.
pub(super) async fn plan(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    count: usize,
) -> Result<Option<Plan>, PushError> {
    let key = info.key_column();
    match db.backend {
        Backend::Postgres => {
            let row = sqlx::query("SELECT pg_get_serial_sequence($1, $2)")
                .bind(info.table_sql().to_string())
                .bind(key.name.clone())
                .fetch_one(&mut *conn)
                .await?;
            let Some(sequence) = text_at(&row, 0)? else {
                return Ok(None);
            };
            let rows = sqlx::query(
                "SELECT nextval(CAST($1 AS regclass))::text FROM generate_series(1, $2)",
            )
            .bind(sequence)
            .bind(count as i64)
            .fetch_all(&mut *conn)
            .await?;
            let mut keys = Vec::with_capacity(rows.len());
            for r in &rows {
                keys.push(text_at(r, 0)?.ok_or_else(|| {
                    PushError::Inconsistent(format!(
                        "table {:?}: the key sequence handed out no key",
                        info.schema.name
                    ))
                })?);
            }
            Ok((keys.len() == count).then_some(Plan::Given(keys)))
        }
        Backend::Sqlite => {
            let sql = format!("SELECT MAX({}) FROM {}", info.key_sql(), info.table_sql());
            let row = sqlx::query(&sql).fetch_one(&mut *conn).await?;
            let mut last = int_at(&row, 0)?.unwrap_or(0);
            let has_counter = sqlx::query(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'",
            )
            .fetch_optional(&mut *conn)
            .await?
            .is_some();
            if has_counter {
                let row = sqlx::query("SELECT seq FROM sqlite_sequence WHERE name = ?")
                    .bind(info.schema.name.clone())
                    .fetch_optional(&mut *conn)
                    .await?;
                if let Some(row) = row {
                    last = last.max(int_at(&row, 0)?.unwrap_or(0));
                }
            }
            // Past the largest key SQLite picks keys at random; leave those to it.
            let Some(end) = last.checked_add(count as i64) else {
                return Ok(None);
            };
            Ok(Some(Plan::Given(
                (last + 1..=end).map(|k| k.to_string()).collect(),
            )))
        }
        Backend::MySql => {
            // Only an AUTO_INCREMENT key is reported by LAST_INSERT_ID() (not a computed one).
            let row = sqlx::query(
                "SELECT @@innodb_autoinc_lock_mode, (SELECT COUNT(*) FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ? \
                 AND EXTRA LIKE '%auto_increment%')",
            )
            .bind(info.schema.name.clone())
            .bind(key.name.clone())
            .fetch_one(&mut *conn)
            .await?;
            let mode = int_at(&row, 0)?.unwrap_or(2);
            let auto_increment = int_at(&row, 1)?.unwrap_or(0) > 0;
            Ok((mode <= 1 && auto_increment).then_some(Plan::Consecutive))
        }
    }
}

/// The keys of the `count` rows the last multi-row INSERT on `conn` wrote, in row order.
pub(super) async fn consecutive(
    conn: &mut AnyConnection,
    count: usize,
) -> Result<Vec<String>, PushError> {
    let row = sqlx::query("SELECT LAST_INSERT_ID(), @@auto_increment_increment")
        .fetch_one(&mut *conn)
        .await?;
    // Keys start at 1: 0 (or nothing) means the INSERT assigned none, and no key is made up.
    let first = int_at(&row, 0)?.filter(|k| *k > 0).ok_or_else(|| {
        PushError::Inconsistent(
            "the database did not report the first key it assigned to the inserted rows"
                .to_string(),
        )
    })?;
    let step = int_at(&row, 1)?.unwrap_or(1).max(1);
    Ok((0..count as i64)
        .map(|i| (first + i * step).to_string())
        .collect())
}
