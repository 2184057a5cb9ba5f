//! A binding's state between rounds, in the database: the core's round state and the feed
//! cursor it is consistent with, read by whoever holds the lease and written only under it.

use sheetsync_core::round::BindingState;
use sheetsync_core::wire::Cursor;

use super::lease::{check_held, Lease};
use super::settle::{encode_held, HeldConflict};
use super::sheet_edits::{self, PendingEdits};
use super::{required_text, BindingError};
use crate::db::{now_ms, text_at, Db};

/// What a binding's owner keeps between rounds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredState {
    /// The base, held changes and batch in flight.
    pub round: BindingState,
    /// Where the binding's feed reading goes on from; `None` before the first sync.
    pub cursor: Option<Cursor>,
}

/// The JSON form of a round state.
pub(crate) fn encode(id: i64, state: &BindingState) -> Result<String, BindingError> {
    serde_json::to_string(state).map_err(|e| BindingError::Corrupt {
        id,
        what: "round state",
        reason: e.to_string(),
    })
}

/// Reads binding `id`'s state.
pub async fn load(db: &Db, id: i64) -> Result<StoredState, BindingError> {
    let row = sqlx::query(&format!(
        "SELECT round_state, feed_cursor FROM sheetsync_binding_state WHERE binding_id = {}",
        db.ph(1)
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(BindingError::NoBinding(id))?;
    let text = required_text(&row, 0, id, "round state")?;
    let round = serde_json::from_str(&text).map_err(|e| BindingError::Corrupt {
        id,
        what: "round state",
        reason: e.to_string(),
    })?;
    Ok(StoredState {
        round,
        cursor: text_at(&row, 1)?.map(Cursor),
    })
}

/// Saves `state` for the binding `lease` holds, in one transaction that first checks the
/// lease under the binding row's lock: [`BindingError::LeaseLost`] if it was taken over, and
/// then nothing is written.
pub async fn save(db: &Db, lease: &Lease, state: &StoredState) -> Result<(), BindingError> {
    save_settled(db, lease, state, None, &[], &PendingEdits::default()).await
}

/// [`save`], also recording the conflicts the round holds for a person (`held`, when given)
/// and deleting the answers it read (`answered`, by id) and the sheet edit times it used
/// (`used_edits`) in the same transaction: each is gone exactly when the state it was applied
/// to is saved.
pub async fn save_settled(
    db: &Db,
    lease: &Lease,
    state: &StoredState,
    held: Option<&[HeldConflict]>,
    answered: &[i64],
    used_edits: &PendingEdits,
) -> Result<(), BindingError> {
    let id = lease.binding_id;
    let text = encode(id, &state.round)?;
    let mut tx = db.pool.begin().await?;
    check_held(db, &mut tx, lease).await?;
    if let Some(held) = held {
        sqlx::query(&format!(
            "UPDATE sheetsync_binding_state SET held_conflicts = {} WHERE binding_id = {}",
            db.ph(1),
            db.ph(2)
        ))
        .bind(encode_held(id, held)?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    for answer in answered {
        sqlx::query(&format!(
            "DELETE FROM sheetsync_binding_answers WHERE id = {} AND binding_id = {}",
            db.ph(1),
            db.ph(2)
        ))
        .bind(answer)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    sheet_edits::forget_used(db, &mut tx, id, used_edits).await?;
    sqlx::query(&format!(
        "UPDATE sheetsync_binding_state SET round_state = {}, feed_cursor = {}, \
         updated_at_ms = {} WHERE binding_id = {}",
        db.ph(1),
        db.ph(2),
        db.ph(3),
        db.ph(4)
    ))
    .bind(text)
    .bind(state.cursor.as_ref().map(|c| c.0.clone()))
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
