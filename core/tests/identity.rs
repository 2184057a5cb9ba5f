//! Where a new row's assigned key goes when the answer is read after the sheet changed: each
//! placement rule of `identity::place_new_rows`, and each case where the key goes nowhere.
//!
//! The table is `1 apple, 2 pear, 3 plum` with a database-assigned key; the person adds
//! `kiwi` below and the database stores it as key 4.

mod common;

use std::collections::BTreeMap;

use serde_json::json;
use sheetsync_core::identity::{
    new_rows_of, place_new_rows, MarksNow, NewRowPlace, PendingNewRows,
};
use sheetsync_core::plan::{plan_sync, SyncInput, SyncPlan};
use sheetsync_core::problem::ProblemKind;
use sheetsync_core::push_outcome::{apply_placed_push_results, PushOutcome};
use sheetsync_core::schema::RowKey;
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::wire::{PushResponse, PushResult};

use common::{fruit, row};

fn new_row(name: &str, qty: Option<i64>) -> Vec<SheetCell> {
    let mut r = row(0, name, qty, "");
    r[0] = SheetCell::Empty;
    r
}

/// The fruit table with an auto-increment key, and the new rows typed below it.
fn typed(new_rows: &[(&str, Option<i64>)]) -> SyncInput {
    let mut input = fruit();
    input.schema.columns[0].generated = true;
    for (name, qty) in new_rows {
        input.sheet.rows.push(new_row(name, *qty));
    }
    input
}

/// The batch as sent, its record and the answer: new rows get keys 4, 5, … in push order.
fn pushed(input: &SyncInput) -> (SyncPlan, PendingNewRows, PushResponse) {
    let plan = plan_sync(input).unwrap();
    assert!(!plan.push.is_empty(), "the new rows are pushed");
    let pending = new_rows_of(input, &plan, "b1").unwrap();
    let results = plan
        .push
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let sheetsync_core::wire::PushOp::Insert { cells } = &p.change else {
                panic!("only inserts here");
            };
            let id = 4 + i as i64;
            PushResult::Applied {
                key: RowKey(id.to_string()),
                version: id,
                row: Some(vec![
                    json!(id),
                    cells.get("name").cloned().unwrap_or(json!(null)),
                    cells.get("qty").cloned().unwrap_or(json!(null)),
                    cells.get("note").cloned().unwrap_or(json!(null)),
                ]),
            }
        })
        .collect();
    let response = PushResponse {
        batch_id: "b1".into(),
        results,
        replayed: true,
    };
    (plan, pending, response)
}

/// The sheet now, with rows `rows`, and its marks at `marks`.
fn now(input: &SyncInput, rows: Vec<Vec<SheetCell>>) -> SyncInput {
    let mut now = input.clone();
    now.sheet.rows = rows;
    now
}

fn marks(at: &[(&str, u32)], whole_sheet: bool) -> MarksNow {
    MarksNow {
        rows: at
            .iter()
            .map(|(m, r)| (m.to_string(), *r))
            .collect::<BTreeMap<_, _>>(),
        whole_sheet,
    }
}

fn rows_of(places: &[NewRowPlace]) -> Vec<(String, Option<u32>)> {
    places
        .iter()
        .map(|p| (p.key.0.clone(), p.sheet_row))
        .collect()
}

fn apply(
    input: &SyncInput,
    plan: &SyncPlan,
    response: &PushResponse,
    places: &[NewRowPlace],
) -> PushOutcome {
    apply_placed_push_results(input, plan, response, places).unwrap()
}

#[test]
fn one_mark_per_run_of_neighbouring_new_rows_at_the_row_they_were_sent_from() {
    let mut input = typed(&[("kiwi", Some(1)), ("fig", Some(2))]);
    input.sheet.rows.push(vec![SheetCell::Empty; 4]);
    input.sheet.rows.push(new_row("lime", None));
    let (_, pending, _) = pushed(&input);
    let marks: Vec<(String, u32)> = pending
        .marks
        .iter()
        .map(|m| (m.marker.clone(), m.sheet_row))
        .collect();
    assert_eq!(
        marks,
        vec![("b1/0".to_string(), 5), ("b1/2".to_string(), 8)]
    );
    let rows: Vec<(&str, u32)> = pending
        .rows
        .iter()
        .map(|r| (r.marker.as_str(), r.offset))
        .collect();
    assert_eq!(rows, vec![("b1/0", 0), ("b1/0", 1), ("b1/2", 0)]);
    assert_eq!(
        pending.compared,
        vec![1, 2, 3],
        "every mapped column but the key"
    );
}

#[test]
fn rows_inserted_above_the_key_goes_to_the_marked_row() {
    let input = typed(&[("kiwi", Some(1))]);
    let (plan, pending, response) = pushed(&input);
    // A blank row inserted at row 2: kiwi is now row 6, plum row 5.
    let mut rows = input.sheet.rows.clone();
    rows.insert(0, vec![]);
    let sheet = now(&input, rows);
    let places =
        place_new_rows(&sheet, &pending, &marks(&[("b1/0", 6)], false), &response).unwrap();
    assert_eq!(rows_of(&places), vec![("4".to_string(), Some(6))]);
    let outcome = apply(&input, &plan, &response, &places);
    let run = &outcome.writes[0];
    assert_eq!(
        (run.row, run.column, run.values.clone()),
        (6, 1, vec![SheetCell::Number(4.0)])
    );
    assert!(outcome.base_updates.contains_key(&RowKey("4".into())));
}

#[test]
fn rows_deleted_above_the_key_goes_to_the_marked_row() {
    let input = typed(&[("kiwi", Some(1))]);
    let (_, pending, response) = pushed(&input);
    let mut rows = input.sheet.rows.clone();
    rows.remove(0); // apple deleted: kiwi is row 4
    let sheet = now(&input, rows);
    let places =
        place_new_rows(&sheet, &pending, &marks(&[("b1/0", 4)], false), &response).unwrap();
    assert_eq!(rows_of(&places), vec![("4".to_string(), Some(4))]);
}

#[test]
fn a_marked_row_that_already_holds_its_key_and_the_stored_values_is_still_the_row() {
    // A write-back began before the execution was killed: the key and a stored value are in.
    let input = typed(&[("kiwi", None)]);
    let (_, pending, mut response) = pushed(&input);
    if let PushResult::Applied {
        row: Some(cells), ..
    } = &mut response.results[0]
    {
        cells[2] = json!(0); // the database's default
    }
    let mut rows = input.sheet.rows.clone();
    rows[3] = row(4, "kiwi", Some(0), "");
    let sheet = now(&input, rows);
    let places =
        place_new_rows(&sheet, &pending, &marks(&[("b1/0", 5)], false), &response).unwrap();
    assert_eq!(rows_of(&places), vec![("4".to_string(), Some(5))]);
}

#[test]
fn sorted_the_mark_stays_behind_and_the_only_keyless_row_with_the_pushed_content_is_found() {
    let input = typed(&[("kiwi", Some(1))]);
    let (plan, pending, response) = pushed(&input);
    // Sorted by name: apple, kiwi, pear, plum. The mark stays on row 5, now plum's.
    let mut rows = input.sheet.rows.clone();
    rows.sort_by_key(|r| format!("{:?}", r[1]));
    let sheet = now(&input, rows);
    let part = place_new_rows(&sheet, &pending, &marks(&[("b1/0", 5)], false), &response).unwrap();
    assert_eq!(
        rows_of(&part),
        vec![("4".to_string(), None)],
        "not without the whole sheet"
    );
    let places = place_new_rows(&sheet, &pending, &marks(&[("b1/0", 5)], true), &response).unwrap();
    assert_eq!(rows_of(&places), vec![("4".to_string(), Some(3))]);
    let outcome = apply(&input, &plan, &response, &places);
    assert_eq!(
        outcome.writes[0].row, 3,
        "written on kiwi's row, not on plum's"
    );
}

#[test]
fn with_its_mark_gone_the_only_row_holding_the_key_is_the_row() {
    let input = typed(&[("kiwi", Some(1))]);
    let (_, pending, response) = pushed(&input);
    let mut rows = input.sheet.rows.clone();
    rows[3] = row(4, "kiwi", Some(1), "");
    rows.swap(0, 3);
    let sheet = now(&input, rows);
    let places = place_new_rows(&sheet, &pending, &marks(&[], true), &response).unwrap();
    assert_eq!(rows_of(&places), vec![("4".to_string(), Some(2))]);
}

#[test]
fn rows_split_inside_a_run_each_row_is_still_found() {
    let input = typed(&[("kiwi", Some(1)), ("fig", Some(2))]);
    let (_, pending, response) = pushed(&input);
    let mut rows = input.sheet.rows.clone();
    rows.insert(4, vec![]); // a blank row between kiwi (row 5) and fig (now row 7)
    let sheet = now(&input, rows);
    let places = place_new_rows(&sheet, &pending, &marks(&[("b1/0", 5)], true), &response).unwrap();
    assert_eq!(
        rows_of(&places),
        vec![("4".to_string(), Some(5)), ("5".to_string(), Some(7))]
    );
}

#[test]
fn a_row_changed_since_the_push_is_not_taken_and_the_key_goes_nowhere() {
    let input = typed(&[("kiwi", Some(1))]);
    let (plan, pending, response) = pushed(&input);
    let mut rows = input.sheet.rows.clone();
    rows[3] = new_row("kiwis", Some(1));
    let sheet = now(&input, rows);
    let places = place_new_rows(&sheet, &pending, &marks(&[("b1/0", 5)], true), &response).unwrap();
    assert_eq!(rows_of(&places), vec![("4".to_string(), None)]);
    let outcome = apply(&input, &plan, &response, &places);
    assert!(outcome.writes.is_empty(), "nothing is written");
    assert!(
        outcome.base_updates.is_empty(),
        "no base entry, so no row is taken for a deletion"
    );
    let p = &outcome.problems[0];
    assert_eq!(
        (p.kind, p.key.clone()),
        (ProblemKind::NewRowNotPlaced, Some(RowKey("4".into())))
    );
    assert!(
        p.message.contains("name \"kiwi\"") && p.message.contains("key 4"),
        "{}",
        p.message
    );
}

#[test]
fn a_marked_row_holding_another_key_is_not_taken() {
    let input = typed(&[("kiwi", Some(1))]);
    let (_, pending, response) = pushed(&input);
    let mut rows = input.sheet.rows.clone();
    rows[3] = row(3, "kiwi", Some(1), "");
    rows.remove(2);
    let sheet = now(&input, rows);
    let places = place_new_rows(&sheet, &pending, &marks(&[("b1/0", 4)], true), &response).unwrap();
    assert_eq!(rows_of(&places), vec![("4".to_string(), None)]);
}

#[test]
fn two_keyless_rows_with_the_pushed_content_are_ambiguous_and_the_key_goes_nowhere() {
    let input = typed(&[("kiwi", Some(1))]);
    let (_, pending, response) = pushed(&input);
    let mut rows = input.sheet.rows.clone();
    rows.insert(0, new_row("kiwi", Some(1)));
    // The mark's row was deleted: only the content is left to go by.
    rows.remove(4);
    rows.push(new_row("kiwi", Some(1)));
    let sheet = now(&input, rows);
    let places = place_new_rows(&sheet, &pending, &marks(&[], true), &response).unwrap();
    assert_eq!(rows_of(&places), vec![("4".to_string(), None)]);
}

#[test]
fn a_new_row_without_a_place_is_written_nowhere() {
    let input = typed(&[("kiwi", Some(1))]);
    let (plan, _, response) = pushed(&input);
    let outcome = apply(&input, &plan, &response, &[]);
    assert!(outcome.writes.is_empty());
    assert!(outcome.base_updates.is_empty());
    assert_eq!(outcome.problems[0].kind, ProblemKind::NewRowNotPlaced);
}

#[test]
fn a_replayed_update_is_written_back_on_the_row_holding_its_key_or_nowhere() {
    use sheetsync_core::identity::place_keyed_rows;
    let mut input = fruit();
    input.sheet.rows[2][2] = SheetCell::Number(8.0); // plum's qty edited
    let plan = plan_sync(&input).unwrap();
    // The database stored what it was given and a note of its own (a trigger, say).
    let response = PushResponse {
        batch_id: "b1".into(),
        results: vec![PushResult::Applied {
            key: RowKey("3".into()),
            version: 2,
            row: Some(vec![json!(3), json!("plum"), json!(8), json!("checked")]),
        }],
        replayed: true,
    };
    // A row inserted above before the answer is read: plum is row 5 now, row 4 is pear.
    let mut rows = input.sheet.rows.clone();
    rows.insert(0, vec![]);
    let sheet = now(&input, rows.clone());
    let places = place_keyed_rows(&sheet, &plan, &response).unwrap();
    assert_eq!(rows_of(&places), vec![("3".to_string(), Some(5))]);
    let outcome = apply(&input, &plan, &response, &places);
    let written: Vec<(u32, u32)> = outcome.writes.iter().map(|w| (w.row, w.column)).collect();
    assert_eq!(
        written,
        vec![(5, 4)],
        "the note lands on plum's row, not on pear's"
    );

    // Two rows holding the key: written nowhere, the base still records what was stored.
    rows.push(row(3, "plum", Some(8), ""));
    let sheet = now(&input, rows);
    let places = place_keyed_rows(&sheet, &plan, &response).unwrap();
    assert_eq!(rows_of(&places), vec![("3".to_string(), None)]);
    let outcome = apply(&input, &plan, &response, &places);
    assert!(outcome.writes.is_empty());
    assert!(outcome.base_updates.contains_key(&RowKey("3".into())));
}

#[test]
fn a_row_pushed_with_a_key_the_database_no_longer_has_is_found_holding_that_key() {
    // A row brought back under a new key (its old key 9 is gone from the database): its key
    // cell holds 9 until the new key is written over it.
    let mut input = typed(&[]);
    input.sheet.rows.push(row(9, "kiwi", Some(1), ""));
    let (plan, pending, response) = pushed(&input);
    assert_eq!(pending.rows[0].pushed_key, Some(RowKey("9".into())));
    let mut rows = input.sheet.rows.clone();
    rows.insert(0, vec![]);
    let sheet = now(&input, rows.clone());
    let places =
        place_new_rows(&sheet, &pending, &marks(&[("b1/0", 6)], false), &response).unwrap();
    assert_eq!(rows_of(&places), vec![("4".to_string(), Some(6))]);
    let outcome = apply(&input, &plan, &response, &places);
    assert_eq!(
        (outcome.writes[0].row, outcome.writes[0].values.clone()),
        (6, vec![SheetCell::Number(4.0)])
    );

    // Sorted away from its mark, it is found by its old key and content.
    rows.sort_by_key(|r| format!("{:?}", r.get(1)));
    let at = rows
        .iter()
        .position(|r| r.get(1) == Some(&SheetCell::Text("kiwi".into())))
        .unwrap() as u32
        + 2;
    let sheet = now(&input, rows);
    let places = place_new_rows(&sheet, &pending, &marks(&[("b1/0", 6)], true), &response).unwrap();
    assert_eq!(rows_of(&places), vec![("4".to_string(), Some(at))]);
}
