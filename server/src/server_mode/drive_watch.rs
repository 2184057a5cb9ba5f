//! A binding's Drive push-notification channel, kept by the binding's task while it holds the
//! lease: opened (`files.watch`) when the task starts, renewed when a tenth of its lifetime is
//! left (a new channel first, then the old one stopped, so no edit falls between), and stopped
//! (`channels.stop`) when the task stops — pause, removal, lease lost, shutdown. A channel
//! that cannot be opened is tried again 1 s, 2 s, 4 s, … later (up to the retry ceiling); the
//! safety poll still reads the sheet meanwhile.
//!
//! The channel's row (`crate::bindings::drive_channels`) is written before Drive is asked, so
//! that Drive's first `sync` notification, which may arrive before `files.watch` answers,
//! already finds it; a channel that could not be opened has its row deleted again.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::task::retry_wait;
use super::Shared;
use crate::bindings::drive_channels::{self, DriveChannel};
use crate::db::now_ms;

/// The channel of one binding, and when to look at it next.
#[derive(Debug)]
pub struct DriveWatch {
    shared: Arc<Shared>,
    binding_id: i64,
    spreadsheet: String,
    open: Option<DriveChannel>,
    next_at: Instant,
    failures: u32,
}

impl DriveWatch {
    /// The watch of `binding_id`'s `spreadsheet`; nothing is opened until [`DriveWatch::keep`].
    pub fn new(shared: Arc<Shared>, binding_id: i64, spreadsheet: String) -> DriveWatch {
        DriveWatch {
            shared,
            binding_id,
            spreadsheet,
            open: None,
            next_at: Instant::now(),
            failures: 0,
        }
    }

    /// When [`DriveWatch::keep`] has something to do; `None` when push notifications are off.
    pub fn due(&self) -> Option<Instant> {
        self.shared.drive.as_ref().map(|_| self.next_at)
    }

    /// Opens the channel if none is open, or renews it if its end is near; on failure, sets
    /// the next try.
    pub async fn keep(&mut self) {
        let (Some(drive), Some(address)) = (
            self.shared.drive.as_ref(),
            self.shared.settings.drive_notify_url.as_ref(),
        ) else {
            return;
        };
        let metrics = &self.shared.state.metrics.drive;
        let settings = &self.shared.settings;
        let asked_ms = settings.drive_channel.as_millis() as i64;
        let mut channel = DriveChannel {
            channel_id: random_hex("sheetsync-", 16),
            binding_id: self.binding_id,
            secret: random_hex("", 32),
            resource_id: String::new(),
            expires_at_ms: now_ms() + asked_ms,
            opened_by: settings.instance.clone(),
        };
        let opened = async {
            drive_channels::record(&self.shared.state.db, &channel)
                .await
                .map_err(|e| e.to_string())?;
            drive
                .watch(
                    &self.spreadsheet,
                    &channel.channel_id,
                    address,
                    &channel.secret,
                    channel.expires_at_ms,
                )
                .await
                .map_err(|e| e.to_string())
        }
        .await;
        match opened {
            Ok(answer) => {
                channel.resource_id = answer.resource_id;
                channel.expires_at_ms = answer.expires_at_ms;
                if let Err(e) = drive_channels::update_opened(&self.shared.state.db, &channel).await
                {
                    tracing::warn!(binding = self.binding_id, error = %e, "recording a Drive channel failed");
                }
                let renewing = self.open.is_some();
                if let Some(old) = self.open.replace(channel.clone()) {
                    self.stop(&old).await;
                    crate::metrics::Metrics::add(&metrics.renewals, 1);
                }
                metrics.open.fetch_add(1, Ordering::Relaxed);
                self.failures = 0;
                let left = (channel.expires_at_ms - now_ms()).max(0) as u64;
                self.next_at = Instant::now() + Duration::from_millis((left - left / 10).max(1000));
                tracing::info!(
                    binding = self.binding_id,
                    channel = %channel.channel_id,
                    renewing,
                    expires_at_ms = channel.expires_at_ms,
                    "Drive push notifications: channel open"
                );
            }
            Err(e) => {
                crate::metrics::Metrics::add(&metrics.failures, 1);
                let _ = drive_channels::forget(&self.shared.state.db, &channel.channel_id).await;
                self.failures += 1;
                let wait = retry_wait(settings.retry_first, settings.retry_ceiling, self.failures);
                // An open channel still sends until it expires: try again before that.
                self.next_at = Instant::now() + wait;
                tracing::warn!(
                    binding = self.binding_id,
                    error = %e,
                    retry_in = ?wait,
                    "Drive push notifications: opening a channel failed"
                );
            }
        }
    }

    /// Stops the open channel, if any (the task is stopping).
    pub async fn close(&mut self) {
        if let Some(old) = self.open.take() {
            self.stop(&old).await;
        }
    }

    async fn stop(&self, channel: &DriveChannel) {
        let metrics = &self.shared.state.metrics.drive;
        metrics.open.fetch_sub(1, Ordering::Relaxed);
        if let Some(drive) = self.shared.drive.as_ref() {
            if let Err(e) = drive.stop(&channel.channel_id, &channel.resource_id).await {
                // It ends by itself at its expiry; until then its notifications are refused.
                crate::metrics::Metrics::add(&metrics.failures, 1);
                tracing::warn!(
                    binding = self.binding_id,
                    channel = %channel.channel_id,
                    error = %e,
                    "Drive push notifications: stopping a channel failed"
                );
            }
        }
        // Forgotten once Drive was told (a notification sent meanwhile still wakes the
        // binding, which costs one round), so a forgotten channel is one Drive no longer
        // sends on, unless it could not be stopped.
        if let Err(e) = drive_channels::forget(&self.shared.state.db, &channel.channel_id).await {
            tracing::warn!(binding = self.binding_id, error = %e, "forgetting a Drive channel failed");
        }
    }
}

/// `prefix` and `bytes` random bytes in hex: channel ids (Drive allows up to 64 characters of
/// `[A-Za-z0-9-_+/=]`) and secret tokens, from the thread's cryptographic generator.
fn random_hex(prefix: &str, bytes: usize) -> String {
    let mut out = String::from(prefix);
    for _ in 0..bytes {
        out.push_str(&format!("{:02x}", rand::random::<u8>()));
    }
    out
}
