//! The bindings for placing new rows' assigned keys (`sheetsync_core::identity`): what to
//! record and mark when a batch with new rows is sent, and where each key goes when its
//! answer is read.

use sheetsync_core::identity::{MarksNow, PendingNewRows};
use sheetsync_core::plan::{SyncInput, SyncPlan};
use sheetsync_core::wire::PushResponse;
use wasm_bindgen::prelude::*;

use crate::codec::{from_js, to_js};
use crate::error::{BindingError, Result};

/// Records the new rows of the batch `plan.push` (made from `input`) before it is sent: the
/// marks to attach to sheet rows and each row's pushed content. Keep the record with the
/// batch until its answer is applied.
///
/// ```js
/// const record = core.newRowsOf(input, batchPlan, batchId);
/// record.marks;  // [{marker: 'b-7f3a/0', sheetRow: 5}]: attach each to its row
/// ```
#[wasm_bindgen(js_name = newRowsOf)]
pub fn new_rows_of(input: JsValue, plan: JsValue, batch_id: String) -> Result<JsValue> {
    let input: SyncInput = from_js("newRowsOf input", input)?;
    let plan: SyncPlan = from_js("newRowsOf plan", plan)?;
    let record = sheetsync_core::identity::new_rows_of(&input, &plan, &batch_id)
        .map_err(|e| BindingError::new("newRowsOf", e))?;
    Ok(to_js("new rows", &record)?)
}

/// Where each applied new row's key goes, in the sheet as it is now (`now.sheet`: the whole
/// sheet or the rows around the marks), given where the marks are now. Pass the places to
/// `applyPushResults`.
///
/// ```js
/// const places = core.placeNewRows(now, record, { rows: { 'b-7f3a/0': 6 }, wholeSheet: false }, response);
/// places;  // [{index: 0, key: '4', sheetRow: 6}]; sheetRow null: nowhere
/// ```
#[wasm_bindgen(js_name = placeNewRows)]
pub fn place_new_rows(
    now: JsValue,
    record: JsValue,
    marks: JsValue,
    response: JsValue,
) -> Result<JsValue> {
    let now: SyncInput = from_js("placeNewRows sheet", now)?;
    let record: PendingNewRows = from_js("placeNewRows record", record)?;
    let marks: MarksNow = from_js("placeNewRows marks", marks)?;
    let response: PushResponse = from_js("placeNewRows response", response)?;
    let places = sheetsync_core::identity::place_new_rows(&now, &record, &marks, &response)
        .map_err(|e| BindingError::new("placeNewRows", e))?;
    Ok(to_js("new row places", &places)?)
}

/// Where the write-back of each applied update of `plan.push` goes in a batch sent again by a
/// later execution: the only row of `now.sheet` (the whole sheet, as it is now) holding the
/// row's key, else nowhere. Pass the places to `applyPushResults` with the new rows' places.
///
/// ```js
/// const keyed = core.placeKeyedRows(now, plan, response);  // [{index: 2, key: '7', sheetRow: 9}]
/// ```
#[wasm_bindgen(js_name = placeKeyedRows)]
pub fn place_keyed_rows(now: JsValue, plan: JsValue, response: JsValue) -> Result<JsValue> {
    let now: SyncInput = from_js("placeKeyedRows sheet", now)?;
    let plan: SyncPlan = from_js("placeKeyedRows plan", plan)?;
    let response: PushResponse = from_js("placeKeyedRows response", response)?;
    let places = sheetsync_core::identity::place_keyed_rows(&now, &plan, &response)
        .map_err(|e| BindingError::new("placeKeyedRows", e))?;
    Ok(to_js("keyed row places", &places)?)
}
