//! The planner: one sans-I/O sync step, from everything the host knows to what it must do.
//!
//! [`plan_sync`] diffs the sheet against the base, lines the result up with the database's
//! changes key by key, merges rows changed on both sides and decides conflicts by policy. It
//! reads no clock and keeps no state: the same input always gives the same plan.
//!
//! Per key, the sheet side is one of: unchanged, edited, new, deleted or absent; the database
//! side is its newest change above the base version (an upsert or a delete) or nothing. Rows
//! changed on one side only take that side; rows changed on both are merged cell by cell
//! ([`crate::merge`]); a deletion against an edit, or two different inserts of one key, are
//! row conflicts under the binding's row policy ([`crate::policy`]).
//!
//! **Held conflicts.** While cells of a row wait for an answer (`manual`, `custom`), nothing is
//! pushed for them and their base stays as it was; the row's other cells still merge (the
//! sheet's other edits are pushed, the database's are written into the sheet), and the
//! database's change is handed back in `pendingChanges` so the next plan sees the conflict
//! again. When such a push is applied, [`crate::push_outcome::apply_push_results`] keeps the
//! held cells' base hashes and the row's base version, and hands the stored row back as a
//! change too. A row that waits for a base image (`numeric-delta`) waits whole. Rows the
//! sheet cannot speak for (duplicate keys, edited keys, cells that do not fit) are not synced
//! at all, and database changes to them are handed back the same way.
//!
//! **New rows wait until complete.** A sheet row the base does not know is inserted only once
//! every column [`crate::schema::ColumnSchema::required_for_insert`] has a value in it. Until
//! then it is a [`crate::problem::ProblemKind::IncompleteRow`] naming what it lacks, nothing
//! about it is pushed, and it holds up no other row. An empty cell is left out of an insert, so
//! the database's default (or NULL) fills it: it is never sent as `''`. (In a synced row an
//! empty NOT NULL text cell still reads as the `''` the database shows that way.)
//!
//! **Rows from the database** are appended in the table's key order: numeric keys by value,
//! other keys in the order the database sent them (its collation, for the key-ordered snapshot).
//!
//! **First sync** (no base): rows on one side only are copied to the other; rows on both
//! sides are bound when equal and merged without a base otherwise, so every differing cell
//! is a conflict under its policy. `latest-wins` then sees the database rows as changed at
//! time 0, so the sheet's present state wins it.

mod edits;
mod emit;
mod input;
mod key_order;
mod merge_step;
mod output;
mod overrides;
mod rows;

use std::collections::BTreeMap;

pub use input::{PlanOptions, SyncInput};
pub use output::{
    BaseImageRequest, CellRun, ColumnFormat, MassDelete, PlannedPush, SheetEdits, Summary, SyncPlan,
};

pub(crate) use edits::Writes;

use crate::convert::number_format;
use crate::diff::{diff, ColumnMap, DiffError};
use crate::hash::digest_row;
use crate::problem::Problem;
use crate::schema::RowKey;
use crate::value::Value;
use crate::wire::{ChangeOp, PushOp, RowChange, RowVersion};
use crate::zone::ZoneOffsets;

/// Why no plan could be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// The time zone's offset table is malformed.
    BadTimeZone(String),
    /// The sheet cannot be matched to the table.
    Diff(DiffError),
    /// A push response does not answer the plan's push.
    ResponseMismatch(String),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::BadTimeZone(m) | PlanError::ResponseMismatch(m) => f.write_str(m),
            PlanError::Diff(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PlanError {}

impl From<DiffError> for PlanError {
    fn from(e: DiffError) -> Self {
        PlanError::Diff(e)
    }
}

/// The database's latest word on one row, read against the schema.
pub(crate) struct DbRow {
    pub version: RowVersion,
    pub time_ms: Option<i64>,
    /// The row normalized as the sheet reads it back, and its hashes; `None` if deleted.
    pub image: Option<(Vec<Value>, Vec<u32>)>,
    /// The change as received, to hand back if the row is held.
    pub change: RowChange,
    /// The position among the changes received of the first one for this key: the order
    /// the database sent its rows in (see [`key_order`]).
    pub arrival: usize,
}

/// Plans one sync step (see the module guide and [`SyncPlan`] for how to carry it out).
pub fn plan_sync(input: &SyncInput) -> Result<SyncPlan, PlanError> {
    let tz = &input.zone()?;
    let empty = crate::base::Base::default();
    let base = input.base.as_ref().unwrap_or(&empty);
    let changeset = diff(&input.schema, &input.sheet, base, tz)?;
    let map = ColumnMap::new(&input.schema, &input.sheet.headers)?;
    let mut plan = SyncPlan {
        problems: changeset.problems.clone(),
        ..SyncPlan::default()
    };
    let db = database_rows(
        input,
        base,
        tz,
        &mut plan.problems,
        &mut plan.pending_changes,
    );
    let mut planner = rows::Planner::new(input, base, tz, &map, &changeset, &db);
    planner.plan_keys(&mut plan);

    let rows::Planner {
        writes,
        appends,
        delete_rows,
        ..
    } = planner;
    guard_mass_delete(input, base, &mut plan);
    plan.summary.rows_written_to_sheet = writes.rows();
    plan.sheet_edits.writes = writes.into_runs();
    plan.summary.rows_added_to_sheet = appends.len();
    let mut appends = appends;
    appends.sort_by(|a, b| a.0.cmp(&b.0));
    plan.sheet_edits.appends = appends.into_iter().map(|(_, cells)| cells).collect();
    let mut delete_rows = delete_rows;
    delete_rows.sort_unstable_by(|a, b| b.cmp(a));
    delete_rows.dedup();
    plan.summary.rows_removed_from_sheet = delete_rows.len();
    plan.sheet_edits.delete_rows = delete_rows;
    plan.sheet_edits.formats = input
        .schema
        .columns
        .iter()
        .zip(&map.sheet_col)
        .filter_map(|(col, sc)| {
            Some(ColumnFormat {
                column: (*sc)? as u32 + 1,
                name: col.name.clone(),
                format: number_format(col)?,
            })
        })
        .collect();
    for p in &plan.push {
        match p.change {
            PushOp::Insert { .. } => plan.summary.inserted_in_database += 1,
            PushOp::Update { .. } => plan.summary.updated_in_database += 1,
            PushOp::Delete { .. } => plan.summary.deleted_in_database += 1,
        }
    }
    plan.summary.open_conflicts = plan.conflicts.len();
    plan.summary.conflicts += plan.conflicts.len();
    plan.summary.problems = plan.problems.len();
    Ok(plan)
}

/// The latest known change per key that is newer than the base, decoded and normalized. An
/// unreadable change is reported and handed back in `held`, so the person keeps seeing it
/// until a newer change (or a push) moves the row past it.
fn database_rows(
    input: &SyncInput,
    base: &crate::base::Base,
    tz: &ZoneOffsets,
    problems: &mut Vec<Problem>,
    held: &mut Vec<RowChange>,
) -> BTreeMap<RowKey, DbRow> {
    // Per key: the position of its first change among those received, and its latest change.
    let mut latest: BTreeMap<RowKey, (usize, RowChange)> = BTreeMap::new();
    for (position, change) in input.database_changes().enumerate() {
        if base
            .rows
            .get(&change.key)
            .is_some_and(|b| change.version <= b.version)
        {
            continue;
        }
        match latest.get_mut(&change.key) {
            Some((_, seen)) if seen.version > change.version => {}
            Some((_, seen)) => *seen = change,
            None => {
                latest.insert(change.key.clone(), (position, change));
            }
        }
    }
    let mut out = BTreeMap::new();
    for (key, (arrival, change)) in latest {
        let image = match &change.op {
            ChangeOp::Delete => None,
            ChangeOp::Unreadable { reason } => {
                // The row's new state is unknown: neither side may be changed for it.
                problems.push(Problem::bad_database_row(
                    &key,
                    None,
                    format!(
                        "the database changed row {key}, but the server cannot read that change \
                         ({reason}); the row is left as it is until it changes again"
                    ),
                ));
                held.push(change.clone());
                continue;
            }
            ChangeOp::Upsert { cells } => match input.schema.decode_row(cells) {
                Ok(values) => {
                    if let Some(problem) = overlong_cell(&input.schema, &key, &values) {
                        problems.push(problem);
                        continue;
                    }
                    match digest_row(&input.schema, &values, tz) {
                        Ok(image) => Some(image),
                        Err(e) => {
                            problems.push(Problem::bad_database_row(
                                &key,
                                Some(e.column.clone()),
                                format!("the database row {key} cannot be shown in the sheet: {e}"),
                            ));
                            continue;
                        }
                    }
                }
                Err(e) => {
                    problems.push(Problem::bad_database_row(
                        &key,
                        None,
                        format!("the database row {key} cannot be read: {e}"),
                    ));
                    continue;
                }
            },
        };
        let time_ms = Some(change.changed_at_ms);
        out.insert(
            key,
            DbRow {
                version: change.version,
                time_ms,
                image,
                change,
                arrival,
            },
        );
    }
    out
}

/// A database row with a value no Sheets cell can hold: writing it would make the whole
/// sheet write fail, so the row is held back and the person told which column is too long.
pub(crate) fn overlong_cell(
    schema: &crate::schema::TableSchema,
    key: &RowKey,
    values: &[Value],
) -> Option<Problem> {
    schema
        .columns
        .iter()
        .zip(values)
        .find_map(|(column, value)| {
            let (Value::Text(s) | Value::Json(s)) = value else {
                return None;
            };
            // Longer in UTF-8 bytes than the limit is the cheap test; only then count UTF-16 units.
            if s.len() <= crate::sheet::CELL_MAX_CHARS {
                return None;
            }
            let chars = s.encode_utf16().count();
            (chars > crate::sheet::CELL_MAX_CHARS).then(|| {
                Problem::bad_database_row(
                    key,
                    Some(column.name.clone()),
                    format!(
                        "the database row {key} is not shown in the sheet: its {} holds {chars} \
                         characters and a Sheets cell holds at most {}",
                        column.name,
                        crate::sheet::CELL_MAX_CHARS
                    ),
                )
            })
        })
}

/// Withholds the sheet's deletions when they exceed the allowed share of the base.
fn guard_mass_delete(input: &SyncInput, base: &crate::base::Base, plan: &mut SyncPlan) {
    let opts = &input.options;
    let deletes = plan
        .push
        .iter()
        .filter(|p| matches!(p.change, PushOp::Delete { .. }))
        .count();
    let base_rows = base.rows.len();
    if opts.confirm_mass_delete
        || base_rows < opts.mass_delete_min_rows.max(1)
        || (deletes as f64) <= opts.mass_delete_share * base_rows as f64
    {
        return;
    }
    plan.push
        .retain(|p| !matches!(p.change, PushOp::Delete { .. }));
    plan.mass_delete = Some(MassDelete {
        withheld: deletes,
        base_rows,
    });
}
