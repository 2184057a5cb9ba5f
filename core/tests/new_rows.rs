//! New rows typed into the sheet wait until they are complete: a row is inserted only once
//! every column the table requires (NOT NULL, no database default, not assigned by the
//! database) has a value. Until then it is an incomplete row, reported with what it lacks,
//! and nothing about it is sent.

mod common;

use common::{col, fruit, items_schema, plan as plan_of, row, synced};
use serde_json::json;
use sheetsync_core::identity::new_rows_of;
use sheetsync_core::plan::{SyncInput, SyncPlan};
use sheetsync_core::problem::{Problem, ProblemKind};
use sheetsync_core::schema::ColumnSchema;
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::value::SqlType;
use sheetsync_core::wire::PushOp;

fn inserts(plan: &SyncPlan) -> Vec<serde_json::Value> {
    plan.push
        .iter()
        .filter_map(|p| match &p.change {
            PushOp::Insert { cells } => Some(serde_json::Value::Object(cells.clone())),
            _ => None,
        })
        .collect()
}

fn incomplete(plan: &SyncPlan) -> Vec<&Problem> {
    plan.problems
        .iter()
        .filter(|p| p.kind == ProblemKind::IncompleteRow)
        .collect()
}

/// `fruit()` (id typed by people, name NOT NULL without a default) with `extra` rows typed
/// below it, starting at sheet row 5.
fn fruit_with(extra: Vec<Vec<SheetCell>>) -> SyncInput {
    let mut input = fruit();
    input.sheet.rows.extend(extra);
    input
}

#[test]
fn a_new_row_without_a_required_value_sends_nothing_and_names_what_it_lacks() {
    let input = fruit_with(vec![row(4, "", Some(9), "")]);
    let plan = plan_of(&input);
    assert!(
        plan.push.is_empty(),
        "nothing reaches the database: {:?}",
        plan.push
    );
    let problems = incomplete(&plan);
    assert_eq!(problems.len(), 1, "{:?}", plan.problems);
    assert_eq!(problems[0].sheet_row, Some(5));
    assert_eq!(problems[0].key.as_ref().map(|k| k.0.as_str()), Some("4"));
    assert!(
        problems[0].message.contains("name"),
        "the message names the missing column: {}",
        problems[0].message
    );
    assert_eq!(plan.summary.problems, 1);
}

#[test]
fn an_incomplete_row_holds_up_no_other_row() {
    let mut input = fruit_with(vec![row(4, "", Some(9), ""), row(5, "kiwi", Some(2), "")]);
    input.sheet.rows[0][2] = SheetCell::Number(30.0);
    let plan = plan_of(&input);
    assert_eq!(
        inserts(&plan),
        vec![json!({"id": 5, "name": "kiwi", "qty": 2})]
    );
    assert_eq!(plan.summary.updated_in_database, 1, "row 1's edit goes too");
    assert_eq!(incomplete(&plan).len(), 1);
}

#[test]
fn a_row_typed_cell_by_cell_is_inserted_once_complete_with_every_typed_cell() {
    // First the key and a quantity: the row waits.
    let mut input = fruit_with(vec![row(4, "", Some(9), "")]);
    assert!(plan_of(&input).push.is_empty());
    // Then a note: still no name, still waiting.
    input.sheet.rows[3][3] = SheetCell::Text("sweet".into());
    assert!(plan_of(&input).push.is_empty());
    // Then the name: the whole row goes in one insert.
    input.sheet.rows[3][1] = SheetCell::Text("kiwi".into());
    let plan = plan_of(&input);
    assert_eq!(
        inserts(&plan),
        vec![json!({"id": 4, "name": "kiwi", "qty": 9, "note": "sweet"})]
    );
    assert!(incomplete(&plan).is_empty());
}

#[test]
fn an_empty_cell_of_a_column_with_a_default_is_left_to_the_database_never_sent_as_empty_text() {
    let mut input = fruit_with(vec![row(4, "", Some(9), "")]);
    input.schema.columns[1].has_default = true;
    let plan = plan_of(&input);
    assert_eq!(
        inserts(&plan),
        vec![json!({"id": 4, "qty": 9})],
        "name is left out, so the database's default fills it"
    );
    assert!(incomplete(&plan).is_empty());
}

#[test]
fn a_required_number_left_empty_in_a_new_row_is_awaited_not_a_bad_cell() {
    let mut input = fruit_with(vec![row(4, "kiwi", None, "")]);
    input.schema.columns[2].nullable = false;
    let plan = plan_of(&input);
    assert!(plan.push.is_empty());
    let kinds: Vec<ProblemKind> = plan.problems.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![ProblemKind::IncompleteRow]);
    assert!(plan.problems[0].message.contains("qty"));
}

#[test]
fn every_missing_column_is_named_in_one_problem() {
    let mut input = fruit_with(vec![row(4, "", None, "")]);
    input.schema.columns[2].nullable = false;
    let plan = plan_of(&input);
    let problems = incomplete(&plan);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("name and qty"),
        "{}",
        problems[0].message
    );
}

#[test]
fn blanking_a_required_number_in_a_synced_row_is_still_a_bad_cell_of_that_row() {
    let mut input = synced(vec![
        row(1, "apple", Some(3), ""),
        row(2, "pear", Some(5), ""),
    ]);
    input.schema.columns[2].nullable = false;
    input.sheet.rows[0][2] = SheetCell::Empty;
    input.sheet.rows[1][2] = SheetCell::Number(6.0);
    let plan = plan_of(&input);
    let kinds: Vec<(ProblemKind, Option<u32>)> = plan
        .problems
        .iter()
        .map(|p| (p.kind, p.sheet_row))
        .collect();
    assert_eq!(kinds, vec![(ProblemKind::BadCell, Some(2))]);
    assert_eq!(plan.summary.updated_in_database, 1, "row 2 still syncs");
}

#[test]
fn blanking_required_text_in_a_synced_row_still_updates_it_to_empty_text() {
    // An empty cell shows the database's '' in a NOT NULL text column, so a synced row's
    // blanked text is '' as before: only a new row's empty cell means "not typed yet".
    let mut input = fruit();
    input.sheet.rows[0][1] = SheetCell::Empty;
    let plan = plan_of(&input);
    assert_eq!(
        common::update_cells(&plan),
        vec![("1".into(), 1, json!({"name": ""}))]
    );
}

#[test]
fn a_required_column_missing_from_the_sheet_is_named_with_its_absence() {
    let mut input = fruit_with(vec![]);
    input.sheet.headers = vec!["id".into(), "qty".into(), "note".into()];
    input.sheet.rows = vec![vec![SheetCell::Number(4.0), SheetCell::Number(9.0)]];
    input.base = None;
    let plan = plan_of(&input);
    assert!(plan.push.is_empty());
    let problems = incomplete(&plan);
    assert_eq!(problems.len(), 1, "{:?}", plan.problems);
    assert!(
        problems[0]
            .message
            .contains("the sheet has no \"name\" column"),
        "{}",
        problems[0].message
    );
}

#[test]
fn a_keyless_row_waits_for_its_other_values_not_for_the_key_the_database_assigns() {
    let schema = items_schema();
    let mut input = synced(vec![]);
    input.sheet.headers = schema.columns.iter().map(|c| c.name.clone()).collect();
    input.schema = schema;
    input.sheet.rows = vec![vec![
        SheetCell::Empty,
        SheetCell::Empty,
        SheetCell::Number(4.0),
    ]];
    let plan = plan_of(&input);
    assert!(plan.push.is_empty());
    let problems = incomplete(&plan);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("in name"),
        "{}",
        problems[0].message
    );
    assert!(
        !problems[0].message.contains("id"),
        "{}",
        problems[0].message
    );
    assert_eq!(problems[0].key, None);

    // An incomplete row is not a new row yet: the batch records nothing to place for it.
    let pending = new_rows_of(&input, &plan, "b1").unwrap();
    assert!(pending.rows.is_empty() && pending.marks.is_empty());

    input.sheet.rows[0][1] = SheetCell::Text("bolt".into());
    let plan = plan_of(&input);
    assert_eq!(inserts(&plan), vec![json!({"name": "bolt", "qty": 4})]);
    let pending = new_rows_of(&input, &plan, "b2").unwrap();
    assert_eq!(pending.rows.len(), 1);
}

#[test]
fn a_schema_from_a_server_that_does_not_report_defaults_requires_every_not_null_column() {
    // Servers before `has_default` send columns without it: the column then counts as having
    // no default, so a new row waits for a value instead of sending '' or relying on a
    // default that may not exist.
    let column: ColumnSchema = serde_json::from_value(json!({
        "name": "name", "sql_type": {"kind": "text", "max_chars": null}, "nullable": false,
    }))
    .unwrap();
    assert!(!column.has_default);
    assert!(column.required_for_insert());
    let with_default = ColumnSchema {
        has_default: true,
        ..column.clone()
    };
    assert!(!with_default.required_for_insert());
    let generated = ColumnSchema {
        generated: true,
        ..column
    };
    assert!(!generated.required_for_insert());
    let nullable = col("note", SqlType::Text { max_chars: None }, true);
    assert!(!nullable.required_for_insert());
}

#[test]
fn rows_typed_without_their_text_key_wait_for_it_instead_of_sharing_an_empty_key() {
    let code = ColumnSchema {
        primary_key: true,
        ..col("code", SqlType::Text { max_chars: None }, false)
    };
    let mut input = fruit();
    input.schema.name = "codes".into();
    input.schema.columns = vec![code, col("name", SqlType::Text { max_chars: None }, true)];
    input.sheet.headers = vec!["code".into(), "name".into()];
    input.base = Some(Default::default());
    input.sheet.rows = vec![
        vec![SheetCell::Empty, SheetCell::Text("first".into())],
        vec![SheetCell::Empty, SheetCell::Text("second".into())],
    ];
    let plan = plan_of(&input);
    assert!(plan.push.is_empty());
    let kinds: Vec<(ProblemKind, Option<u32>)> = plan
        .problems
        .iter()
        .map(|p| (p.kind, p.sheet_row))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ProblemKind::IncompleteRow, Some(2)),
            (ProblemKind::IncompleteRow, Some(3))
        ],
        "not a duplicate key: {:?}",
        plan.problems
    );
    assert!(plan.problems[0].message.contains("in code"));

    input.sheet.rows[1][0] = SheetCell::Text("B".into());
    let plan = plan_of(&input);
    assert_eq!(inserts(&plan), vec![json!({"code": "B", "name": "second"})]);
}
