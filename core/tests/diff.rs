//! The diff rules: header matching, keys, blank rows, duplicates, edited keys, bad cells.

mod common;

use common::{key, row, simple_schema, snapshot, synced};
use sheetsync_core::base::Base;
use sheetsync_core::diff::{diff, Changeset, DiffError};
use sheetsync_core::problem::ProblemKind;
use sheetsync_core::sheet::{SheetCell, SheetSnapshot};
use sheetsync_core::wire::PushOp;
use sheetsync_core::zone::ZoneOffsets;

fn diff_of<'b>(sheet: &SheetSnapshot, base: &'b Base) -> Changeset<'b> {
    diff(&simple_schema(), sheet, base, &ZoneOffsets::utc()).unwrap()
}

fn three_rows() -> (SheetSnapshot, Base) {
    let input = synced(vec![
        row(1, "apple", Some(3), ""),
        row(2, "pear", None, "ripe"),
        row(3, "plum", Some(7), "007"),
    ]);
    (input.sheet, input.base.unwrap())
}

#[test]
fn an_untouched_sheet_has_no_changes() {
    let (sheet, base) = three_rows();
    let cs = diff_of(&sheet, &base);
    assert!(cs.inserts.is_empty() && cs.updates.is_empty() && cs.deletes.is_empty());
    assert!(cs.problems.is_empty());
    assert_eq!(cs.located.len(), 3);
}

#[test]
fn reordered_and_unmapped_columns_change_nothing() {
    let (sheet, base) = three_rows();
    let reordered = SheetSnapshot {
        headers: vec![
            "note".into(),
            "comment".into(),
            "qty".into(),
            "name".into(),
            "id".into(),
        ],
        rows: sheet
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let comment = SheetCell::Text(format!("remark {i}").into());
                vec![
                    r[3].clone(),
                    comment,
                    r[2].clone(),
                    r[1].clone(),
                    r[0].clone(),
                ]
            })
            .collect(),
        ..sheet
    };
    let cs = diff_of(&reordered, &base);
    assert!(cs.inserts.is_empty() && cs.updates.is_empty() && cs.deletes.is_empty());
}

#[test]
fn sorting_the_rows_changes_nothing() {
    let (mut sheet, base) = three_rows();
    sheet.rows.reverse();
    let cs = diff_of(&sheet, &base);
    assert!(cs.inserts.is_empty() && cs.updates.is_empty() && cs.deletes.is_empty());
}

#[test]
fn changed_cells_are_listed_by_column_with_the_full_row() {
    let (mut sheet, base) = three_rows();
    sheet.rows[1][2] = SheetCell::Number(9.0);
    let cs = diff_of(&sheet, &base);
    assert_eq!(cs.updates.len(), 1);
    assert_eq!(cs.updates[0].changed, vec![2]);
    assert_eq!(cs.updates[0].row.key, Some(key("2")));
    assert_eq!(cs.updates[0].row.values.len(), 4);
    assert_eq!(cs.updates[0].row.sheet_row, 3);
}

#[test]
fn rows_without_a_known_key_are_inserts_and_vanished_keys_are_deletes() {
    let (mut sheet, base) = three_rows();
    sheet.rows.remove(0);
    sheet.rows.push(row(9, "fig", Some(1), "new"));
    let cs = diff_of(&sheet, &base);
    assert_eq!(cs.inserts.len(), 1);
    assert_eq!(cs.inserts[0].key, Some(key("9")));
    assert_eq!(cs.deletes, vec![key("1")]);
}

#[test]
fn blank_rows_are_ignored_and_delete_nothing() {
    let (mut sheet, base) = three_rows();
    sheet.rows.insert(1, vec![SheetCell::Empty; 4]);
    sheet.rows.push(vec![]);
    let cs = diff_of(&sheet, &base);
    assert!(cs.inserts.is_empty() && cs.updates.is_empty() && cs.deletes.is_empty());
    assert!(cs.problems.is_empty());
}

#[test]
fn a_missing_mapped_column_is_reported_and_the_other_columns_still_sync() {
    let (sheet, base) = three_rows();
    let mut without_note = snapshot(
        &["id", "name", "qty"],
        sheet.rows.iter().map(|r| r[..3].to_vec()).collect(),
    );
    without_note.rows[0][1] = SheetCell::Text("green apple".into());
    let cs = diff_of(&without_note, &base);
    assert_eq!(cs.problems.len(), 1);
    assert_eq!(cs.problems[0].kind, ProblemKind::MissingColumn);
    assert_eq!(cs.problems[0].column.as_deref(), Some("note"));
    assert_eq!(cs.updates.len(), 1);
    assert_eq!(cs.updates[0].changed, vec![1]);
}

#[test]
fn a_sheet_without_the_key_column_cannot_be_diffed() {
    let sheet = snapshot(&["name"], vec![vec![SheetCell::Text("x".into())]]);
    let base = Base::default();
    let err = diff(&simple_schema(), &sheet, &base, &ZoneOffsets::utc());
    assert_eq!(err.unwrap_err(), DiffError::MissingKeyColumn("id".into()));
}

#[test]
fn columns_the_database_owns_are_never_pushed() {
    let mut input = synced(vec![row(1, "apple", Some(3), "x")]);
    input.schema.columns[3].generated = true;
    // Typed over in a synced row alone, with another cell of that row, and in a new row.
    input.sheet.rows[0][3] = SheetCell::Text("typed over".into());
    let cs = diff(
        &input.schema,
        &input.sheet,
        input.base.as_ref().unwrap(),
        &ZoneOffsets::utc(),
    )
    .unwrap();
    assert!(cs.updates.is_empty());
    input.sheet.rows[0][1] = SheetCell::Text("pear".into());
    input.sheet.rows.push(row(2, "plum", Some(7), "typed too"));
    let plan = sheetsync_core::plan::plan_sync(&input).unwrap();
    assert_eq!(plan.push.len(), 2, "{:?}", plan.push);
    for p in &plan.push {
        let cells = match &p.change {
            PushOp::Update { cells, .. } | PushOp::Insert { cells } => cells,
            PushOp::Delete { .. } => panic!("nothing was deleted: {p:?}"),
        };
        assert!(!cells.contains_key("note"), "{cells:?}");
    }
}

#[test]
fn duplicate_keys_are_reported_with_both_rows_and_nothing_is_pushed_for_them() {
    let (mut sheet, base) = three_rows();
    sheet.rows.push(row(2, "pear again", None, ""));
    sheet.rows[1][1] = SheetCell::Text("edited pear".into());
    let cs = diff_of(&sheet, &base);
    let dup: Vec<_> = cs
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::DuplicateKey)
        .collect();
    assert_eq!(dup.len(), 1);
    assert_eq!(
        (dup[0].other_sheet_row, dup[0].sheet_row),
        (Some(3), Some(5))
    );
    assert!(
        dup[0].message.contains("rows 3 and 5"),
        "{}",
        dup[0].message
    );
    assert!(cs.updates.is_empty() && cs.deletes.is_empty() && cs.inserts.is_empty());
    assert!(cs.held.contains(&key("2")));
}

#[test]
fn an_edited_key_is_reported_instead_of_a_delete_and_an_insert() {
    let (mut sheet, base) = three_rows();
    sheet.rows[2][0] = SheetCell::Number(33.0);
    let cs = diff_of(&sheet, &base);
    assert!(cs.inserts.is_empty() && cs.deletes.is_empty());
    let p = &cs.problems[0];
    assert_eq!(p.kind, ProblemKind::KeyEdited);
    assert_eq!((p.sheet_row, p.key.clone()), (Some(4), Some(key("3"))));
    assert!(p.message.contains("33"), "{}", p.message);
}

#[test]
fn a_deleted_row_and_a_new_row_with_other_cells_are_a_delete_and_an_insert() {
    let (mut sheet, base) = three_rows();
    sheet.rows[2] = row(33, "quince", Some(1), "");
    let cs = diff_of(&sheet, &base);
    assert_eq!(cs.deletes, vec![key("3")]);
    assert_eq!(cs.inserts.len(), 1);
}

#[test]
fn a_cell_that_does_not_fit_holds_its_row_and_the_other_rows_still_sync() {
    let (mut sheet, base) = three_rows();
    sheet.rows[0][2] = SheetCell::Text("three".into());
    sheet.rows[1][1] = SheetCell::Text("pear!".into());
    let cs = diff_of(&sheet, &base);
    assert_eq!(cs.problems.len(), 1);
    let p = &cs.problems[0];
    assert_eq!(
        (p.kind, p.sheet_row, p.column.as_deref()),
        (ProblemKind::BadCell, Some(2), Some("qty"))
    );
    assert!(
        p.message.contains("\"three\" is not a whole number"),
        "{}",
        p.message
    );
    assert_eq!(cs.updates.len(), 1);
    assert!(
        cs.deletes.is_empty(),
        "a row with a bad cell is not a deletion"
    );
}
