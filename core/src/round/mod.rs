//! One sync round as a sans-I/O state machine, for any host: the add-on in Apps Script or the
//! server against the Sheets API.
//!
//! A host keeps one [`BindingState`] per bound sheet (the base, the database changes held for
//! the next plan, and the batch in flight) and hands it back each round, as automerge's sync
//! `State` is kept between messages. The core decides; the host only reads, writes and sends:
//!
//! 1. If [`BindingState::in_flight`] holds a batch, a previous round died between sending it
//!    and writing its answer back: send `request` again (same batch id, so the server applies
//!    it once) and go to step 5.
//! 2. Read the sheet and the database's changes since the cursor (or, with no base yet, the
//!    table's rows) and call [`Round::plan`]. While the plan asks for base images
//!    ([`Round::needs_base_images`]) or holds conflicts the host can answer, hand them in
//!    ([`Round::add_base_images`], [`Round::resolve`]); each re-plans from the same input.
//! 3. Re-read the sheet rows the plan's edits touch and hand those a person changed since
//!    step 2 to [`Round::leave_out_rows`] (the Sheets API cannot write only if unchanged), then
//!    [`Round::commit`] and write [`Commit::sheet_edits`] into the sheet, **then** save the
//!    state it left (base, held changes, the batch to send) with the feed cursor. In that
//!    order a crash loses nothing: edits written but not recorded are seen again as changes on
//!    both sides to the same value, which merge to nothing; a base saved before its edits were
//!    written would take the old sheet cells for a person's edits.
//! 4. Send the batch's `request`.
//! 5. Read the sheet as it is now and call [`finish_batch`] with the answer: it places each
//!    new row's key by the identity rule ([`crate::identity`]), so rows sorted, inserted or
//!    deleted meanwhile change nothing. Write [`Finished::writes`] into the sheet, then save
//!    the state: the batch is forgotten only once its answer is in the sheet, so a crash in
//!    between sends it again and the server answers as it did the first time.
//!
//! Rows the server found in conflict come back as held changes, so the next round merges
//! them; a host may go round again at once while a round's pushes met conflicts.

mod batch;
mod copy;
mod leave_out;
mod upgrade;

use serde::{Deserialize, Serialize};

pub use batch::{Held, InFlightBatch, PlannedFrom};
pub use copy::keep_page;
pub use upgrade::{upgrade_saved_batch, SavedBatchV1};

use crate::base::Base;
use crate::identity::{place_keyed_rows, place_new_rows, MarksNow};
use crate::plan::{
    plan_sync, BaseImageRequest, CellRun, PlanError, SheetEdits, SyncInput, SyncPlan,
};
use crate::policy::Resolution;
use crate::problem::Problem;
use crate::push_outcome::apply_placed_push_results;
use crate::schema::{RowKey, TableSchema};
use crate::sheet::SheetSnapshot;
use crate::wire::{PushResponse, PushResult, RowChange, VersionedRow};

/// What a host keeps for one bound sheet between rounds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingState {
    /// What was last synced; `None` before the first sync.
    pub base: Option<Base>,
    /// Database changes a plan or an answer could not settle yet, passed to the next plan
    /// before newer ones.
    #[serde(default)]
    pub held_changes: Vec<RowChange>,
    /// The batch sent (or about to be) whose answer is not yet written back.
    #[serde(default)]
    pub in_flight: Option<InFlightBatch>,
}

/// Why a round cannot go on.
#[derive(Clone, Debug, PartialEq)]
pub enum RoundError {
    /// The planner refused its input.
    Plan(PlanError),
    /// A new round was started while a batch waits for its answer: finish that batch first,
    /// or its new rows could reach the database twice.
    BatchInFlight(String),
    /// An answer was handed in with no batch in flight.
    NothingInFlight,
    /// The answer is not the answer to the batch in flight.
    WrongAnswer(String),
    /// A batch saved by an earlier version cannot be read.
    OldBatch(String),
}

impl std::fmt::Display for RoundError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RoundError::Plan(e) => e.fmt(f),
            RoundError::BatchInFlight(id) => write!(
                f,
                "batch {id} was sent and its answer is not written back yet: send it again and \
                 finish it before planning a new round"
            ),
            RoundError::NothingInFlight => {
                f.write_str("an answer was handed in, but no batch is waiting for one")
            }
            RoundError::WrongAnswer(m) => f.write_str(m),
            RoundError::OldBatch(m) => {
                write!(f, "a batch saved by an earlier version cannot be read: {m}")
            }
        }
    }
}

impl std::error::Error for RoundError {}

impl From<PlanError> for RoundError {
    fn from(e: PlanError) -> Self {
        RoundError::Plan(e)
    }
}

/// What the host read for a round, and its policies; the state supplies the rest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoundRead {
    /// The table, as the server described it.
    pub schema: TableSchema,
    /// The spreadsheet's IANA time zone.
    pub time_zone: String,
    /// Its UTC offset table (see [`crate::zone`]).
    pub zone_offsets: Vec<crate::zone::ZoneTransition>,
    /// The bound range as it is now.
    pub sheet: SheetSnapshot,
    /// The database's changes since the cursor (ignored before the first sync).
    #[serde(default)]
    pub changes: Vec<RowChange>,
    /// The table's rows, for the first sync.
    #[serde(default)]
    pub database_rows: Vec<VersionedRow>,
    /// The binding's conflict policies.
    #[serde(default)]
    pub policies: crate::policy::PolicySet,
    /// When the sheet's rows were last edited, where the host knows.
    #[serde(default)]
    pub edit_times: std::collections::BTreeMap<RowKey, i64>,
    /// Answers a person gave to conflicts held earlier.
    #[serde(default)]
    pub resolutions: Vec<Resolution>,
    /// The host's clock, ms since the epoch.
    pub now_ms: i64,
    /// Safety switches (the mass-delete guard).
    #[serde(default)]
    pub options: crate::plan::PlanOptions,
}

/// A planned round, not yet carried out.
#[derive(Clone, Debug, PartialEq)]
pub struct Round {
    input: SyncInput,
    plan: SyncPlan,
}

impl Round {
    /// Plans a round from the state and what the host read. Refused while a batch is in
    /// flight.
    pub fn plan(state: &BindingState, read: RoundRead) -> Result<Round, RoundError> {
        if let Some(batch) = &state.in_flight {
            return Err(RoundError::BatchInFlight(batch.batch_id().to_string()));
        }
        let first = state.base.is_none();
        let mut changes = state.held_changes.clone();
        if !first {
            changes.extend(read.changes);
        }
        let input = SyncInput {
            schema: read.schema,
            time_zone: read.time_zone,
            zone_offsets: read.zone_offsets,
            sheet: read.sheet,
            base: state.base.clone(),
            changes,
            database_rows: if first {
                read.database_rows
            } else {
                Vec::new()
            },
            policies: read.policies,
            edit_times: read.edit_times,
            resolutions: read.resolutions,
            base_images: Default::default(),
            base_image_unavailable: Vec::new(),
            now_ms: read.now_ms,
            options: read.options,
        };
        let plan = plan_sync(&input)?;
        Ok(Round { input, plan })
    }

    /// The plan as it stands (for a preview, or to show held conflicts and problems).
    pub fn current_plan(&self) -> &SyncPlan {
        &self.plan
    }

    /// The base images the plan waits for (`numeric-delta` rows).
    pub fn needs_base_images(&self) -> &[BaseImageRequest] {
        &self.plan.need_base_images
    }

    /// Hands in the base images asked for (`images`) and the keys whose image the server no
    /// longer has (`unavailable`), and plans again.
    pub fn add_base_images(
        &mut self,
        images: Vec<VersionedRow>,
        unavailable: Vec<RowKey>,
    ) -> Result<(), RoundError> {
        for image in images {
            self.input.base_images.insert(image.key.clone(), image);
        }
        self.input.base_image_unavailable.extend(unavailable);
        self.plan = plan_sync(&self.input)?;
        Ok(())
    }

    /// Hands in answers to held conflicts, and plans again.
    pub fn resolve(&mut self, resolutions: Vec<Resolution>) -> Result<(), RoundError> {
        if resolutions.is_empty() {
            return Ok(());
        }
        self.input.resolutions.extend(resolutions);
        self.plan = plan_sync(&self.input)?;
        Ok(())
    }

    /// Settles the round: updates `state` as it holds once the sheet edits are written (base,
    /// held changes, and the batch to send under `batch_id`, if the plan pushes anything) and
    /// returns what to write and send. See the module guide for the order to save in.
    pub fn commit(
        self,
        state: &mut BindingState,
        batch_id: &str,
        origin: &str,
    ) -> Result<Commit, RoundError> {
        if let Some(batch) = &state.in_flight {
            return Err(RoundError::BatchInFlight(batch.batch_id().to_string()));
        }
        let batch = if self.plan.push.is_empty() {
            None
        } else {
            Some(InFlightBatch::record(
                &self.input,
                &self.plan,
                batch_id,
                origin,
            )?)
        };
        state
            .base
            .get_or_insert_with(Base::default)
            .apply(&self.plan.base_updates);
        state.held_changes = self.plan.pending_changes.clone();
        state.in_flight = batch;
        Ok(Commit {
            sheet_edits: self.plan.sheet_edits.clone(),
            plan: self.plan,
        })
    }
}

/// A settled round: what to write into the sheet before saving the state.
#[derive(Clone, Debug, PartialEq)]
pub struct Commit {
    /// Writes, row deletions, appends and column formats, in that order.
    pub sheet_edits: SheetEdits,
    /// The whole plan: its conflicts, problems, mass-delete question and summary, to report.
    pub plan: SyncPlan,
}

impl Commit {
    /// Whether the sheet needs writing at all.
    pub fn writes_sheet(&self) -> bool {
        let e = &self.sheet_edits;
        !(e.writes.is_empty() && e.delete_rows.is_empty() && e.appends.is_empty())
    }
}

/// What an answer did, for the host to write into the sheet and report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finished {
    /// Cells to write back (assigned keys, values as stored), in the sheet as it is now.
    pub writes: Vec<CellRun>,
    /// Rows refused by the database and new rows whose key could be placed nowhere: a person
    /// sees them next to the row.
    pub problems: Vec<Problem>,
    /// How many changes the database applied.
    pub applied: usize,
    /// How many met a concurrent change (they come back as held changes).
    pub conflicts: usize,
    /// How many the database refused.
    pub rejected: usize,
    /// Whether the server answered from its record of an earlier delivery.
    pub replayed: bool,
}

/// Reads the answer to the batch in flight against the sheet as it is now (`sheet_now`, the
/// whole sheet; `marks` where the host found the batch's marks, if it can mark rows), writes
/// the base and held changes into `state` and forgets the batch. The host writes
/// [`Finished::writes`] into the sheet before saving `state`.
pub fn finish_batch(
    state: &mut BindingState,
    schema: &TableSchema,
    response: &PushResponse,
    sheet_now: SheetSnapshot,
    marks: &std::collections::BTreeMap<String, u32>,
    now_ms: i64,
) -> Result<Finished, RoundError> {
    let batch = state
        .in_flight
        .as_ref()
        .ok_or(RoundError::NothingInFlight)?;
    batch.check_answer(response)?;
    let (input, plan) = batch.input_and_plan(schema, now_ms);
    let now = SyncInput {
        sheet: sheet_now,
        ..input.clone()
    };
    let marks = MarksNow {
        rows: marks.clone(),
        whole_sheet: true,
    };
    let mut places = place_new_rows(&now, &batch.new_rows, &marks, response)?;
    places.extend(place_keyed_rows(&now, &plan, response)?);
    let outcome = apply_placed_push_results(&input, &plan, response, &places)?;
    let mut finished = Finished {
        writes: outcome.writes,
        problems: outcome.problems,
        applied: outcome.applied,
        replayed: response.replayed,
        ..Finished::default()
    };
    for result in &response.results {
        match result {
            PushResult::Applied { .. } => {}
            PushResult::Conflict { .. } => finished.conflicts += 1,
            PushResult::Rejected { .. } => finished.rejected += 1,
        }
    }
    state
        .base
        .get_or_insert_with(Base::default)
        .apply(&outcome.base_updates);
    state.held_changes.extend(outcome.pending_changes);
    state.in_flight = None;
    Ok(finished)
}
