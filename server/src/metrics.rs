//! Counters for `GET /metrics`, written out in the Prometheus text format by hand: a handful
//! of atomics needs no metrics framework.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// The server's counters. Cheap to share: every field is an atomic.
#[derive(Debug, Default)]
pub struct Metrics {
    /// HTTP requests served.
    pub requests: AtomicU64,
    /// Push batches applied (replays not counted).
    pub pushes: AtomicU64,
    /// Push batches answered from the stored response.
    pub replays: AtomicU64,
    /// Rows written by pushes.
    pub rows_applied: AtomicU64,
    /// Rows answered with a conflict.
    pub conflicts: AtomicU64,
    /// Rows refused.
    pub rejects: AtomicU64,
    /// Change-feed entries served.
    pub changes_served: AtomicU64,
    /// Change-feed entries served in the unreadable form (the server could not encode them).
    pub changes_unreadable: AtomicU64,
    /// Rows left out of row pages: their key is not UTF-8 text (or, on SQLite, is a BLOB or
    /// NULL), so no client could name them.
    pub rows_unreadable: AtomicU64,
    /// Cells served in the degraded form `{"base64": …}`: bytes their column's kind cannot carry.
    pub cells_degraded: AtomicU64,
    /// Pages of the change feed read from the database (long-polls woken together share one).
    pub feed_reads: AtomicU64,
    /// Long-polls parked now, waiting for a change.
    pub waiting: AtomicU64,
    /// Server mode's Drive push-notification channels and the notifications received.
    pub drive: DriveMetrics,
    /// The Sheets API quota budgets of server mode, once it runs: how close each is.
    pub google_quota: std::sync::OnceLock<std::sync::Arc<crate::google::budget::Budgets>>,
}

/// The Drive push-notification counters.
#[derive(Debug, Default)]
pub struct DriveMetrics {
    /// Channels this instance holds open (a gauge).
    pub open: AtomicU64,
    /// Channels replaced by a new one before they expired.
    pub renewals: AtomicU64,
    /// `files.watch` or `channels.stop` calls that failed.
    pub failures: AtomicU64,
    /// Notifications taken, by `X-Goog-Resource-State`: sync, update, change, any other.
    pub notifications: [AtomicU64; 4],
    /// Notifications refused: unknown channel or wrong token.
    pub refused: AtomicU64,
}

/// The resource states counted apart, in the order of [`DriveMetrics::notifications`].
pub const DRIVE_STATES: [&str; 4] = ["sync", "update", "change", "other"];

impl DriveMetrics {
    /// Counts one notification of resource state `state`.
    pub fn received(&self, state: &str) {
        let i = DRIVE_STATES
            .iter()
            .position(|s| *s == state)
            .unwrap_or(DRIVE_STATES.len() - 1);
        Metrics::add(&self.notifications[i], 1);
    }

    fn render(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP sheetsync_drive_channels_open Drive push-notification channels this instance holds open.\n\
             # TYPE sheetsync_drive_channels_open gauge\nsheetsync_drive_channels_open {}",
            self.open.load(Ordering::Relaxed)
        );
        for (name, help, value) in [
            (
                "sheetsync_drive_channel_renewals_total",
                "Drive channels replaced by a new one before they expired.",
                &self.renewals,
            ),
            (
                "sheetsync_drive_channel_failures_total",
                "Drive files.watch or channels.stop calls that failed.",
                &self.failures,
            ),
            (
                "sheetsync_drive_notifications_refused_total",
                "Drive notifications refused: unknown channel or wrong token.",
                &self.refused,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        out.push_str(
            "# HELP sheetsync_drive_notifications_total Drive notifications taken, by resource state.\n\
             # TYPE sheetsync_drive_notifications_total counter\n",
        );
        for (state, value) in DRIVE_STATES.iter().zip(&self.notifications) {
            let _ = writeln!(
                out,
                "sheetsync_drive_notifications_total{{state=\"{state}\"}} {}",
                value.load(Ordering::Relaxed)
            );
        }
    }
}

impl Metrics {
    /// Adds `n` to `counter`.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The Prometheus text exposition; `feed_lag_ms` and `feed_last_seq` come from the feed.
    pub fn render(&self, feed_lag_ms: i64, feed_last_seq: i64) -> String {
        let mut out = String::new();
        let counters = [
            (
                "sheetsync_http_requests_total",
                "HTTP requests served.",
                &self.requests,
            ),
            (
                "sheetsync_pushes_total",
                "Push batches applied.",
                &self.pushes,
            ),
            (
                "sheetsync_push_replays_total",
                "Push batches answered again from the stored response.",
                &self.replays,
            ),
            (
                "sheetsync_rows_applied_total",
                "Rows written by pushes.",
                &self.rows_applied,
            ),
            (
                "sheetsync_conflicts_total",
                "Pushed rows answered with a conflict.",
                &self.conflicts,
            ),
            (
                "sheetsync_rejects_total",
                "Pushed rows refused.",
                &self.rejects,
            ),
            (
                "sheetsync_changes_served_total",
                "Change-feed entries served.",
                &self.changes_served,
            ),
            (
                "sheetsync_changes_unreadable_total",
                "Change-feed entries served as unreadable: the server could not encode them.",
                &self.changes_unreadable,
            ),
            (
                "sheetsync_rows_unreadable_total",
                "Rows left out of row pages: their key is not UTF-8 text, is bytes or is NULL.",
                &self.rows_unreadable,
            ),
            (
                "sheetsync_cells_degraded_total",
                "Cells served in the degraded form {\"base64\": ...}: bytes their column's kind cannot carry.",
                &self.cells_degraded,
            ),
            (
                "sheetsync_feed_reads_total",
                "Pages of the change feed read from the database.",
                &self.feed_reads,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP sheetsync_long_polls_waiting Long-polls parked, waiting for a change.\n\
             # TYPE sheetsync_long_polls_waiting gauge\nsheetsync_long_polls_waiting {}",
            self.waiting.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP sheetsync_feed_lag_seconds Time from a change's write to its place in the feed, last run.\n\
             # TYPE sheetsync_feed_lag_seconds gauge\nsheetsync_feed_lag_seconds {:.3}",
            feed_lag_ms as f64 / 1000.0
        );
        let _ = writeln!(
            out,
            "# HELP sheetsync_feed_position The last change-feed position handed out.\n\
             # TYPE sheetsync_feed_position gauge\nsheetsync_feed_position {feed_last_seq}"
        );
        self.drive.render(&mut out);
        if let Some(budgets) = self.google_quota.get() {
            out.push_str(&budgets.render());
        }
        out
    }
}
