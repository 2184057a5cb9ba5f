//! Putting back a whole row that lost a conflict ([`sheetsync_core::restore`]).

use serde::Deserialize;
use sheetsync_core::restore;
use sheetsync_core::schema::TableSchema;
use sheetsync_core::zone::{ZoneOffsets, ZoneTransition};
use wasm_bindgen::prelude::*;

use crate::codec::{from_js, to_js};
use crate::error::{BindingError, Result};

/// What [`sheet_row_of`] reads: the table, the sheet's header row, its time zone and the
/// kept row (one wire cell per table column).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RowToRestore {
    schema: TableSchema,
    headers: Vec<String>,
    time_zone: String,
    zone_offsets: Vec<ZoneTransition>,
    row: Vec<serde_json::Value>,
}

/// The sheet row that shows a kept whole row under the sheet's headers, cell by cell as the
/// sync appends rows from the database; throws a sentence when it cannot be shown.
///
/// ```js
/// const cells = core.sheetRowOf({schema, headers: ['id', 'name'], timeZone: 'UTC',
///                                zoneOffsets: [[0, 0]], row: [7, 'Ada']}); // [7, 'Ada']
/// ```
#[wasm_bindgen(js_name = sheetRowOf)]
pub fn sheet_row_of(input: JsValue) -> Result<JsValue> {
    let input: RowToRestore = from_js("row to restore", input)?;
    let tz = ZoneOffsets::new(&input.time_zone, &input.zone_offsets)
        .map_err(|e| BindingError::new("zoneOffsets", e))?;
    let cells = restore::sheet_row_of(&input.schema, &input.headers, &tz, &input.row)
        .map_err(|e| BindingError::new("row", e))?;
    Ok(to_js("sheet row", &cells)?)
}
