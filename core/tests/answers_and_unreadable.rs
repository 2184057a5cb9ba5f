//! What the planner does with input it cannot use: a person's answer that names no column of
//! the table or gives a value that does not fit, and a database change the server could not
//! read. Each is a problem shown to the person; none is dropped silently, and none becomes a
//! deletion or an overwrite.

mod common;

use common::{db_upsert, fruit, key, plan, policy};
use serde_json::json;
use sheetsync_core::plan::SyncInput;
use sheetsync_core::policy::{Choice, ConflictPolicy, Resolution};
use sheetsync_core::problem::ProblemKind;
use sheetsync_core::schema::RowKey;
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::wire::{ChangeOp, RowChange};

fn held_qty_conflict() -> SyncInput {
    let mut input = fruit();
    input.policies = policy(ConflictPolicy::Custom);
    input.sheet.rows[0][2] = SheetCell::Number(10.0);
    input.changes = vec![db_upsert(1, "apple", Some(20), None, 6, 500)];
    input
}

fn answered(column: &str, choose: Choice) -> SyncInput {
    let mut input = held_qty_conflict();
    input.changes = plan(&input).pending_changes;
    input.resolutions = vec![Resolution {
        key: key("1"),
        column: Some(column.into()),
        choose,
    }];
    input
}

#[test]
fn an_answer_naming_a_column_the_table_lacks_is_a_problem_and_the_conflict_stays_open() {
    for choose in [Choice::Sheet, Choice::Value(json!(15))] {
        let plan = plan(&answered("quantity", choose));
        let bad: Vec<_> = plan
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::BadAnswer)
            .collect();
        assert_eq!(bad.len(), 1, "{:?}", plan.problems);
        assert_eq!(bad[0].key, Some(key("1")));
        assert_eq!(bad[0].column.as_deref(), Some("quantity"));
        assert!(bad[0].message.contains("quantity"), "{}", bad[0].message);
        assert_eq!(plan.conflicts.len(), 1, "the conflict is still open");
        assert!(plan.push.is_empty());
    }
}

#[test]
fn an_answer_whose_value_does_not_fit_the_column_is_a_problem_and_the_conflict_stays_open() {
    let plan = plan(&answered("qty", Choice::Value(json!("many"))));
    let bad: Vec<_> = plan
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::BadAnswer)
        .collect();
    assert_eq!(bad.len(), 1, "{:?}", plan.problems);
    assert_eq!(bad[0].column.as_deref(), Some("qty"));
    assert_eq!(plan.conflicts.len(), 1, "the conflict is still open");
    assert!(plan.push.is_empty() && plan.sheet_edits.writes.is_empty());
}

#[test]
fn a_fitting_answer_is_no_problem() {
    let plan = plan(&answered("qty", Choice::Value(json!(15))));
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    assert!(plan.conflicts.is_empty());
}

#[test]
fn an_unreadable_database_change_is_a_problem_and_neither_deletes_nor_overwrites_the_row() {
    let mut input = fruit();
    input.changes = vec![
        db_upsert(1, "apple", Some(9), None, 4, 500),
        RowChange {
            key: RowKey("1".into()),
            version: 5,
            op: ChangeOp::Unreadable {
                reason: "the row image is not UTF-8 text".into(),
            },
            origin: None,
            changed_at_ms: 600,
        },
        db_upsert(2, "pear", Some(8), Some("ripe"), 7, 700),
    ];
    let plan = plan(&input);
    let bad: Vec<_> = plan
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::BadDatabaseRow)
        .collect();
    assert_eq!(bad.len(), 1, "{:?}", plan.problems);
    assert_eq!(bad[0].key, Some(key("1")));
    assert!(bad[0].message.contains("not UTF-8"), "{}", bad[0].message);
    assert!(plan.push.is_empty());
    assert!(plan.sheet_edits.delete_rows.is_empty());
    assert!(
        !plan.base_updates.contains_key(&key("1")),
        "the row's base stays where it was"
    );
    assert_eq!(
        plan.pending_changes
            .iter()
            .map(|c| (c.key.clone(), c.version))
            .collect::<Vec<_>>(),
        vec![(key("1"), 5)],
        "the unreadable change is handed back, so the next plan reports it again"
    );
    let mut next = input.clone();
    next.changes = plan.pending_changes.clone();
    assert_eq!(
        common::plan(&next).problems.len(),
        1,
        "reported again until a newer change moves the row on"
    );
    next.changes
        .push(db_upsert(1, "apple", Some(11), None, 9, 900));
    let moved = common::plan(&next);
    assert!(moved.problems.is_empty(), "{:?}", moved.problems);
    assert!(moved.pending_changes.is_empty());
    assert_eq!(
        plan.sheet_edits.writes.len(),
        1,
        "the later change to pear still applies"
    );
    assert_eq!(plan.sheet_edits.writes[0].row, 3);
}

#[test]
fn an_unreadable_change_travels_in_the_documented_form() {
    let change = RowChange {
        key: RowKey("7".into()),
        version: 12,
        op: ChangeOp::Unreadable {
            reason: "why".into(),
        },
        origin: None,
        changed_at_ms: 1,
    };
    let wire = serde_json::to_value(&change).unwrap();
    assert_eq!(
        wire,
        json!({"key": "7", "version": 12, "op": "unreadable", "reason": "why",
               "origin": null, "changed_at_ms": 1})
    );
    assert_eq!(serde_json::from_value::<RowChange>(wire).unwrap(), change);
}
