//! One round of a binding, through the core's round state machine
//! (`sheetsync_core::round`), in the order its guide gives:
//!
//! 1. a batch left in flight by a round that died is sent again (same id: the database applies
//!    it once) and finished first;
//! 2. the sheet is read, and the database's changes since the cursor (the table's rows on the
//!    first round), and the core plans, with the sheet edit times pokes brought
//!    (`crate::bindings::sheet_edits`);
//! 3. the rows the sheet edits touch are read again and those a person changed since step 2
//!    are left out of the round ([`super::reread`]; the next round, run at once, merges
//!    them); the sheet edits are written, **then** the state (base, held changes, the batch to send,
//!    the new cursor) is saved under the lease;
//! 4. the batch is pushed;
//! 5. the sheet is read as it is now, the answer placed by the identity rule, its writes
//!    written, then the state saved with the batch forgotten.
//!
//! [`Step`] names the points between these; a test can stop a round at any of them, as a
//! server killed there would, to show that the next owner loses and doubles nothing.

use std::collections::BTreeMap;

use sheetsync_core::history::{OverrideReport, ReportedOverride};
use sheetsync_core::overridden::{Override, Side};
use sheetsync_core::plan::PlanOptions;
use sheetsync_core::round::{finish_batch, Round, RoundError, RoundRead};
use sheetsync_core::schema::TableSchema;
use sheetsync_core::wire::{Cursor, RowChange, VersionedRow};
use sheetsync_core::zone::ZoneOffsets;

use super::sheet_io::{SheetError, SheetRef, Written};
use super::status::Reject;
use crate::bindings::lease::Lease;
use crate::bindings::settle;
use crate::bindings::sheet_edits::{self, PendingEdits};
use crate::bindings::state::{self, StoredState};
use crate::bindings::{Binding, BindingError};
use crate::db::catalog::TableInfo;
use crate::db::{now_ms, Db};
use crate::feed::{self, FeedError};
use crate::google::GoogleError;
use crate::history;
use crate::push::{self, PushError};
use crate::rows;

/// The points between a round's steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The plan's edits are in the sheet; the state is not saved yet.
    SheetEdited,
    /// The state (with the batch to send) is saved; the batch is not sent yet.
    StateSaved,
    /// The batch was applied by the database; its answer is not in the sheet yet.
    BatchSent,
    /// The answer is in the sheet; the state that forgets the batch is not saved yet.
    AnswerWritten,
}

/// Why a round did not go through.
#[derive(Debug, thiserror::Error)]
pub enum RoundFailure {
    /// Reading or writing the sheet failed.
    #[error(transparent)]
    Sheet(#[from] SheetError),
    /// The binding's state could not be read or saved (or the lease was lost).
    #[error(transparent)]
    Binding(#[from] BindingError),
    /// The core refused.
    #[error(transparent)]
    Round(#[from] RoundError),
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// The change feed was compacted past the cursor: the binding needs a fresh first sync.
    #[error("the change log no longer holds the changes after this binding's cursor")]
    CursorExpired,
    /// The push failed as a whole (nothing applied).
    #[error("push: {0}")]
    Push(#[from] PushError),
    /// The bound table is not enabled for sync.
    #[error("table {0:?} is not enabled for sync")]
    TableNotEnabled(String),
    /// A key of the table that cannot be read back.
    #[error("{0}")]
    Table(String),
    /// The spreadsheet's zone is unknown.
    #[error("{0}")]
    Zone(String),
    /// Stopped on purpose at `Step` (a test standing for a server killed there).
    #[error("stopped after step {0:?}")]
    Stopped(Step),
}

impl From<GoogleError> for RoundFailure {
    fn from(e: GoogleError) -> Self {
        RoundFailure::Sheet(SheetError::Google(e))
    }
}

impl From<FeedError> for RoundFailure {
    fn from(e: FeedError) -> Self {
        match e {
            FeedError::Expired => RoundFailure::CursorExpired,
            FeedError::Db(e) => RoundFailure::Db(e),
        }
    }
}

impl RoundFailure {
    /// Whether Google asked to back off (its quota), as the status reports.
    pub fn is_quota(&self) -> bool {
        matches!(
            self,
            RoundFailure::Sheet(SheetError::Google(GoogleError::Api { status: 429, .. }))
        )
    }
}

/// What a round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Edits written into the sheet.
    pub sheet: Written,
    /// Changes the database applied.
    pub database_writes: usize,
    /// How long the oldest database change the round carried waited (ms), if it carried any.
    pub lag_ms: Option<i64>,
    /// Conflicts held for a person.
    pub conflicts: usize,
    /// Rows refused or to fix.
    pub rejects: Vec<Reject>,
    /// Sheet deletions withheld by the mass-delete guard.
    pub mass_delete_held: Option<usize>,
    /// Whether another round should follow at once (the push met concurrent changes, which
    /// came back as held changes to merge).
    pub again: bool,
}

/// Everything one round works with.
pub struct RoundCtx<'a> {
    /// The database.
    pub db: &'a Db,
    /// The bound table.
    pub info: &'a TableInfo,
    /// The binding.
    pub binding: &'a Binding,
    /// This instance's lease on it.
    pub lease: &'a Lease,
    /// The sheet.
    pub sheet: SheetRef<'a>,
    /// The spreadsheet's zone.
    pub zone: &'a ZoneOffsets,
    /// The origin tag of the binding's pushes.
    pub origin: &'a str,
    /// Stop at this point (tests).
    pub stop_at: Option<Step>,
    /// The mass-delete guard and other plan options.
    pub options: PlanOptions,
}

impl RoundCtx<'_> {
    fn schema(&self) -> TableSchema {
        TableSchema {
            writable: true,
            ..self.info.schema.clone()
        }
    }

    fn reached(&self, step: Step) -> Result<(), RoundFailure> {
        if self.stop_at == Some(step) {
            return Err(RoundFailure::Stopped(step));
        }
        Ok(())
    }

    /// Runs one round.
    pub async fn run(&self) -> Result<RoundReport, RoundFailure> {
        let schema = self.schema();
        let mut stored = state::load(self.db, self.binding.id).await?;
        let mut report = RoundReport::default();
        if stored.round.in_flight.is_some() {
            self.send_and_finish(&schema, &mut stored, &mut report)
                .await?;
        }
        // Read before the sheet: an edit poked after this waits for the next round, which
        // reads the sheet again.
        let edits = sheet_edits::pending(self.db, self.binding.id).await?;
        let mut snapshot = self.sheet.read(&schema, self.zone).await?;
        if snapshot.headers.iter().all(|h| h.trim().is_empty()) && snapshot.rows.is_empty() {
            snapshot.headers = self.sheet.write_headers(&schema).await?;
            report.sheet.cells += snapshot.headers.len();
        }
        let first = stored.round.base.is_none();
        let (changes, database_rows, cursor) = if first {
            self.table_rows().await?
        } else {
            self.changes_since(stored.cursor.as_ref()).await?
        };
        let now = now_ms();
        report.lag_ms = changes
            .iter()
            .filter(|c| c.origin.as_deref() != Some(self.origin))
            .map(|c| now - c.changed_at_ms)
            .max();
        let read = RoundRead {
            schema: schema.clone(),
            time_zone: self.zone.name().to_string(),
            zone_offsets: self.zone.table(),
            sheet: snapshot.clone(),
            changes,
            database_rows,
            policies: self.binding.policies.clone(),
            edit_times: edits.times(),
            resolutions: Vec::new(),
            now_ms: now,
            options: self.options.clone(),
        };
        let mut round = Round::plan(&stored.round, read)?;
        // numeric-delta asks for the base images of the rows it merges; one more plan settles.
        for _ in 0..2 {
            let asked = round.needs_base_images().to_vec();
            if asked.is_empty() {
                break;
            }
            let (images, unavailable) = self.base_images(&asked).await?;
            round.add_base_images(images, unavailable)?;
        }
        // A person's answers to held conflicts, each only while its conflict is the one it
        // answered; the others are dropped (the conflict changed or went away meanwhile).
        let answers = settle::pending(self.db, self.binding.id).await?;
        let (fitting, stale): (Vec<_>, Vec<_>) = answers
            .iter()
            .partition(|a| round.current_plan().conflicts.iter().any(|c| a.fits(c)));
        for a in &stale {
            tracing::warn!(
                binding = self.binding.id,
                key = %a.resolution.key,
                column = ?a.resolution.column,
                "an answer to a conflict no longer held as answered was dropped"
            );
        }
        round.resolve(fitting.iter().map(|a| a.resolution.clone()).collect())?;
        let answered: Vec<i64> = answers.iter().map(|a| a.id).collect();
        let plan = round.current_plan();
        let held_before = settle::held(self.db, self.binding.id).await?;
        let mut held = settle::held_now(&held_before, &plan.conflicts, now);
        self.add_base_values(&stored, &mut held).await?;
        report.conflicts = plan.conflicts.len();
        report.mass_delete_held = plan.mass_delete.as_ref().map(|m| m.withheld);
        report.rejects = plan.problems.iter().map(reject_of).collect();
        // As late as possible: rows a person changed since the read are left for the next
        // round, which merges their edit with the database's change (see `super::reread`).
        let changed = self
            .sheet
            .changed_rows(&plan.sheet_edits, &snapshot, &schema, self.zone)
            .await?;
        let left_out = round.leave_out_rows(&changed)?;
        if !changed.is_empty() {
            tracing::info!(
                binding = self.binding.id,
                rows = ?changed,
                keys = ?left_out,
                "rows edited since the round read them are left for the next round"
            );
            report.again = true;
        }
        let plan = round.current_plan();
        let lost = sheet_values_lost(self.origin, &plan.overrides, &edits);
        if !lost.overrides.is_empty() {
            // Kept before the sheet edits replace them: a round cut off after its writes plans
            // no conflict again, so a later round could not find them. The ids make a re-planned
            // round's same overrides count once.
            history::store(self.db, self.info, &lost).await?;
        }
        let batch_id = format!("b{}-{}-{:08x}", self.binding.id, now, rand::random::<u32>());
        let commit = round.commit(&mut stored.round, &batch_id, self.origin)?;
        let written = self
            .sheet
            .write_edits(&commit.sheet_edits, &snapshot, self.zone)
            .await?;
        add(&mut report.sheet, written);
        self.reached(Step::SheetEdited)?;
        stored.cursor = Some(cursor);
        state::save_settled(self.db, self.lease, &stored, Some(&held), &answered, &edits).await?;
        self.reached(Step::StateSaved)?;
        if stored.round.in_flight.is_some() {
            self.send_and_finish(&schema, &mut stored, &mut report)
                .await?;
        }
        Ok(report)
    }

    /// Steps 4 and 5: sends the batch in flight (again, after a crash) and writes its answer.
    async fn send_and_finish(
        &self,
        schema: &TableSchema,
        stored: &mut StoredState,
        report: &mut RoundReport,
    ) -> Result<(), RoundFailure> {
        let Some(batch) = stored.round.in_flight.clone() else {
            return Ok(());
        };
        // Not registered as an open push: nothing tells the poller of its commit, which the
        // next scheduled tick finds.
        let response = push::push(self.db, None, self.info, &batch.request).await?;
        self.reached(Step::BatchSent)?;
        let sheet_now = self.sheet.read(schema, self.zone).await?;
        let finished = finish_batch(
            &mut stored.round,
            schema,
            &response,
            sheet_now,
            &BTreeMap::new(),
            now_ms(),
        )?;
        report.sheet.cells += self.sheet.write_runs(&finished.writes, self.zone).await?;
        self.reached(Step::AnswerWritten)?;
        state::save(self.db, self.lease, stored).await?;
        if !finished.replayed {
            report.database_writes += finished.applied;
        }
        report.again |= finished.conflicts > 0;
        report
            .rejects
            .extend(finished.problems.iter().map(reject_of));
        Ok(())
    }

    /// The table's rows for a first round, with the feed position they are consistent with.
    async fn table_rows(
        &self,
    ) -> Result<(Vec<RowChange>, Vec<VersionedRow>, Cursor), RoundFailure> {
        // The position first: every change stamped up to it committed before the rows are read.
        let (position, _) = feed::state(self.db).await?;
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = rows::page(self.db, self.info, after, PAGE).await?;
            let full = page.rows.len() == PAGE;
            let last = page.rows.last().map(|r| r.key.clone());
            all.extend(page.rows);
            match (full, last) {
                (true, Some(key)) => {
                    after = Some(
                        rows::key_param(self.db, self.info, &key)
                            .map_err(|e| RoundFailure::Table(e.to_string()))?,
                    )
                }
                _ => break,
            }
        }
        Ok((Vec::new(), all, Cursor(position.to_string())))
    }

    /// The table's changes after `cursor`, and the cursor after them.
    async fn changes_since(
        &self,
        cursor: Option<&Cursor>,
    ) -> Result<(Vec<RowChange>, Vec<VersionedRow>, Cursor), RoundFailure> {
        let mut at = cursor_position(cursor)?;
        let mut out = Vec::new();
        loop {
            let (page, more) = feed::changes_after(self.db, self.info, at, PAGE).await?;
            if let Some((seq, _)) = page.last() {
                at = *seq;
            }
            out.extend(page.into_iter().map(|(_, c)| c));
            if !more {
                break;
            }
        }
        Ok((out, Vec::new(), Cursor(at.to_string())))
    }

    /// Fills in the value both sides last agreed on, where the plan had none, from the row's
    /// history at the base's version (left unknown when the history no longer has it).
    async fn add_base_values(
        &self,
        stored: &StoredState,
        held: &mut [settle::HeldConflict],
    ) -> Result<(), RoundFailure> {
        let Some(base) = &stored.round.base else {
            return Ok(());
        };
        for h in held.iter_mut().filter(|h| h.base_value.is_none()) {
            let (Some(column), Some(row)) = (&h.column, base.rows.get(&h.key)) else {
                continue;
            };
            let Some(index) = self
                .info
                .schema
                .columns
                .iter()
                .position(|c| &c.name == column)
            else {
                continue;
            };
            if let Some(image) = rows::at_version(self.db, self.info, &h.key, row.version).await? {
                h.base_value = image.cells.get(index).cloned();
            }
        }
        Ok(())
    }

    async fn base_images(
        &self,
        asked: &[sheetsync_core::plan::BaseImageRequest],
    ) -> Result<(Vec<VersionedRow>, Vec<sheetsync_core::schema::RowKey>), RoundFailure> {
        let mut images = Vec::new();
        let mut unavailable = Vec::new();
        for a in asked {
            match rows::at_version(self.db, self.info, &a.key, a.version).await? {
                Some(row) => images.push(row),
                None => unavailable.push(a.key.clone()),
            }
        }
        Ok((images, unavailable))
    }
}

/// Rows read per page of the table or the feed.
const PAGE: usize = 1000;

/// The feed position a stored cursor stands for (0 before any).
pub fn cursor_position(cursor: Option<&Cursor>) -> Result<i64, RoundFailure> {
    match cursor {
        None => Ok(0),
        Some(c) => c.0.parse().map_err(|_| {
            RoundFailure::Binding(BindingError::Corrupt {
                id: 0,
                what: "feed cursor",
                reason: format!("{:?} is not a feed position", c.0),
            })
        }),
    }
}

/// The sheet rows (as planned) a round's edits write into or delete.
fn add(total: &mut Written, more: Written) {
    total.cells += more.cells;
    total.rows_deleted += more.rows_deleted;
    total.rows_added += more.rows_added;
}

fn reject_of(p: &sheetsync_core::problem::Problem) -> Reject {
    Reject {
        key: p.key.as_ref().map(|k| k.0.clone()),
        column: p.column.clone(),
        message: p.message.clone(),
    }
}

/// The sheet's values a plan's policies overrode, as the report the add-on would send, with
/// the author a poke named for the edit: the database's losing values need none (the change
/// log holds them).
fn sheet_values_lost(origin: &str, overrides: &[Override], edits: &PendingEdits) -> OverrideReport {
    let overrides = overrides
        .iter()
        .filter(|o| o.losing_side == Side::Sheet)
        .map(|o| ReportedOverride {
            id: format!(
                "{origin}:{}:{}:{}:sheet",
                o.key.0,
                o.column.as_deref().unwrap_or("*"),
                o.database_version
            ),
            key: o.key.clone(),
            column: o.column.clone(),
            value: o.losing_value.clone(),
            winning_value: o.winning_value.clone(),
            policy: o.policy,
            edited_at_ms: o.losing_time_ms,
            // The Sheets API does not say who edited a cell; only a poke does.
            author: edits.author_of(&o.key, o.losing_time_ms),
            database_version: o.database_version,
        })
        .collect();
    OverrideReport {
        origin: origin.to_string(),
        overrides,
    }
}
