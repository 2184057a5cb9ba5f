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
use crate::identity::NewRowPlace;
use crate::plan::{PlanError, SyncInput, SyncPlan, Writes};
use crate::problem::{Problem, ProblemKind};
use crate::schema::{RowKey, TableSchema};
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

/// Reads the server's `response` to the push of `plan`, which was made from `input`, writing
/// assigned keys back at the rows new rows were pushed from. That holds only while the sheet
/// has not changed since the plan; a host that reads the answer later (another execution, a
/// replayed batch) places new rows first and calls [`apply_placed_push_results`].
pub fn apply_push_results(
    input: &SyncInput,
    plan: &SyncPlan,
    response: &PushResponse,
) -> Result<PushOutcome, PlanError> {
    apply_answer(input, plan, response, None)
}

/// [`apply_push_results`] with each applied new row's key written where
/// [`crate::identity::place_new_rows`] placed it (`places`, addressed in the sheet as it is
/// now): a key placed nowhere, or not placed at all, is written nowhere, gets no base entry
/// and is reported as [`ProblemKind::NewRowNotPlaced`]. An applied update with a place (from
/// [`crate::identity::place_keyed_rows`]) is written back there, or nowhere when placed
/// nowhere; one without a place is written back at its planned row.
pub fn apply_placed_push_results(
    input: &SyncInput,
    plan: &SyncPlan,
    response: &PushResponse,
    places: &[NewRowPlace],
) -> Result<PushOutcome, PlanError> {
    apply_answer(input, plan, response, Some(places))
}

fn apply_answer(
    input: &SyncInput,
    plan: &SyncPlan,
    response: &PushResponse,
    places: Option<&[NewRowPlace]>,
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
    let places: Option<HashMap<usize, Option<u32>>> =
        places.map(|p| p.iter().map(|p| (p.index, p.sheet_row)).collect());
    let mut scratch = Vec::with_capacity(64);
    for (index, (planned, result)) in plan.push.iter().zip(&response.results).enumerate() {
        match result {
            PushResult::Applied { key, version, row } => {
                out.applied += 1;
                let Some(cells_json) = row else {
                    out.base_updates.insert(key.clone(), None);
                    continue;
                };
                // Where the write-back goes: `Some(Some(row))` there, `Some(None)` nowhere,
                // `None` at the planned row (no placing asked for this push).
                let placed = match (&places, &planned.change) {
                    (Some(p), PushOp::Insert { .. }) if planned.sheet_row.is_some() => {
                        Some(p.get(&index).copied().flatten())
                    }
                    (Some(p), PushOp::Update { .. }) => p.get(&index).copied(),
                    _ => None,
                };
                let is_insert = matches!(planned.change, PushOp::Insert { .. });
                let values = match schema.decode_row(cells_json) {
                    Ok(v) => v,
                    Err(e) => {
                        out.problems.push(Problem {
                            sheet_row: planned.sheet_row,
                            ..Problem::bad_database_row(
                                key,
                                None,
                                format!("the stored row {key} cannot be read: {e}"),
                            )
                        });
                        continue;
                    }
                };
                let (stored, hashes) = match digest_row(schema, &values, tz) {
                    Ok(digest) => digest,
                    Err(e) => {
                        out.problems.push(Problem {
                            sheet_row: planned.sheet_row,
                            ..Problem::bad_database_row(
                                key,
                                Some(e.column.clone()),
                                format!("the stored row {key} cannot be shown in the sheet: {e}"),
                            )
                        });
                        continue;
                    }
                };
                if is_insert && placed == Some(None) {
                    out.problems.push(not_placed(schema, key, cells_json));
                    continue;
                }
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
                let moved_to = match placed {
                    Some(Some(row)) => row,
                    // A changed row not found by its key: the next sync compares it again.
                    Some(None) => continue,
                    None => sheet_row - deleted_above(plan, sheet_row),
                };
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
                        .map(|cell| cell.view())
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

/// The problem of an applied new row whose sheet row cannot be found with certainty.
fn not_placed(schema: &TableSchema, key: &RowKey, cells: &[serde_json::Value]) -> Problem {
    let key_index = schema.key_index().ok();
    let values: Vec<String> = schema
        .columns
        .iter()
        .zip(cells)
        .enumerate()
        .filter(|(i, _)| Some(*i) != key_index)
        .map(|(_, (col, v))| match v {
            serde_json::Value::String(s) => format!("{} {s:?}", col.name),
            other => format!("{} {other}", col.name),
        })
        .collect();
    Problem {
        kind: ProblemKind::NewRowNotPlaced,
        sheet_row: None,
        other_sheet_row: None,
        key: Some(key.clone()),
        column: None,
        message: format!(
            "a new row ({}) was added to the database as key {key}, but its sheet row was \
             moved or changed before the key could be written back, so the key was written \
             nowhere; the row comes back from the database with its key on the next sync, \
             and a copy without a key is a new row",
            values.join(", ")
        ),
    }
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
pub(crate) fn planned_sheet_cells(plan: &SyncPlan) -> HashMap<(u32, usize), &SheetCell> {
    let mut cells = HashMap::new();
    for run in &plan.sheet_edits.writes {
        for (i, cell) in run.values.iter().enumerate() {
            cells.insert((run.row, run.column as usize - 1 + i), cell);
        }
    }
    cells
}

/// How many of the plan's row deletions lie above `row`, to address it after them.
pub(crate) fn deleted_above(plan: &SyncPlan, row: u32) -> u32 {
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
