//! Google's per-minute quotas of the Sheets API, budgeted before each call instead of learned
//! from 429s: read and write requests per minute per project and per user (a service account
//! is one user). A call waits until both of its budgets have room in the last minute, so a
//! burst of rounds spreads out instead of being refused and retried.
//!
//! The defaults are Google's documented figures (Sheets API "Usage limits": 300 read and 300
//! write requests per minute per project, 60 of each per minute per user per project); a
//! project granted more sets its own. Drive API calls (push-notification channels) have a
//! budget of their own, at Drive's documented 12,000 queries per minute per project and per
//! user.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Whether a call reads or writes (each kind has its own quota).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CallKind {
    /// `spreadsheets.get`, `values.get`, `values.batchGet`.
    Read,
    /// `values.batchUpdate`, `spreadsheets.batchUpdate`.
    Write,
    /// A Drive API call (`files.watch`, `channels.stop`): Drive's own quota.
    Drive,
}

impl CallKind {
    fn name(self) -> &'static str {
        match self {
            CallKind::Read => "read",
            CallKind::Write => "write",
            CallKind::Drive => "drive",
        }
    }
}

/// The limits, requests per window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaLimits {
    /// Reads per window for the whole project.
    pub reads_per_project: u32,
    /// Reads per window for one service account.
    pub reads_per_user: u32,
    /// Writes per window for the whole project.
    pub writes_per_project: u32,
    /// Writes per window for one service account.
    pub writes_per_user: u32,
    /// Drive API calls per window for the whole project.
    pub drive_per_project: u32,
    /// Drive API calls per window for one service account.
    pub drive_per_user: u32,
    /// The window (a minute for Google's quotas).
    pub window: Duration,
}

impl Default for QuotaLimits {
    fn default() -> Self {
        QuotaLimits {
            reads_per_project: 300,
            reads_per_user: 60,
            writes_per_project: 300,
            writes_per_user: 60,
            drive_per_project: 12_000,
            drive_per_user: 12_000,
            window: Duration::from_secs(60),
        }
    }
}

/// One budget: a kind of call, for the project (`None`) or one account.
type BudgetId = (CallKind, Option<String>);

/// The calls made in the last window, per budget.
#[derive(Debug)]
pub struct Budgets {
    limits: QuotaLimits,
    /// When each call in the window began, per budget.
    used: Mutex<BTreeMap<BudgetId, VecDeque<Instant>>>,
}

impl Budgets {
    /// Budgets under `limits`.
    pub fn new(limits: QuotaLimits) -> Budgets {
        Budgets {
            limits,
            used: Mutex::new(BTreeMap::new()),
        }
    }

    fn limit(&self, kind: CallKind, user: bool) -> u32 {
        match (kind, user) {
            (CallKind::Read, false) => self.limits.reads_per_project,
            (CallKind::Read, true) => self.limits.reads_per_user,
            (CallKind::Write, false) => self.limits.writes_per_project,
            (CallKind::Write, true) => self.limits.writes_per_user,
            (CallKind::Drive, false) => self.limits.drive_per_project,
            (CallKind::Drive, true) => self.limits.drive_per_user,
        }
    }

    /// Takes one call of `kind` for `account` now if both budgets have room; otherwise how long
    /// until the fuller one has.
    pub fn try_take(&self, kind: CallKind, account: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = Duration::ZERO;
        for who in [None, Some(account.to_string())] {
            let limit = self.limit(kind, who.is_some()) as usize;
            let calls = used.entry((kind, who)).or_default();
            while calls
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.limits.window)
            {
                calls.pop_front();
            }
            if calls.len() >= limit {
                let free_at = match calls.len().checked_sub(limit).and_then(|i| calls.get(i)) {
                    Some(t) => *t + self.limits.window,
                    // A limit of 0: no call ever fits; look again after a window.
                    None => now + self.limits.window,
                };
                wait = wait.max(free_at.saturating_duration_since(now));
            }
        }
        if wait > Duration::ZERO {
            return Err(wait);
        }
        for who in [None, Some(account.to_string())] {
            used.entry((kind, who)).or_default().push_back(now);
        }
        Ok(())
    }

    /// Waits until a call of `kind` for `account` fits, then takes it.
    pub async fn take(&self, kind: CallKind, account: &str) {
        while let Err(wait) = self.try_take(kind, account) {
            tracing::debug!(kind = kind.name(), ?wait, "waiting for Sheets API quota");
            tokio::time::sleep(wait).await;
        }
    }

    /// Gauges for `/metrics`: calls in the current window and the limit, per budget.
    pub fn render(&self) -> String {
        let now = Instant::now();
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        out.push_str(
            "# HELP sheetsync_google_quota_used Google API calls in the last quota window.\n\
             # TYPE sheetsync_google_quota_used gauge\n",
        );
        let mut limits = String::from(
            "# HELP sheetsync_google_quota_limit Google API calls allowed per quota window.\n\
             # TYPE sheetsync_google_quota_limit gauge\n",
        );
        for kind in [CallKind::Read, CallKind::Write, CallKind::Drive] {
            let project = used.get(&(kind, None));
            let accounts = used.iter().filter_map(|((k, who), calls)| {
                Some((who.as_ref()?, calls)).filter(|_| *k == kind)
            });
            for (scope, calls) in std::iter::once(("project".to_string(), project))
                .chain(accounts.map(|(a, c)| (format!("user\",account=\"{a}"), Some(c))))
            {
                let n = calls.map_or(0, |c| {
                    c.iter()
                        .filter(|t| now.duration_since(**t) < self.limits.window)
                        .count()
                });
                let labels = format!("kind=\"{}\",scope=\"{scope}\"", kind.name());
                let _ = writeln!(out, "sheetsync_google_quota_used{{{labels}}} {n}");
                let limit = self.limit(kind, scope != "project");
                let _ = writeln!(limits, "sheetsync_google_quota_limit{{{labels}}} {limit}");
            }
        }
        out + &limits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(window_ms: u64) -> Budgets {
        Budgets::new(QuotaLimits {
            reads_per_project: 3,
            reads_per_user: 2,
            writes_per_project: 1,
            writes_per_user: 1,
            drive_per_project: 1,
            drive_per_user: 1,
            window: Duration::from_millis(window_ms),
        })
    }

    #[test]
    fn a_user_budget_refuses_past_its_limit_and_names_the_wait() {
        let b = small(60_000);
        assert!(b.try_take(CallKind::Read, "a").is_ok());
        assert!(b.try_take(CallKind::Read, "a").is_ok());
        let wait = b.try_take(CallKind::Read, "a").unwrap_err();
        assert!(wait > Duration::from_secs(59), "{wait:?}");
        assert!(
            b.try_take(CallKind::Read, "b").is_ok(),
            "another account has its own"
        );
        assert!(
            b.try_take(CallKind::Read, "c").is_err(),
            "the project's 3 are spent"
        );
        assert!(
            b.try_take(CallKind::Write, "a").is_ok(),
            "writes have their own"
        );
    }

    #[tokio::test]
    async fn a_call_over_budget_waits_for_the_window_to_move_on() {
        let b = small(200);
        b.take(CallKind::Write, "a").await;
        let started = Instant::now();
        b.take(CallKind::Write, "a").await;
        assert!(started.elapsed() >= Duration::from_millis(190));
    }

    #[test]
    fn metrics_show_each_budgets_use_and_limit() {
        let b = Budgets::new(QuotaLimits::default());
        b.try_take(CallKind::Read, "sa@p.iam.gserviceaccount.com")
            .unwrap();
        let text = b.render();
        assert!(text.contains("sheetsync_google_quota_used{kind=\"read\",scope=\"project\"} 1"));
        assert!(text.contains(
            "sheetsync_google_quota_used{kind=\"read\",scope=\"user\",account=\"sa@p.iam.gserviceaccount.com\"} 1"
        ), "{text}");
        assert!(text.contains("sheetsync_google_quota_limit{kind=\"read\",scope=\"project\"} 300"));
        assert!(text.contains("sheetsync_google_quota_limit{kind=\"write\",scope=\"project\"} 300"));
        assert!(text.contains(
            "sheetsync_google_quota_limit{kind=\"read\",scope=\"user\",account=\"sa@p.iam.gserviceaccount.com\"} 60"
        ), "{text}");
    }
}
