//! What the planner hands back: plain data for the host to carry out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::base::BaseRow;
use crate::merge::Conflict;
use crate::overridden::Override;
use crate::problem::Problem;
use crate::schema::RowKey;
use crate::sheet::SheetCell;
use crate::wire::{PushOp, RowChange, RowVersion};

/// A sync plan. The host carries it out in this order: apply `sheetEdits` (writes, then row
/// deletions, then appends) and `baseUpdates`; send `push` (the `change` of each entry, in
/// order) as one batch; hand the response to `apply_push_results`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPlan {
    /// Changes for the database, one per sheet row (or key).
    pub push: Vec<PlannedPush>,
    /// Changes for the sheet.
    pub sheet_edits: SheetEdits,
    /// Base changes that hold once `sheetEdits` are applied (`None` removes the key).
    pub base_updates: BTreeMap<RowKey, Option<BaseRow>>,
    /// Conflicts held for a person (`manual`) or the host's resolver (`custom`).
    pub conflicts: Vec<Conflict>,
    /// Values a decided conflict discarded, for the host to keep in its history (a policy
    /// decides what wins now, never what is forgotten). Optional when a plan is read back,
    /// so a pending batch saved by an add-on from before this field still decodes.
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// Rows a person must fix.
    pub problems: Vec<Problem>,
    /// Rows whose base image the host should fetch before planning again.
    pub need_base_images: Vec<BaseImageRequest>,
    /// Set when the sheet's deletions were withheld for a person to confirm.
    pub mass_delete: Option<MassDelete>,
    /// Database changes this plan could not settle (held rows): pass them back in the next
    /// input's `changes`, before newer ones.
    pub pending_changes: Vec<RowChange>,
    /// Counts for people.
    pub summary: Summary,
}

/// One database change and where in the sheet it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedPush {
    /// The change to send.
    pub change: PushOp,
    /// The 1-based sheet row it came from, if any.
    pub sheet_row: Option<u32>,
    /// The row hash (16 hex digits) of the sheet row when planned, so a result can be
    /// matched to the row it was computed from.
    pub sheet_hash: Option<String>,
}

/// Edits to the sheet: minimal, never touching formula cells or unmapped columns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SheetEdits {
    /// Horizontal runs of cells to write, addressed in the sheet as it was planned.
    pub writes: Vec<CellRun>,
    /// 1-based sheet rows to delete, in descending order so earlier deletions do not move
    /// later ones.
    pub delete_rows: Vec<u32>,
    /// Rows to add after the last row, as wide as the header row (empty where unmapped).
    pub appends: Vec<Vec<SheetCell>>,
    /// The number format each mapped column should carry.
    pub formats: Vec<ColumnFormat>,
}

/// A run of adjacent cells in one row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellRun {
    /// 1-based sheet row.
    pub row: u32,
    /// 1-based sheet column of the first cell.
    pub column: u32,
    /// The cells, left to right.
    pub values: Vec<SheetCell>,
}

/// The number format for one sheet column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnFormat {
    /// 1-based sheet column.
    pub column: u32,
    /// The header (the table column's name).
    pub name: String,
    /// A Sheets number format (`"@"` for plain text).
    pub format: String,
}

/// A base image the planner needs for `numeric-delta`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaseImageRequest {
    /// The row.
    pub key: RowKey,
    /// The version whose image is needed.
    pub version: RowVersion,
}

/// Deletions withheld because they exceed the allowed share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MassDelete {
    /// How many database rows the sheet would delete.
    pub withheld: usize,
    /// How many rows the base holds.
    pub base_rows: usize,
}

/// What a plan does, in counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Rows to update in the database.
    pub updated_in_database: usize,
    /// Rows to insert into the database.
    pub inserted_in_database: usize,
    /// Rows to delete from the database.
    pub deleted_in_database: usize,
    /// Existing sheet rows with cells written.
    pub rows_written_to_sheet: usize,
    /// Rows appended to the sheet.
    pub rows_added_to_sheet: usize,
    /// Rows removed from the sheet.
    pub rows_removed_from_sheet: usize,
    /// Conflicts, decided by policy or held.
    pub conflicts: usize,
    /// Conflicts held for an answer.
    pub open_conflicts: usize,
    /// Problems reported.
    pub problems: usize,
}
