//! Checking what the server sends before the add-on trusts it: table lists, schemas, pages of
//! rows and changes, push answers, and single values against their column.

use serde_json::Value as Json;
use sheetsync_core::schema::{RowKey, TableSchema};
use sheetsync_core::wire::{ChangeOp, ChangePage, PushResponse, RowPage, TableList};
use wasm_bindgen::prelude::*;

use crate::codec::{from_js, to_js};
use crate::error::{BindingError, Result};

/// Checks a `GET /v1/tables` answer: its shape, and that the server speaks this bundle's
/// protocol. Tables that cannot be synced stay in the list; [`key_column`] says why.
///
/// ```js
/// const list = core.decodeTableList(JSON.parse(response.getContentText()));
/// list.tables.map(t => t.name); // ["customers", "orders"]
/// ```
#[wasm_bindgen(js_name = decodeTableList)]
pub fn decode_table_list(list: JsValue) -> Result<JsValue> {
    let list: TableList = from_js("table list", list)?;
    check_protocol(&list)?;
    Ok(to_js("table list", &list)?)
}

/// Whether a table can be synced, and by which key: `{keyColumn: "id"}`, or `{keyColumn:
/// null, why: "needs a single-column primary key"}`. The one key check every caller shares.
///
/// ```js
/// core.tableKeys(table); // {keyColumn: "id", why: null}
/// ```
#[wasm_bindgen(js_name = tableKeys)]
pub fn table_keys(table: JsValue) -> Result<JsValue> {
    let table: TableSchema = from_js("table", table)?;
    let keys = match table.key_index() {
        Ok(i) => TableKeys {
            key_column: Some(table.columns[i].name.clone()),
            why: None,
        },
        Err(_) => TableKeys {
            key_column: None,
            why: Some("needs a single-column primary key".into()),
        },
    };
    Ok(to_js("table keys", &keys)?)
}

/// The answer of [`table_keys`].
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct TableKeys {
    key_column: Option<String>,
    why: Option<String>,
}

/// Checks one value against a column and answers its canonical wire form (`"12.50"` for
/// `12.5` in a `DECIMAL(8,2)`), or throws the reason it does not fit.
///
/// ```js
/// core.checkCell(table, "price", "12.5"); // "12.50"
/// core.checkCell(table, "qty", "abc");    // throws: column "qty": "abc" is not a whole number
/// ```
#[wasm_bindgen(js_name = checkCell)]
pub fn check_cell(table: JsValue, column: &str, value: JsValue) -> Result<JsValue> {
    let table: TableSchema = from_js("table", table)?;
    let value: Json = from_js("value", value)?;
    Ok(to_js("cell", &canonical_cell(&table, column, &value)?)?)
}

/// Checks a page of rows (`GET .../rows`) against the table: every row has the table's shape
/// and every cell fits its column. Answers the page unchanged.
///
/// ```js
/// const page = core.checkRowPage(table, JSON.parse(body));
/// ```
#[wasm_bindgen(js_name = checkRowPage)]
pub fn check_row_page(table: JsValue, page: JsValue) -> Result<JsValue> {
    let table: TableSchema = from_js("table", table)?;
    let page: RowPage = from_js("row page", page)?;
    check_rows(
        &table,
        page.rows.iter().map(|r| (&r.key, Some(r.cells.as_slice()))),
    )?;
    Ok(to_js("row page", &page)?)
}

/// Checks a page of the change feed (`GET .../changes`) against the table.
///
/// ```js
/// const page = core.checkChangePage(table, JSON.parse(body));
/// page.changes.length; page.cursor; page.more;
/// ```
#[wasm_bindgen(js_name = checkChangePage)]
pub fn check_change_page(table: JsValue, page: JsValue) -> Result<JsValue> {
    let table: TableSchema = from_js("table", table)?;
    let page: ChangePage = from_js("change page", page)?;
    check_rows(
        &table,
        page.changes.iter().map(|c| match &c.op {
            ChangeOp::Upsert { cells } => (&c.key, Some(cells.as_slice())),
            ChangeOp::Delete | ChangeOp::Unreadable { .. } => (&c.key, None),
        }),
    )?;
    Ok(to_js("change page", &page)?)
}

/// Checks the shape of a push answer and that it answers the batch that was sent.
///
/// ```js
/// const answer = core.checkPushResponse(batchId, 3, JSON.parse(body));
/// ```
#[wasm_bindgen(js_name = checkPushResponse)]
pub fn check_push_response(batch_id: &str, sent: u32, response: JsValue) -> Result<JsValue> {
    let response: PushResponse = from_js("push response", response)?;
    check_push_answer(batch_id, sent as usize, &response)?;
    Ok(to_js("push response", &response)?)
}

/// Refuses a table list from a server that speaks another protocol version.
pub fn check_protocol(list: &TableList) -> std::result::Result<(), BindingError> {
    let ours = sheetsync_core::wire::PROTOCOL_VERSION;
    if list.protocol != ours {
        return Err(BindingError::new(
            "table list",
            format!(
                "the server speaks protocol {} and this add-on speaks {ours}; update the older one",
                list.protocol
            ),
        ));
    }
    Ok(())
}

/// The key column's name, or why there is none to sync by.
pub fn key_column_of(table: &TableSchema) -> std::result::Result<String, BindingError> {
    table
        .key_index()
        .map(|i| table.columns[i].name.clone())
        .map_err(|e| BindingError::new(format!("table {:?}", table.name), e))
}

/// The canonical wire form of `value` in `column`, or why it does not fit.
pub fn canonical_cell(
    table: &TableSchema,
    column: &str,
    value: &Json,
) -> std::result::Result<Json, BindingError> {
    let (_, col) = table.column(column).ok_or_else(|| {
        BindingError::new(
            format!("table {:?}", table.name),
            format!("there is no column {column:?}"),
        )
    })?;
    col.decode(value)
        .map(|v| v.to_wire())
        .map_err(|e| BindingError::new(format!("table {:?}", table.name), e))
}

/// Checks that each keyed row (or deletion, `None`) fits the table.
pub fn check_rows<'a>(
    table: &TableSchema,
    rows: impl IntoIterator<Item = (&'a RowKey, Option<&'a [Json]>)>,
) -> std::result::Result<(), BindingError> {
    for (i, (key, cells)) in rows.into_iter().enumerate() {
        if let Some(cells) = cells {
            table.decode_row(cells).map_err(|e| {
                BindingError::new(format!("row {i} (key {key}) of table {:?}", table.name), e)
            })?;
        }
    }
    Ok(())
}

/// Checks that a push answer belongs to the batch sent and has one result per change.
pub fn check_push_answer(
    batch_id: &str,
    sent: usize,
    response: &PushResponse,
) -> std::result::Result<(), BindingError> {
    if response.batch_id != batch_id {
        return Err(BindingError::new(
            "push response",
            format!(
                "it answers batch {:?}, but batch {batch_id:?} was sent",
                response.batch_id
            ),
        ));
    }
    if response.results.len() != sent {
        return Err(BindingError::new(
            "push response",
            format!(
                "it has {} results for {sent} changes",
                response.results.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table() -> TableSchema {
        serde_json::from_value(json!({
            "name": "items",
            "writable": true,
            "columns": [
                {"name": "id", "sql_type": {"kind": "int", "bits": 32, "unsigned": false},
                 "nullable": false, "primary_key": true, "generated": true},
                {"name": "price", "sql_type": {"kind": "decimal", "precision": 8, "scale": 2},
                 "nullable": true}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn a_cell_is_answered_in_its_canonical_wire_form() {
        assert_eq!(
            canonical_cell(&table(), "price", &json!("12.5")).unwrap(),
            json!("12.50")
        );
    }

    #[test]
    fn a_cell_that_does_not_fit_names_the_table_and_the_column() {
        let err = canonical_cell(&table(), "price", &json!("cheap")).unwrap_err();
        assert_eq!(err.at, "table \"items\"");
        assert!(err.problem.starts_with("column \"price\":"), "{err}");
    }

    #[test]
    fn an_unknown_column_is_an_error_not_a_panic() {
        let err = canonical_cell(&table(), "colour", &json!(1)).unwrap_err();
        assert_eq!(err.problem, "there is no column \"colour\"");
    }

    #[test]
    fn a_table_without_a_key_says_why_it_cannot_be_synced() {
        let mut t = table();
        t.columns[0].primary_key = false;
        assert!(key_column_of(&t)
            .unwrap_err()
            .problem
            .contains("single-column primary key"));
        assert_eq!(key_column_of(&table()).unwrap(), "id");
    }

    #[test]
    fn a_row_of_the_wrong_shape_is_reported_with_its_key() {
        let key = RowKey("7".into());
        let cells = [json!(7)];
        let err = check_rows(&table(), [(&key, Some(&cells[..]))]).unwrap_err();
        assert_eq!(err.at, "row 0 (key 7) of table \"items\"");
    }

    #[test]
    fn a_table_list_from_another_protocol_is_refused() {
        let list = TableList {
            protocol: 99,
            tables: vec![],
        };
        assert!(check_protocol(&list).unwrap_err().problem.contains("99"));
    }

    #[test]
    fn a_push_answer_for_another_batch_is_refused() {
        let response = PushResponse {
            batch_id: "b2".into(),
            results: vec![],
            replayed: false,
        };
        assert!(check_push_answer("b1", 0, &response).is_err());
        assert!(check_push_answer("b2", 1, &response).is_err());
        assert!(check_push_answer("b2", 0, &response).is_ok());
    }
}
