//! Leases: one owner per binding at a time, across any number of server instances.
//!
//! The database is the coordinator. Taking a lease is one UPDATE that succeeds only on a free
//! or expired lease and raises the binding's epoch, so of two instances racing for a binding
//! exactly one wins. The epoch fences the loser: every save of the binding's state first
//! locks the binding row and checks that the epoch is still the one its lease was taken
//! with ([`check_held`]), so an owner that stalled past its expiry and was taken over writes
//! nothing, even if it wakes up mid-save. An expired lease nobody took keeps its epoch, and
//! its owner may renew it and go on: no one else has written meanwhile.
//!
//! Times are the instances' own clocks (ms since the epoch): instances sharing bindings need
//! clocks that agree to well within the lease's length.

use sqlx::{Any, Transaction};

use super::{required_int, BindingError};
use crate::db::{text_at, Backend, Db};

/// A lease held by this instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The binding.
    pub binding_id: i64,
    /// This instance's name, unique among the instances sharing the database.
    pub owner: String,
    /// The binding's epoch when this lease was taken.
    pub epoch: i64,
    /// Until when it holds unless renewed.
    pub expires_at_ms: i64,
}

/// Takes binding `id`'s lease for `owner` if it is free or expired and the binding is not
/// paused; `None` if another instance holds it (or the binding is paused or gone).
pub async fn acquire(
    db: &Db,
    id: i64,
    owner: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<Option<Lease>, BindingError> {
    let p = |n| db.ph(n);
    let expires_at_ms = now_ms + ttl_ms;
    let done = sqlx::query(&format!(
        "UPDATE sheetsync_bindings SET lease_owner = {}, lease_expires_at_ms = {}, \
         lease_epoch = lease_epoch + 1 \
         WHERE id = {} AND paused = 0 AND (lease_owner IS NULL OR lease_expires_at_ms <= {})",
        p(1),
        p(2),
        p(3),
        p(4)
    ))
    .bind(owner)
    .bind(expires_at_ms)
    .bind(id)
    .bind(now_ms)
    .execute(&db.pool)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "SELECT lease_epoch, lease_owner FROM sheetsync_bindings WHERE id = {}",
        p(1)
    ))
    .bind(id)
    .fetch_one(&db.pool)
    .await?;
    let epoch = required_int(&row, 0, id, "lease epoch")?;
    // Another instance may have taken it over between the two statements if our TTL was
    // shorter than that gap; then it is not ours.
    if text_at(&row, 1)?.as_deref() != Some(owner) {
        return Ok(None);
    }
    Ok(Some(Lease {
        binding_id: id,
        owner: owner.to_string(),
        epoch,
        expires_at_ms,
    }))
}

/// Extends `lease` to `now_ms + ttl_ms`; `false` if it was taken over (or the binding is
/// gone or paused), in which case the owner must stop working on the binding.
pub async fn renew(
    db: &Db,
    lease: &mut Lease,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<bool, BindingError> {
    let p = |n| db.ph(n);
    let expires_at_ms = now_ms + ttl_ms;
    sqlx::query(&format!(
        "UPDATE sheetsync_bindings SET lease_expires_at_ms = {} \
         WHERE id = {} AND lease_owner = {} AND lease_epoch = {} AND paused = 0",
        p(1),
        p(2),
        p(3),
        p(4)
    ))
    .bind(expires_at_ms)
    .bind(lease.binding_id)
    .bind(&lease.owner)
    .bind(lease.epoch)
    .execute(&db.pool)
    .await?;
    // MySQL counts only rows whose value changed, so a renewal within the same millisecond
    // reports none: read back instead of trusting the count.
    let held = sqlx::query(&format!(
        "SELECT lease_owner, lease_epoch, lease_expires_at_ms FROM sheetsync_bindings \
         WHERE id = {} AND paused = 0",
        p(1)
    ))
    .bind(lease.binding_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = held else { return Ok(false) };
    let ours = text_at(&row, 0)?.as_deref() == Some(lease.owner.as_str())
        && required_int(&row, 1, lease.binding_id, "lease epoch")? == lease.epoch;
    if ours {
        lease.expires_at_ms = required_int(&row, 2, lease.binding_id, "lease expiry")?;
    }
    Ok(ours)
}

/// Gives `lease` up, so another instance may take the binding at once.
pub async fn release(db: &Db, lease: &Lease) -> Result<(), BindingError> {
    let p = |n| db.ph(n);
    sqlx::query(&format!(
        "UPDATE sheetsync_bindings SET lease_owner = NULL, lease_expires_at_ms = NULL \
         WHERE id = {} AND lease_owner = {} AND lease_epoch = {}",
        p(1),
        p(2),
        p(3)
    ))
    .bind(lease.binding_id)
    .bind(&lease.owner)
    .bind(lease.epoch)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Takes up to `max` bindings whose lease is free or expired, lowest id first.
pub async fn claim(
    db: &Db,
    owner: &str,
    now_ms: i64,
    ttl_ms: i64,
    max: usize,
) -> Result<Vec<Lease>, BindingError> {
    let rows = sqlx::query(&format!(
        "SELECT id FROM sheetsync_bindings \
         WHERE paused = 0 AND (lease_owner IS NULL OR lease_expires_at_ms <= {}) ORDER BY id",
        db.ph(1)
    ))
    .bind(now_ms)
    .fetch_all(&db.pool)
    .await?;
    let mut leases = Vec::new();
    for row in &rows {
        if leases.len() >= max {
            break;
        }
        let id = required_int(row, 0, 0, "id")?;
        if let Some(lease) = acquire(db, id, owner, now_ms, ttl_ms).await? {
            leases.push(lease);
        }
    }
    Ok(leases)
}

/// Takes, at the start of `tx`, the lock that the `FOR UPDATE` read of binding `id` which
/// follows it relies on. MySQL and PostgreSQL lock the row with that read itself. SQLite has no
/// row locks, and a transaction that reads before it writes cannot wait for the write lock: it
/// fails at once with "database is locked" when another connection wrote in between. So on
/// SQLite a write that changes nothing comes first and takes the database's write lock, where
/// the busy timeout applies.
pub(crate) async fn lock_binding_row(
    db: &Db,
    tx: &mut Transaction<'_, Any>,
    id: i64,
) -> Result<(), sqlx::Error> {
    if matches!(db.backend, Backend::Sqlite) {
        sqlx::query(&format!(
            "UPDATE sheetsync_bindings SET lease_epoch = lease_epoch WHERE id = {}",
            db.ph(1)
        ))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Locks the binding row in `tx` and checks that `lease` still holds it (same owner, same
/// epoch), so what `tx` writes next cannot race a takeover.
pub(crate) async fn check_held(
    db: &Db,
    tx: &mut Transaction<'_, Any>,
    lease: &Lease,
) -> Result<(), BindingError> {
    lock_binding_row(db, tx, lease.binding_id).await?;
    let row = sqlx::query(&format!(
        "SELECT lease_owner, lease_epoch FROM sheetsync_bindings WHERE id = {}{}",
        db.ph(1),
        db.backend.for_update()
    ))
    .bind(lease.binding_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(BindingError::NoBinding(lease.binding_id))?;
    let owner = text_at(&row, 0)?;
    let epoch = required_int(&row, 1, lease.binding_id, "lease epoch")?;
    if owner.as_deref() != Some(lease.owner.as_str()) || epoch != lease.epoch {
        return Err(BindingError::LeaseLost(lease.binding_id));
    }
    Ok(())
}
