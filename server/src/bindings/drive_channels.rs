//! The Drive push-notification channels open on bindings' spreadsheets, in
//! `sheetsync_drive_channels`: the owner records a channel when Drive opened it and deletes it
//! when it stops it, and whichever instance a notification reaches looks the channel up here
//! to check its secret token and find the binding to wake. The token is kept as its SHA-256,
//! as API tokens are: the database alone cannot forge a notification.

use super::{required_int, required_text, BindingError};
use crate::db::Db;

/// One open channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriveChannel {
    /// The channel's id, chosen by this server (a UUID).
    pub channel_id: String,
    /// The binding whose spreadsheet it watches.
    pub binding_id: i64,
    /// The secret token Drive sends back with every notification (`X-Goog-Channel-Token`);
    /// only its SHA-256 is stored.
    pub secret: String,
    /// Drive's id of the watched resource, which `channels.stop` needs.
    pub resource_id: String,
    /// When Drive stops sending on it (ms since the epoch).
    pub expires_at_ms: i64,
    /// The instance that opened it.
    pub opened_by: String,
}

/// Records `channel` as open.
pub async fn record(db: &Db, channel: &DriveChannel) -> Result<(), BindingError> {
    sqlx::query(&format!(
        "INSERT INTO sheetsync_drive_channels \
         (channel_id, binding_id, secret_sha256, resource_id, expires_at_ms, opened_by) \
         VALUES ({}, {}, {}, {}, {}, {})",
        db.ph(1),
        db.ph(2),
        db.ph(3),
        db.ph(4),
        db.ph(5),
        db.ph(6)
    ))
    .bind(&channel.channel_id)
    .bind(channel.binding_id)
    .bind(crate::tokens::hash(&channel.secret))
    .bind(&channel.resource_id)
    .bind(channel.expires_at_ms)
    .bind(&channel.opened_by)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// What a notification is checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedChannel {
    /// The binding whose spreadsheet the channel watches.
    pub binding_id: i64,
    /// The SHA-256 of its secret token, in hex.
    pub secret_sha256: String,
    /// When Drive stops sending on it (ms since the epoch).
    pub expires_at_ms: i64,
}

impl RecordedChannel {
    /// Whether `token` is the channel's secret token.
    pub fn token_matches(&self, token: &str) -> bool {
        crate::tokens::hash(token) == self.secret_sha256
    }
}

/// The channel `channel_id`, if it is recorded.
pub async fn find(db: &Db, channel_id: &str) -> Result<Option<RecordedChannel>, BindingError> {
    let row = sqlx::query(&format!(
        "SELECT binding_id, secret_sha256, expires_at_ms \
         FROM sheetsync_drive_channels WHERE channel_id = {}",
        db.ph(1)
    ))
    .bind(channel_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let binding_id = required_int(&row, 0, 0, "drive channel's binding")?;
    Ok(Some(RecordedChannel {
        binding_id,
        secret_sha256: required_text(&row, 1, binding_id, "drive channel's token hash")?,
        expires_at_ms: required_int(&row, 2, binding_id, "drive channel's expiry")?,
    }))
}

/// Forgets channel `channel_id` (stopped, or expired).
pub async fn forget(db: &Db, channel_id: &str) -> Result<(), BindingError> {
    sqlx::query(&format!(
        "DELETE FROM sheetsync_drive_channels WHERE channel_id = {}",
        db.ph(1)
    ))
    .bind(channel_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Records what Drive answered for channel `channel` (its resource id and expiry).
pub async fn update_opened(db: &Db, channel: &DriveChannel) -> Result<(), BindingError> {
    sqlx::query(&format!(
        "UPDATE sheetsync_drive_channels SET resource_id = {}, expires_at_ms = {} \
         WHERE channel_id = {}",
        db.ph(1),
        db.ph(2),
        db.ph(3)
    ))
    .bind(&channel.resource_id)
    .bind(channel.expires_at_ms)
    .bind(&channel.channel_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}
