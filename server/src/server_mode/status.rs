//! What each binding's task last did, kept in memory by the instance that runs it and shown
//! by `GET /v1/bindings/{id}`; and the bell a poke rings to wake that task.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::Notify;

/// The outcome of one round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reject {
    /// The row's key, when it has one.
    pub key: Option<String>,
    /// The column at fault, when known.
    pub column: Option<String>,
    /// A sentence for the person who will fix it.
    pub message: String,
}

/// One binding's status on the instance running it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BindingStatus {
    /// The last round, if one ran since this instance took the binding.
    pub last_round: Option<LastRound>,
    /// How long the last round's database changes took to reach the sheet (the oldest of
    /// them), when it carried any.
    pub lag_ms: Option<i64>,
    /// Conflicts held for a person (`manual` policy).
    pub conflicts: usize,
    /// Rows refused or to fix, from the last round.
    pub rejects: Vec<Reject>,
    /// Deletions withheld by the mass-delete guard in the last round: how many.
    pub mass_delete_held: Option<usize>,
    /// Until when calls wait because Google asked to back off.
    pub quota_backoff_until_ms: Option<i64>,
}

/// The statuses and wake-up bells of the bindings this instance runs.
#[derive(Debug, Default)]
pub struct Registry {
    inner: Mutex<HashMap<i64, Entry>>,
}

#[derive(Debug)]
struct Entry {
    status: BindingStatus,
    poke: Arc<Notify>,
}

impl Registry {
    /// Registers binding `id` as run here; returns the bell its task waits on.
    pub fn register(&self, id: i64) -> Arc<Notify> {
        let mut map = self.lock();
        let entry = map.entry(id).or_insert_with(|| Entry {
            status: BindingStatus::default(),
            poke: Arc::new(Notify::new()),
        });
        entry.poke.clone()
    }

    /// Forgets binding `id` (its task stopped here).
    pub fn unregister(&self, id: i64) {
        self.lock().remove(&id);
    }

    /// Binding `id`'s status, if this instance runs it.
    pub fn status(&self, id: i64) -> Option<BindingStatus> {
        self.lock().get(&id).map(|e| e.status.clone())
    }

    /// Changes binding `id`'s status, if this instance runs it.
    pub fn update(&self, id: i64, f: impl FnOnce(&mut BindingStatus)) {
        if let Some(entry) = self.lock().get_mut(&id) {
            f(&mut entry.status);
        }
    }

    /// Wakes binding `id`'s task to read the sheet; `false` if this instance does not run it.
    pub fn poke(&self, id: i64) -> bool {
        match self.lock().get(&id) {
            Some(entry) => {
                entry.poke.notify_one();
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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Entry>> {
        // A panic while holding the lock leaves plain data behind: go on with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}
