//! The planner's handling of a row both sides have: a three-way merge and what follows.

use std::collections::{BTreeMap, BTreeSet};

use super::output::{BaseImageRequest, SyncPlan};
use super::rows::Planner;
use super::DbRow;
use crate::base::BaseRow;
use crate::diff::SheetRow;
use crate::hash::digest_row;
use crate::merge::{merge_row, Conflict, ConflictKind, Pick, RowSides};
use crate::overridden::Side;
use crate::schema::RowKey;
use crate::value::Value;

impl Planner<'_> {
    /// Merges a row the sheet has with the database's new image of it.
    pub(super) fn merge(
        &mut self,
        plan: &mut SyncPlan,
        key: &RowKey,
        b: Option<&BaseRow>,
        row: &SheetRow,
        d: &DbRow,
        (db_values, db_cells): &(Vec<Value>, Vec<u32>),
    ) {
        let schema = &self.input.schema;
        let base_values: Option<Vec<Value>> = b.and_then(|b| {
            let img = self
                .input
                .base_images
                .get(key)
                .filter(|i| i.version == b.version)?;
            let values = schema.decode_row(&img.cells).ok()?;
            // A base image the sheet could not show is as good as none.
            Some(digest_row(schema, &values, self.tz).ok()?.0)
        });
        let no_answers = BTreeMap::new();
        let cell_answers: BTreeMap<String, Pick> = self
            .answers
            .get(key)
            .unwrap_or(&no_answers)
            .iter()
            .filter_map(|(c, p)| Some((c.clone()?, p.clone())))
            .collect();
        let merged = merge_row(&RowSides {
            schema,
            policies: &self.input.policies,
            base: b.map(|b| b.cells.as_slice()),
            base_values: base_values.as_deref(),
            base_unavailable: self.input.base_image_unavailable.contains(key),
            sheet_values: &row.values,
            sheet_cells: &row.cells,
            db_values,
            db_cells,
            sheet_owned: &self.sheet_owned,
            times: self.times(key, d),
            answers: &cell_answers,
        });
        plan.summary.conflicts += merged.decided;
        if merged.need_base {
            if let Some(b) = b {
                plan.need_base_images.push(BaseImageRequest {
                    key: key.clone(),
                    version: b.version,
                });
            }
            plan.pending_changes.push(d.change.clone());
            return;
        }
        let kind = if b.is_some() {
            ConflictKind::Cell
        } else {
            ConflictKind::InsertInsert
        };
        for &(c, side, policy) in &merged.overridden {
            let losing = match side {
                Side::Sheet => &row.values[c],
                Side::Database => &db_values[c],
            };
            let at = (c, side, policy);
            self.overridden_cell(
                plan,
                key,
                row.sheet_row,
                kind,
                at,
                losing,
                &merged.values[c],
                d,
            );
        }
        let held: BTreeSet<usize> = merged.held.iter().map(|(c, _)| *c).collect();
        let not_held = |cols: &[usize]| -> Vec<usize> {
            cols.iter().copied().filter(|c| !held.contains(c)).collect()
        };
        let writable = not_held(&merged.write);
        self.write_cells(row, &merged.values, &writable);
        if !held.is_empty() {
            for (c, policy) in &merged.held {
                let conflict = Conflict {
                    key: key.clone(),
                    sheet_row: Some(row.sheet_row),
                    column: Some(schema.columns[*c].name.clone()),
                    kind,
                    policy: *policy,
                    sheet_value: row.values[*c].to_wire(),
                    database_value: db_values[*c].to_wire(),
                    base_value: base_values.as_ref().map(|v| v[*c].to_wire()),
                    sheet_time_ms: self.input.edit_times.get(key).copied(),
                    database_time_ms: d.time_ms,
                    database_version: d.version,
                };
                plan.conflicts.push(conflict);
            }
            plan.pending_changes.push(d.change.clone());
            // The row's other sheet edits still go out; `apply_push_results` keeps the held
            // cells' base so the conflict survives the new version.
            let others = not_held(&merged.push);
            if b.is_some() && !others.is_empty() {
                let merged_row = SheetRow {
                    values: merged.values,
                    ..row.clone()
                };
                self.push_update(plan, key, d.version, &merged_row, &others);
            }
            return;
        }
        if merged.push.is_empty() {
            let cells: Vec<u32> = merged.values.iter().map(crate::hash::cell_hash).collect();
            plan.base_updates
                .insert(key.clone(), Some(BaseRow::new(d.version, cells)));
        } else {
            let merged_row = SheetRow {
                values: merged.values,
                ..row.clone()
            };
            self.push_update(plan, key, d.version, &merged_row, &merged.push);
        }
    }
}
