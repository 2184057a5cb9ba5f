//! Rows a person changed while a round ran are left out of it.
//!
//! The Sheets API has no compare-and-set: a write lands on whatever the cell holds by then. So
//! a host re-reads the rows a round's sheet edits touch right before writing them, and a row
//! that no longer holds what the round planned from was edited meanwhile; writing (or
//! deleting) it would throw that edit away. [`Round::leave_out_rows`] takes such rows out of
//! the round whole, before [`Round::commit`]: no cell written or row deleted for them, nothing
//! pushed from their old cells, their base left as it was, and the database's changes to them
//! handed back as held changes. The next round then sees the person's edit against the same
//! base as the database's change and merges the two by the three-way merge, or decides their
//! conflict by policy, as for any edit made on both sides.

use std::collections::BTreeSet;

use super::{Round, RoundError};
use crate::diff::{read_sheet_row, ColumnMap};
use crate::plan::PlanError;
use crate::schema::RowKey;
use crate::wire::{PushOp, RowChange};

impl Round {
    /// Leaves the 1-based sheet rows `rows` (as planned from) out of this round, as the module
    /// guide describes, and answers the keys those rows hold. Rows the plan does not touch
    /// change nothing.
    pub fn leave_out_rows(&mut self, rows: &BTreeSet<u32>) -> Result<BTreeSet<RowKey>, RoundError> {
        if rows.is_empty() {
            return Ok(BTreeSet::new());
        }
        let keys = self.keys_at(rows)?;
        let handed_back: BTreeSet<&RowKey> =
            self.plan.pending_changes.iter().map(|c| &c.key).collect();
        let again: Vec<RowChange> = self
            .input
            .database_changes()
            .filter(|c| keys.contains(&c.key) && !handed_back.contains(&c.key))
            .collect();
        let plan = &mut self.plan;
        plan.pending_changes.extend(again);
        plan.sheet_edits.writes.retain(|w| !rows.contains(&w.row));
        plan.sheet_edits.delete_rows.retain(|r| !rows.contains(r));
        plan.push.retain(|p| {
            let from_row = p.sheet_row.is_some_and(|r| rows.contains(&r));
            let of_key = match &p.change {
                PushOp::Update { key, .. } | PushOp::Delete { key, .. } => keys.contains(key),
                PushOp::Insert { .. } => false,
            };
            !from_row && !of_key
        });
        for key in &keys {
            plan.base_updates.remove(key);
        }
        // Nothing was overridden: the person's value is still in the sheet.
        plan.overrides.retain(|o| !keys.contains(&o.key));
        self.recount();
        Ok(keys)
    }

    /// The keys the snapshot's `rows` hold (rows without a key hold none).
    fn keys_at(&self, rows: &BTreeSet<u32>) -> Result<BTreeSet<RowKey>, RoundError> {
        let input = &self.input;
        let tz = input.zone()?;
        let map = ColumnMap::new(&input.schema, &input.sheet.headers).map_err(PlanError::from)?;
        let first = input.sheet.first_row;
        Ok(rows
            .iter()
            .filter_map(|&r| {
                let i = r.checked_sub(first)? as usize;
                if i >= input.sheet.row_count() {
                    return None;
                }
                read_sheet_row(&input.schema, &input.sheet, &map, i, &tz).key
            })
            .collect())
    }

    /// Counts the plan's sheet edits and pushes again after rows were left out.
    fn recount(&mut self) {
        let plan = &mut self.plan;
        let written: BTreeSet<u32> = plan.sheet_edits.writes.iter().map(|w| w.row).collect();
        let s = &mut plan.summary;
        s.rows_written_to_sheet = written.len();
        s.rows_removed_from_sheet = plan.sheet_edits.delete_rows.len();
        s.inserted_in_database = 0;
        s.updated_in_database = 0;
        s.deleted_in_database = 0;
        for p in &plan.push {
            match p.change {
                PushOp::Insert { .. } => s.inserted_in_database += 1,
                PushOp::Update { .. } => s.updated_in_database += 1,
                PushOp::Delete { .. } => s.deleted_in_database += 1,
            }
        }
    }
}
