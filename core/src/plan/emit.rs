//! The planner's outputs for one row: pushes, sheet writes, appends and held conflicts.

use super::key_order::AppendPlace;
use super::output::{PlannedPush, SyncPlan};
use super::rows::Planner;
use super::DbRow;
use crate::convert::{sheet_row_cells, write_cell};
use crate::diff::SheetRow;
use crate::hash::row_hash;
use crate::merge::{Conflict, ConflictKind};
use crate::problem::{Problem, ProblemKind};
use crate::schema::RowKey;
use crate::sheet::SheetCell;
use crate::value::Value;
use crate::wire::{PushOp, RowVersion, WireCells};

impl Planner<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn hold_row(
        &mut self,
        plan: &mut SyncPlan,
        key: &RowKey,
        sheet_row: Option<u32>,
        kind: ConflictKind,
        policy: crate::policy::ConflictPolicy,
        sheet_value: serde_json::Value,
        database_value: serde_json::Value,
        d: &DbRow,
    ) {
        plan.conflicts.push(Conflict {
            key: key.clone(),
            sheet_row,
            column: None,
            kind,
            policy,
            sheet_value,
            database_value,
            base_value: None,
            sheet_time_ms: self.input.edit_times.get(key).copied(),
            database_time_ms: d.time_ms,
            database_version: d.version,
        });
        plan.pending_changes.push(d.change.clone());
    }

    pub(super) fn push(
        &self,
        plan: &mut SyncPlan,
        change: PushOp,
        sheet_row: Option<u32>,
        hash: Option<u64>,
    ) {
        plan.push.push(PlannedPush {
            change,
            sheet_row,
            sheet_hash: hash.map(|h| format!("{h:016x}")),
        });
    }

    pub(super) fn push_delete(&self, plan: &mut SyncPlan, key: &RowKey, version: RowVersion) {
        let change = PushOp::Delete {
            key: key.clone(),
            expected_version: version,
        };
        self.push(plan, change, None, None);
    }

    /// Inserts a new sheet row once it is complete. An empty cell is left out of the insert,
    /// so the database's default (or NULL) fills it; where the column has neither, the row
    /// waits as an [`ProblemKind::IncompleteRow`] naming what it lacks, and nothing about it
    /// is sent.
    pub(super) fn push_insert(&self, plan: &mut SyncPlan, row: &SheetRow) {
        let missing = self.missing_for_insert(row);
        if !missing.is_empty() {
            plan.problems.push(self.incomplete(row, &missing));
            return;
        }
        let cols: Vec<usize> = (0..row.values.len())
            .filter(|&c| {
                self.sheet_owned[c] && row.values[c] != Value::Null && !self.is_empty_cell(row, c)
            })
            .collect();
        let cells = self.wire_cells(&row.values, &cols);
        self.push(
            plan,
            PushOp::Insert { cells },
            Some(row.sheet_row),
            Some(row_hash(&row.cells)),
        );
    }

    /// Whether the sheet shows nothing for table column `c` in `row` (or has no such column).
    fn is_empty_cell(&self, row: &SheetRow, c: usize) -> bool {
        self.map.sheet_col[c].is_none_or(|sc| self.input.sheet.cell(row.data_row, sc).is_empty())
    }

    /// The table columns a new row must fill before it is inserted and has not.
    fn missing_for_insert(&self, row: &SheetRow) -> Vec<usize> {
        (0..self.input.schema.columns.len())
            .filter(|&c| {
                self.input.schema.columns[c].required_for_insert() && self.is_empty_cell(row, c)
            })
            .collect()
    }

    /// The problem of a new row that lacks the values of `missing`.
    fn incomplete(&self, row: &SheetRow, missing: &[usize]) -> Problem {
        let names: Vec<String> = missing
            .iter()
            .map(|&c| {
                let name = &self.input.schema.columns[c].name;
                match self.map.sheet_col[c] {
                    Some(_) => name.clone(),
                    None => format!("{name} (the sheet has no {name:?} column)"),
                }
            })
            .collect();
        let list = match names.as_slice() {
            [one] => one.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
            [] => String::new(),
        };
        Problem {
            kind: ProblemKind::IncompleteRow,
            sheet_row: Some(row.sheet_row),
            other_sheet_row: None,
            key: row.key.clone(),
            column: None,
            message: format!("not added to the database until it has a value in {list}"),
        }
    }

    /// Inserts again a row the database deleted. When the database assigns keys, the row is
    /// inserted under a new one, so the old key is cleared from the sheet: the row is then a
    /// keyless new row like any other until its new key is written back, and a row still
    /// showing a dead key is never taken for the new one's place.
    pub(super) fn push_reinsert(&mut self, plan: &mut SyncPlan, row: &SheetRow) {
        let key = self.map.key;
        if !self.sheet_owned[key] && row.values[key] != Value::Null {
            if let Some(sc) = self.map.sheet_col[key] {
                if !self.input.sheet.is_formula(row.data_row, sc) {
                    self.writes.set(row.sheet_row, sc, SheetCell::Empty);
                }
            }
        }
        self.push_insert(plan, row);
    }

    pub(super) fn push_update(
        &self,
        plan: &mut SyncPlan,
        key: &RowKey,
        version: RowVersion,
        row: &SheetRow,
        cols: &[usize],
    ) {
        let change = PushOp::Update {
            key: key.clone(),
            expected_version: version,
            cells: self.wire_cells(&row.values, cols),
        };
        self.push(
            plan,
            change,
            Some(row.sheet_row),
            Some(row_hash(&row.cells)),
        );
    }

    pub(super) fn wire_cells(&self, values: &[Value], cols: &[usize]) -> WireCells {
        cols.iter()
            .map(|&c| {
                (
                    self.input.schema.columns[c].name.clone(),
                    values[c].to_wire(),
                )
            })
            .collect()
    }

    pub(super) fn write_cells(&mut self, row: &SheetRow, values: &[Value], cols: &[usize]) {
        for &c in cols {
            let Some(sc) = self.map.sheet_col[c] else {
                continue;
            };
            if self.input.sheet.is_formula(row.data_row, sc) {
                continue;
            }
            let cell = write_cell(&self.input.schema.columns[c], &values[c], self.tz);
            self.writes.set(row.sheet_row, sc, cell);
        }
    }

    /// Appends the database's row `key` to the sheet, in key order among this plan's appends.
    pub(super) fn append(&mut self, key: &RowKey, d: &DbRow, values: &[Value]) {
        let width = self.input.sheet.headers.len();
        let cells = sheet_row_cells(&self.input.schema, self.map, values, self.tz, width);
        let key_column = &self.input.schema.columns[self.map.key];
        let place = AppendPlace::new(key_column, key, d.arrival);
        self.appends.push((place, cells));
    }
}

/// A whole row in wire form, as a row conflict shows it.
pub(super) fn wire_row(values: &[Value]) -> serde_json::Value {
    serde_json::Value::Array(values.iter().map(Value::to_wire).collect())
}
