//! The sync planner's bindings. The core's planner decides everything; these functions only
//! carry its input and output across: as objects, as JSON text (one string crosses instead of
//! one boundary call per cell), or with the sheet's rows as flat arrays, which is how the
//! bundle's loader sends every `planSync` call (see [`crate::rows`]).

use sheetsync_core::plan::{SyncInput, SyncPlan};
use wasm_bindgen::prelude::*;

use crate::codec::{from_js, from_json_text, to_js, to_json_text};
use crate::error::{BindingError, Result};
use crate::rows::{decode_base, pack_rows, FlatBase, FlatRows};

/// Plans one sync step: what to push, what to write into the sheet, which base rows change,
/// which conflicts are held and which rows need fixing. The input and the plan have the
/// shapes of the core's `SyncInput` and `SyncPlan` (camelCase fields; the protocol's own
/// types inside keep their snake_case). The bundle's loader answers `planSync` through
/// [`plan_sync_staged`] and comes here only for rows the flat arrays cannot describe.
///
/// ```js
/// const plan = core.planSync({
///   schema: table, timeZone: 'Europe/Paris', zoneOffsets: zoneOffsets_('Europe/Paris'),
///   nowMs: Date.now(),
///   sheet: { headers: ['id', 'name'], rows: [[1, 'Ada'], ['', 'Grace']], firstRow: 2 },
///   base: null, databaseRows: page.rows, policies: { default: 'database-wins' },
/// });
/// plan.push.map(p => p.change);   // [{op: 'insert', cells: {name: 'Grace'}}]
/// plan.sheetEdits.appends;        // rows only the database had
/// ```
#[wasm_bindgen(js_name = planSync)]
pub fn plan_sync(input: JsValue) -> Result<JsValue> {
    let input: SyncInput = from_js("planSync input", input)?;
    Ok(to_js("plan", &plan(&input)?)?)
}

/// [`plan_sync`] with JSON text in and out, for sheets large enough that one string beats
/// millions of boundary calls.
///
/// ```js
/// const plan = JSON.parse(core.planSyncJson(JSON.stringify(input)));
/// ```
#[wasm_bindgen(js_name = planSyncJson)]
pub fn plan_sync_json(input: &str) -> Result<String> {
    let input: SyncInput = from_json_text("planSync input", input)?;
    Ok(to_json_text("plan", &plan(&input)?)?)
}

/// [`plan_sync`] for a large sheet: the input as JSON text with `sheet.rows` (and, when
/// `base_given`, `base`) left out, and the rows and base as flat arrays (see [`crate::rows`])
/// that the loader wrote into the module's memory (see [`crate::stage`]): of the staged rows,
/// `numbers` numbers, `text_bytes` bytes of text and `texts` texts are used; of the staged
/// base, when `base_given`, `base_text_bytes` bytes. The planner reads the rows where they were
/// staged; the base's arrays are released before planning.
#[wasm_bindgen(js_name = planSyncStaged)]
pub fn plan_sync_staged(
    input: &str,
    numbers: u32,
    text_bytes: u32,
    texts: u32,
    base_given: bool,
    base_text_bytes: u32,
) -> Result<String> {
    let input = staged_input(
        "planSync input",
        input,
        numbers,
        text_bytes,
        texts,
        base_given,
        base_text_bytes,
    )?;
    Ok(to_json_text("plan", &plan(&input)?)?)
}

/// The planner input from its JSON text, its sheet's flat rows and, when given, its flat base
/// (the JSON text then has no base); errors are named `what` (the call's input).
pub fn input_with_rows(
    what: &str,
    input: &str,
    flat: FlatRows,
    base: Option<&FlatBase<'_>>,
) -> std::result::Result<SyncInput, BindingError> {
    // The room for planning was made when the rows were staged (`crate::heap`).
    let mut input: SyncInput =
        serde_json::from_str(input).map_err(|e| BindingError::new(what, e))?;
    if !input.sheet.rows.is_empty() {
        return Err(BindingError::new(
            what,
            "sheet.rows must be empty when the rows come as arrays",
        ));
    }
    if let Some(base) = base {
        if input.base.is_some() {
            return Err(BindingError::new(
                what,
                "the base came both as JSON and as arrays",
            ));
        }
        input.base = Some(decode_base(base)?);
    }
    input.sheet.packed = Some(pack_rows(flat)?);
    Ok(input)
}

/// The planner input from its JSON text and what the loader staged, taken out of the stage.
pub fn staged_input(
    what: &str,
    input: &str,
    numbers: u32,
    text_bytes: u32,
    texts: u32,
    base_given: bool,
    base_text_bytes: u32,
) -> std::result::Result<SyncInput, BindingError> {
    let mut stage = crate::stage::take();
    let flat = stage.rows(numbers, text_bytes, texts)?;
    let base = match base_given {
        true => Some(stage.base(base_text_bytes)?),
        false => None,
    };
    input_with_rows(what, input, flat, base.as_ref())
}

/// Plans with the core, naming the step in the error.
pub fn plan(input: &SyncInput) -> std::result::Result<SyncPlan, BindingError> {
    sheetsync_core::plan::plan_sync(input).map_err(|e| BindingError::new("planSync", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // The staged planner's steps over arrays given directly.
    #[allow(clippy::too_many_arguments)] // one argument per flat array, as the loader stages them
    fn plan_sync_rows(
        input: &str,
        widths: &[u32],
        kinds: &[u8],
        numbers: &[f64],
        text: &[u8],
        text_lengths: &[u32],
        base_given: bool,
        base_versions: &[f64],
        base_text: &[u8],
        base_lengths: &[u32],
    ) -> Result<String> {
        let flat = FlatRows {
            widths: widths.to_vec(),
            kinds: kinds.to_vec(),
            numbers: numbers.to_vec(),
            text: text.to_vec(),
            text_lengths: text_lengths.to_vec(),
        };
        let base = base_given.then_some(FlatBase {
            versions: base_versions,
            text: base_text,
            lengths: base_lengths,
        });
        Ok(to_json_text(
            "plan",
            &plan(&input_with_rows(
                "planSync input",
                input,
                flat,
                base.as_ref(),
            )?)?,
        )?)
    }

    fn input() -> serde_json::Value {
        json!({
            "schema": {
                "name": "people",
                "writable": true,
                "columns": [
                    {"name": "id", "sql_type": {"kind": "int", "bits": 32, "unsigned": false},
                     "nullable": false, "primary_key": true, "generated": true},
                    {"name": "name", "sql_type": {"kind": "text", "max_chars": null},
                     "nullable": true}
                ]
            },
            "timeZone": "Europe/Paris",
            "zoneOffsets": [[-3_786_825_600_000_i64, 561], [1_711_846_800_000_i64, 7200]],
            "sheet": {"headers": ["id", "name"], "rows": [["", "Grace"]], "firstRow": 2},
            "base": {},
            "nowMs": 1_700_000_000_000_i64
        })
    }

    #[test]
    fn a_new_sheet_row_is_planned_as_an_insert_through_the_json_path() {
        let plan = plan_sync_json(&input().to_string()).unwrap();
        let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
        assert_eq!(plan["push"][0]["change"]["op"], "insert");
        assert_eq!(plan["push"][0]["sheetRow"], 2);
    }

    #[test]
    fn flat_rows_plan_exactly_as_the_json_rows_do() {
        let mut full = input();
        full["sheet"]["rows"] = json!([["", "Grace"], [7, "Ada"], [8, ""]]);
        full["base"] = json!(null);
        let by_json = plan_sync_json(&full.to_string()).unwrap();
        let mut rest = full.clone();
        rest["sheet"]["rows"] = json!([]);
        use crate::rows::{EMPTY, NUMBER, TEXT};
        let by_rows = plan_sync_rows(
            &rest.to_string(),
            &[2, 2, 2],
            &[EMPTY, TEXT, NUMBER, TEXT, NUMBER, EMPTY],
            &[7.0, 8.0],
            b"GraceAda",
            &[5, 3],
            false,
            &[],
            b"",
            &[],
        )
        .unwrap();
        assert_eq!(by_rows, by_json);

        // With a base: row 7 was synced with other cells, row 9 vanished from the sheet.
        let hashes = sheetsync_core::base::BaseRow::new(3, vec![1, 2]).encode_hashes();
        full["base"] = json!({"7": [3, hashes], "9": [4, hashes]});
        let by_json = plan_sync_json(&full.to_string()).unwrap();
        rest["base"] = serde_json::Value::Null;
        let rest = rest
            .to_string()
            .replace(",\"base\":null", "")
            .replace("\"base\":null,", "");
        let base_text = format!("7{hashes}9{hashes}");
        let n = hashes.len() as u32;
        let by_rows = plan_sync_rows(
            &rest,
            &[2, 2, 2],
            &[EMPTY, TEXT, NUMBER, TEXT, NUMBER, EMPTY],
            &[7.0, 8.0],
            b"GraceAda",
            &[5, 3],
            true,
            &[3.0, 4.0],
            base_text.as_bytes(),
            &[1, n, 1, n],
        )
        .unwrap();
        assert_eq!(by_rows, by_json);
        assert!(by_json.contains("\"delete\""), "{by_json}");

        let empty = || FlatRows {
            widths: Vec::new(),
            kinds: Vec::new(),
            numbers: Vec::new(),
            text: Vec::new(),
            text_lengths: Vec::new(),
        };
        let err = input_with_rows("planSync input", &full.to_string(), empty(), None).unwrap_err();
        assert!(err.problem.contains("must be empty"), "{err}");
        full["sheet"]["rows"] = json!([]);
        let base = FlatBase {
            versions: &[],
            text: b"",
            lengths: &[],
        };
        let err =
            input_with_rows("planSync input", &full.to_string(), empty(), Some(&base)).unwrap_err();
        assert!(err.problem.contains("both as JSON and as arrays"), "{err}");
    }

    #[test]
    fn a_malformed_zone_table_is_an_error_naming_the_step_and_the_entry() {
        let mut bad = input();
        bad["timeZone"] = json!("Mars/Olympus");
        bad["zoneOffsets"] = json!([[0, 0], [0, 3600]]);
        let input: SyncInput = serde_json::from_value(bad).unwrap();
        let err = plan(&input).unwrap_err();
        assert_eq!(err.at, "planSync");
        assert!(err.problem.contains("Mars/Olympus"), "{err}");
        assert!(err.problem.contains("zoneOffsets[1]"), "{err}");
    }

    #[test]
    fn an_input_without_a_zone_table_is_refused_naming_the_field() {
        let mut bad = input();
        bad.as_object_mut().unwrap().remove("zoneOffsets");
        let err = from_json_text::<SyncInput>("planSync input", &bad.to_string()).unwrap_err();
        assert!(err.problem.contains("zoneOffsets"), "{err}");
    }

    #[test]
    fn malformed_json_text_is_refused_with_where_it_broke() {
        let err = from_json_text::<SyncInput>("planSync input", "{\"schema\": 1}").unwrap_err();
        assert_eq!(err.at, "planSync input");
        assert!(err.problem.contains("line 1"), "{err}");
    }
}
