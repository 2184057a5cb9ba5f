//! Pushes of this instance whose transaction is open. While one is, the sequencer's scheduled
//! ticks skip their check for unstamped entries: that check must step over every entry the
//! open transaction has written (invisible, still unstamped), which costs about 3 ms a check on
//! PostgreSQL for a push of 1,000 rows, several times per push; and the push's commit makes the
//! instance stamp at once anyway ([`super::FeedClock::committed`]). Another application's
//! change is then found by the next check, made at most [`OPEN_PUSH_BOUND`] after the last one.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Longest time the sequencer goes without looking for unstamped entries while pushes are
/// open: the most a change written by another application waits for its position meanwhile.
/// A push of 1,000 rows takes about 90 ms, so most pushes need no check at all, while such a
/// change is delayed by a tenth of a second at most.
pub const OPEN_PUSH_BOUND: Duration = Duration::from_millis(100);

/// The open pushes of one instance and when its sequencer last looked for unstamped entries.
#[derive(Debug)]
pub struct OpenPushes {
    open: AtomicUsize,
    looked: Mutex<Option<Instant>>,
    bound: Duration,
    /// Checks for unstamped entries made by this instance's sequencer.
    pub checks: AtomicU64,
}

/// Marks one push's transaction as open until it is dropped (after its commit, its rollback,
/// or an error that abandoned it).
#[derive(Debug)]
pub struct OpenPush {
    pushes: Arc<OpenPushes>,
}

impl Drop for OpenPush {
    fn drop(&mut self) {
        self.pushes.open.fetch_sub(1, Ordering::SeqCst);
    }
}

impl OpenPushes {
    /// No push open; checks are skipped for at most `bound` while pushes are.
    pub fn new(bound: Duration) -> OpenPushes {
        OpenPushes {
            open: AtomicUsize::new(0),
            looked: Mutex::new(None),
            bound,
            checks: AtomicU64::new(0),
        }
    }

    /// Registers a push whose transaction begins now.
    pub fn opened(self: &Arc<Self>) -> OpenPush {
        self.open.fetch_add(1, Ordering::SeqCst);
        OpenPush {
            pushes: self.clone(),
        }
    }

    /// Whether a scheduled tick may skip its check: a push is open and the sequencer looked
    /// for unstamped entries less than the bound ago. Pushes following each other closely
    /// never hold a change longer, as the bound runs from the last look, not from a push.
    pub fn may_skip(&self) -> bool {
        if self.open.load(Ordering::SeqCst) == 0 {
            return false;
        }
        let looked = *self.looked.lock().unwrap_or_else(|e| e.into_inner());
        looked.is_some_and(|at| at.elapsed() < self.bound)
    }

    /// Records a look at the unstamped entries (a check, or a stamping run, which reads them
    /// all), begun at `at`.
    pub fn looked(&self, at: Instant) {
        let mut looked = self.looked.lock().unwrap_or_else(|e| e.into_inner());
        *looked = Some(looked.map_or(at, |l| l.max(at)));
    }
}

impl Default for OpenPushes {
    fn default() -> Self {
        OpenPushes::new(OPEN_PUSH_BOUND)
    }
}
