//! What each binding's task last did, saved by the owner after every round
//! (`crate::bindings::status`) so that `GET /v1/bindings/{id}` answers the same on every
//! instance; and the bell a poke rings to wake that task.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

/// The outcome of one round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastRound {
    /// When it ended (ms since the epoch).
    pub at_ms: i64,
    /// Whether it went through.
    pub ok: bool,
    /// Why not, when it did not.
    pub error: Option<String>,
    /// Cells written into the sheet, with rows deleted and rows added.
    pub sheet_writes: usize,
    /// Changes the database applied.
    pub database_writes: usize,
}

/// A row the database refused or the sheet must fix, shown to the people using the sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reject {
    /// The row's key, when it has one.
    pub key: Option<String>,
    /// The column at fault, when known.
    pub column: Option<String>,
    /// A sentence for the person who will fix it.
    pub message: String,
}

/// One binding's status as its owner last saved it. `None` is unknown: nothing is known
/// before the first round, and a round that failed leaves what it could not learn as it was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingStatus {
    /// The last round.
    pub last_round: Option<LastRound>,
    /// How long the database changes of the last round that carried any took to reach the
    /// sheet (the oldest of them).
    pub lag_ms: Option<i64>,
    /// Conflicts held for a person (`manual` policy), as of the last round that went through.
    pub conflicts: Option<usize>,
    /// Rows refused or to fix, from the last round that went through.
    pub rejects: Option<Vec<Reject>>,
    /// Deletions withheld by the mass-delete guard in the last round that went through (0:
    /// none).
    pub mass_delete_held: Option<usize>,
    /// Until when calls wait because Google asked to back off; `None` when it did not.
    pub quota_backoff_until_ms: Option<i64>,
}

/// The wake-up bells of the bindings this instance runs.
#[derive(Debug, Default)]
pub struct Registry {
    inner: Mutex<HashMap<i64, Arc<Notify>>>,
}

impl Registry {
    /// Registers binding `id` as run here; returns the bell its task waits on.
    pub fn register(&self, id: i64) -> Arc<Notify> {
        self.lock()
            .entry(id)
            .or_insert_with(|| Arc::new(Notify::new()))
            .clone()
    }

    /// Forgets binding `id` (its task stopped here).
    pub fn unregister(&self, id: i64) {
        self.lock().remove(&id);
    }

    /// Wakes binding `id`'s task to read the sheet; `false` if this instance does not run it.
    pub fn poke(&self, id: i64) -> bool {
        match self.lock().get(&id) {
            Some(bell) => {
                bell.notify_one();
                true
            }
            None => false,
        }
    }

    /// The ids of the bindings run here.
    pub fn running(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.lock().keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<Notify>>> {
        // A panic while holding the lock leaves plain data behind: go on with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}
