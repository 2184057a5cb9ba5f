//! A bound sheet with its add-on state, syncing against the in-memory server.
#![allow(dead_code)]

use std::collections::BTreeMap;

use sheetsync_core::base::Base;
use sheetsync_core::plan::{plan_sync, PlanOptions, SyncInput, SyncPlan};
use sheetsync_core::policy::{Choice, PolicySet, Resolution};
use sheetsync_core::push_outcome::apply_push_results;
use sheetsync_core::schema::{RowKey, TableSchema};
use sheetsync_core::sheet::{SheetCell, SheetSnapshot};
use sheetsync_core::value::Value;
use sheetsync_core::wire::{PushRequest, RowChange, VersionedRow};

use super::Server;

/// A bound sheet with its add-on state.
pub struct Client {
    pub name: String,
    pub schema: TableSchema,
    pub sheet: SheetSnapshot,
    pub base: Option<Base>,
    pub cursor: usize,
    pub pending: Vec<RowChange>,
    pub policies: PolicySet,
    pub edit_times: BTreeMap<RowKey, i64>,
    pub answer_sheet: bool,
    /// Whether held conflicts are answered in this sync (a person may answer later).
    pub answer_now: bool,
    pub batches: u64,
}

/// What one sync did.
#[derive(Debug, Default)]
pub struct SyncReport {
    pub pushed: usize,
    pub sheet_edits: usize,
    pub open_conflicts: usize,
    pub problems: usize,
    pub conflicts: usize,
}

impl Client {
    pub fn new(name: &str, schema: TableSchema, policies: PolicySet) -> Client {
        let headers = schema.columns.iter().map(|c| c.name.clone()).collect();
        Client {
            name: name.into(),
            schema,
            sheet: SheetSnapshot {
                headers,
                rows: Vec::new(),
                first_row: 2,
                formulas: None,
            },
            base: None,
            cursor: 0,
            pending: Vec::new(),
            policies,
            edit_times: BTreeMap::new(),
            answer_sheet: false,
            answer_now: true,
            batches: 0,
        }
    }

    pub fn input(
        &self,
        changes: Vec<RowChange>,
        database_rows: Vec<VersionedRow>,
        now: i64,
    ) -> SyncInput {
        SyncInput {
            schema: self.schema.clone(),
            time_zone: "Europe/Paris".into(),
            zone_offsets: super::zone_table("Europe/Paris"),
            sheet: self.sheet.clone(),
            base: self.base.clone(),
            changes,
            database_rows,
            policies: self.policies.clone(),
            edit_times: self.edit_times.clone(),
            resolutions: Vec::new(),
            base_images: BTreeMap::new(),
            base_image_unavailable: Vec::new(),
            now_ms: now,
            options: PlanOptions {
                confirm_mass_delete: true,
                ..PlanOptions::default()
            },
        }
    }

    /// One full sync: plan (answering held conflicts and fetching base images), apply, push.
    pub fn sync(&mut self, server: &mut Server) -> SyncReport {
        let first = self.base.is_none();
        let mut changes = std::mem::take(&mut self.pending);
        let database_rows = if first {
            server
                .rows
                .iter()
                .map(|(k, (v, c))| VersionedRow {
                    key: k.clone(),
                    version: *v,
                    cells: c.clone(),
                })
                .collect()
        } else {
            changes.extend(server.log[self.cursor..].iter().cloned());
            Vec::new()
        };
        self.cursor = server.log.len();
        let mut input = self.input(changes, database_rows, server.clock);
        let mut plan = plan_sync(&input).expect("plan");
        for _ in 0..3 {
            if plan.conflicts.is_empty() && plan.need_base_images.is_empty() {
                break;
            }
            for c in plan.conflicts.iter().filter(|_| self.answer_now) {
                input.resolutions.push(Resolution {
                    key: c.key.clone(),
                    column: c.column.clone(),
                    choose: if self.answer_sheet {
                        Choice::Sheet
                    } else {
                        Choice::Database
                    },
                });
            }
            for r in &plan.need_base_images {
                match server.history.get(&(r.key.clone(), r.version)) {
                    Some(cells) => {
                        input.base_images.insert(
                            r.key.clone(),
                            VersionedRow {
                                key: r.key.clone(),
                                version: r.version,
                                cells: cells.clone(),
                            },
                        );
                    }
                    None => input.base_image_unavailable.push(r.key.clone()),
                }
            }
            plan = plan_sync(&input).expect("re-plan");
        }
        let report = self.carry_out(server, &input, &plan);
        if std::env::var("SIM_VERBOSE").is_ok()
            && (report.conflicts > 0
                || !input.base_images.is_empty()
                || !plan.pending_changes.is_empty())
        {
            println!(
                "  {}: conflicts {} open {} images {} pending {}",
                self.name,
                report.conflicts,
                plan.conflicts.len(),
                input.base_images.len(),
                plan.pending_changes.len()
            );
        }
        self.edit_times.clear();
        report
    }

    fn carry_out(&mut self, server: &mut Server, input: &SyncInput, plan: &SyncPlan) -> SyncReport {
        apply_sheet_edits(&mut self.sheet, plan);
        let base = self.base.get_or_insert_with(Base::default);
        base.apply(&plan.base_updates);
        self.batches += 1;
        let req = PushRequest {
            batch_id: format!("{}-{}", self.name, self.batches),
            origin: self.name.clone(),
            changes: plan.push.iter().map(|p| p.change.clone()).collect(),
        };
        let response = server.push(&req);
        let outcome = apply_push_results(input, plan, &response).expect("outcome");
        for run in &outcome.writes {
            write_run(&mut self.sheet, run);
        }
        base.apply(&outcome.base_updates);
        self.pending = plan.pending_changes.clone();
        self.pending.extend(outcome.pending_changes.iter().cloned());
        SyncReport {
            pushed: plan.push.len(),
            sheet_edits: plan.sheet_edits.writes.len()
                + plan.sheet_edits.appends.len()
                + plan.sheet_edits.delete_rows.len()
                + outcome.writes.len(),
            open_conflicts: plan.conflicts.len(),
            problems: plan.problems.len() + outcome.problems.len(),
            conflicts: plan.summary.conflicts,
        }
    }

    /// The sheet's rows as table values, by key (rows without a key are listed under "").
    pub fn table(&self) -> BTreeMap<RowKey, Vec<Value>> {
        let tz = &super::zone("Europe/Paris");
        let mut out = BTreeMap::new();
        for row in &self.sheet.rows {
            let values: Vec<Value> = self
                .schema
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    row.get(i)
                        .unwrap_or(&SheetCell::Empty)
                        .to_value(c, tz)
                        .unwrap()
                })
                .collect();
            let key = sheetsync_core::schema::RowKey::from_value(&values[0])
                .unwrap_or(RowKey(String::new()));
            out.insert(key, values);
        }
        out
    }
}

fn write_run(sheet: &mut SheetSnapshot, run: &sheetsync_core::plan::CellRun) {
    let r = (run.row - sheet.first_row) as usize;
    let row = &mut sheet.rows[r];
    for (i, cell) in run.values.iter().enumerate() {
        let c = run.column as usize - 1 + i;
        if row.len() <= c {
            row.resize(c + 1, SheetCell::Empty);
        }
        row[c] = cell.clone();
    }
}

/// Carries out a plan's sheet edits in the documented order.
pub fn apply_sheet_edits(sheet: &mut SheetSnapshot, plan: &SyncPlan) {
    for run in &plan.sheet_edits.writes {
        write_run(sheet, run);
    }
    for r in &plan.sheet_edits.delete_rows {
        sheet.rows.remove((r - sheet.first_row) as usize);
    }
    sheet.rows.extend(plan.sheet_edits.appends.iter().cloned());
}
