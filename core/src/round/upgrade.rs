//! Batches saved by earlier versions of the add-on, read into today's [`InFlightBatch`].
//!
//! An add-on updated while a batch waited for its answer must still send that batch again
//! (same batch id, so the server applies it once) and write its answer back: dropping it
//! would lose a person's edits, and planning the rows again would insert new ones twice.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Held, InFlightBatch, PlannedFrom, RoundError};
use crate::identity::{new_rows_of, PendingNewRows};
use crate::plan::{PlannedPush, SheetEdits, SyncPlan};
use crate::schema::TableSchema;
use crate::sheet::SheetCell;
use crate::wire::PushRequest;
use crate::zone::ZoneTransition;

/// A pending batch as the add-on saved it before the core kept batch records:
/// `{batchId, table, request, recovery, newRows}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedBatchV1 {
    /// The batch id.
    pub batch_id: String,
    /// The request as sent.
    pub request: PushRequest,
    /// What reading the answer needed of the input and plan.
    pub recovery: RecoveryV1,
    /// The record of the batch's new rows; missing in batches saved before new rows were
    /// recorded.
    #[serde(default)]
    pub new_rows: Option<PendingNewRows>,
    /// The planned pushes, where a version kept them beside the recovery rather than in it.
    #[serde(default)]
    pub push: Option<Vec<PlannedPush>>,
}

/// The recovery part of a [`SavedBatchV1`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryV1 {
    /// The spreadsheet's time zone when planned.
    pub time_zone: String,
    /// The header row.
    pub headers: Vec<String>,
    /// The 1-based sheet row of the first data row.
    pub first_row: u32,
    /// The rows the batch came from, by 0-based data row index.
    pub rows: BTreeMap<u32, Vec<SheetCell>>,
    /// Their formula marks (every row, often empty).
    #[serde(default)]
    pub formulas: BTreeMap<u32, Vec<bool>>,
    /// The planned pushes.
    #[serde(default)]
    pub push: Option<Vec<PlannedPush>>,
    /// The plan's row deletions and its writes to the batch's rows.
    pub sheet_edits: SheetEdits,
}

/// Today's record of a batch saved as `saved`, its time zone's offset table being
/// `zone_offsets` (the old shape kept only the zone's name). A batch saved before new rows
/// were recorded gets its record now, from the rows it was planned from, so its keys are
/// placed by content like any other. The old add-on held no conflicts on a batch's rows, so
/// none are held now.
pub fn upgrade_saved_batch(
    saved: SavedBatchV1,
    zone_offsets: Vec<ZoneTransition>,
    schema: &TableSchema,
    now_ms: i64,
) -> Result<InFlightBatch, RoundError> {
    let r = saved.recovery;
    let push = saved.push.or(r.push).ok_or_else(|| {
        RoundError::OldBatch(format!(
            "batch {} was saved without its planned changes",
            saved.batch_id
        ))
    })?;
    if push.len() != saved.request.changes.len() {
        return Err(RoundError::OldBatch(format!(
            "batch {} sent {} changes but saved {} planned ones",
            saved.batch_id,
            saved.request.changes.len(),
            push.len()
        )));
    }
    let mut batch = InFlightBatch {
        request: saved.request,
        push,
        planned_from: PlannedFrom {
            time_zone: r.time_zone,
            zone_offsets,
            headers: r.headers,
            first_row: r.first_row,
            rows: r.rows,
            formulas: r
                .formulas
                .into_iter()
                .filter(|(_, marks)| marks.iter().any(|&b| b))
                .collect(),
        },
        sheet_edits: r.sheet_edits,
        new_rows: PendingNewRows::default(),
        held: Held::default(),
    };
    batch.new_rows = match saved.new_rows {
        Some(record) => record,
        None => {
            let (input, plan) = batch.input_and_plan(schema, now_ms);
            let plan = SyncPlan {
                sheet_edits: SheetEdits {
                    writes: plan.sheet_edits.writes,
                    delete_rows: plan.sheet_edits.delete_rows,
                    ..SheetEdits::default()
                },
                ..plan
            };
            new_rows_of(&input, &plan, batch.batch_id())?
        }
    };
    Ok(batch)
}
