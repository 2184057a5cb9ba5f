//! A pushed batch kept until its answer has been written back, small enough to store.
//!
//! Reading an answer needs the input and plan the push was made from, but only the parts the
//! push touches: the sheet rows the batch came from (for write-backs that compare what the
//! sheet held), the plan's row deletions (which move later rows up) and its writes to those
//! rows. [`InFlightBatch`] keeps exactly that, so a host that dies between sending a batch and
//! writing its answer back rebuilds the same input and plan from storage and reads the answer
//! again, with no sheet-sized copy in its state.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::base::{Base, BaseRow};
use crate::identity::NewRowPlace;
use crate::identity::{new_rows_of, PendingNewRows};
use crate::merge::Conflict;
use crate::plan::{PlanError, PlannedPush, SheetEdits, SyncInput, SyncPlan};
use crate::push_outcome::{apply_placed_push_results, apply_push_results, PushOutcome};
use crate::schema::{RowKey, TableSchema};
use crate::sheet::{SheetCell, SheetSnapshot};
use crate::wire::{PushOp, PushRequest, PushResponse, RowChange};

use super::RoundError;
use crate::zone::ZoneTransition;

/// A batch that was (or is about to be) sent and whose answer is not yet written back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InFlightBatch {
    /// The request, sent again unchanged (same batch id) until answered: the server applies a
    /// batch id once and answers a repeat with its first answer.
    pub request: PushRequest,
    /// The planned pushes, one per change of `request`, with the sheet rows they came from.
    pub push: Vec<PlannedPush>,
    /// The sheet as the batch was planned from, cut down to the rows `push` came from.
    pub planned_from: PlannedFrom,
    /// The plan's edits that move or touch the batch's rows: its row deletions and its writes
    /// to the batch's rows.
    pub sheet_edits: SheetEdits,
    /// The record of the batch's new rows, to place their keys when the answer comes.
    pub new_rows: PendingNewRows,
    /// Conflicts the plan held on rows whose other cells the batch pushes: their cells keep
    /// their base when the push applies, and the row comes back as a change.
    #[serde(default)]
    pub held: Held,
}

/// What the answer needs to keep held conflicts held: the conflicts on the batch's rows, those
/// rows' base entries and the database changes the plan handed back for them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Held {
    /// The held conflicts on rows the batch pushes.
    pub conflicts: Vec<Conflict>,
    /// Those rows' base entries when planned.
    pub base: BTreeMap<RowKey, BaseRow>,
    /// The changes the plan handed back for those rows.
    pub changes: Vec<RowChange>,
}

/// The part of the planning input a batch's answer is read against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedFrom {
    /// The spreadsheet's time zone when planned.
    pub time_zone: String,
    /// Its UTC offset table.
    pub zone_offsets: Vec<ZoneTransition>,
    /// The header row.
    pub headers: Vec<String>,
    /// The 1-based sheet row of the first data row.
    pub first_row: u32,
    /// The data rows the batch came from, by 0-based data row index.
    pub rows: BTreeMap<u32, Vec<SheetCell>>,
    /// Which of those rows' cells held formulas (rows without any are left out).
    pub formulas: BTreeMap<u32, Vec<bool>>,
}

impl InFlightBatch {
    /// Records the batch that sends all of `plan.push`, made from `input`.
    pub fn record(
        input: &SyncInput,
        plan: &SyncPlan,
        batch_id: &str,
        origin: &str,
    ) -> Result<InFlightBatch, PlanError> {
        InFlightBatch::record_part(input, plan, 0..plan.push.len(), batch_id, origin)
    }

    /// Records the batch that sends `plan.push[part]`, made from `input`: a host that sends a
    /// large plan in several batches records each before sending it.
    pub fn record_part(
        input: &SyncInput,
        plan: &SyncPlan,
        part: Range<usize>,
        batch_id: &str,
        origin: &str,
    ) -> Result<InFlightBatch, PlanError> {
        let end = part.end.min(plan.push.len());
        let push = &plan.push[part.start.min(end)..end];
        let first = input.sheet.first_row;
        let mut rows = BTreeMap::new();
        let mut formulas = BTreeMap::new();
        for sheet_row in push.iter().filter_map(|p| p.sheet_row) {
            let Some(i) = sheet_row.checked_sub(first) else {
                continue;
            };
            rows.insert(i, input.sheet.row_cells(i as usize));
            let marks = input
                .sheet
                .formulas
                .as_ref()
                .and_then(|f| f.get(i as usize))
                .filter(|f| f.iter().any(|&b| b));
            if let Some(marks) = marks {
                formulas.insert(i, marks.clone());
            }
        }
        let pushed_rows: BTreeSet<u32> = push.iter().filter_map(|p| p.sheet_row).collect();
        let sheet_edits = SheetEdits {
            writes: plan
                .sheet_edits
                .writes
                .iter()
                .filter(|w| pushed_rows.contains(&w.row))
                .cloned()
                .collect(),
            delete_rows: plan.sheet_edits.delete_rows.clone(),
            appends: Vec::new(),
            // Not applied again: they say which columns the write-backs keep as plain text.
            formats: plan.sheet_edits.formats.clone(),
        };
        let part_plan = SyncPlan {
            push: push.to_vec(),
            sheet_edits,
            ..SyncPlan::default()
        };
        let new_rows = new_rows_of(input, &part_plan, batch_id)?;
        Ok(InFlightBatch {
            request: PushRequest {
                batch_id: batch_id.to_string(),
                origin: origin.to_string(),
                changes: push.iter().map(|p| p.change.clone()).collect(),
            },
            planned_from: PlannedFrom {
                time_zone: input.time_zone.clone(),
                zone_offsets: input.zone_offsets.clone(),
                headers: input.sheet.headers.clone(),
                first_row: first,
                rows,
                formulas,
            },
            held: held_of(input, plan, push),
            push: part_plan.push,
            sheet_edits: part_plan.sheet_edits,
            new_rows,
        })
    }

    /// The batch id.
    pub fn batch_id(&self) -> &str {
        &self.request.batch_id
    }

    /// Checks that `response` answers this batch: its id, and one result per change.
    pub fn check_answer(&self, response: &PushResponse) -> Result<(), RoundError> {
        if response.batch_id != self.batch_id() {
            return Err(RoundError::WrongAnswer(format!(
                "the answer is for batch {} but batch {} is in flight",
                response.batch_id,
                self.batch_id()
            )));
        }
        if response.results.len() != self.push.len() {
            return Err(RoundError::WrongAnswer(format!(
                "batch {} sent {} changes but its answer has {} results",
                self.batch_id(),
                self.push.len(),
                response.results.len()
            )));
        }
        Ok(())
    }

    /// Reads the answer to this batch: base updates for applied rows, cells to write back,
    /// refused rows, and the rows that met a concurrent change (held conflicts on the batch's
    /// rows included) as changes for the next plan. `places` says where each applied new
    /// row's key (and, for a batch sent again by a later execution, each applied update) goes
    /// in the sheet as it is now; `None` writes them at the rows they were planned from, which
    /// holds only while the sheet has not changed since.
    pub fn read_answer(
        &self,
        schema: &TableSchema,
        response: &PushResponse,
        places: Option<&[NewRowPlace]>,
        now_ms: i64,
    ) -> Result<PushOutcome, RoundError> {
        self.check_answer(response)?;
        let (input, plan) = self.input_and_plan(schema, now_ms);
        Ok(match places {
            Some(places) => apply_placed_push_results(&input, &plan, response, places)?,
            None => apply_push_results(&input, &plan, response)?,
        })
    }

    /// The input and plan the batch's answer is read against: the recorded rows at their
    /// places (rows between them empty, which no answer reads), and a plan that pushes just
    /// this batch.
    pub fn input_and_plan(&self, schema: &TableSchema, now_ms: i64) -> (SyncInput, SyncPlan) {
        let from = &self.planned_from;
        let len = from.rows.keys().next_back().map_or(0, |&i| i as usize + 1);
        let mut rows = vec![Vec::new(); len];
        for (&i, row) in &from.rows {
            rows[i as usize] = row.clone();
        }
        let formulas = (!from.formulas.is_empty()).then(|| {
            let mut f = vec![Vec::new(); len];
            for (&i, marks) in &from.formulas {
                f[i as usize] = marks.clone();
            }
            f
        });
        let input = SyncInput {
            schema: schema.clone(),
            time_zone: from.time_zone.clone(),
            zone_offsets: from.zone_offsets.clone(),
            sheet: SheetSnapshot {
                headers: from.headers.clone(),
                rows,
                first_row: from.first_row,
                formulas,
                packed: None,
            },
            base: (!self.held.base.is_empty()).then(|| Base {
                rows: self.held.base.clone(),
            }),
            changes: Vec::new(),
            database_rows: Vec::new(),
            policies: Default::default(),
            edit_times: BTreeMap::new(),
            resolutions: Vec::new(),
            base_images: BTreeMap::new(),
            base_image_unavailable: Vec::new(),
            now_ms,
            options: Default::default(),
        };
        let plan = SyncPlan {
            push: self.push.clone(),
            sheet_edits: self.sheet_edits.clone(),
            conflicts: self.held.conflicts.clone(),
            pending_changes: self.held.changes.clone(),
            ..SyncPlan::default()
        };
        (input, plan)
    }
}

/// The held conflicts of the rows `push` (part of `plan`) pushes, with what reading the
/// answer needs of them.
fn held_of(input: &SyncInput, plan: &SyncPlan, push: &[PlannedPush]) -> Held {
    let pushed: BTreeSet<&RowKey> = push
        .iter()
        .filter_map(|p| match &p.change {
            PushOp::Update { key, .. } | PushOp::Delete { key, .. } => Some(key),
            PushOp::Insert { .. } => None,
        })
        .collect();
    let conflicts: Vec<Conflict> = plan
        .conflicts
        .iter()
        .filter(|c| pushed.contains(&c.key))
        .cloned()
        .collect();
    let held: BTreeSet<&RowKey> = conflicts.iter().map(|c| &c.key).collect();
    Held {
        base: held
            .iter()
            .filter_map(|&k| {
                let row = input.base.as_ref()?.rows.get(k)?;
                Some((k.clone(), row.clone()))
            })
            .collect(),
        changes: plan
            .pending_changes
            .iter()
            .filter(|c| held.contains(&c.key))
            .cloned()
            .collect(),
        conflicts,
    }
}
