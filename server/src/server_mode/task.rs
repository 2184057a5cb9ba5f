//! One binding's task on the instance holding its lease: it sleeps until something may need
//! syncing, then runs a round.
//!
//! Wake-ups:
//! - the feed's in-process signal (the sequencer's `watch` channel that wakes long-polls),
//!   coalesced over the coalescing window, and only when the table has a change since the
//!   binding's cursor that is not the binding's own push coming back;
//! - a poke (`POST /v1/bindings/{id}/poke`), to read a sheet a person edited;
//! - a Drive push notification on the spreadsheet, which rings the same bell as a poke (its
//!   channel is kept here too: [`super::drive_watch`]);
//! - the safety poll, for sheet edits no poke announced (with up to a tenth more at random,
//!   so bindings started together spread out). Its deadline is kept across other wake-ups
//!   that run no round (a feed change with nothing new for the binding, a channel renewal).
//!
//! A failed round is retried after 1 s, 2 s, 4 s, … up to 5 minutes, and no other wake-up
//! runs it sooner.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};

use super::drive_watch::DriveWatch;
use super::round::{cursor_position, RoundCtx, RoundFailure};
use super::sheet_io::SheetRef;
use super::status::{BindingStatus, LastRound};
use super::{zone, Shared};
use crate::bindings::lease::Lease;
use crate::bindings::{self, state, status as saved_status, Binding, BindingError};
use crate::db::now_ms;
use crate::feed;
use crate::google::sheets::SheetProperties;

/// The wait after `failures` failed rounds in a row: 1 s doubling up to `ceiling`.
pub fn retry_wait(first: Duration, ceiling: Duration, failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(20);
    first.saturating_mul(1 << doublings).min(ceiling)
}

/// The wait until the next safety poll: `every`, and up to a tenth more at random so
/// bindings started together do not all poll together.
fn safety_poll_wait(every: Duration) -> Duration {
    let tenth = every.as_millis() as u64 / 10;
    every + Duration::from_millis(rand::random::<u64>() % (tenth + 1))
}

/// How a task ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// Told to stop (shutdown, pause, removal, lease lost on renewal).
    Stopped,
    /// The lease was taken over mid-round: nothing was saved.
    LeaseLost,
    /// A round stopped at a test's step: the instance must stop as if killed.
    Halted,
}

/// Runs binding `binding` under `lease` until `stop` turns true, with its Drive channel open
/// meanwhile when push notifications are on (stopped again unless the instance halted).
pub async fn run(
    shared: Arc<Shared>,
    binding: Binding,
    lease: Lease,
    poke: Arc<Notify>,
    stop: watch::Receiver<bool>,
) -> Ended {
    let mut watch = DriveWatch::new(shared.clone(), binding.id, binding.spreadsheet_id.clone());
    watch.keep().await;
    let ended = rounds(shared, binding, lease, poke, stop, &mut watch).await;
    if ended != Ended::Halted {
        watch.close().await;
    }
    ended
}

async fn rounds(
    shared: Arc<Shared>,
    binding: Binding,
    lease: Lease,
    poke: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
    drive_watch: &mut DriveWatch,
) -> Ended {
    let settings = &shared.settings;
    let id = binding.id;
    let origin = format!("server-mode:{id}");
    let mut feed_signal = shared.state.clock.subscribe();
    let mut failures: u32 = 0;
    let mut props: Option<SheetProperties> = None;
    let mut run_now = true;
    let mut again = 0u32;
    // When the next round is due unless something wakes the task sooner: the safety poll
    // after a round that went through, the retry after a failed one. Set after each round
    // only, so a wake-up that runs none (another table's change, the binding's own push
    // coming back) does not put it off, however often such wake-ups come.
    let mut due = tokio::time::Instant::now() + safety_poll_wait(settings.safety_poll);
    // Goes on from what the previous owner saved: what this one has not learnt yet is
    // still what the last round found.
    let mut status = match saved_status::load(&shared.state.db, id).await {
        Ok(saved) => saved.map(|s| s.status).unwrap_or_default(),
        Err(e) => {
            tracing::warn!(binding = id, error = %e, "reading the saved status failed");
            BindingStatus::default()
        }
    };
    loop {
        if !run_now {
            let channel_due = drive_watch.due();
            tokio::select! {
                _ = stop.changed() => return Ended::Stopped,
                _ = tokio::time::sleep_until(due) => {}
                _ = tokio::time::sleep_until(channel_due.unwrap_or(due)), if channel_due.is_some() => {
                    drive_watch.keep().await;
                    continue;
                }
                _ = poke.notified(), if failures == 0 => {}
                changed = feed_signal.changed(), if failures == 0 => {
                    if changed.is_err() {
                        return Ended::Stopped;
                    }
                    tokio::time::sleep(settings.coalesce).await;
                    feed_signal.borrow_and_update();
                    match table_changed(&shared, &binding, &origin).await {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(e) => tracing::warn!(binding = id, error = %e, "reading the feed failed"),
                    }
                }
            }
            if *stop.borrow() {
                return Ended::Stopped;
            }
        }
        run_now = false;
        let outcome = round(&shared, &binding, &lease, &origin, &mut props).await;
        let at_ms = now_ms();
        match outcome {
            Ok(report) => {
                failures = 0;
                due = tokio::time::Instant::now() + safety_poll_wait(settings.safety_poll);
                // Rows the push met in conflict come back as held changes: merge them now,
                // but never more than a few rounds in a row.
                again = if report.again { again + 1 } else { 0 };
                run_now = report.again && again <= 3;
                status.last_round = Some(LastRound {
                    at_ms,
                    ok: true,
                    error: None,
                    sheet_writes: report.sheet.total(),
                    database_writes: report.database_writes,
                });
                if report.lag_ms.is_some() {
                    status.lag_ms = report.lag_ms;
                }
                status.conflicts = Some(report.conflicts);
                status.rejects = Some(report.rejects);
                status.mass_delete_held = Some(report.mass_delete_held.unwrap_or(0));
                status.quota_backoff_until_ms = None;
                save_status(&shared, &lease, &status, at_ms).await;
            }
            Err(e) => {
                let halted = matches!(e, RoundFailure::Stopped(_));
                let lost = matches!(e, RoundFailure::Binding(BindingError::LeaseLost(_)));
                failures += 1;
                props = None;
                let wait = retry_wait(settings.retry_first, settings.retry_ceiling, failures);
                due = tokio::time::Instant::now() + wait;
                if !halted {
                    tracing::warn!(binding = id, error = %e, retry_in = ?wait, "round failed");
                }
                status.last_round = Some(LastRound {
                    at_ms,
                    ok: false,
                    error: Some(e.to_string()),
                    sheet_writes: 0,
                    database_writes: 0,
                });
                status.quota_backoff_until_ms =
                    e.is_quota().then(|| at_ms + wait.as_millis() as i64);
                // A round halted for a test stands for a killed server, which saves nothing
                // more; an owner taken over may not save either.
                if !halted && !lost {
                    save_status(&shared, &lease, &status, at_ms).await;
                }
                if halted {
                    shared
                        .halted
                        .store(true, std::sync::atomic::Ordering::SeqCst);
                    return Ended::Halted;
                }
                if lost {
                    return Ended::LeaseLost;
                }
            }
        }
    }
}

/// Saves the status for every instance to answer with; a failure only leaves the previous
/// status standing (the next round saves again).
async fn save_status(shared: &Shared, lease: &Lease, status: &BindingStatus, at_ms: i64) {
    if let Err(e) = saved_status::save(&shared.state.db, lease, status, at_ms).await {
        tracing::warn!(binding = lease.binding_id, error = %e, "saving the status failed");
    }
}

/// One round, reading the sheet's properties (zone, id) first when not known yet.
async fn round(
    shared: &Shared,
    binding: &Binding,
    lease: &Lease,
    origin: &str,
    props: &mut Option<SheetProperties>,
) -> Result<super::round::RoundReport, RoundFailure> {
    // Read afresh each round: the policies may have changed since the task started.
    let binding = &bindings::get(&shared.state.db, binding.id).await?;
    let info = shared
        .state
        .catalog
        .get(&binding.table)
        .await
        .ok_or_else(|| RoundFailure::TableNotEnabled(binding.table.clone()))?;
    let sheets = &shared.sheets;
    let p = match props {
        Some(p) => p.clone(),
        None => {
            let fresh = sheets
                .sheet_properties(&binding.spreadsheet_id, &binding.sheet_name)
                .await?;
            *props = Some(fresh.clone());
            fresh
        }
    };
    let zone = zone::zone_offsets(&p.time_zone).map_err(RoundFailure::Zone)?;
    // Stamp what is already committed, as a long-poll does before its first read, so the
    // round sees every change committed before it and not only those the poller reached.
    shared
        .state
        .reads
        .tick(&shared.state.db, &shared.state.clock)
        .await?;
    let ctx = RoundCtx {
        db: &shared.state.db,
        info: &info,
        binding,
        lease,
        sheet: SheetRef {
            sheets,
            spreadsheet: &binding.spreadsheet_id,
            sheet: &binding.sheet_name,
            sheet_id: p.sheet_id,
        },
        zone: &zone,
        origin,
        stop_at: shared.settings.stop_at,
        options: shared.settings.plan_options.clone(),
    };
    ctx.run().await
}

/// Whether the bound table has a change after the binding's cursor that is not one of the
/// binding's own pushes coming back through the feed.
async fn table_changed(
    shared: &Shared,
    binding: &Binding,
    origin: &str,
) -> Result<bool, RoundFailure> {
    let db = &shared.state.db;
    let Some(info) = shared.state.catalog.get(&binding.table).await else {
        return Ok(false);
    };
    let stored = state::load(db, binding.id).await?;
    if stored.round.base.is_none() {
        return Ok(true);
    }
    let mut at = cursor_position(stored.cursor.as_ref())?;
    loop {
        let (page, more) = feed::changes_after(db, &info, at, 200).await?;
        if page
            .iter()
            .any(|(_, c)| c.origin.as_deref() != Some(origin))
        {
            return Ok(true);
        }
        match (more, page.last()) {
            (true, Some((seq, _))) => at = *seq,
            _ => return Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_rounds_wait_one_second_doubling_up_to_five_minutes() {
        let (first, ceiling) = (Duration::from_secs(1), Duration::from_secs(300));
        let waits: Vec<u64> = (1..=10)
            .map(|n| retry_wait(first, ceiling, n).as_secs())
            .collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300]);
    }
}
