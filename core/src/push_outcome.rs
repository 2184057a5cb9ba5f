//! Turning the server's answer to a push into base updates, sheet edits and pending changes.
//!
//! An applied row's base is computed from the row as the database stored it, so keys and
//! defaults the database assigned are written back into the sheet row. A rejected row keeps
//! its base, so the edit stays pending in the sheet and is pushed again once fixed. A
//! conflict becomes a database change for the next planning step, which merges it.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::base::BaseRow;
use crate::convert::{read_cell, write_cell};
use crate::diff::ColumnMap;
use crate::hash::{cell_hash_of, digest_row};
use crate::plan::{PlanError, SyncInput, SyncPlan, Writes};
use crate::problem::{Problem, ProblemKind};
use crate::schema::RowKey;
use crate::sheet::SheetCell;
use crate::wire::{ChangeOp, PushOp, PushResponse, PushResult, RowChange};

/// What a push changed, for the host to record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushOutcome {
    /// Base changes for rows the database applied (`None`: deleted).
    pub base_updates: BTreeMap<RowKey, Option<BaseRow>>,
    /// Cells to write back (assigned keys, defaults, values as stored), addressed in the
    /// sheet as it is *after* the plan's row deletions.
    pub writes: Vec<crate::plan::CellRun>,
    /// Rows the database refused, with the reason; they stay pending in the sheet.
    pub problems: Vec<Problem>,
    /// Conflicts the server found, as database changes: pass them in the next input's
    /// `changes`.
    pub pending_changes: Vec<RowChange>,
    /// How many changes were applied.
    pub applied: usize,
}

/// Reads the server's `response` to the push of `plan`, which was made from `input`.
pub fn apply_push_results(
    input: &SyncInput,
    plan: &SyncPlan,
    response: &PushResponse,
) -> Result<PushOutcome, PlanError> {
    if response.results.len() != plan.push.len() {
        return Err(PlanError::ResponseMismatch(format!(
            "the push had {} changes but the response has {} results",
            plan.push.len(),
            response.results.len()
        )));
    }
    let tz = &input.zone()?;
    let schema = &input.schema;
    let map = ColumnMap::new(schema, &input.sheet.headers)?;
    let planned_cells = planned_sheet_cells(plan);
    let mut out = PushOutcome::default();
    let mut writes = Writes::default();
    let mut scratch = Vec::with_capacity(64);
    for (planned, result) in plan.push.iter().zip(&response.results) {
        match result {
            PushResult::Applied { key, version, row } => {
                out.applied += 1;
                let Some(cells_json) = row else {
                    out.base_updates.insert(key.clone(), None);
                    continue;
                };
                let values = match schema.decode_row(cells_json) {
                    Ok(v) => v,
                    Err(e) => {
                        out.problems.push(Problem {
                            kind: ProblemKind::BadDatabaseRow,
                            sheet_row: planned.sheet_row,
                            other_sheet_row: None,
                            key: Some(key.clone()),
                            column: None,
                            message: format!("the stored row {key} cannot be read: {e}"),
                        });
                        continue;
                    }
                };
                let (stored, hashes) = match digest_row(schema, &values, tz) {
                    Ok(digest) => digest,
                    Err(e) => {
                        out.problems.push(Problem {
                            kind: ProblemKind::BadDatabaseRow,
                            sheet_row: planned.sheet_row,
                            other_sheet_row: None,
                            key: Some(key.clone()),
                            column: Some(e.column.clone()),
                            message: format!(
                                "the stored row {key} cannot be shown in the sheet: {e}"
                            ),
                        });
                        continue;
                    }
                };
                let held = held_columns(input, plan, key);
                match input.base.as_ref().and_then(|b| b.rows.get(key)) {
                    Some(old) if !held.is_empty() => {
                        // Other cells of a row with a held conflict were pushed: the held
                        // cells keep their base, the row keeps its base version, and the
                        // stored row comes back as a change, so the conflict is seen again.
                        let mut cells = hashes.clone();
                        for &c in &held {
                            cells[c] = old.cells.get(c).copied().unwrap_or(cells[c]);
                        }
                        out.base_updates
                            .insert(key.clone(), Some(BaseRow::new(old.version, cells)));
                        let changed_at_ms = plan
                            .pending_changes
                            .iter()
                            .find(|c| &c.key == key)
                            .map_or(input.now_ms, |c| c.changed_at_ms);
                        out.pending_changes.push(RowChange {
                            key: key.clone(),
                            version: *version,
                            op: ChangeOp::Upsert {
                                cells: cells_json.clone(),
                            },
                            origin: None,
                            changed_at_ms,
                        });
                    }
                    _ => {
                        out.base_updates
                            .insert(key.clone(), Some(BaseRow::new(*version, hashes.clone())));
                    }
                }
                let Some(sheet_row) = planned.sheet_row else {
                    continue;
                };
                let Some(data_row) = sheet_row.checked_sub(input.sheet.first_row) else {
                    continue;
                };
                let moved_to = sheet_row - deleted_above(plan, sheet_row);
                for (c, col) in schema.columns.iter().enumerate() {
                    let Some(sc) = map.sheet_col[c] else { continue };
                    if held.contains(&c) {
                        continue;
                    }
                    if input.sheet.is_formula(data_row as usize, sc) {
                        continue;
                    }
                    let now = planned_cells
                        .get(&(sheet_row, sc))
                        .copied()
                        .unwrap_or_else(|| input.sheet.cell(data_row as usize, sc));
                    let now_hash = read_cell(col, now, tz)
                        .ok()
                        .map(|v| cell_hash_of(&v, &mut scratch));
                    if now_hash != Some(hashes[c]) {
                        writes.set(moved_to, sc, write_cell(col, &stored[c], tz));
                    }
                }
            }
            PushResult::Conflict { key, current } => {
                let change = match (current, &planned.change) {
                    (Some(row), _) => RowChange {
                        key: key.clone(),
                        version: row.version,
                        op: ChangeOp::Upsert {
                            cells: row.cells.clone(),
                        },
                        origin: None,
                        changed_at_ms: input.now_ms,
                    },
                    (
                        None,
                        PushOp::Update {
                            expected_version, ..
                        },
                    )
                    | (
                        None,
                        PushOp::Delete {
                            expected_version, ..
                        },
                    ) => RowChange {
                        key: key.clone(),
                        version: expected_version.saturating_add(1),
                        op: ChangeOp::Delete,
                        origin: None,
                        changed_at_ms: input.now_ms,
                    },
                    (None, PushOp::Insert { .. }) => continue,
                };
                out.pending_changes.push(change);
            }
            PushResult::Rejected {
                key,
                column,
                code,
                reason,
            } => out.problems.push(Problem {
                kind: ProblemKind::Rejected,
                sheet_row: planned.sheet_row.map(|r| r - deleted_above(plan, r)),
                other_sheet_row: None,
                key: key.clone(),
                column: column.clone(),
                message: format!("{reason} ({})", reject_word(*code)),
            }),
        }
    }
    out.writes = writes.into_runs();
    Ok(out)
}

/// The columns of `key` whose conflict the plan holds.
fn held_columns(input: &SyncInput, plan: &SyncPlan, key: &RowKey) -> Vec<usize> {
    plan.conflicts
        .iter()
        .filter(|c| &c.key == key)
        .filter_map(|c| input.schema.column(c.column.as_deref()?))
        .map(|(i, _)| i)
        .collect()
}

/// The cells the plan itself writes, by (sheet row, 0-based sheet column).
fn planned_sheet_cells(plan: &SyncPlan) -> HashMap<(u32, usize), &SheetCell> {
    let mut cells = HashMap::new();
    for run in &plan.sheet_edits.writes {
        for (i, cell) in run.values.iter().enumerate() {
            cells.insert((run.row, run.column as usize - 1 + i), cell);
        }
    }
    cells
}

/// How many of the plan's row deletions lie above `row`, to address it after them.
fn deleted_above(plan: &SyncPlan, row: u32) -> u32 {
    plan.sheet_edits
        .delete_rows
        .iter()
        .filter(|&&r| r < row)
        .count() as u32
}

fn reject_word(code: crate::wire::RejectCode) -> &'static str {
    use crate::wire::RejectCode::*;
    match code {
        BadValue => "bad value",
        NotNull => "a value is required",
        Unique => "duplicate value",
        ForeignKey => "no such referenced row",
        Check => "check failed",
        UnknownColumn => "unknown column",
        Other => "refused",
    }
}
