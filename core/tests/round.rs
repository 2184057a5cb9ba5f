//! The round state machine, driven the way a host drives it: the state goes through JSON
//! between steps (as a host stores it), and a "crash" is simply dropping everything but the
//! stored state and the sheet.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::json;
use sheetsync_core::plan::{CellRun, SyncPlan};
use sheetsync_core::policy::{ConflictPolicy, PolicySet};
use sheetsync_core::problem::ProblemKind;
use sheetsync_core::round::{finish_batch, BindingState, Round, RoundError, RoundRead};
use sheetsync_core::schema::{RowKey, TableSchema};
use sheetsync_core::sheet::{SheetCell, SheetSnapshot};
use sheetsync_core::wire::{PushRequest, PushResponse, VersionedRow};
use sheetsync_core::zone::ZoneOffsets;

/// A host: the sheet, its stored state (JSON, as a database or a hidden sheet keeps it) and
/// its feed cursor.
struct Host {
    schema: TableSchema,
    policies: PolicySet,
    sheet: SheetSnapshot,
    stored: String,
    cursor: usize,
    batches: u32,
}

impl Host {
    fn new(schema: TableSchema, rows: Vec<Vec<SheetCell>>) -> Host {
        let headers: Vec<String> = schema.columns.iter().map(|c| c.name.clone()).collect();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        Host {
            sheet: snapshot(&headers, rows),
            schema,
            policies: PolicySet::default(),
            stored: serde_json::to_string(&BindingState::default()).unwrap(),
            cursor: 0,
            batches: 0,
        }
    }

    fn state(&self) -> BindingState {
        serde_json::from_str(&self.stored).expect("the stored state reads back")
    }

    fn save(&mut self, state: &BindingState) {
        self.stored = serde_json::to_string(state).unwrap();
    }

    fn read(&self, server: &Server) -> RoundRead {
        RoundRead {
            schema: self.schema.clone(),
            time_zone: "UTC".into(),
            zone_offsets: ZoneOffsets::utc().table(),
            sheet: self.sheet.clone(),
            changes: server.log[self.cursor..].to_vec(),
            database_rows: server
                .rows
                .iter()
                .map(|(k, (v, c))| VersionedRow {
                    key: k.clone(),
                    version: *v,
                    cells: c.clone(),
                })
                .collect(),
            policies: self.policies.clone(),
            edit_times: BTreeMap::new(),
            resolutions: Vec::new(),
            now_ms: 10_000,
            options: Default::default(),
        }
    }

    /// Steps 2 to 3 of a round: plans, writes the sheet, saves. Returns the request to send.
    fn plan_and_save(&mut self, server: &Server) -> (Option<PushRequest>, SyncPlan) {
        let mut state = self.state();
        let round = Round::plan(&state, self.read(server)).expect("plan");
        self.batches += 1;
        let commit = round
            .commit(&mut state, &format!("b{}", self.batches), "host")
            .expect("commit");
        apply_sheet_edits(&mut self.sheet, &commit.plan);
        self.cursor = server.log.len();
        self.save(&state);
        (state.in_flight.map(|b| b.request), commit.plan)
    }

    /// Step 5: reads the answer against the sheet as it is now, writes back, saves.
    fn finish(&mut self, answer: &PushResponse) -> sheetsync_core::round::Finished {
        let mut state = self.state();
        let finished = finish_batch(
            &mut state,
            &self.schema,
            answer,
            self.sheet.clone(),
            &BTreeMap::new(),
            10_000,
        )
        .expect("finish");
        for run in &finished.writes {
            write(&mut self.sheet, run);
        }
        self.save(&state);
        finished
    }

    /// A whole round with a push that arrives.
    fn sync(&mut self, server: &mut Server) -> SyncPlan {
        if let Some(batch) = self.state().in_flight {
            let answer = server.push(&batch.request);
            self.finish(&answer);
        }
        let (request, plan) = self.plan_and_save(server);
        if let Some(request) = request {
            let answer = server.push(&request);
            self.finish(&answer);
        }
        plan
    }
}

fn write(sheet: &mut SheetSnapshot, run: &CellRun) {
    let r = (run.row - sheet.first_row) as usize;
    for (i, cell) in run.values.iter().enumerate() {
        let c = run.column as usize - 1 + i;
        let row = &mut sheet.rows[r];
        if row.len() <= c {
            row.resize(c + 1, SheetCell::Empty);
        }
        row[c] = cell.clone();
    }
}

fn text(s: &str) -> SheetCell {
    SheetCell::Text(s.into())
}

/// A sheet row of `items` typed without a key: `"", name, qty, "", ""`.
fn new_item(name: &str, qty: i64) -> Vec<SheetCell> {
    vec![
        SheetCell::Empty,
        text(name),
        SheetCell::Number(qty as f64),
        SheetCell::Empty,
        SheetCell::Empty,
    ]
}

fn names_in_database(server: &Server) -> Vec<String> {
    server
        .rows
        .values()
        .map(|(_, c)| c[1].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn rounds_copy_rows_both_ways_then_carry_an_edit_from_each_side() {
    let mut server = Server::new(simple_schema());
    server.sql_upsert(
        &key("2"),
        vec![json!(2), json!("pear"), json!(5), json!(null)],
    );
    let mut host = Host::new(simple_schema(), vec![row(1, "apple", Some(3), "")]);

    host.sync(&mut server);
    assert_eq!(names_in_database(&server), vec!["apple", "pear"]);
    assert_eq!(host.sheet.rows.len(), 2, "the pear row reached the sheet");

    host.sheet.rows[0][2] = SheetCell::Number(4.0);
    server.sql_upsert(
        &key("2"),
        vec![json!(2), json!("pear"), json!(6), json!(null)],
    );
    host.sync(&mut server);
    let quiet = host.sync(&mut server);

    assert_eq!(server.rows[&key("1")].1[2], json!(4));
    let pear = host
        .sheet
        .rows
        .iter()
        .find(|r| r[1] == text("pear"))
        .unwrap();
    assert_eq!(pear[2], SheetCell::Number(6.0));
    assert!(quiet.push.is_empty() && quiet.sheet_edits.writes.is_empty());
    assert!(host.state().in_flight.is_none());
}

#[test]
fn a_batch_whose_answer_was_lost_is_sent_again_and_its_new_row_is_inserted_once() {
    let mut server = Server::new(items_schema());
    let mut host = Host::new(items_schema(), vec![]);
    host.sync(&mut server);
    host.sheet.rows.push(new_item("lamp", 2));

    let (request, _) = host.plan_and_save(&server);
    let request = request.expect("the new row is pushed");
    // Applied, but the host dies before the answer arrives: only the stored state survives.
    assert!(server.deliver(&request, Fate::AnswerLost).is_err());
    let stored = host
        .state()
        .in_flight
        .expect("the batch is stored before it is sent");
    assert_eq!(stored.request, request);

    let answer = server.push(&stored.request);
    assert!(answer.replayed, "the server recognises the batch id");
    let finished = host.finish(&answer);

    assert_eq!(names_in_database(&server), vec!["lamp"], "inserted once");
    let assigned = server.rows.keys().next().unwrap().0.clone();
    assert_eq!(
        host.sheet.rows[0][0],
        SheetCell::Number(assigned.parse().unwrap())
    );
    assert!(finished.replayed && finished.problems.is_empty());
    let state = host.state();
    assert!(state.in_flight.is_none());
    assert!(state.base.unwrap().rows.contains_key(&RowKey(assigned)));
}

#[test]
fn a_new_rows_key_follows_the_row_when_rows_are_sorted_before_the_answer_is_read() {
    let mut server = Server::new(items_schema());
    let mut host = Host::new(items_schema(), vec![]);
    host.sheet.rows.push(new_item("zebra", 1));
    host.sync(&mut server);
    host.sheet.rows.push(new_item("ant", 2));

    let (request, _) = host.plan_and_save(&server);
    let answer = server.push(&request.unwrap());
    // A person sorts by name while the answer is on its way: "ant" moves to the top.
    host.sheet
        .rows
        .sort_by(|a, b| format!("{:?}", a[1]).cmp(&format!("{:?}", b[1])));
    host.finish(&answer);

    let ant_key = server
        .rows
        .iter()
        .find(|(_, (_, c))| c[1] == json!("ant"))
        .map(|(k, _)| k.0.parse::<f64>().unwrap())
        .unwrap();
    assert_eq!(host.sheet.rows[0][1], text("ant"));
    assert_eq!(host.sheet.rows[0][0], SheetCell::Number(ant_key));
    assert_ne!(host.sheet.rows[1][0], SheetCell::Number(ant_key));
    assert_eq!(
        host.sync(&mut server).push,
        vec![],
        "nothing is pushed again"
    );
    assert_eq!(server.rows.len(), 2);
}

#[test]
fn a_round_cannot_be_planned_while_a_batch_waits_for_its_answer() {
    let mut server = Server::new(items_schema());
    let mut host = Host::new(items_schema(), vec![]);
    host.sync(&mut server);
    host.sheet.rows.push(new_item("lamp", 2));
    host.plan_and_save(&server);

    let refused = Round::plan(&host.state(), host.read(&server)).unwrap_err();

    assert_eq!(refused, RoundError::BatchInFlight("b2".into()));
    assert!(refused.to_string().contains("send it again and finish it"));
}

#[test]
fn an_answer_to_another_batch_is_refused_and_the_batch_stays_in_flight() {
    let mut server = Server::new(items_schema());
    let mut host = Host::new(items_schema(), vec![]);
    host.sync(&mut server);
    host.sheet.rows.push(new_item("lamp", 2));
    let (request, _) = host.plan_and_save(&server);
    let mut answer = server.push(&request.unwrap());
    answer.batch_id = "someone-else".into();
    let mut state = host.state();

    let refused = finish_batch(
        &mut state,
        &host.schema,
        &answer,
        host.sheet.clone(),
        &BTreeMap::new(),
        0,
    )
    .unwrap_err();

    assert!(matches!(refused, RoundError::WrongAnswer(m) if m.contains("someone-else")));
    assert_eq!(state, host.state(), "the state is left as it was");
}

#[test]
fn a_row_the_database_refuses_is_reported_and_stays_pending_in_the_sheet() {
    let mut server = Server::new(simple_schema());
    let mut host = Host::new(simple_schema(), vec![row(1, "apple", Some(3), "")]);
    host.sync(&mut server);
    // The database holds a rule the sheet's schema does not show: qty became NOT NULL.
    server.schema.as_mut().unwrap().columns[2].nullable = false;
    host.sheet.rows[0][2] = SheetCell::Empty;

    host.plan_and_save(&server);
    let request = host.state().in_flight.unwrap().request;
    let finished = host.finish(&server.push(&request));

    assert_eq!(finished.rejected, 1);
    assert_eq!(finished.problems[0].kind, ProblemKind::Rejected);
    assert_eq!(finished.problems[0].column.as_deref(), Some("qty"));
    let (again, _) = host.plan_and_save(&server);
    assert!(again.is_some(), "the edit is pushed again until fixed");
}

#[test]
fn a_held_conflict_stays_held_when_its_rows_batch_is_finished_after_a_restart() {
    let mut server = Server::new(simple_schema());
    let mut host = Host::new(simple_schema(), vec![row(1, "apple", Some(3), "")]);
    host.policies = PolicySet {
        default: ConflictPolicy::DatabaseWins,
        columns: [("qty".to_string(), ConflictPolicy::Manual)].into(),
    };
    host.sync(&mut server);
    // Both sides change qty (held for a person); the sheet also changes the note.
    host.sheet.rows[0][2] = SheetCell::Number(4.0);
    host.sheet.rows[0][3] = text("ripe");
    server.sql_upsert(
        &key("1"),
        vec![json!(1), json!("apple"), json!(9), json!(null)],
    );

    let (request, plan) = host.plan_and_save(&server);
    assert_eq!(plan.conflicts.len(), 1);
    // The host restarts: the answer is read from the stored batch alone.
    let answer = server.push(&request.unwrap());
    host.finish(&answer);
    let next = Round::plan(&host.state(), host.read(&server)).unwrap();

    assert_eq!(
        server.rows[&key("1")].1[3],
        json!("ripe"),
        "the note was pushed"
    );
    assert_eq!(server.rows[&key("1")].1[2], json!(9), "qty was not");
    assert_eq!(
        host.sheet.rows[0][2],
        SheetCell::Number(4.0),
        "nor written over"
    );
    assert_eq!(
        next.current_plan().conflicts.len(),
        1,
        "still held for a person"
    );
    assert_eq!(
        next.current_plan().conflicts[0].column.as_deref(),
        Some("qty")
    );
}
