//! Rows the database adds are appended to the sheet in the table's key order: numeric keys by
//! value (never as text, which would put 10 before 6), other keys in the order the database
//! sent them (its own collation, for the first sync's key-ordered pages).

mod common;

use common::{col, db_upsert, fruit, plan, snapshot};
use serde_json::json;
use sheetsync_core::base::Base;
use sheetsync_core::plan::SyncPlan;
use sheetsync_core::schema::{ColumnSchema, RowKey, TableSchema};
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::value::SqlType;
use sheetsync_core::wire::VersionedRow;

const NEW_KEYS: [i64; 9] = [6, 7, 8, 9, 10, 100, 1000, 10000, 1001];
const IN_KEY_ORDER: [i64; 9] = [6, 7, 8, 9, 10, 100, 1000, 1001, 10000];

fn appended_keys(plan: &SyncPlan) -> Vec<SheetCell> {
    plan.sheet_edits
        .appends
        .iter()
        .map(|r| r[0].clone())
        .collect()
}

fn numbers(keys: &[i64]) -> Vec<SheetCell> {
    keys.iter().map(|&k| SheetCell::Number(k as f64)).collect()
}

#[test]
fn rows_from_the_change_feed_are_appended_in_numeric_key_order() {
    let mut input = fruit();
    // Committed in an order that is neither numeric nor textual.
    let mut commit_order = NEW_KEYS;
    commit_order.reverse();
    commit_order.swap(0, 4);
    input.changes = commit_order
        .iter()
        .enumerate()
        .map(|(i, &k)| db_upsert(k, &format!("n{k}"), None, None, 10 + i as i64, 500))
        .collect();
    let plan = plan(&input);
    assert_eq!(appended_keys(&plan), numbers(&IN_KEY_ORDER));
    assert_eq!(plan.summary.rows_added_to_sheet, 9);
}

#[test]
fn a_first_sync_appends_the_snapshot_in_numeric_key_order() {
    let mut input = fruit();
    input.base = None;
    input.sheet.rows.clear();
    // The snapshot in text order, as a client sorting keys as text would have listed it.
    let mut text_order = NEW_KEYS;
    text_order.sort_by_key(|k| k.to_string());
    input.database_rows = text_order
        .iter()
        .map(|&k| VersionedRow {
            key: RowKey(k.to_string()),
            version: k,
            cells: vec![json!(k), json!(format!("n{k}")), json!(null), json!(null)],
        })
        .collect();
    let plan = plan(&input);
    assert_eq!(appended_keys(&plan), numbers(&IN_KEY_ORDER));
}

#[test]
fn decimal_keys_are_appended_by_value() {
    let mut input = fruit();
    input.base = Some(Base::default());
    input.sheet.rows.clear();
    input.schema.columns[0].sql_type = SqlType::Decimal {
        precision: 10,
        scale: 2,
    };
    input.changes = ["10.50", "9.25", "100.00", "-1.50"]
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let mut change = db_upsert(0, "x", None, None, i as i64 + 1, 500);
            change.key = RowKey(k.to_string());
            change.op = sheetsync_core::wire::ChangeOp::Upsert {
                cells: vec![json!(k), json!("x"), json!(null), json!(null)],
            };
            change
        })
        .collect();
    let plan = plan(&input);
    assert_eq!(
        appended_keys(&plan),
        [-1.5, 9.25, 10.5, 100.0].map(SheetCell::Number).to_vec()
    );
}

#[test]
fn text_keys_are_appended_in_the_order_the_database_sent_them() {
    let key = ColumnSchema {
        primary_key: true,
        ..col("code", SqlType::Text { max_chars: None }, false)
    };
    let mut input = fruit();
    input.schema = TableSchema {
        name: "codes".into(),
        writable: true,
        columns: vec![key, col("name", SqlType::Text { max_chars: None }, true)],
    };
    input.sheet = snapshot(&["code", "name"], Vec::new());
    input.base = None;
    // A case-insensitive collation's order; byte order would put "Banana" and "Date" first.
    let db_order = ["apple", "Banana", "cherry", "Date"];
    input.database_rows = db_order
        .iter()
        .enumerate()
        .map(|(i, k)| VersionedRow {
            key: RowKey(k.to_string()),
            version: i as i64 + 1,
            cells: vec![json!(k), json!(null)],
        })
        .collect();
    let plan = plan(&input);
    assert_eq!(
        appended_keys(&plan),
        db_order.map(|k| SheetCell::Text(k.into())).to_vec()
    );
}
