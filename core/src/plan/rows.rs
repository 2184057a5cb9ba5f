//! The per-key decisions of the planner: what the sheet did, what the database did, and what
//! follows from the pair.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::emit::wire_row;
use super::key_order::AppendPlace;
use super::output::SyncPlan;
use super::overrides::RowSidesLost;
use super::{DbRow, SyncInput, Writes};
use crate::base::{Base, BaseRow};
use crate::diff::{read_sheet_row, Changeset, ColumnMap, SheetRow};
use crate::hash::through_sheet;
use crate::merge::{decide, ConflictKind, Pick, Times};
use crate::overridden::Side;
use crate::policy::Choice;
use crate::problem::{Problem, ProblemKind};
use crate::schema::RowKey;
use crate::sheet::SheetCell;
use crate::zone::ZoneOffsets;

/// What the sheet did to a key.
enum SheetSide<'a> {
    /// The sheet has the row; `new` when the base does not know the key.
    Row(Cow<'a, SheetRow>),
    /// The sheet deleted a synced row.
    Deleted,
    /// The sheet never had it.
    Absent,
}

pub(crate) struct Planner<'a> {
    pub(super) input: &'a SyncInput,
    pub(super) base: &'a Base,
    pub(super) tz: &'a ZoneOffsets,
    pub(super) map: &'a ColumnMap,
    pub(super) changeset: &'a Changeset<'a>,
    pub(super) db: &'a BTreeMap<RowKey, DbRow>,
    pub(super) sheet_owned: Vec<bool>,
    pub(super) answers: BTreeMap<RowKey, BTreeMap<Option<String>, Pick>>,
    /// Answers that could not be used, reported with the plan's problems.
    bad_answers: Vec<Problem>,
    pub(crate) writes: Writes,
    /// Rows to append, each with its place in the table's key order.
    pub(crate) appends: Vec<(AppendPlace, Vec<SheetCell>)>,
    pub(crate) delete_rows: Vec<u32>,
}

impl<'a> Planner<'a> {
    pub(crate) fn new(
        input: &'a SyncInput,
        base: &'a Base,
        tz: &'a ZoneOffsets,
        map: &'a ColumnMap,
        changeset: &'a Changeset<'a>,
        db: &'a BTreeMap<RowKey, DbRow>,
    ) -> Self {
        let schema = &input.schema;
        let sheet_owned = schema
            .columns
            .iter()
            .zip(&map.sheet_col)
            .map(|(c, sc)| sc.is_some() && !c.generated)
            .collect();
        let mut answers: BTreeMap<RowKey, BTreeMap<Option<String>, Pick>> = BTreeMap::new();
        let mut bad_answers = Vec::new();
        for r in &input.resolutions {
            let mut refuse = |message: String| {
                bad_answers.push(Problem {
                    kind: ProblemKind::BadAnswer,
                    sheet_row: None,
                    other_sheet_row: None,
                    key: Some(r.key.clone()),
                    column: r.column.clone(),
                    message,
                });
            };
            let key = &r.key;
            let col = match &r.column {
                None => None,
                Some(name) => match schema.column(name) {
                    Some((_, col)) => Some(col),
                    None => {
                        refuse(format!(
                            "the answer for row {key} names column {name:?}, which the table does \
                             not have; the conflict stays open"
                        ));
                        continue;
                    }
                },
            };
            let pick = match (&r.choose, col) {
                (Choice::Sheet, _) => Pick::Sheet,
                (Choice::Database, _) => Pick::Database,
                (Choice::Value(json), Some(col)) => {
                    match col.decode(json).and_then(|v| through_sheet(col, &v, tz)) {
                        Ok(v) => Pick::Given(v),
                        Err(e) => {
                            refuse(format!(
                                "the value given for row {key} does not fit: {e}; the conflict \
                                 stays open"
                            ));
                            continue;
                        }
                    }
                }
                (Choice::Value(_), None) => {
                    refuse(format!(
                        "the answer for row {key} gives a value but no column; a whole row \
                         is kept from the sheet or the database, so the conflict stays open"
                    ));
                    continue;
                }
            };
            answers
                .entry(r.key.clone())
                .or_default()
                .insert(r.column.clone(), pick);
        }
        Planner {
            input,
            base,
            tz,
            map,
            changeset,
            db,
            sheet_owned,
            answers,
            bad_answers,
            writes: Writes::default(),
            appends: Vec::new(),
            delete_rows: Vec::new(),
        }
    }

    pub(crate) fn plan_keys(&mut self, plan: &mut SyncPlan) {
        plan.problems.append(&mut self.bad_answers);
        let cs = self.changeset;
        let updates: BTreeMap<&RowKey, &SheetRow> = cs
            .updates
            .iter()
            .filter_map(|u| Some((u.row.key.as_ref()?, &u.row)))
            .collect();
        let inserts: BTreeMap<&RowKey, &SheetRow> = cs
            .inserts
            .iter()
            .filter_map(|r| Some((r.key.as_ref()?, r)))
            .collect();
        let deletes: BTreeSet<&RowKey> = cs.deletes.iter().collect();
        let mut keys: BTreeSet<&RowKey> = self.db.keys().collect();
        keys.extend(updates.keys());
        keys.extend(inserts.keys());
        keys.extend(deletes.iter());
        for key in keys {
            let d = self.db.get(key);
            if cs.held.contains(key) {
                plan.pending_changes.extend(d.map(|d| d.change.clone()));
                continue;
            }
            let sheet = if let Some(row) = updates.get(key).or(inserts.get(key)) {
                SheetSide::Row(Cow::Borrowed(*row))
            } else if deletes.contains(key) {
                SheetSide::Deleted
            } else if let Some(data_row) = cs.located.get(key) {
                let row = read_sheet_row(
                    &self.input.schema,
                    &self.input.sheet,
                    self.map,
                    data_row,
                    self.tz,
                );
                SheetSide::Row(Cow::Owned(row))
            } else {
                SheetSide::Absent
            };
            self.plan_key(plan, key, sheet, d);
        }
        for row in cs.inserts.iter().filter(|r| r.key.is_none()) {
            self.push_insert(plan, row);
        }
    }

    fn plan_key(
        &mut self,
        plan: &mut SyncPlan,
        key: &RowKey,
        sheet: SheetSide<'_>,
        d: Option<&DbRow>,
    ) {
        let b = self.base.rows.get(key);
        match (sheet, d) {
            (SheetSide::Row(row), None) => match b {
                Some(b) => {
                    let changed = self.changed_cols(b, &row);
                    if !changed.is_empty() {
                        self.push_update(plan, key, b.version, &row, &changed);
                    }
                }
                None => self.push_insert(plan, &row),
            },
            (SheetSide::Deleted, None) => {
                if let Some(b) = b {
                    self.push_delete(plan, key, b.version);
                }
            }
            (SheetSide::Absent, None) => {}
            (SheetSide::Row(row), Some(d)) => match &d.image {
                Some(image) => self.merge(plan, key, b, &row, d, image),
                None if b.is_some_and(|b| self.changed_cols(b, &row).is_empty()) => {
                    self.delete_rows.push(row.sheet_row);
                    plan.base_updates.insert(key.clone(), None);
                }
                None if b.is_none() => self.push_insert(plan, &row),
                None => match self.row_pick(key, d) {
                    Pick::Sheet => {
                        // The database row is gone: the base forgets it, and the applied
                        // insert (possibly under a new database-assigned key) brings it back.
                        plan.summary.conflicts += 1;
                        let rows = RowSidesLost {
                            sheet: Some(&row.values),
                            database: None,
                        };
                        let (at, kind) = (Some(row.sheet_row), ConflictKind::UpdateDelete);
                        self.overridden_row(plan, key, at, kind, Side::Database, rows, d);
                        plan.base_updates.insert(key.clone(), None);
                        self.push_reinsert(plan, &row);
                    }
                    Pick::Held(policy) => {
                        let sheet_value = wire_row(&row.values);
                        self.hold_row(
                            plan,
                            key,
                            Some(row.sheet_row),
                            ConflictKind::UpdateDelete,
                            policy,
                            sheet_value,
                            serde_json::Value::Null,
                            d,
                        );
                    }
                    _ => {
                        plan.summary.conflicts += 1;
                        let rows = RowSidesLost {
                            sheet: Some(&row.values),
                            database: None,
                        };
                        let (at, kind) = (Some(row.sheet_row), ConflictKind::UpdateDelete);
                        self.overridden_row(plan, key, at, kind, Side::Sheet, rows, d);
                        self.delete_rows.push(row.sheet_row);
                        plan.base_updates.insert(key.clone(), None);
                    }
                },
            },
            (SheetSide::Deleted, Some(d)) => match (&d.image, b) {
                (None, _) => {
                    plan.base_updates.insert(key.clone(), None);
                }
                (Some((_, cells)), Some(b)) if *cells == b.cells => {
                    self.push_delete(plan, key, d.version);
                }
                (Some((values, cells)), _) => match self.row_pick(key, d) {
                    Pick::Sheet => {
                        plan.summary.conflicts += 1;
                        let rows = RowSidesLost {
                            sheet: None,
                            database: Some(values),
                        };
                        let kind = ConflictKind::DeleteUpdate;
                        self.overridden_row(plan, key, None, kind, Side::Database, rows, d);
                        self.push_delete(plan, key, d.version);
                    }
                    Pick::Held(policy) => {
                        self.hold_row(
                            plan,
                            key,
                            None,
                            ConflictKind::DeleteUpdate,
                            policy,
                            serde_json::Value::Null,
                            wire_row(values),
                            d,
                        );
                    }
                    _ => {
                        plan.summary.conflicts += 1;
                        let rows = RowSidesLost {
                            sheet: None,
                            database: Some(values),
                        };
                        let kind = ConflictKind::DeleteUpdate;
                        self.overridden_row(plan, key, None, kind, Side::Sheet, rows, d);
                        self.append(key, d, values);
                        plan.base_updates
                            .insert(key.clone(), Some(BaseRow::new(d.version, cells.clone())));
                    }
                },
            },
            (SheetSide::Absent, Some(d)) => {
                if let Some((values, cells)) = &d.image {
                    self.append(key, d, values);
                    plan.base_updates
                        .insert(key.clone(), Some(BaseRow::new(d.version, cells.clone())));
                } else if b.is_some() {
                    plan.base_updates.insert(key.clone(), None);
                }
            }
        }
    }

    /// The sheet-owned columns whose cells differ from the base.
    pub(super) fn changed_cols(&self, b: &BaseRow, row: &SheetRow) -> Vec<usize> {
        (0..row.cells.len())
            .filter(|&c| self.sheet_owned[c] && b.cells.get(c) != Some(&row.cells[c]))
            .collect()
    }

    pub(super) fn times(&self, key: &RowKey, d: &DbRow) -> Times {
        Times {
            sheet_ms: self
                .input
                .edit_times
                .get(key)
                .copied()
                .unwrap_or(self.input.now_ms),
            database_ms: d.time_ms,
        }
    }

    /// Decides a row conflict under the binding's row policy.
    pub(super) fn row_pick(&self, key: &RowKey, d: &DbRow) -> Pick {
        let policy = self.input.policies.for_rows();
        let answer = self.answers.get(key).and_then(|a| a.get(&None));
        match answer {
            Some(Pick::Sheet) if policy.is_held() => Pick::Sheet,
            Some(Pick::Database) if policy.is_held() => Pick::Database,
            _ => decide(policy, self.times(key, d), None),
        }
    }
}
