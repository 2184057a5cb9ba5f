//! Waking a binding's owner from any instance.
//!
//! A poke (or an answer to a held conflict) that reaches an instance not running the binding
//! records the request on the binding and bumps `bindings_version` in the feed's state row.
//! Every instance reads that version in the statement its sequencer tick already makes
//! (`crate::feed::tick`), so the owner learns of the request within a tick with no polling
//! query of its own; it then takes the requests on the bindings it holds and wakes their
//! tasks ([`take_requested`]).

use super::{required_int, BindingError};
use crate::db::{now_ms, Db};

/// Asks binding `id`'s owner, whichever instance it is, to read the sheet now.
pub async fn request(db: &Db, id: i64) -> Result<(), BindingError> {
    let mut tx = db.pool.begin().await?;
    sqlx::query(&format!(
        "UPDATE sheetsync_bindings SET wake_requested_at_ms = {} WHERE id = {}",
        db.ph(1),
        db.ph(2)
    ))
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE sheetsync_feed_state SET bindings_version = bindings_version + 1 WHERE id = 1",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The bindings held by `instance` with a request waiting, whose requests it clears.
pub async fn take_requested(db: &Db, instance: &str) -> Result<Vec<i64>, BindingError> {
    let rows = sqlx::query(&format!(
        "SELECT id FROM sheetsync_bindings \
         WHERE wake_requested_at_ms IS NOT NULL AND lease_owner = {}",
        db.ph(1)
    ))
    .bind(instance)
    .fetch_all(&db.pool)
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = required_int(r, 0, 0, "id")?;
        sqlx::query(&format!(
            "UPDATE sheetsync_bindings SET wake_requested_at_ms = NULL \
             WHERE id = {} AND lease_owner = {}",
            db.ph(1),
            db.ph(2)
        ))
        .bind(id)
        .bind(instance)
        .execute(&db.pool)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}
