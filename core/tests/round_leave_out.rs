//! `Round::leave_out_rows`: a row a person edited between the round's read and its write is
//! left out of the round whole, and the next round merges the person's edit with the
//! database's change against the base both started from.

mod common;

use std::collections::BTreeSet;

use common::*;
use sheetsync_core::overridden::Side;
use sheetsync_core::plan::SyncInput;
use sheetsync_core::policy::ConflictPolicy;
use sheetsync_core::round::{BindingState, Round, RoundRead};
use sheetsync_core::schema::RowKey;
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::wire::{ChangeOp, PushOp};

fn read_of(input: &SyncInput) -> RoundRead {
    RoundRead {
        schema: input.schema.clone(),
        time_zone: input.time_zone.clone(),
        zone_offsets: input.zone_offsets.clone(),
        sheet: input.sheet.clone(),
        changes: input.changes.clone(),
        database_rows: Vec::new(),
        policies: input.policies.clone(),
        edit_times: input.edit_times.clone(),
        resolutions: Vec::new(),
        now_ms: input.now_ms,
        options: input.options.clone(),
    }
}

fn state_of(input: &SyncInput) -> BindingState {
    BindingState {
        base: input.base.clone(),
        ..BindingState::default()
    }
}

fn rows(r: &[u32]) -> BTreeSet<u32> {
    r.iter().copied().collect()
}

#[test]
fn a_row_left_out_is_neither_written_nor_based_and_its_change_comes_back() {
    let mut input = synced(vec![
        row(1, "apple", Some(3), ""),
        row(2, "pear", Some(5), ""),
    ]);
    input.changes = vec![
        db_upsert(1, "apple", Some(4), None, 2, 500),
        db_upsert(2, "pear", Some(6), None, 2, 500),
    ];
    let mut state = state_of(&input);
    let mut round = Round::plan(&state, read_of(&input)).unwrap();
    let written: BTreeSet<u32> = round
        .current_plan()
        .sheet_edits
        .writes
        .iter()
        .map(|w| w.row)
        .collect();
    assert_eq!(written, rows(&[2, 3]));

    // Sheet row 2 (key 1) changed under the round.
    let left = round.leave_out_rows(&rows(&[2])).unwrap();
    assert_eq!(left, BTreeSet::from([RowKey("1".into())]));
    let commit = round.commit(&mut state, "b1", "host").unwrap();
    let written: Vec<u32> = commit.sheet_edits.writes.iter().map(|w| w.row).collect();
    assert_eq!(written, vec![3], "only the unchanged row is written");
    assert_eq!(commit.plan.summary.rows_written_to_sheet, 1);
    let base = state.base.as_ref().unwrap();
    assert_eq!(
        base.rows[&RowKey("1".into())].version,
        1,
        "key 1 keeps its base"
    );
    assert_eq!(base.rows[&RowKey("2".into())].version, 2);
    let held: Vec<(&str, i64)> = state
        .held_changes
        .iter()
        .map(|c| (c.key.0.as_str(), c.version))
        .collect();
    assert_eq!(held, vec![("1", 2)], "the database's change comes back");

    // The next round meets the person's edit and the database's change on one cell: a
    // conflict the policy decides, and the sheet's losing value is reported, not dropped.
    let mut next = input.clone();
    next.sheet.rows[0][2] = SheetCell::Number(9.0);
    next.sheet.rows[1][2] = SheetCell::Number(6.0);
    next.changes = Vec::new();
    let plan = Round::plan(&state, read_of(&next)).unwrap();
    let plan = plan.current_plan();
    assert_eq!(plan.summary.conflicts, 1, "{plan:?}");
    let lost: Vec<_> = plan
        .overrides
        .iter()
        .filter(|o| o.losing_side == Side::Sheet)
        .map(|o| (o.key.0.as_str(), o.losing_value.clone()))
        .collect();
    assert_eq!(lost, vec![("1", serde_json::json!(9))], "{plan:?}");
}

#[test]
fn a_person_s_other_cell_and_the_database_s_cell_both_survive() {
    let mut input = synced(vec![row(1, "apple", Some(3), "")]);
    input.changes = vec![db_upsert(1, "apple", Some(4), None, 2, 500)];
    let mut state = state_of(&input);
    let mut round = Round::plan(&state, read_of(&input)).unwrap();
    round.leave_out_rows(&rows(&[2])).unwrap();
    let commit = round.commit(&mut state, "b1", "host").unwrap();
    assert!(commit.sheet_edits.writes.is_empty());

    // The person typed a note meanwhile: the next round pushes it and writes the quantity.
    let mut next = input.clone();
    next.sheet.rows[0][3] = SheetCell::Text("ripe".into());
    next.changes = Vec::new();
    let round = Round::plan(&state, read_of(&next)).unwrap();
    let plan = round.current_plan();
    assert_eq!(plan.summary.conflicts, 0, "{plan:?}");
    match &plan.push[..] {
        [p] => match &p.change {
            PushOp::Update { cells, .. } => {
                assert_eq!(
                    cells.get("note"),
                    Some(&serde_json::json!("ripe")),
                    "{cells:?}"
                )
            }
            other => panic!("an update, not {other:?}"),
        },
        other => panic!("one push, not {other:?}"),
    }
    let qty: Vec<_> = plan
        .sheet_edits
        .writes
        .iter()
        .flat_map(|w| w.values.iter())
        .collect();
    assert_eq!(qty, vec![&SheetCell::Number(4.0)]);
}

#[test]
fn a_database_delete_of_a_row_left_out_is_not_applied_and_comes_back() {
    let mut input = synced(vec![
        row(1, "apple", Some(3), ""),
        row(2, "pear", Some(5), ""),
    ]);
    input.changes = vec![db_delete(1, 2)];
    input.policies.default = ConflictPolicy::Manual;
    let mut state = state_of(&input);
    let mut round = Round::plan(&state, read_of(&input)).unwrap();
    assert_eq!(round.current_plan().sheet_edits.delete_rows, vec![2]);
    round.leave_out_rows(&rows(&[2])).unwrap();
    let commit = round.commit(&mut state, "b1", "host").unwrap();
    assert!(commit.sheet_edits.delete_rows.is_empty());
    assert!(state
        .base
        .as_ref()
        .unwrap()
        .rows
        .contains_key(&RowKey("1".into())));
    assert!(matches!(state.held_changes[..], [ref c] if c.op == ChangeOp::Delete));

    // The person's edit against the delete: a row conflict, held for an answer.
    let mut next = input.clone();
    next.sheet.rows[0][1] = SheetCell::Text("apricot".into());
    next.changes = Vec::new();
    let round = Round::plan(&state, read_of(&next)).unwrap();
    let plan = round.current_plan();
    assert!(plan.sheet_edits.delete_rows.is_empty(), "{plan:?}");
    assert_eq!(plan.conflicts.len(), 1, "{plan:?}");
    assert!(plan.push.is_empty(), "{plan:?}");
}

#[test]
fn rows_the_plan_does_not_touch_change_nothing() {
    let mut input = synced(vec![
        row(1, "apple", Some(3), ""),
        row(2, "pear", Some(5), ""),
    ]);
    input.changes = vec![db_upsert(2, "pear", Some(6), None, 2, 500)];
    let state = state_of(&input);
    let mut round = Round::plan(&state, read_of(&input)).unwrap();
    let before = round.current_plan().clone();
    let left = round.leave_out_rows(&rows(&[9])).unwrap();
    assert!(left.is_empty());
    assert_eq!(round.current_plan(), &before);
}
