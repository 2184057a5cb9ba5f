//! The planner's rules: one-sided changes, echoes, first sync, the mass-delete guard and the
//! shape of a plan and its sheet edits. Conflict policies are in `policies.rs`.

mod common;

use common::{db_delete, db_upsert, fruit, key, plan, policy, row, synced, update_cells};
use serde_json::json;
use sheetsync_core::plan::{plan_sync, PlanError, SyncInput};
use sheetsync_core::policy::ConflictPolicy;
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::wire::{PushOp, VersionedRow};

#[test]
fn a_sheet_edit_is_pushed_at_the_base_version_with_only_the_changed_cells() {
    let mut input = fruit();
    input.sheet.rows[1][2] = SheetCell::Number(6.0);
    let plan = plan(&input);
    assert_eq!(
        update_cells(&plan),
        vec![("2".into(), 1, json!({"qty": 6}))]
    );
    assert_eq!(plan.push[0].sheet_row, Some(3));
    assert_eq!(plan.summary.updated_in_database, 1);
    assert!(
        plan.base_updates.is_empty(),
        "the base moves only when the push is applied"
    );
}

#[test]
fn a_database_change_to_an_untouched_row_is_written_and_recorded_in_the_base() {
    let mut input = fruit();
    input.changes = vec![db_upsert(2, "pear", Some(9), Some("soft"), 4, 500)];
    let plan = plan(&input);
    assert!(plan.push.is_empty());
    assert_eq!(
        plan.sheet_edits.writes.len(),
        1,
        "adjacent cells form one run"
    );
    let run = &plan.sheet_edits.writes[0];
    assert_eq!((run.row, run.column), (3, 3));
    assert_eq!(
        run.values,
        vec![SheetCell::Number(9.0), SheetCell::Text("soft".into())]
    );
    assert_eq!(plan.base_updates[&key("2")].as_ref().unwrap().version, 4);
    assert_eq!(plan.summary.rows_written_to_sheet, 1);
}

#[test]
fn an_echo_of_a_change_already_in_the_base_does_nothing() {
    let mut input = fruit();
    input.changes = vec![db_upsert(2, "pear", Some(99), None, 1, 500)];
    let plan = plan(&input);
    assert!(
        plan.push.is_empty() && plan.sheet_edits.writes.is_empty() && plan.base_updates.is_empty()
    );
}

#[test]
fn cells_changed_on_one_side_only_take_that_side() {
    let mut input = fruit();
    input.sheet.rows[0][1] = SheetCell::Text("green apple".into());
    input.changes = vec![db_upsert(1, "apple", Some(4), None, 6, 500)];
    let plan = plan(&input);
    assert_eq!(
        update_cells(&plan),
        vec![("1".into(), 6, json!({"name": "green apple"}))]
    );
    assert_eq!(
        plan.sheet_edits.writes[0].values,
        vec![SheetCell::Number(4.0)]
    );
    assert_eq!(plan.summary.conflicts, 0);
}

#[test]
fn a_database_deletion_of_an_untouched_row_removes_it_from_the_sheet_bottom_up() {
    let mut input = fruit();
    input.changes = vec![db_delete(1, 7), db_delete(3, 8)];
    let plan = plan(&input);
    assert_eq!(plan.sheet_edits.delete_rows, vec![4, 2]);
    assert_eq!(plan.summary.rows_removed_from_sheet, 2);
}

#[test]
fn a_first_sync_copies_one_sided_rows_and_conflicts_on_rows_that_differ() {
    let mut input = fruit();
    input.base = None;
    input.policies = policy(ConflictPolicy::Manual);
    input.database_rows = vec![
        VersionedRow {
            key: key("2"),
            version: 3,
            cells: vec![json!(2), json!("pear"), json!(5), json!("ripe")],
        },
        VersionedRow {
            key: key("3"),
            version: 4,
            cells: vec![json!(3), json!("plum"), json!(8), json!(null)],
        },
        VersionedRow {
            key: key("4"),
            version: 5,
            cells: vec![json!(4), json!("kiwi"), json!(null), json!(null)],
        },
    ];
    let plan = plan(&input);
    assert!(
        matches!(&plan.push[..], [p] if matches!(&p.change, PushOp::Insert { cells } if cells["id"] == json!(1)))
    );
    assert_eq!(plan.sheet_edits.appends.len(), 1, "kiwi");
    assert_eq!(
        plan.base_updates[&key("2")].as_ref().unwrap().version,
        3,
        "equal rows bind"
    );
    assert_eq!(plan.conflicts.len(), 1);
    assert_eq!(plan.conflicts[0].key, key("3"));
}

#[test]
fn a_large_deletion_is_withheld_until_a_person_confirms_it() {
    let mut input = synced((1..=10).map(|i| row(i, "x", Some(i), "")).collect());
    input.sheet.rows.truncate(4);
    let guarded = plan(&input);
    assert!(guarded.push.is_empty());
    let md = guarded.mass_delete.clone().unwrap();
    assert_eq!((md.withheld, md.base_rows), (6, 10));
    input.options.confirm_mass_delete = true;
    assert_eq!(plan(&input).push.len(), 6);
}

#[test]
fn formula_cells_and_unmapped_columns_are_never_written() {
    let mut input = fruit();
    input.sheet.headers.push("remark".into());
    input.sheet.formulas = Some(vec![vec![false, false, true, false]]);
    input.changes = vec![db_upsert(1, "apple", Some(30), Some("n"), 5, 500)];
    let plan = plan(&input);
    assert_eq!(plan.sheet_edits.writes.len(), 1);
    let run = &plan.sheet_edits.writes[0];
    assert_eq!(
        (run.row, run.column, run.values.len()),
        (2, 4, 1),
        "only the note cell"
    );
    assert!(plan.sheet_edits.formats.iter().all(|f| f.name != "remark"));
}

#[test]
fn a_plan_is_plain_camel_case_data() {
    let mut input = fruit();
    input.sheet.rows[1][2] = SheetCell::Number(6.0);
    let json = serde_json::to_value(plan(&input)).unwrap();
    for field in [
        "push",
        "sheetEdits",
        "baseUpdates",
        "conflicts",
        "problems",
        "needBaseImages",
        "massDelete",
        "pendingChanges",
        "summary",
    ] {
        assert!(json.get(field).is_some(), "{field}");
    }
    assert_eq!(json["push"][0]["sheetRow"], json!(3));
    assert_eq!(json["summary"]["updatedInDatabase"], json!(1));
    let again: SyncInput = serde_json::from_value(serde_json::to_value(&input).unwrap()).unwrap();
    assert_eq!(serde_json::to_value(plan(&again)).unwrap(), json);
}

#[test]
fn a_malformed_zone_table_is_an_error_naming_the_zone_not_a_panic() {
    let mut input = fruit();
    input.time_zone = "Nowhere/Land".into();
    input.zone_offsets = vec![(10, 0), (5, 3600)];
    let err = plan_sync(&input).unwrap_err();
    assert!(matches!(err, PlanError::BadTimeZone(_)), "{err}");
    assert!(err.to_string().contains("zoneOffsets[1]"), "{err}");
    assert!(err.to_string().contains("Nowhere/Land"), "{err}");
}

#[test]
fn a_row_kept_after_the_database_deleted_it_gives_up_its_assigned_key_when_inserted_again() {
    let mut input = fruit();
    input.schema.columns[0].generated = true;
    input.policies = policy(ConflictPolicy::SheetWins);
    input.sheet.rows[1][2] = SheetCell::Number(6.0);
    input.changes = vec![db_delete(2, 5)];
    let plan = plan(&input);
    let [push] = &plan.push[..] else {
        panic!("one insert: {:?}", plan.push);
    };
    let PushOp::Insert { cells } = &push.change else {
        panic!("an insert: {push:?}");
    };
    assert!(!cells.contains_key("id"), "{cells:?}");
    assert_eq!(push.sheet_row, Some(3));
    // The dead key is cleared, so the row waits for its new key as any new row does.
    let key_cell = plan
        .sheet_edits
        .writes
        .iter()
        .find(|run| run.row == 3 && run.column == 1);
    assert_eq!(
        key_cell.map(|run| &run.values[..]),
        Some(&[SheetCell::Empty][..])
    );
}

#[test]
fn a_row_with_a_key_the_sheet_owns_keeps_it_when_inserted_again() {
    let mut input = fruit();
    input.policies = policy(ConflictPolicy::SheetWins);
    input.sheet.rows[1][2] = SheetCell::Number(6.0);
    input.changes = vec![db_delete(2, 5)];
    let plan = plan(&input);
    let [push] = &plan.push[..] else {
        panic!("one insert: {:?}", plan.push);
    };
    let PushOp::Insert { cells } = &push.change else {
        panic!("an insert: {push:?}");
    };
    assert_eq!(cells.get("id"), Some(&json!(2)));
    assert!(plan.sheet_edits.writes.iter().all(|run| run.column != 1));
}

#[test]
fn a_database_value_too_long_for_a_cell_holds_back_its_row_and_names_the_column() {
    let mut input = fruit();
    let long = "x".repeat(60_000);
    input.changes = vec![
        db_upsert(2, "pear", Some(9), Some(&long), 4, 500),
        db_upsert(3, "plum", Some(8), None, 5, 500),
    ];
    let plan = plan(&input);
    let problem = plan
        .problems
        .iter()
        .find(|p| p.key == Some(key("2")))
        .expect("the long row is reported");
    assert_eq!(problem.column.as_deref(), Some("note"));
    assert!(
        problem.message.contains("60000 characters"),
        "{}",
        problem.message
    );
    assert!(
        !plan.base_updates.contains_key(&key("2")),
        "the row is held back"
    );
    assert!(
        plan.sheet_edits.writes.iter().all(|w| w.row != 3),
        "nothing is written on the long row's sheet row"
    );
    assert_eq!(
        plan.base_updates[&key("3")].as_ref().unwrap().version,
        5,
        "the rest still syncs"
    );
}
