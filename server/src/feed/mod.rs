//! The change feed: the sequencer that puts committed log entries in commit order, the poller
//! that runs it and wakes long-polls, reading a page of changes, and log compaction.
//!
//! Log ids are handed out when a change is written, but transactions commit out of order, so
//! "changes with id > cursor" could skip a change forever. Instead a sequencer stamps every
//! *committed* unstamped entry with the next feed position, under a lock on the single
//! `sheetsync_feed_state` row: it can only see committed entries, and a transaction that
//! commits later is seen by a later run and so gets a later position. The cursor is that
//! position. Any number of server instances may run the sequencer; the lock serializes them.

pub mod entry;
pub mod open_pushes;
pub mod shared;
pub mod timing;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sheetsync_core::wire::RowChange;
use sqlx::Executor;
use tokio::sync::{watch, Notify};

use crate::db::catalog::TableInfo;
use crate::db::{int_at, now_ms, required_int_at, Backend, Db};

pub use entry::image_to_wire;
use open_pushes::{OpenPush, OpenPushes};
use timing::{now_us, WakeTimes};

/// At most this many entries are stamped per run, keeping the lock short.
const STAMP_CHUNK: usize = 2000;

/// The feed position the sequencer has handed out last, shared with long-polls, and the
/// version of the set of enabled tables, which the poller reads from the same row.
///
/// Besides the last position, each table that someone waits on has a position of its own: the
/// last position at which this instance stamped a change of that table, so a long-poll is woken
/// by its own table's changes only. A position stamped by another instance, whose tables this
/// one does not know, moves every table's position.
#[derive(Clone, Debug)]
pub struct FeedClock {
    sender: Arc<watch::Sender<i64>>,
    tables: Arc<watch::Sender<i64>>,
    bindings: Arc<watch::Sender<i64>>,
    by_table: Arc<Mutex<HashMap<i64, watch::Sender<i64>>>>,
    /// Raised by a writer of this instance once it committed changes, so the poller stamps
    /// them at once instead of on its next tick.
    committed: Arc<Notify>,
    /// Held by a sequencer run of this instance, so that a position it did not stamp itself
    /// was stamped by another instance.
    ticking: Arc<tokio::sync::Mutex<()>>,
    /// Milliseconds from a change's write to its stamping, for the last stamped run.
    pub lag_ms: Arc<AtomicI64>,
    /// When the stages of the last wake-up happened.
    pub wake: Arc<WakeTimes>,
    /// This instance's open pushes, and the checks for unstamped entries made.
    pub pushes: Arc<OpenPushes>,
}

impl Default for FeedClock {
    fn default() -> Self {
        FeedClock {
            sender: Arc::new(watch::channel(0).0),
            tables: Arc::new(watch::channel(0).0),
            bindings: Arc::new(watch::channel(0).0),
            by_table: Arc::default(),
            committed: Arc::default(),
            ticking: Arc::default(),
            lag_ms: Arc::new(AtomicI64::new(0)),
            wake: Arc::default(),
            pushes: Arc::default(),
        }
    }
}

impl FeedClock {
    /// A clock whose scheduled ticks skip their check for unstamped entries for at most
    /// `bound` while pushes are open (see [`open_pushes`]).
    pub fn with_push_bound(bound: Duration) -> FeedClock {
        FeedClock {
            pushes: Arc::new(OpenPushes::new(bound)),
            ..FeedClock::default()
        }
    }

    /// Registers a push of this instance whose transaction begins now, until the guard is
    /// dropped.
    pub fn push_opened(&self) -> OpenPush {
        self.pushes.opened()
    }

    /// A receiver that sees every new last position, whichever table changed.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.sender.subscribe()
    }

    /// A receiver that sees the position move when a change of table `table_id` is placed (or
    /// when another instance placed changes, which may be that table's). The last position
    /// ([`FeedClock::last`]) has moved at least as far before this one does.
    pub fn subscribe_table(&self, table_id: i64) -> watch::Receiver<i64> {
        let mut by_table = self.by_table.lock().unwrap_or_else(|e| e.into_inner());
        // Tables nobody waits on any more are dropped as the map is visited.
        by_table.retain(|_, s| s.receiver_count() > 0);
        let last = self.last();
        by_table
            .entry(table_id)
            .or_insert_with(|| watch::channel(last).0)
            .subscribe()
    }

    /// A receiver that sees each new version of the set of enabled tables (a table enabled or
    /// disabled by any process).
    pub fn subscribe_tables(&self) -> watch::Receiver<i64> {
        self.tables.subscribe()
    }

    /// A receiver that sees each new version of the bindings' wake-up requests (a poke or an
    /// answer that reached an instance not owning its binding).
    pub fn subscribe_bindings(&self) -> watch::Receiver<i64> {
        self.bindings.subscribe()
    }

    /// The last position known.
    pub fn last(&self) -> i64 {
        *self.sender.borrow()
    }

    /// Says that this instance has just committed changes to synced tables: the poller stamps
    /// them now rather than on its next tick. Any writer of another process is still stamped by
    /// the tick.
    pub fn committed(&self) {
        self.committed.notify_one();
    }

    /// Moves the last position to `seq`, then the positions of `tables` (of every table when
    /// `None`), so a long-poll woken by its table finds the last position moved already.
    fn advance(&self, seq: i64, tables: Option<&HashSet<i64>>, began_us: i64) {
        let moved = self.sender.send_if_modified(|v| {
            if seq > *v {
                *v = seq;
                true
            } else {
                false
            }
        });
        let by_table = self.by_table.lock().unwrap_or_else(|e| e.into_inner());
        for (id, s) in by_table.iter() {
            if tables.is_none_or(|t| t.contains(id)) {
                s.send_if_modified(|v| {
                    if seq > *v {
                        *v = seq;
                        true
                    } else {
                        false
                    }
                });
            }
        }
        if moved {
            self.wake.advanced(began_us);
        }
    }
}

/// Reads the sequencer's state: `(last_seq, compacted_seq)`.
pub async fn state(db: &Db) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query("SELECT last_seq, compacted_seq FROM sheetsync_feed_state WHERE id = 1")
        .fetch_one(&db.pool)
        .await?;
    Ok((required_int_at(&row, 0)?, required_int_at(&row, 1)?))
}

/// Reads the feed's last position, the version of the set of enabled tables and the version
/// of the bindings' wake-up requests, in one statement: every poller tick makes it, so a
/// table enabled or a binding poked anywhere is seen within a tick.
async fn positions(db: &Db) -> Result<(i64, i64, i64), sqlx::Error> {
    let row = sqlx::query(
        "SELECT last_seq, tables_version, bindings_version FROM sheetsync_feed_state WHERE id = 1",
    )
    .fetch_one(&db.pool)
    .await?;
    Ok((
        required_int_at(&row, 0)?,
        required_int_at(&row, 1)?,
        required_int_at(&row, 2)?,
    ))
}

/// Records that the set of enabled tables changed, so every instance re-reads its catalog on
/// its next tick.
pub async fn bump_tables_version(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sheetsync_feed_state SET tables_version = tables_version + 1 WHERE id = 1")
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// What one run of the sequencer did.
#[derive(Debug)]
pub struct Stamped {
    /// The last position handed out before this run (by any instance).
    pub prior: i64,
    /// The last position handed out (by this run or, when it found nothing, an earlier one).
    pub last: i64,
    /// The oldest stamped entry's write time, `None` when nothing was stamped.
    pub oldest: Option<i64>,
    /// The tables whose entries were stamped.
    pub tables: HashSet<i64>,
}

/// The condition of a log entry that has no feed position yet: 0 on MySQL/MariaDB, where
/// stamping then overwrites it in place (migration 0011), NULL elsewhere. Every position handed
/// out is at least 1, so a stamped entry is one with `seq > 0` on every backend.
fn unstamped(backend: Backend) -> &'static str {
    match backend {
        Backend::MySql => "seq = 0",
        Backend::Postgres | Backend::Sqlite => "seq IS NULL",
    }
}

/// Stamps committed, unstamped log entries in id order.
pub async fn stamp(db: &Db) -> Result<Stamped, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    // The first statement takes the lock (a row lock on MySQL and PostgreSQL, the write lock
    // on SQLite), so only committed entries that no other stamper has seen are read below.
    (&mut *tx)
        .execute("UPDATE sheetsync_feed_state SET last_seq = last_seq WHERE id = 1")
        .await?;
    let row = sqlx::query("SELECT last_seq FROM sheetsync_feed_state WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    let prior = required_int_at(&row, 0)?;
    let mut last = prior;
    let sql = format!(
        "SELECT id, changed_at_ms, table_id FROM sheetsync_changes WHERE {} ORDER BY id LIMIT {STAMP_CHUNK}",
        unstamped(db.backend)
    );
    let rows = sqlx::query(&sql).fetch_all(&mut *tx).await?;
    if rows.is_empty() {
        tx.rollback().await?;
        return Ok(Stamped {
            prior,
            last,
            oldest: None,
            tables: HashSet::new(),
        });
    }
    let mut oldest = None;
    let mut ids = Vec::with_capacity(rows.len());
    let mut tables = HashSet::new();
    for r in &rows {
        ids.push(required_int_at(r, 0)?);
        let at = required_int_at(r, 1)?;
        oldest = Some(oldest.map_or(at, |o: i64| o.min(at)));
        tables.insert(required_int_at(r, 2)?);
    }
    // Positions follow id order: entry i of `ids` gets `last + 1 + i`. Ids that are numerically
    // contiguous form a range written as `seq = id + delta`; no other entry can have an id inside
    // such a range, so the UPDATE never touches (or waits on) an uncommitted entry.
    let mut ranges: Vec<(i64, i64, i64)> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let seq = last + 1 + i as i64;
        match ranges.last_mut() {
            Some((_, end, delta)) if *end + 1 == *id && id + *delta == seq => *end = *id,
            _ => ranges.push((*id, *id, seq - id)),
        }
    }
    last += ids.len() as i64;
    for group in ranges.chunks(100) {
        let cases: String = group
            .iter()
            .map(|(a, b, d)| format!(" WHEN id BETWEEN {a} AND {b} THEN id + ({d})"))
            .collect();
        let wheres: Vec<String> = group
            .iter()
            .map(|(a, b, _)| format!("id BETWEEN {a} AND {b}"))
            .collect();
        // Every number here is an integer the database gave us; no outside text is spliced.
        let sql = format!(
            "UPDATE sheetsync_changes SET seq = CASE{cases} END WHERE {}",
            wheres.join(" OR ")
        );
        (&mut *tx).execute(sql.as_str()).await?;
    }
    let sql = format!("UPDATE sheetsync_feed_state SET last_seq = {last} WHERE id = 1");
    (&mut *tx).execute(sql.as_str()).await?;
    tx.commit().await?;
    Ok(Stamped {
        prior,
        last,
        oldest,
        tables,
    })
}

/// Whether any committed entry waits for a position (a check that takes no lock, but steps
/// over the entries of every open transaction).
async fn has_unstamped(db: &Db, clock: &FeedClock) -> Result<bool, sqlx::Error> {
    clock.pushes.checks.fetch_add(1, Ordering::Relaxed);
    clock.pushes.looked(Instant::now());
    let sql = format!(
        "SELECT id FROM sheetsync_changes WHERE {} ORDER BY id LIMIT 1",
        unstamped(db.backend)
    );
    let row = sqlx::query(&sql).fetch_optional(&db.pool).await?;
    Ok(row.is_some())
}

/// What made a sequencer run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    /// A reader, who must see every change committed before its request.
    Request,
    /// The poller's schedule.
    Schedule,
    /// A commit of log entries by this instance.
    Commit,
}

/// One sequencer run for a reader: stamp every change committed before the call, and publish
/// the last position (another instance may have stamped), the version of the set of enabled
/// tables and that of the bindings' wake-up requests.
pub async fn tick(db: &Db, clock: &FeedClock) -> Result<(), sqlx::Error> {
    tick_after(db, clock, Cause::Request).await
}

/// One tick of the poller's schedule: [`tick`], except that while a push of this instance is
/// open the check for unstamped entries is made at most once per bound
/// ([`open_pushes::OPEN_PUSH_BOUND`]); the push's commit stamps at once.
pub async fn scheduled_tick(db: &Db, clock: &FeedClock) -> Result<(), sqlx::Error> {
    tick_after(db, clock, Cause::Schedule).await
}

/// [`tick`], told what made it run. After a commit of this instance the check for unstamped
/// entries is skipped, as the stamping run finds them itself. That check is not free while a
/// push is being written: it steps over every entry of the push's open transaction (about
/// 2 ms a call on MariaDB, 3 ms on PostgreSQL, for 1,000 rows), hence the scheduled ticks'
/// skipping while pushes are open.
async fn tick_after(db: &Db, clock: &FeedClock, cause: Cause) -> Result<(), sqlx::Error> {
    let _ticking = clock.ticking.lock().await;
    let began = now_us();
    let stamping = match cause {
        Cause::Commit => true,
        Cause::Schedule if clock.pushes.may_skip() => false,
        Cause::Request | Cause::Schedule => has_unstamped(db, clock).await?,
    };
    if stamping {
        loop {
            // The run reads every unstamped committed entry: a look as good as a check.
            clock.pushes.looked(Instant::now());
            let run = stamp(db).await?;
            if let Some(oldest) = run.oldest {
                clock.lag_ms.store(now_ms() - oldest, Ordering::Relaxed);
            }
            // Positions this instance has not seen were handed out by another one; their
            // tables are unknown here, so every waiter looks.
            if run.prior > clock.last() {
                clock.advance(run.prior, None, began);
            }
            clock.advance(run.last, Some(&run.tables), began);
            // A run shorter than a chunk took every entry committed when it read them; any
            // committed since is found by the next tick (or by its writer's signal).
            let full = run.last - run.prior >= STAMP_CHUNK as i64;
            if run.oldest.is_none() || !full || !has_unstamped(db, clock).await? {
                break;
            }
        }
    }
    let (last, tables_version, bindings_version) = positions(db).await?;
    // A position beyond ours was handed out by another instance: wake every table.
    if last > clock.last() {
        clock.advance(last, None, began);
    }
    for (sender, version) in [
        (&clock.tables, tables_version),
        (&clock.bindings, bindings_version),
    ] {
        sender.send_if_modified(|v| {
            let changed = *v != version;
            *v = version;
            changed
        });
    }
    Ok(())
}

/// Runs the poller until `shutdown` resolves.
pub async fn run_poller(
    db: Db,
    clock: FeedClock,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let committed = clock.committed.clone();
    loop {
        // A commit by this instance is stamped at once; the tick finds every other writer's.
        let signalled = tokio::select! {
            _ = interval.tick() => false,
            _ = committed.notified() => true,
            _ = shutdown.changed() => return,
        };
        let cause = if signalled {
            Cause::Commit
        } else {
            Cause::Schedule
        };
        if let Err(e) = tick_after(&db, &clock, cause).await {
            tracing::warn!(error = %e, "feed sequencer run failed; retrying");
        }
    }
}

/// Why a page of changes could not be served.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The cursor is older than the retained log.
    #[error("cursor expired")]
    Expired,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Changes to `info`'s table after feed position `after`, oldest first, at most `limit`;
/// also whether more are ready.
pub async fn changes_after(
    db: &Db,
    info: &TableInfo,
    after: i64,
    limit: usize,
) -> Result<(Vec<(i64, RowChange)>, bool), FeedError> {
    let (_, compacted) = state(db).await?;
    if after < compacted {
        return Err(FeedError::Expired);
    }
    let sql = format!(
        "SELECT {} FROM sheetsync_changes WHERE table_id = {} AND seq > {} ORDER BY seq LIMIT {}",
        entry::columns(db.backend),
        db.ph(1),
        db.ph(2),
        limit + 1
    );
    let rows = sqlx::query(&sql)
        .bind(info.id)
        .bind(after)
        .fetch_all(&db.pool)
        .await?;
    let more = rows.len() > limit;
    let mut out = Vec::with_capacity(rows.len().min(limit));
    for r in rows.iter().take(limit) {
        out.push(entry::decode(db.backend, info, r)?);
    }
    Ok((out, more))
}

/// One cell's database text in its wire form (text the decoder refuses is passed through).
pub fn text_to_wire(
    col: &sheetsync_core::schema::ColumnSchema,
    cell: serde_json::Value,
) -> serde_json::Value {
    crate::db::types::cells::to_wire(col, cell)
}

/// Deletes stamped log entries older than `retain_ms` beyond the newest `retain_min`, and moves
/// the expiry mark; row versions stay. Reported overrides are pruned by the same rules. Returns
/// how many log entries were deleted.
pub async fn compact(db: &Db, retain_ms: i64, retain_min: i64) -> Result<u64, sqlx::Error> {
    let cutoff = now_ms() - retain_ms;
    // The sheet's side of the rows' past goes with the database's side (see `history`).
    crate::history::prune(db, cutoff, retain_min).await?;
    let (last, compacted) = state(db).await?;
    let by_count = last - retain_min;
    let sql = format!(
        "SELECT MAX(seq) FROM sheetsync_changes WHERE seq > 0 AND changed_at_ms < {}",
        db.ph(1)
    );
    let row = sqlx::query(&sql).bind(cutoff).fetch_one(&db.pool).await?;
    let by_age = int_at(&row, 0)?.unwrap_or(0);
    let upto = by_age.min(by_count);
    if upto <= compacted {
        return Ok(0);
    }
    let mut tx = db.pool.begin().await?;
    let sql = format!(
        "UPDATE sheetsync_feed_state SET compacted_seq = {} WHERE id = 1 AND compacted_seq < {}",
        db.ph(1),
        db.ph(2)
    );
    sqlx::query(&sql)
        .bind(upto)
        .bind(upto)
        .execute(&mut *tx)
        .await?;
    let sql = format!(
        "DELETE FROM sheetsync_changes WHERE seq > 0 AND seq <= {}",
        db.ph(1)
    );
    let done = sqlx::query(&sql).bind(upto).execute(&mut *tx).await?;
    let sql = format!(
        "DELETE FROM sheetsync_batches WHERE created_at_ms < {}",
        db.ph(1)
    );
    sqlx::query(&sql).bind(cutoff).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}
