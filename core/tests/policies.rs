//! Conflict policies in the planner: cell conflicts under each policy, held conflicts and their
//! answers, numeric deltas, and row conflicts (update/delete, delete/update, insert/insert).

mod common;

use common::{db_delete, db_upsert, fruit, key, plan, policy, row, update_cells};
use serde_json::json;
use sheetsync_core::merge::ConflictKind;
use sheetsync_core::plan::SyncInput;
use sheetsync_core::policy::{Choice, ConflictPolicy, Resolution};
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::wire::{PushOp, VersionedRow};

fn both_changed_qty(p: ConflictPolicy) -> SyncInput {
    let mut input = fruit();
    input.policies = policy(p);
    input.sheet.rows[0][2] = SheetCell::Number(10.0);
    input.changes = vec![db_upsert(1, "apple", Some(20), None, 6, 500)];
    input
}

#[test]
fn database_wins_writes_the_database_value_into_the_sheet() {
    let plan = plan(&both_changed_qty(ConflictPolicy::DatabaseWins));
    assert!(plan.push.is_empty());
    assert_eq!(
        plan.sheet_edits.writes[0].values,
        vec![SheetCell::Number(20.0)]
    );
    assert_eq!(plan.base_updates[&key("1")].as_ref().unwrap().version, 6);
    assert_eq!(plan.summary.conflicts, 1);
}

#[test]
fn sheet_wins_pushes_the_sheet_value_at_the_database_version() {
    let plan = plan(&both_changed_qty(ConflictPolicy::SheetWins));
    assert_eq!(
        update_cells(&plan),
        vec![("1".into(), 6, json!({"qty": 10}))]
    );
    assert!(plan.sheet_edits.writes.is_empty());
}

#[test]
fn latest_wins_compares_the_recorded_edit_time_with_the_change_time() {
    let mut input = both_changed_qty(ConflictPolicy::LatestWins);
    input.edit_times.insert(key("1"), 400);
    assert!(
        plan(&input).push.is_empty(),
        "the database changed later (500)"
    );
    input.edit_times.insert(key("1"), 600);
    assert_eq!(plan(&input).push.len(), 1, "the sheet changed later (600)");
    input.edit_times.clear();
    input.now_ms = 499;
    assert!(
        plan(&input).push.is_empty(),
        "no recorded time: nowMs (499) is earlier"
    );
}

#[test]
fn a_manual_conflict_is_held_with_both_values_until_a_person_answers() {
    let mut input = both_changed_qty(ConflictPolicy::Manual);
    input.sheet.rows[0][3] = SheetCell::Text("note".into());
    let held = plan(&input);
    assert_eq!(
        update_cells(&held),
        vec![("1".into(), 6, json!({"note": "note"}))],
        "the row's other edits still go out, the held cell does not"
    );
    assert!(held.base_updates.is_empty(), "the held row keeps its base");
    let c = &held.conflicts[0];
    assert_eq!(
        (c.kind, c.policy, c.column.as_deref()),
        (ConflictKind::Cell, ConflictPolicy::Manual, Some("qty"))
    );
    assert_eq!(
        (c.sheet_value.clone(), c.database_value.clone()),
        (json!(10), json!(20))
    );
    assert_eq!(
        held.pending_changes.len(),
        1,
        "the database side is handed back"
    );
    assert_eq!(held.summary.open_conflicts, 1);

    input.changes = held.pending_changes.clone();
    input.resolutions = vec![Resolution {
        key: key("1"),
        column: Some("qty".into()),
        choose: Choice::Sheet,
    }];
    let answered = plan(&input);
    assert!(answered.conflicts.is_empty());
    assert_eq!(
        update_cells(&answered),
        vec![("1".into(), 6, json!({"note": "note", "qty": 10}))]
    );
}

#[test]
fn a_custom_resolution_with_a_value_writes_it_to_both_sides() {
    let mut input = both_changed_qty(ConflictPolicy::Custom);
    assert_eq!(plan(&input).conflicts[0].policy, ConflictPolicy::Custom);
    input.resolutions = vec![Resolution {
        key: key("1"),
        column: Some("qty".into()),
        choose: Choice::Value(json!(15)),
    }];
    let plan = plan(&input);
    assert_eq!(
        update_cells(&plan),
        vec![("1".into(), 6, json!({"qty": 15}))]
    );
    assert_eq!(
        plan.sheet_edits.writes[0].values,
        vec![SheetCell::Number(15.0)]
    );
}

#[test]
fn numeric_delta_asks_for_the_base_image_and_then_adds_both_deltas() {
    let mut input = both_changed_qty(ConflictPolicy::DatabaseWins);
    input
        .policies
        .columns
        .insert("qty".into(), ConflictPolicy::NumericDelta);
    let first = plan(&input);
    assert_eq!(first.need_base_images.len(), 1);
    assert_eq!(
        (
            first.need_base_images[0].key.clone(),
            first.need_base_images[0].version
        ),
        (key("1"), 1)
    );
    assert!(first.push.is_empty() && first.sheet_edits.writes.is_empty());
    input.base_images.insert(
        key("1"),
        VersionedRow {
            key: key("1"),
            version: 1,
            cells: vec![json!(1), json!("apple"), json!(3), json!(null)],
        },
    );
    let merged = plan(&input);
    // base 3, sheet 10 (+7), database 20 (+17): 27.
    assert_eq!(
        update_cells(&merged),
        vec![("1".into(), 6, json!({"qty": 27}))]
    );
    assert_eq!(
        merged.sheet_edits.writes[0].values,
        vec![SheetCell::Number(27.0)]
    );
}

#[test]
fn numeric_delta_without_a_base_image_falls_back_to_the_binding_default() {
    let mut input = both_changed_qty(ConflictPolicy::SheetWins);
    input
        .policies
        .columns
        .insert("qty".into(), ConflictPolicy::NumericDelta);
    input.base_image_unavailable = vec![key("1")];
    let plan = plan(&input);
    assert!(plan.need_base_images.is_empty());
    assert_eq!(
        update_cells(&plan),
        vec![("1".into(), 6, json!({"qty": 10}))]
    );
}

#[test]
fn a_sheet_edit_to_a_row_the_database_deleted_follows_the_row_policy() {
    let mut input = fruit();
    input.sheet.rows[0][1] = SheetCell::Text("green apple".into());
    input.changes = vec![db_delete(1, 7)];
    let gone = plan(&input);
    assert_eq!(gone.sheet_edits.delete_rows, vec![2]);
    assert_eq!(gone.base_updates[&key("1")], None);
    input.policies = policy(ConflictPolicy::SheetWins);
    let back = plan(&input);
    assert!(
        matches!(&back.push[0].change, PushOp::Insert { cells } if cells["name"] == json!("green apple"))
    );
    input.policies = policy(ConflictPolicy::Manual);
    assert_eq!(plan(&input).conflicts[0].kind, ConflictKind::UpdateDelete);
}

#[test]
fn a_sheet_deletion_of_a_row_the_database_changed_follows_the_row_policy() {
    let mut input = fruit();
    input.sheet.rows.remove(1);
    input.changes = vec![db_upsert(2, "pear", Some(50), Some("ripe"), 8, 500)];
    let kept = plan(&input);
    assert!(kept.push.is_empty());
    assert_eq!(kept.sheet_edits.appends.len(), 1);
    assert_eq!(kept.summary.rows_added_to_sheet, 1);
    input.policies = policy(ConflictPolicy::SheetWins);
    let deleted = plan(&input);
    assert!(matches!(
        deleted.push[0].change,
        PushOp::Delete {
            expected_version: 8,
            ..
        }
    ));
}

#[test]
fn both_sides_inserting_one_key_with_different_cells_conflict_cell_by_cell() {
    let mut input = fruit();
    input.policies = policy(ConflictPolicy::Manual);
    input.sheet.rows.push(row(9, "fig", Some(1), ""));
    input.changes = vec![db_upsert(9, "fig", Some(2), None, 9, 500)];
    let plan = plan(&input);
    assert_eq!(plan.conflicts.len(), 1);
    assert_eq!(plan.conflicts[0].kind, ConflictKind::InsertInsert);
    assert_eq!(plan.conflicts[0].column.as_deref(), Some("qty"));
}
