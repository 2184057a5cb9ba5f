//! A binding's status in the database: its owner saves what its last round found under the
//! lease, and any instance reads it back, so every instance tells the same status and none
//! makes one up for a binding it does not run.

use super::lease::{check_held, Lease};
use super::{required_text, BindingError};
use crate::db::{int_at, text_at, Db};
use crate::server_mode::status::BindingStatus;

/// A status as saved, with when and by which instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedStatus {
    /// What the owner reported.
    pub status: BindingStatus,
    /// When it saved it (ms since the epoch).
    pub saved_at_ms: i64,
    /// The instance that saved it.
    pub saved_by: String,
}

/// Saves `status` for the binding `lease` holds, at `at_ms`, after checking the lease under
/// the binding row's lock: an owner taken over saves nothing ([`BindingError::LeaseLost`]).
pub async fn save(
    db: &Db,
    lease: &Lease,
    status: &BindingStatus,
    at_ms: i64,
) -> Result<(), BindingError> {
    let id = lease.binding_id;
    let text = serde_json::to_string(status).map_err(|e| BindingError::Corrupt {
        id,
        what: "status",
        reason: e.to_string(),
    })?;
    let mut tx = db.pool.begin().await?;
    check_held(db, &mut tx, lease).await?;
    sqlx::query(&format!(
        "UPDATE sheetsync_binding_state SET round_status = {}, status_saved_at_ms = {}, \
         status_saved_by = {} WHERE binding_id = {}",
        db.ph(1),
        db.ph(2),
        db.ph(3),
        db.ph(4)
    ))
    .bind(text)
    .bind(at_ms)
    .bind(&lease.owner)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Binding `id`'s saved status; `None` before its first round.
pub async fn load(db: &Db, id: i64) -> Result<Option<SavedStatus>, BindingError> {
    let row = sqlx::query(&format!(
        "SELECT round_status, status_saved_at_ms, status_saved_by \
         FROM sheetsync_binding_state WHERE binding_id = {}",
        db.ph(1)
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(BindingError::NoBinding(id))?;
    let Some(text) = text_at(&row, 0)? else {
        return Ok(None);
    };
    let status = serde_json::from_str(&text).map_err(|e| BindingError::Corrupt {
        id,
        what: "status",
        reason: e.to_string(),
    })?;
    let saved_at_ms = int_at(&row, 1)?.ok_or_else(|| BindingError::Corrupt {
        id,
        what: "status's save time",
        reason: "it is NULL while the status is not".into(),
    })?;
    Ok(Some(SavedStatus {
        status,
        saved_at_ms,
        saved_by: required_text(&row, 2, id, "status's instance")?,
    }))
}
