//! Switching a sheet between the add-on and the server, with its base: no full resync either
//! way.
//!
//! To the server ([`take_from_addon`]): the add-on finishes its round, then hands over its
//! base, feed cursor and held changes; the binding and that state are written in one
//! transaction, so no instance can start on the binding before its state is in place.
//!
//! Back to the add-on ([`hand_back`]): the binding is removed under its row's lock, the same
//! lock every save takes to check its lease ([`super::lease`]). So the owner's last save either
//! committed first, and its state is what is handed back, or it comes after, finds no binding
//! and writes nothing: the owner is fenced off as if its lease had been taken over. A round
//! cut off this way is a crash as far as the core is concerned (sheet edits written and not
//! recorded merge to nothing on the next round), with one exception: a batch the server sent
//! and has not written back would be lost to the add-on, which keeps its own batches apart.
//! So while the stored state has a batch in flight the hand-back waits, and then refuses.

use std::time::{Duration, Instant};

use sheetsync_core::round::BindingState;
use sheetsync_core::wire::Cursor;

use super::lease::lock_binding_row;
use super::state::StoredState;
use super::{
    binding_of, create_with_state, required_text, Binding, BindingError, NewBinding,
    BINDING_COLUMNS,
};
use crate::db::{text_at, Db};

/// How long a hand-back waits for the server's batch in flight to be answered.
pub const HAND_BACK_WAIT: Duration = Duration::from_secs(3);
/// How often it looks again meanwhile.
const HAND_BACK_RETRY: Duration = Duration::from_millis(100);

/// What the add-on hands over with a sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct FromAddon {
    /// The sheet, table and policies.
    pub binding: NewBinding,
    /// Its base, cursor and held changes (never a batch in flight).
    pub state: StoredState,
    /// The batch the add-on sent and has not applied the answer of, if any.
    pub pending_batch: Option<String>,
}

/// Binds the sheet the add-on hands over, starting from the add-on's base and cursor. Refused
/// while the add-on has a batch in flight, or when the sheet is already bound.
pub async fn take_from_addon(db: &Db, from: &FromAddon) -> Result<i64, BindingError> {
    if let Some(batch) = &from.pending_batch {
        return Err(BindingError::AddonBatchInFlight(batch.clone()));
    }
    let mut state = from.state.clone();
    // The add-on never hands over a batch: it finishes its own first.
    state.round.in_flight = None;
    create_with_state(db, &from.binding, &state).await
}

/// A binding handed back: what it was, and the state the add-on goes on from.
#[derive(Clone, Debug, PartialEq)]
pub struct HandedBack {
    /// The binding as it was.
    pub binding: Binding,
    /// Its base, held changes and cursor (never a batch in flight).
    pub state: StoredState,
}

/// Removes binding `id` and answers its state, waiting up to `wait` for a batch the server
/// has in flight to be answered; [`BindingError::ServerBatchInFlight`] if it still is.
pub async fn hand_back(db: &Db, id: i64, wait: Duration) -> Result<HandedBack, BindingError> {
    let deadline = Instant::now() + wait;
    loop {
        match try_hand_back(db, id).await {
            Err(BindingError::ServerBatchInFlight { .. }) if Instant::now() < deadline => {
                tokio::time::sleep(HAND_BACK_RETRY).await;
            }
            other => return other,
        }
    }
}

async fn try_hand_back(db: &Db, id: i64) -> Result<HandedBack, BindingError> {
    let p = |n| db.ph(n);
    let mut tx = db.pool.begin().await?;
    // The lock every save takes to check its lease: from here on no owner can save.
    lock_binding_row(db, &mut tx, id).await?;
    let row = sqlx::query(&format!(
        "SELECT {BINDING_COLUMNS} FROM sheetsync_bindings WHERE id = {}{}",
        p(1),
        db.backend.for_update()
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(BindingError::NoBinding(id))?;
    let binding = binding_of(&row)?;
    let row = sqlx::query(&format!(
        "SELECT round_state, feed_cursor FROM sheetsync_binding_state WHERE binding_id = {}",
        p(1)
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(BindingError::NoBinding(id))?;
    let text = required_text(&row, 0, id, "round state")?;
    let round: BindingState = serde_json::from_str(&text).map_err(|e| BindingError::Corrupt {
        id,
        what: "round state",
        reason: e.to_string(),
    })?;
    if let Some(batch) = &round.in_flight {
        return Err(BindingError::ServerBatchInFlight {
            id,
            batch: batch.batch_id().to_string(),
        });
    }
    let cursor = text_at(&row, 1)?.map(Cursor);
    // Answers to conflicts the server held go with it: the add-on settles its own. So do
    // sheet edit times no round used yet: the add-on records its own from now on.
    for table in [
        "sheetsync_binding_answers",
        "sheetsync_binding_edits",
        "sheetsync_binding_state",
        "sheetsync_bindings",
    ] {
        let column = if table == "sheetsync_bindings" {
            "id"
        } else {
            "binding_id"
        };
        sqlx::query(&format!("DELETE FROM {table} WHERE {column} = {}", p(1)))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(HandedBack {
        binding,
        state: StoredState { round, cursor },
    })
}
