//! A pushed batch kept until its answer has been written back, small enough to store.
//!
//! Reading an answer needs the input and plan the push was made from, but only the parts the
//! push touches: the sheet rows the batch came from (for write-backs that compare what the
//! sheet held), the plan's row deletions (which move later rows up) and its writes to those
//! rows. [`InFlightBatch`] keeps exactly that, so a host that dies between sending a batch and
//! writing its answer back rebuilds the same input and plan from storage and reads the answer
//! again, with no sheet-sized copy in its state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::base::{Base, BaseRow};
use crate::identity::{new_rows_of, PendingNewRows};
use crate::merge::Conflict;
use crate::plan::{PlanError, PlannedPush, SheetEdits, SyncInput, SyncPlan};
use crate::schema::{RowKey, TableSchema};
use crate::sheet::{SheetCell, SheetSnapshot};
use crate::wire::{PushOp, PushRequest, RowChange};
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
        let new_rows = new_rows_of(input, plan, batch_id)?;
        let first = input.sheet.first_row;
        let mut rows = BTreeMap::new();
        let mut formulas = BTreeMap::new();
        for sheet_row in plan.push.iter().filter_map(|p| p.sheet_row) {
            let Some(i) = sheet_row.checked_sub(first) else {
                continue;
            };
            rows.insert(
                i,
                input
                    .sheet
                    .rows
                    .get(i as usize)
                    .cloned()
                    .unwrap_or_default(),
            );
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
        let pushed_rows: Vec<u32> = plan.push.iter().filter_map(|p| p.sheet_row).collect();
        Ok(InFlightBatch {
            request: PushRequest {
                batch_id: batch_id.to_string(),
                origin: origin.to_string(),
                changes: plan.push.iter().map(|p| p.change.clone()).collect(),
            },
            push: plan.push.clone(),
            planned_from: PlannedFrom {
                time_zone: input.time_zone.clone(),
                zone_offsets: input.zone_offsets.clone(),
                headers: input.sheet.headers.clone(),
                first_row: first,
                rows,
                formulas,
            },
            sheet_edits: SheetEdits {
                writes: plan
                    .sheet_edits
                    .writes
                    .iter()
                    .filter(|w| pushed_rows.contains(&w.row))
                    .cloned()
                    .collect(),
                delete_rows: plan.sheet_edits.delete_rows.clone(),
                appends: Vec::new(),
                formats: Vec::new(),
            },
            new_rows,
            held: held_of(input, plan),
        })
    }

    /// The batch id.
    pub fn batch_id(&self) -> &str {
        &self.request.batch_id
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

/// The held conflicts of the rows `plan` pushes, with what reading the answer needs of them.
fn held_of(input: &SyncInput, plan: &SyncPlan) -> Held {
    let pushed: Vec<&RowKey> = plan
        .push
        .iter()
        .filter_map(|p| match &p.change {
            PushOp::Update { key, .. } | PushOp::Delete { key, .. } => Some(key),
            PushOp::Insert { .. } => None,
        })
        .collect();
    let conflicts: Vec<Conflict> = plan
        .conflicts
        .iter()
        .filter(|c| pushed.contains(&&c.key))
        .cloned()
        .collect();
    let is_held = |key: &RowKey| conflicts.iter().any(|c| &c.key == key);
    Held {
        base: input
            .base
            .iter()
            .flat_map(|b| &b.rows)
            .filter(|(k, _)| is_held(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        changes: plan
            .pending_changes
            .iter()
            .filter(|c| is_held(&c.key))
            .cloned()
            .collect(),
        conflicts,
    }
}
