//! A bound sheet with its add-on state, syncing against the in-memory server.
//!
//! The client keeps what the add-on keeps across executions: the base, the feed cursor, held
//! changes, and the batch in flight (the request, the plan it came from and the record of its
//! new rows) from before it is sent until its answer has been written back. A batch whose
//! answer did not arrive is sent again, with the same batch id, at the start of the next sync,
//! and the answer is then written back into the sheet as it is *now*: each assigned key goes
//! where the core's identity rule places it (a mark that moves with the row on insert and
//! delete, but stays put on sort, plus the row's pushed content), or nowhere, and the values
//! the database stored for an updated row go to the row holding its key, wherever it is now.
//!
//! Rows carry two things the real sheet does not show: the marks (developer metadata) and,
//! for the test's eyes only, a ghost — the row's true identity, which moves with the row's
//! values whatever happens. Every write-back is checked against the ghosts: a key must land on
//! the row it was pushed from, and a row pushed as new must not reach the database twice
//! unless the person was told its key could not be placed.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use sheetsync_core::base::Base;
use sheetsync_core::identity::{
    new_rows_of, place_keyed_rows, place_new_rows, MarksNow, PendingNewRows,
};
use sheetsync_core::plan::{plan_sync, PlanOptions, SyncInput, SyncPlan};
use sheetsync_core::policy::{Choice, PolicySet, Resolution};
use sheetsync_core::problem::ProblemKind;
use sheetsync_core::push_outcome::apply_placed_push_results;
use sheetsync_core::schema::{RowKey, TableSchema};
use sheetsync_core::sheet::{SheetCell, SheetSnapshot};
use sheetsync_core::value::Value;
use sheetsync_core::wire::{
    PushOp, PushRequest, PushResponse, PushResult, RowChange, VersionedRow,
};

use super::{Fate, Server};

/// What happens to one sync's push on its way and after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trip {
    /// The push meets `Fate`; if answered, the answer is written back in full.
    Push(Fate),
    /// Answered, but the execution is killed after `n` of the write-back's cell runs, before
    /// the base is saved: the batch stays in flight and is sent again.
    KilledDuringWriteBack(usize),
    /// Answered and written back in full, but the execution is killed before the base is
    /// saved: the batch stays in flight, and its keys are already in the sheet.
    KilledAfterWriteBack,
}

/// A sent batch whose answer has not been written back yet.
pub struct InFlight {
    pub request: PushRequest,
    pub input: SyncInput,
    pub plan: SyncPlan,
    pub new_rows: PendingNewRows,
    /// The ghost of the sheet row each change came from, by push index (test oracle).
    pub ghosts: BTreeMap<usize, u64>,
}

/// A bound sheet with its add-on state.
pub struct Client {
    pub name: String,
    pub schema: TableSchema,
    pub sheet: SheetSnapshot,
    /// The marks on each sheet row (parallel to `sheet.rows`).
    pub marks: Vec<Vec<String>>,
    /// Each sheet row's true identity (parallel to `sheet.rows`), for the test's checks only.
    pub ghosts: Vec<u64>,
    next_ghost: u64,
    pub base: Option<Base>,
    pub cursor: usize,
    pub pending: Vec<RowChange>,
    pub policies: PolicySet,
    pub edit_times: BTreeMap<RowKey, i64>,
    pub answer_sheet: bool,
    /// Whether held conflicts are answered in this sync (a person may answer later).
    pub answer_now: bool,
    pub batches: u64,
    pub in_flight: Option<InFlight>,
    /// Keys written nowhere because their row could not be found; the person was told.
    pub not_placed: BTreeSet<RowKey>,
    /// Keys of new rows written back onto their rows.
    pub placed: BTreeSet<RowKey>,
    /// The keys the database assigned to each ghost's keyless inserts.
    inserted_from: BTreeMap<u64, Vec<RowKey>>,
    /// What the write-back checks found wrong; a scenario fails on the first.
    pub violations: Vec<String>,
    /// Answers read after a replay, and keys placed somewhere other than the marked row.
    pub figures: Figures,
}

/// What the faults made the client do, summed over a run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Figures {
    pub undelivered: usize,
    pub replayed_answers: usize,
    pub killed_write_backs: usize,
    pub keys_placed: usize,
    pub keys_not_placed: usize,
    /// Keys not placed although the row they were pushed from is still in the sheet (changed,
    /// or moved by a sort, since).
    pub not_placed_row_still_there: usize,
    /// Keys not placed although their mark is still on the row they were pushed from (the
    /// row's content changed since, so the content check refused it).
    pub not_placed_though_marked: usize,
}

/// What one sync did.
#[derive(Debug, Default)]
pub struct SyncReport {
    pub pushed: usize,
    pub sheet_edits: usize,
    pub open_conflicts: usize,
    /// Problems other than keys that could not be placed (those are a person's to see, and
    /// expected when a row was changed or deleted while its push was unanswered).
    pub problems: usize,
    pub conflicts: usize,
    /// The push got no answer, or the write-back was cut short.
    pub interrupted: bool,
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
                packed: None,
            },
            marks: Vec::new(),
            ghosts: Vec::new(),
            next_ghost: 0,
            base: None,
            cursor: 0,
            pending: Vec::new(),
            policies,
            edit_times: BTreeMap::new(),
            answer_sheet: false,
            answer_now: true,
            batches: 0,
            in_flight: None,
            not_placed: BTreeSet::new(),
            placed: BTreeSet::new(),
            inserted_from: BTreeMap::new(),
            violations: Vec::new(),
            figures: Figures::default(),
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
            // Planned from packed rows, as the add-on plans: every scenario, fault and check of
            // these tests then holds for the packed form too (owned rows are planned by the
            // other suites and by server mode).
            sheet: self.sheet.to_packed().expect("the client's cells pack"),
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

    // Sheet edits a person makes. Inserting and deleting rows moves marks with their rows;
    // sorting and moving values does not (as developer metadata in Sheets).

    /// Inserts `cells` as a new row at data index `at` (a typed row, or a blank one).
    pub fn insert_row(&mut self, at: usize, cells: Vec<SheetCell>) {
        let at = at.min(self.sheet.rows.len());
        self.sheet.rows.insert(at, cells);
        self.marks.insert(at, Vec::new());
        let ghost = self.new_ghost();
        self.ghosts.insert(at, ghost);
    }

    pub fn append_row(&mut self, cells: Vec<SheetCell>) {
        let at = self.sheet.rows.len();
        self.insert_row(at, cells);
    }

    pub fn delete_row(&mut self, at: usize) {
        self.sheet.rows.remove(at);
        self.marks.remove(at);
        self.ghosts.remove(at);
    }

    /// Reorders the rows' values so that row `i` shows what row `order[i]` showed; the marks
    /// stay on their rows.
    pub fn reorder_values(&mut self, order: &[usize]) {
        let rows: Vec<Vec<SheetCell>> = order.iter().map(|&i| self.sheet.rows[i].clone()).collect();
        let ghosts: Vec<u64> = order.iter().map(|&i| self.ghosts[i]).collect();
        self.sheet.rows = rows;
        self.ghosts = ghosts;
    }

    /// Sorts the rows by the text of sheet column `col`, as Data › Sort range does.
    pub fn sort_by_column(&mut self, col: usize) {
        let mut order: Vec<usize> = (0..self.sheet.rows.len()).collect();
        let text = |r: &Vec<SheetCell>| format!("{:?}", r.get(col).unwrap_or(&SheetCell::Empty));
        order.sort_by_key(|&i| text(&self.sheet.rows[i]));
        self.reorder_values(&order);
    }

    fn new_ghost(&mut self) -> u64 {
        self.next_ghost += 1;
        self.next_ghost
    }

    /// One full sync under `trip`: first the batch still in flight, if any, then plan
    /// (answering held conflicts and fetching base images), apply, push and write back.
    pub fn sync(&mut self, server: &mut Server, trip: Trip) -> SyncReport {
        let mut report = SyncReport::default();
        if let Some(flight) = self.in_flight.take() {
            self.send(server, flight, trip, &mut report);
            if report.interrupted {
                return report;
            }
            report.pushed += 1;
        }
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
        self.carry_out(server, input, plan, trip, &mut report);
        self.edit_times.clear();
        report
    }

    /// Applies the plan's sheet edits and base, records the batch, and sends it. Everything up
    /// to the send is saved before it, as the add-on saves it.
    fn carry_out(
        &mut self,
        server: &mut Server,
        input: SyncInput,
        plan: SyncPlan,
        trip: Trip,
        report: &mut SyncReport,
    ) {
        let first_row = input.sheet.first_row;
        let ghosts: BTreeMap<usize, u64> = plan
            .push
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let r = p.sheet_row?.checked_sub(first_row)? as usize;
                Some((i, self.ghosts[r]))
            })
            .collect();
        self.apply_sheet_edits(&plan);
        self.base
            .get_or_insert_with(Base::default)
            .apply(&plan.base_updates);
        self.pending = plan.pending_changes.clone();
        report.pushed += plan.push.len();
        report.sheet_edits = plan.sheet_edits.writes.len()
            + plan.sheet_edits.appends.len()
            + plan.sheet_edits.delete_rows.len();
        report.open_conflicts = plan.conflicts.len();
        report.problems += plan.problems.len();
        if verbose() && !plan.problems.is_empty() {
            println!("  {} problems {:?}", self.name, plan.problems);
        }
        report.conflicts = plan.summary.conflicts;
        if plan.push.is_empty() {
            return;
        }
        self.batches += 1;
        let batch_id = format!("{}-{}", self.name, self.batches);
        let new_rows = new_rows_of(&input, &plan, &batch_id).expect("new rows");
        for m in &new_rows.marks {
            self.marks[(m.sheet_row - first_row) as usize].push(m.marker.clone());
        }
        let request = PushRequest {
            batch_id,
            origin: self.name.clone(),
            changes: plan.push.iter().map(|p| p.change.clone()).collect(),
        };
        let flight = InFlight {
            request,
            input,
            plan,
            new_rows,
            ghosts,
        };
        self.send(server, flight, trip, report);
    }

    /// Sends `flight` and writes its answer back; on no answer (or a killed write-back) it
    /// stays in flight.
    fn send(&mut self, server: &mut Server, flight: InFlight, trip: Trip, report: &mut SyncReport) {
        let fate = match trip {
            Trip::Push(fate) => fate,
            Trip::KilledDuringWriteBack(_) | Trip::KilledAfterWriteBack => Fate::Delivered,
        };
        let delivered = server.deliver(&flight.request, fate);
        if verbose() {
            println!(
                "  {} sends {} ({:?}): {:?}",
                self.name,
                flight.request.batch_id,
                trip,
                delivered.as_ref().map(|a| (a.replayed, &a.results))
            );
        }
        match delivered {
            Err(_) => {
                self.figures.undelivered += 1;
                report.interrupted = true;
                self.in_flight = Some(flight);
            }
            Ok(answer) => {
                if answer.replayed {
                    self.figures.replayed_answers += 1;
                }
                let killed_after = match trip {
                    Trip::KilledDuringWriteBack(n) => Some(n),
                    // Past the last run: after the write-back, before the base is saved.
                    Trip::KilledAfterWriteBack => Some(usize::MAX),
                    Trip::Push(_) => None,
                };
                self.write_back(flight, &answer, killed_after, report);
            }
        }
    }

    /// Writes `answer` back into the sheet as it is now.
    fn write_back(
        &mut self,
        flight: InFlight,
        answer: &PushResponse,
        killed_after: Option<usize>,
        report: &mut SyncReport,
    ) {
        let first_row = self.sheet.first_row;
        let now = self.input(Vec::new(), Vec::new(), 0);
        let ours: BTreeSet<&String> = flight.new_rows.marks.iter().map(|m| &m.marker).collect();
        let mut marks = MarksNow {
            rows: BTreeMap::new(),
            whole_sheet: true,
        };
        for (i, on_row) in self.marks.iter().enumerate() {
            for m in on_row.iter().filter(|m| ours.contains(m)) {
                marks.rows.insert(m.clone(), first_row + i as u32);
            }
        }
        let mut places =
            place_new_rows(&now, &flight.new_rows, &marks, answer).expect("place new rows");
        places.extend(place_keyed_rows(&now, &flight.plan, answer).expect("place keyed rows"));
        let outcome = apply_placed_push_results(&flight.input, &flight.plan, answer, &places)
            .expect("outcome");
        if verbose() {
            println!(
                "  {} places {places:?}, ghosts {:?}, marks {:?}, rows {:?}",
                self.name, self.ghosts, self.marks, self.sheet.rows
            );
            println!(
                "  {} writes {:?}, pushed ghosts {:?}",
                self.name, outcome.writes, flight.ghosts
            );
        }
        self.check_places(&flight, answer, &places);
        let keys_before = self.keys_by_ghost();
        let targets = self.targets(&flight, &places);
        let runs = outcome.writes.len();
        let kill_at = match killed_after {
            Some(usize::MAX) => Some(runs),
            Some(n) if n < runs => Some(n),
            _ => None,
        };
        for (n, run) in outcome.writes.iter().map(Some).chain([None]).enumerate() {
            if kill_at == Some(n) {
                self.figures.killed_write_backs += 1;
                report.interrupted = true;
                self.check_keys_moved(&keys_before, &targets);
                self.in_flight = Some(flight);
                return;
            }
            if let Some(run) = run {
                self.write_back_run(run, &targets);
            }
        }
        self.check_keys_moved(&keys_before, &targets);
        for p in places.iter().filter(|p| is_insert(&flight, p.index)) {
            match p.sheet_row {
                Some(_) => {
                    self.figures.keys_placed += 1;
                    self.placed.insert(p.key.clone());
                }
                None => {
                    self.figures.keys_not_placed += 1;
                    self.not_placed.insert(p.key.clone());
                    let pushed_from = flight.ghosts.get(&p.index);
                    if self.ghosts.iter().any(|g| Some(g) == pushed_from) {
                        self.figures.not_placed_row_still_there += 1;
                    }
                    let marked = flight
                        .new_rows
                        .rows
                        .iter()
                        .find(|r| r.index == p.index)
                        .and_then(|r| Some(marks.rows.get(&r.marker)? + r.offset));
                    let at_mark =
                        marked.and_then(|row| self.ghosts.get((row - first_row) as usize));
                    if at_mark.is_some() && at_mark == pushed_from {
                        self.figures.not_placed_though_marked += 1;
                    }
                }
            }
        }
        self.base
            .get_or_insert_with(Base::default)
            .apply(&outcome.base_updates);
        self.pending.extend(outcome.pending_changes.iter().cloned());
        report.sheet_edits += outcome.writes.len();
        if verbose() && !outcome.problems.is_empty() {
            println!("  {} answer problems {:?}", self.name, outcome.problems);
        }
        report.problems += outcome
            .problems
            .iter()
            .filter(|p| p.kind != ProblemKind::NewRowNotPlaced)
            .count();
        for row_marks in &mut self.marks {
            row_marks.retain(|m| !ours.contains(m));
        }
    }

    /// Each placed key is on the row its insert was pushed from; a row pushed as new reaches
    /// the database again only after its earlier key was written back (a database delete may
    /// bring it back as new) or reported as not placed.
    fn check_places(
        &mut self,
        flight: &InFlight,
        answer: &PushResponse,
        places: &[sheetsync_core::identity::NewRowPlace],
    ) {
        let first_row = self.sheet.first_row;
        for p in places {
            let Some(row) = p.sheet_row else { continue };
            let pushed_from = flight.ghosts.get(&p.index);
            let here = self.ghosts.get((row - first_row) as usize);
            // A row pushed with nothing but a key it had to give up (one brought back after a
            // database delete) is blank, like every blank row: any of them is that row.
            let blank = |cells: &[SheetCell]| cells.iter().skip(1).all(SheetCell::is_empty);
            let both_blank = self
                .sheet
                .rows
                .get((row - first_row) as usize)
                .is_some_and(|r| blank(r))
                && match &flight.request.changes[p.index] {
                    PushOp::Insert { cells } => cells.values().all(|v| v.is_null() || v == ""),
                    _ => false,
                };
            if pushed_from != here && !both_blank {
                self.violations.push(format!(
                    "key {} placed on sheet row {row} (ghost {here:?}), pushed from ghost \
                     {pushed_from:?}",
                    p.key
                ));
            }
        }
        if answer.replayed {
            return; // counted when first read
        }
        for (i, (change, result)) in flight
            .request
            .changes
            .iter()
            .zip(&answer.results)
            .enumerate()
        {
            let (PushOp::Insert { cells }, PushResult::Applied { key, .. }) = (change, result)
            else {
                continue;
            };
            let keyless = cells.get("id").is_none_or(|k| k.is_null());
            let Some(&ghost) = flight.ghosts.get(&i).filter(|_| keyless) else {
                continue;
            };
            let earlier = self.inserted_from.entry(ghost).or_default();
            let unaccounted = earlier
                .iter()
                .find(|k| !self.not_placed.contains(*k) && !self.placed.contains(*k));
            if let Some(k) = unaccounted {
                self.violations.push(format!(
                    "ghost {ghost} inserted again as key {key}, though its key {k} was neither \
                     written back nor reported as not placed (pushed {cells:?}, batch {}, replayed {})",
                    flight.request.batch_id, answer.replayed
                ));
            }
            earlier.push(key.clone());
        }
    }

    /// The key cell of each row, by ghost.
    fn keys_by_ghost(&self) -> BTreeMap<u64, SheetCell> {
        self.ghosts
            .iter()
            .zip(&self.sheet.rows)
            .map(|(g, r)| (*g, r.first().cloned().unwrap_or(SheetCell::Empty)))
            .collect()
    }

    /// The rows the write-back may write to, by ghost, each with the key it may receive: the
    /// rows the batch's changes came from, and the rows its new keys were placed on.
    fn targets(
        &self,
        flight: &InFlight,
        places: &[sheetsync_core::identity::NewRowPlace],
    ) -> BTreeMap<u64, Option<SheetCell>> {
        let mut targets: BTreeMap<u64, Option<SheetCell>> =
            flight.ghosts.values().map(|g| (*g, None)).collect();
        for p in places {
            let Some(row) = p.sheet_row else { continue };
            if let Some(&g) = self.ghosts.get((row - self.sheet.first_row) as usize) {
                let key = p.key.0.parse::<f64>().ok().map(SheetCell::Number);
                targets.insert(g, key);
            }
        }
        targets
    }

    /// A write-back never changes a key a row already held, and gives a keyless row only the
    /// key placed on it.
    fn check_keys_moved(
        &mut self,
        before: &BTreeMap<u64, SheetCell>,
        targets: &BTreeMap<u64, Option<SheetCell>>,
    ) {
        for (g, row) in self.ghosts.clone().into_iter().zip(self.sheet.rows.clone()) {
            let now = row.first().cloned().unwrap_or(SheetCell::Empty);
            let was = before.get(&g).cloned().unwrap_or(SheetCell::Empty);
            if now == was {
                continue;
            }
            if !was.is_empty() || targets.get(&g) != Some(&Some(now.clone())) {
                self.violations.push(format!(
                    "the write-back changed the key of ghost {g} from {was:?} to {now:?}"
                ));
            }
        }
    }

    /// Writes one run of the write-back, which must address one of its `targets`.
    fn write_back_run(
        &mut self,
        run: &sheetsync_core::plan::CellRun,
        targets: &BTreeMap<u64, Option<SheetCell>>,
    ) {
        let r = (run.row - self.sheet.first_row) as usize;
        match self.ghosts.get(r) {
            None => self.violations.push(format!(
                "the write-back addressed sheet row {} of a sheet of {} rows",
                run.row,
                self.sheet.rows.len()
            )),
            Some(g) if !targets.contains_key(g) => {
                self.violations.push(format!(
                    "the write-back wrote {:?} at sheet row {}, a row no change of the batch came \
                     from",
                    run.values, run.row
                ));
                write_run(&mut self.sheet, run);
            }
            Some(_) => write_run(&mut self.sheet, run),
        }
    }

    /// Carries out a plan's sheet edits in the documented order, keeping marks and ghosts
    /// with their rows.
    fn apply_sheet_edits(&mut self, plan: &SyncPlan) {
        for run in &plan.sheet_edits.writes {
            write_run(&mut self.sheet, run);
        }
        for r in &plan.sheet_edits.delete_rows {
            self.delete_row((r - self.sheet.first_row) as usize);
        }
        for row in &plan.sheet_edits.appends {
            self.append_row(row.clone());
        }
    }

    /// The sheet's rows as table values, by key (blank rows left out; rows without a key are
    /// listed under "").
    pub fn table(&self) -> BTreeMap<RowKey, Vec<Value>> {
        let tz = &super::zone("Europe/Paris");
        let mut out = BTreeMap::new();
        for row in &self.sheet.rows {
            if row.iter().all(SheetCell::is_empty) {
                continue;
            }
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

fn is_insert(flight: &InFlight, index: usize) -> bool {
    matches!(flight.request.changes[index], PushOp::Insert { .. })
}

fn verbose() -> bool {
    std::env::var("SIM_VERBOSE").is_ok()
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
