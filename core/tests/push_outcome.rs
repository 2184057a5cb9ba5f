//! Reading push results: write-backs of stored rows, rejected rows, conflicts as deltas.

mod common;

use common::{db_delete, items_schema, row, synced, Server};
use serde_json::json;
use sheetsync_core::plan::{plan_sync, PlanError, SyncInput};
use sheetsync_core::problem::ProblemKind;
use sheetsync_core::push_outcome::apply_push_results;
use sheetsync_core::schema::RowKey;
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::wire::{PushRequest, PushResponse, PushResult, RejectCode, VersionedRow};

fn push(server: &mut Server, plan: &sheetsync_core::plan::SyncPlan) -> PushResponse {
    server.push(&PushRequest {
        batch_id: "b1".into(),
        origin: "sheet".into(),
        changes: plan.push.iter().map(|p| p.change.clone()).collect(),
    })
}

#[test]
fn keys_the_database_assigns_are_written_back_into_the_sheet_row() {
    let mut input = synced(vec![]);
    input.schema = items_schema();
    input.sheet.headers = vec![
        "id".into(),
        "name".into(),
        "qty".into(),
        "price".into(),
        "note".into(),
    ];
    input.sheet.rows = vec![vec![
        SheetCell::Empty,
        SheetCell::Text("bolt".into()),
        SheetCell::Number(4.0),
        SheetCell::Number(0.5),
    ]];
    let plan = plan_sync(&input).unwrap();
    assert_eq!(plan.summary.inserted_in_database, 1);
    let mut server = Server::new(items_schema());
    let outcome = apply_push_results(&input, &plan, &push(&mut server, &plan)).unwrap();
    let (key, base) = outcome.base_updates.iter().next().unwrap();
    assert_eq!(key, &RowKey("1001".into()));
    assert!(base.is_some());
    assert_eq!(
        outcome.writes.len(),
        1,
        "only the key cell differs from what the sheet shows"
    );
    let run = &outcome.writes[0];
    assert_eq!((run.row, run.column), (2, 1));
    assert_eq!(run.values, vec![SheetCell::Number(1001.0)]);
}

#[test]
fn a_rejected_row_keeps_its_base_and_is_reported_at_its_sheet_row() {
    let mut input = synced(vec![row(1, "a", Some(1), "")]);
    input.sheet.rows[0][2] = SheetCell::Number(2.0);
    let plan = plan_sync(&input).unwrap();
    let response = PushResponse {
        batch_id: "b".into(),
        results: vec![PushResult::Rejected {
            key: Some(RowKey("1".into())),
            column: Some("qty".into()),
            code: RejectCode::Check,
            reason: "qty must be odd".into(),
        }],
        replayed: false,
    };
    let outcome = apply_push_results(&input, &plan, &response).unwrap();
    assert!(outcome.base_updates.is_empty());
    let p = &outcome.problems[0];
    assert_eq!(
        (p.kind, p.sheet_row, p.column.as_deref()),
        (ProblemKind::Rejected, Some(2), Some("qty"))
    );
    assert!(p.message.starts_with("qty must be odd"));
    // Planned again, the edit is still pending.
    assert_eq!(plan_sync(&input).unwrap().push.len(), 1);
}

#[test]
fn a_conflict_becomes_a_change_that_the_next_plan_merges() {
    let mut input = synced(vec![row(1, "a", Some(1), "")]);
    input.sheet.rows[0][1] = SheetCell::Text("b".into());
    let plan = plan_sync(&input).unwrap();
    let current = VersionedRow {
        key: RowKey("1".into()),
        version: 9,
        cells: vec![json!(1), json!("a"), json!(5), json!(null)],
    };
    let response = PushResponse {
        batch_id: "b".into(),
        results: vec![PushResult::Conflict {
            key: RowKey("1".into()),
            current: Some(current),
        }],
        replayed: false,
    };
    let outcome = apply_push_results(&input, &plan, &response).unwrap();
    assert!(outcome.base_updates.is_empty());
    let next = SyncInput {
        changes: outcome.pending_changes.clone(),
        ..input
    };
    let again = plan_sync(&next).unwrap();
    assert_eq!(
        again.push.len(),
        1,
        "the name edit is pushed again, now at version 9"
    );
    assert_eq!(
        again.sheet_edits.writes[0].values,
        vec![SheetCell::Number(5.0)]
    );
}

#[test]
fn write_backs_are_addressed_after_the_plans_row_deletions() {
    let mut input = synced(vec![row(1, "a", Some(1), ""), row(2, "b", Some(2), "")]);
    input.sheet.rows[1][3] = SheetCell::Text("x".into());
    input.changes = vec![db_delete(1, 5)];
    let plan = plan_sync(&input).unwrap();
    assert_eq!(plan.sheet_edits.delete_rows, vec![2]);
    let response = PushResponse {
        batch_id: "b".into(),
        results: vec![PushResult::Applied {
            key: RowKey("2".into()),
            version: 6,
            row: Some(vec![json!(2), json!("b"), json!(2), json!("X")]),
        }],
        replayed: false,
    };
    let outcome = apply_push_results(&input, &plan, &response).unwrap();
    assert_eq!(outcome.writes[0].row, 2, "sheet row 3 moved up to 2");
    assert_eq!(outcome.writes[0].values, vec![SheetCell::Text("X".into())]);
}

#[test]
fn a_response_that_does_not_answer_the_push_is_an_error() {
    let mut input = synced(vec![row(1, "a", Some(1), "")]);
    input.sheet.rows[0][1] = SheetCell::Text("b".into());
    let plan = plan_sync(&input).unwrap();
    let response = PushResponse {
        batch_id: "b".into(),
        results: vec![],
        replayed: false,
    };
    assert!(matches!(
        apply_push_results(&input, &plan, &response),
        Err(PlanError::ResponseMismatch(_))
    ));
}

#[test]
fn pushing_the_other_cells_of_a_held_row_keeps_the_conflict_open() {
    let mut input = synced(vec![row(1, "a", Some(1), "")]);
    input.policies.default = sheetsync_core::policy::ConflictPolicy::Manual;
    input.sheet.rows[0][2] = SheetCell::Number(2.0);
    input.sheet.rows[0][3] = SheetCell::Text("n".into());
    input.changes = vec![common::db_upsert(1, "a", Some(3), None, 5, 500)];
    let plan = plan_sync(&input).unwrap();
    assert_eq!(plan.conflicts.len(), 1);
    let response = PushResponse {
        batch_id: "b".into(),
        results: vec![PushResult::Applied {
            key: RowKey("1".into()),
            version: 6,
            row: Some(vec![json!(1), json!("a"), json!(3), json!("n")]),
        }],
        replayed: false,
    };
    let outcome = apply_push_results(&input, &plan, &response).unwrap();
    assert!(
        outcome.writes.is_empty(),
        "the sheet keeps its side of the conflict"
    );
    let base_row = outcome.base_updates[&RowKey("1".into())].clone().unwrap();
    assert_eq!(
        base_row.version, 1,
        "the base version stays below the stored row"
    );
    let mut base = input.base.clone().unwrap();
    base.rows.insert(RowKey("1".into()), base_row);
    let mut changes = plan.pending_changes.clone();
    changes.extend(outcome.pending_changes.clone());
    let next = SyncInput {
        base: Some(base),
        changes,
        ..input
    };
    let again = plan_sync(&next).unwrap();
    assert!(again.push.is_empty());
    assert_eq!(again.conflicts.len(), 1);
    assert_eq!(again.conflicts[0].database_version, 6);
    assert_eq!(again.conflicts[0].sheet_value, json!(2));
    assert_eq!(again.conflicts[0].database_value, json!(3));
}
