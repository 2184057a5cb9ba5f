//! The bindings for placing new rows' assigned keys (`sheetsync_core::identity`): the sheet
//! row each key goes to when a batch's answer is read (the record and its marks come with the
//! batch's record, `recordBatch`).

use sheetsync_core::identity::{MarksNow, PendingNewRows};
use sheetsync_core::plan::{SyncInput, SyncPlan};
use sheetsync_core::round::InFlightBatch;
use sheetsync_core::wire::PushResponse;
use wasm_bindgen::prelude::*;

use crate::codec::{from_js, to_js};
use crate::error::{BindingError, Result};

/// Where each applied new row's key goes, in the sheet as it is now (`now.sheet`: the whole
/// sheet or the rows around the marks), given where the marks are now. Pass the places to
/// `readAnswer`.
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

/// Where the write-back of each applied update of a recorded batch (`recordBatch`) goes when
/// the batch is sent again by a later execution: the only row of `now.sheet` (the whole
/// sheet, as it is now) holding the row's key, else nowhere. Pass the places to `readAnswer`
/// with the new rows' places.
///
/// ```js
/// const keyed = core.placeKeyedRows(now, batch, response);  // [{index: 2, key: '7', sheetRow: 9}]
/// ```
#[wasm_bindgen(js_name = placeKeyedRows)]
pub fn place_keyed_rows(now: JsValue, batch: JsValue, response: JsValue) -> Result<JsValue> {
    let now: SyncInput = from_js("placeKeyedRows sheet", now)?;
    let batch: InFlightBatch = from_js("placeKeyedRows batch", batch)?;
    let plan = SyncPlan {
        push: batch.push,
        ..SyncPlan::default()
    };
    let response: PushResponse = from_js("placeKeyedRows response", response)?;
    let places = sheetsync_core::identity::place_keyed_rows(&now, &plan, &response)
        .map_err(|e| BindingError::new("placeKeyedRows", e))?;
    Ok(to_js("keyed row places", &places)?)
}
