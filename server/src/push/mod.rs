//! Applying a pushed batch: one transaction, compare-and-set per row on its version, a
//! savepoint per row so a refused row is undone alone, and the answer stored with the batch id
//! so a retried delivery is answered again instead of applied twice.
//!
//! Runs of updates and deletes go through [`chunk`], runs of inserts through [`inserts`] (with
//! [`assigned_keys`] for keys the database assigns), which check and write many rows per
//! statement; single rows, and any run the database refuses part of, go row by row through
//! [`row`], where a savepoint per row undoes a refused row alone.

mod assigned_keys;
mod chunk;
mod inserts;
mod logged_rows;
mod row;
mod savepoint;

use sheetsync_core::wire::{PushRequest, PushResponse};
use sqlx::{AnyConnection, Executor};

use crate::db::catalog::TableInfo;
use crate::db::{now_ms, text_at, Backend, Db};
use crate::feed::FeedClock;

/// Why a batch was not applied at all.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The request itself is malformed.
    #[error("{0}")]
    Invalid(String),
    /// The database failed (the transaction was rolled back: nothing applied).
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    /// The database did not report what a write did (no version logged for a written row, no
    /// key for an inserted one, a stored row that cannot be read back), or the answer cannot
    /// be stored. Nothing is committed, so a retry of the batch applies it afresh.
    #[error("{0}")]
    Inconsistent(String),
}

/// Longest batch id and origin tag accepted (they are stored in indexed columns).
const MAX_TAG: usize = 191;

/// Applies `req` to `info`'s table, or answers the stored response of an earlier delivery.
/// With `clock`, the instance's feed clock, the push's transaction is registered as open with
/// it until it commits or is abandoned, so the sequencer's scheduled runs need not look for
/// unstamped entries meanwhile; the caller then tells the clock of the commit.
pub async fn push(
    db: &Db,
    clock: Option<&FeedClock>,
    info: &TableInfo,
    req: &PushRequest,
) -> Result<PushResponse, PushError> {
    if req.batch_id.is_empty() || req.batch_id.chars().count() > MAX_TAG {
        return Err(PushError::Invalid(format!(
            "batch_id must be 1 to {MAX_TAG} characters"
        )));
    }
    if req.origin.chars().count() > MAX_TAG {
        return Err(PushError::Invalid(format!(
            "origin must be at most {MAX_TAG} characters"
        )));
    }
    // No read of the stored answer first: claiming the batch id fails for a batch applied
    // before, and only then is its answer read (one statement fewer for every new batch).
    let open = clock.map(FeedClock::push_opened);
    let mut tx = db.pool.begin().await?;
    let sql = format!(
        "INSERT INTO sheetsync_batches (batch_id, table_id, created_at_ms) VALUES ({}, {}, {})",
        db.ph(1),
        db.ph(2),
        db.ph(3)
    );
    let claimed = sqlx::query(&sql)
        .bind(req.batch_id.clone())
        .bind(info.id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await;
    if let Err(e) = claimed {
        // The batch was applied before, or another delivery of it got there first and has
        // committed by now (the unique key made us wait for it).
        drop(tx);
        drop(open);
        if let Some(done) = stored_response(db, &req.batch_id).await? {
            return Ok(done);
        }
        return Err(e.into());
    }
    set_origin(&mut tx, db.backend, Some(&req.origin)).await?;
    let mut results = Vec::with_capacity(req.changes.len());
    let mut rest = &req.changes[..];
    while !rest.is_empty() {
        let inserts = inserts::run_length(rest);
        let run = if inserts > 0 {
            inserts
        } else {
            chunk::run_length(rest)
        };
        let (now, later) = rest.split_at(run.max(1));
        let done = match (run, inserts > 0) {
            (0 | 1, _) => None,
            (_, true) => inserts::apply(&mut tx, db, info, now).await?,
            (_, false) => chunk::apply(&mut tx, db, info, now).await?,
        };
        match done {
            Some(r) => results.extend(r),
            // A single row, an insert, or a chunk the database refused part of.
            None => results.extend(row::apply_rows(&mut tx, db, info, now).await?),
        }
        rest = later;
    }
    // PostgreSQL's tag is local to the transaction and ends with it.
    if db.backend != Backend::Postgres {
        set_origin(&mut tx, db.backend, None).await?;
    }
    let response = PushResponse {
        batch_id: req.batch_id.clone(),
        results,
        replayed: false,
    };
    let stored = serde_json::to_string(&response).map_err(|e| {
        PushError::Inconsistent(format!(
            "the answer to batch {:?} cannot be stored: {e}",
            req.batch_id
        ))
    })?;
    let sql = format!(
        "UPDATE sheetsync_batches SET response = {} WHERE batch_id = {}",
        db.ph(1),
        db.ph(2)
    );
    sqlx::query(&sql)
        .bind(stored)
        .bind(req.batch_id.clone())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    drop(open);
    Ok(response)
}

/// The stored answer of batch `batch_id`, if that batch committed.
async fn stored_response(db: &Db, batch_id: &str) -> Result<Option<PushResponse>, PushError> {
    let sql = format!(
        "SELECT response FROM sheetsync_batches WHERE batch_id = {}",
        db.ph(1)
    );
    let row = sqlx::query(&sql)
        .bind(batch_id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    // A batch row commits together with its answer, so an unreadable answer is never "not
    // applied yet": answering or applying again would both be made up.
    let unreadable = |why: String| {
        PushError::Inconsistent(format!(
            "the stored answer to batch {batch_id:?} cannot be read: {why}"
        ))
    };
    let text = text_at(&row, 0)?.ok_or_else(|| unreadable("it is missing".to_string()))?;
    let mut response: PushResponse =
        serde_json::from_str(&text).map_err(|e| unreadable(e.to_string()))?;
    response.replayed = true;
    Ok(Some(response))
}

/// Tags (or untags) this transaction's writes with the push's origin, for the triggers. On
/// MySQL the tag is a session variable and may outlive a failed push on its pooled connection;
/// that is harmless because only pushes write synced tables from the server's connections, and
/// every push sets its own tag first.
async fn set_origin(
    conn: &mut AnyConnection,
    backend: Backend,
    origin: Option<&str>,
) -> Result<(), sqlx::Error> {
    let origin = origin.map(str::to_string);
    match backend {
        Backend::MySql => {
            sqlx::query("SET @sheetsync_origin = ?")
                .bind(origin)
                .execute(conn)
                .await?;
        }
        Backend::Postgres => {
            sqlx::query("SELECT set_config('sheetsync.origin', $1, true)")
                .bind(origin.unwrap_or_default())
                .execute(conn)
                .await?;
        }
        Backend::Sqlite => match origin {
            Some(o) => {
                sqlx::query("INSERT OR REPLACE INTO sheetsync_origin (id, origin) VALUES (1, ?)")
                    .bind(o)
                    .execute(conn)
                    .await?;
            }
            None => {
                conn.execute("DELETE FROM sheetsync_origin").await?;
            }
        },
    }
    Ok(())
}
