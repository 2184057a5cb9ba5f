//! No edit lost: every value a decided conflict discards is reported in the plan's
//! `overrides`, with its side, its time and (for the database) its writer, under every policy
//! that discards one; a merge that keeps both sides reports nothing.

mod common;

use common::{db_delete, db_upsert, fruit, key, plan, policy, row};
use serde_json::json;
use sheetsync_core::merge::ConflictKind;
use sheetsync_core::overridden::{Override, Side};
use sheetsync_core::plan::SyncInput;
use sheetsync_core::policy::{Choice, ConflictPolicy, Resolution};
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::wire::VersionedRow;

/// Apple's qty: 3 in the base, 10 in the sheet (edited at 400), 20 in the database (changed
/// at 500 by another client, version 6).
fn both_changed_qty(p: ConflictPolicy) -> SyncInput {
    let mut input = fruit();
    input.policies = policy(p);
    input.sheet.rows[0][2] = SheetCell::Number(10.0);
    input.edit_times.insert(key("1"), 400);
    let mut change = db_upsert(1, "apple", Some(20), None, 6, 500);
    change.origin = Some("other-client".into());
    input.changes = vec![change];
    input
}

/// The plan's overrides as `(column, losing side, losing value, winning value, policy)`.
fn lost(input: &SyncInput) -> Vec<(Option<String>, Side, serde_json::Value, serde_json::Value)> {
    plan(input)
        .overrides
        .into_iter()
        .map(|o| (o.column, o.losing_side, o.losing_value, o.winning_value))
        .collect()
}

fn qty(
    side: Side,
    losing: i64,
    winning: i64,
) -> (Option<String>, Side, serde_json::Value, serde_json::Value) {
    (Some("qty".into()), side, json!(losing), json!(winning))
}

#[test]
fn database_wins_reports_the_sheet_edit_it_overrode_with_its_edit_time_and_cell() {
    let plan = plan(&both_changed_qty(ConflictPolicy::DatabaseWins));
    assert_eq!(
        plan.overrides,
        vec![Override {
            key: key("1"),
            sheet_row: Some(2),
            column: Some("qty".into()),
            kind: ConflictKind::Cell,
            policy: ConflictPolicy::DatabaseWins,
            losing_side: Side::Sheet,
            losing_value: json!(10),
            losing_cell: Some(SheetCell::Number(10.0)),
            winning_value: json!(20),
            losing_time_ms: Some(400),
            losing_origin: None,
            database_version: 6,
        }]
    );
}

#[test]
fn sheet_wins_reports_the_database_value_it_overrode_with_its_time_and_writer() {
    let plan = plan(&both_changed_qty(ConflictPolicy::SheetWins));
    let o = &plan.overrides[0];
    assert_eq!(plan.overrides.len(), 1);
    assert_eq!(
        (
            o.losing_side,
            o.losing_value.clone(),
            o.winning_value.clone()
        ),
        (Side::Database, json!(20), json!(10))
    );
    assert_eq!(
        (o.losing_time_ms, o.losing_origin.as_deref(), o.policy),
        (Some(500), Some("other-client"), ConflictPolicy::SheetWins)
    );
}

#[test]
fn latest_wins_reports_whichever_side_changed_first() {
    let mut input = both_changed_qty(ConflictPolicy::LatestWins);
    assert_eq!(
        lost(&input),
        vec![qty(Side::Sheet, 10, 20)],
        "sheet at 400, database at 500"
    );
    input.edit_times.insert(key("1"), 600);
    assert_eq!(
        lost(&input),
        vec![qty(Side::Database, 20, 10)],
        "sheet at 600"
    );
}

#[test]
fn a_custom_rule_reports_the_side_its_answer_overrode_and_both_when_it_gives_a_third_value() {
    let mut input = both_changed_qty(ConflictPolicy::Custom);
    assert!(
        lost(&input).is_empty(),
        "a held conflict discards nothing yet"
    );
    let answer = |choose| Resolution {
        key: key("1"),
        column: Some("qty".into()),
        choose,
    };
    input.resolutions = vec![answer(Choice::Database)];
    assert_eq!(lost(&input), vec![qty(Side::Sheet, 10, 20)]);
    assert_eq!(plan(&input).overrides[0].policy, ConflictPolicy::Custom);
    input.resolutions = vec![answer(Choice::Value(json!(15)))];
    assert_eq!(
        lost(&input),
        vec![qty(Side::Sheet, 10, 15), qty(Side::Database, 20, 15)]
    );
}

#[test]
fn a_manual_answer_reports_the_value_the_person_set_aside() {
    let mut input = both_changed_qty(ConflictPolicy::Manual);
    input.resolutions = vec![Resolution {
        key: key("1"),
        column: Some("qty".into()),
        choose: Choice::Sheet,
    }];
    assert_eq!(lost(&input), vec![qty(Side::Database, 20, 10)]);
}

#[test]
fn numeric_delta_keeps_both_deltas_and_reports_no_override_but_its_fallback_does() {
    let mut input = both_changed_qty(ConflictPolicy::DatabaseWins);
    input
        .policies
        .columns
        .insert("qty".into(), ConflictPolicy::NumericDelta);
    input.base_images.insert(
        key("1"),
        VersionedRow {
            key: key("1"),
            version: 1,
            cells: vec![json!(1), json!("apple"), json!(3), json!(null)],
        },
    );
    assert!(lost(&input).is_empty(), "3 + 7 + 17 = 27 keeps both edits");
    input.base_images.clear();
    input.base_image_unavailable = vec![key("1")];
    let fallback = plan(&input);
    assert_eq!(
        (fallback.overrides.len(), fallback.overrides[0].policy),
        (1, ConflictPolicy::DatabaseWins)
    );
    assert_eq!(fallback.overrides[0].losing_side, Side::Sheet);
}

#[test]
fn cells_changed_on_one_side_only_or_to_the_same_value_report_nothing() {
    let mut input = fruit();
    input.sheet.rows[0][2] = SheetCell::Number(10.0);
    input.changes = vec![db_upsert(1, "apple", Some(10), Some("new note"), 6, 500)];
    assert!(plan(&input).overrides.is_empty());
}

#[test]
fn a_sheet_edit_of_a_row_the_database_deleted_is_reported_whole_when_the_row_goes() {
    let mut input = fruit();
    input.sheet.rows[0][1] = SheetCell::Text("green apple".into());
    input.changes = vec![db_delete(1, 7)];
    let gone = plan(&input);
    let o = &gone.overrides[0];
    assert_eq!(
        (o.kind, o.column.clone(), o.losing_side, o.sheet_row),
        (ConflictKind::UpdateDelete, None, Side::Sheet, Some(2))
    );
    assert_eq!(o.losing_value, json!([1, "green apple", 3, null]));
    assert_eq!(o.winning_value, json!(null));
    input.policies = policy(ConflictPolicy::SheetWins);
    let back = plan(&input);
    assert_eq!(
        (
            back.overrides[0].losing_side,
            back.overrides[0].losing_value.clone()
        ),
        (Side::Database, json!(null)),
        "the database's deletion lost"
    );
}

#[test]
fn a_sheet_deletion_of_a_row_the_database_changed_reports_the_losing_side() {
    let mut input = fruit();
    input.sheet.rows.remove(1);
    input.changes = vec![db_upsert(2, "pear", Some(50), Some("ripe"), 8, 500)];
    let kept = plan(&input);
    assert_eq!(
        (
            kept.overrides[0].losing_side,
            kept.overrides[0].losing_value.clone()
        ),
        (Side::Sheet, json!(null)),
        "the sheet's deletion lost; the row comes back"
    );
    input.policies = policy(ConflictPolicy::SheetWins);
    let deleted = plan(&input);
    assert_eq!(
        (deleted.overrides[0].kind, deleted.overrides[0].losing_side),
        (ConflictKind::DeleteUpdate, Side::Database)
    );
    assert_eq!(
        deleted.overrides[0].losing_value,
        json!([2, "pear", 50, "ripe"])
    );
}

#[test]
fn an_insert_on_both_sides_reports_the_cells_the_policy_overrode() {
    let mut input = fruit();
    input.sheet.rows.push(row(9, "fig", Some(1), ""));
    input.changes = vec![db_upsert(9, "fig", Some(2), None, 9, 500)];
    let plan = plan(&input);
    assert_eq!(plan.overrides.len(), 1);
    assert_eq!(
        (plan.overrides[0].kind, plan.overrides[0].losing_side),
        (ConflictKind::InsertInsert, Side::Sheet)
    );
    assert_eq!(plan.overrides[0].losing_value, json!(1));
}

#[test]
fn a_plan_saved_before_overrides_were_reported_still_decodes() {
    let plan = plan(&both_changed_qty(ConflictPolicy::DatabaseWins));
    let mut json = serde_json::to_value(&plan).unwrap();
    json.as_object_mut().unwrap().remove("overrides");
    let read: sheetsync_core::plan::SyncPlan = serde_json::from_value(json).unwrap();
    assert!(read.overrides.is_empty());
}
