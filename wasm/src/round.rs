//! The round's bindings: one planned round kept in the module while the add-on asks for what
//! the plan needs (base images, answers to custom conflicts) and sends its batches, so the
//! sheet crosses into the module once per round however often it is planned again; a record
//! per pushed batch; the answer read from that record; and the stored state updated.

use std::collections::{BTreeMap, BTreeSet};

use sheetsync_core::base::{Base, BaseRow};
use sheetsync_core::identity::NewRowPlace;
use sheetsync_core::merge::Conflict;
use sheetsync_core::plan::{PlannedPush, Summary, SyncInput, SyncPlan};
use sheetsync_core::policy::Resolution;
use sheetsync_core::problem::Problem;
use sheetsync_core::round::{keep_page, upgrade_saved_batch, InFlightBatch, SavedBatchV1};
use sheetsync_core::schema::{RowKey, TableSchema};
use sheetsync_core::wire::{PushResponse, VersionedRow};
use sheetsync_core::zone::ZoneTransition;
use wasm_bindgen::prelude::*;

use crate::codec::{from_js, to_js, to_json_text};
use crate::error::{BindingError, Result};
use crate::plan::plan;

/// A round planned from one read of the sheet: the input stays in the module, and every
/// re-plan (base images, resolutions) and every batch record is made from it.
///
/// ```js
/// const round = core.planRound(input);     // the sheet is staged once
/// round.plan;                              // the loader keeps the plan parsed
/// round.addBaseImages(images, unavailable);
/// const batch = round.recordBatch(0, 500, batchId, origin);
/// round.free();
/// ```
#[wasm_bindgen]
pub struct PlannedRound {
    input: SyncInput,
    plan: SyncPlan,
}

impl PlannedRound {
    /// Plans `input`.
    pub fn new(input: SyncInput) -> std::result::Result<PlannedRound, BindingError> {
        let plan = plan(&input)?;
        Ok(PlannedRound { input, plan })
    }

    /// The plan as it stands.
    pub fn current_plan(&self) -> &SyncPlan {
        &self.plan
    }
}

/// Plans a round from its input (the shape of `planSync`'s). The bundle's loader answers
/// `planRound` through [`plan_round_staged`] and comes here only for rows the flat arrays
/// cannot describe.
#[wasm_bindgen(js_name = planRound)]
pub fn plan_round(input: JsValue) -> Result<PlannedRound> {
    let input: SyncInput = from_js("planRound input", input)?;
    Ok(PlannedRound::new(input)?)
}

/// [`plan_round`] with the sheet's rows (and base) staged as `planSyncStaged` takes them.
#[wasm_bindgen(js_name = planRoundStaged)]
pub fn plan_round_staged(
    input: &str,
    numbers: u32,
    text_bytes: u32,
    texts: u32,
    base_given: bool,
    base_text_bytes: u32,
) -> Result<PlannedRound> {
    let input = crate::plan::staged_input(
        "planRound input",
        input,
        numbers,
        text_bytes,
        texts,
        base_given,
        base_text_bytes,
    )?;
    Ok(PlannedRound::new(input)?)
}

#[wasm_bindgen]
impl PlannedRound {
    /// The plan as JSON text (one string crosses, not one call per cell).
    #[wasm_bindgen(js_name = planJson)]
    pub fn plan_json(&self) -> Result<String> {
        Ok(to_json_text("plan", &self.plan)?)
    }

    /// Hands in the base images the plan asked for (`{key: row}`) and the keys whose image
    /// the server no longer has, and plans again.
    #[wasm_bindgen(js_name = addBaseImages)]
    pub fn add_base_images(&mut self, images: JsValue, unavailable: JsValue) -> Result<()> {
        let images: BTreeMap<RowKey, VersionedRow> = from_js("base images", images)?;
        let unavailable: Vec<RowKey> = from_js("unavailable base images", unavailable)?;
        self.input.base_images.extend(images);
        self.input.base_image_unavailable.extend(unavailable);
        self.plan = plan(&self.input)?;
        Ok(())
    }

    /// Hands in answers to held conflicts, and plans again.
    pub fn resolve(&mut self, resolutions: JsValue) -> Result<()> {
        let resolutions: Vec<Resolution> = from_js("resolutions", resolutions)?;
        if resolutions.is_empty() {
            return Ok(());
        }
        self.input.resolutions.extend(resolutions);
        self.plan = plan(&self.input)?;
        Ok(())
    }

    /// Cuts the plan of a first-sync copy page down to the page's keys (see
    /// `sheetsync_core::round::keep_page`). Answers only the parts the cut changes (`push`,
    /// `conflicts`, `problems`, `summary`; `massDelete` is none), so the page's sheet edits
    /// do not cross again.
    #[wasm_bindgen(js_name = keepPage)]
    pub fn keep_page(&mut self, keys: JsValue) -> Result<String> {
        let keys: BTreeSet<RowKey> = from_js("page keys", keys)?;
        keep_page(&mut self.plan, &keys);
        let p = &self.plan;
        let kept = KeptPage {
            push: &p.push,
            conflicts: &p.conflicts,
            problems: &p.problems,
            summary: &p.summary,
        };
        Ok(to_json_text("kept page", &kept)?)
    }

    /// The record of the batch that sends `plan.push[from..to]` under `batch_id`: the request
    /// to send, and all its answer will be read against. Save it before sending.
    #[wasm_bindgen(js_name = recordBatch)]
    pub fn record_batch(
        &self,
        from: u32,
        to: u32,
        batch_id: &str,
        origin: &str,
    ) -> Result<JsValue> {
        let batch = InFlightBatch::record_part(
            &self.input,
            &self.plan,
            from as usize..to as usize,
            batch_id,
            origin,
        )
        .map_err(|e| BindingError::new("recordBatch", e))?;
        Ok(to_js("batch", &batch)?)
    }
}

/// What [`PlannedRound::keep_page`] answers.
#[derive(serde::Serialize)]
struct KeptPage<'a> {
    push: &'a [PlannedPush],
    conflicts: &'a [Conflict],
    problems: &'a [Problem],
    summary: &'a Summary,
}

/// Reads the answer to a recorded batch: what to write back, the base updates, refused rows
/// and the rows to merge again (held conflicts included). `places` from `placeNewRows` and,
/// for a batch sent again by a later execution, `placeKeyedRows`.
///
/// ```js
/// const outcome = core.readAnswer(batch, table, response, places, Date.now());
/// ```
#[wasm_bindgen(js_name = readAnswer)]
pub fn read_answer(
    batch: JsValue,
    schema: JsValue,
    response: JsValue,
    places: JsValue,
    now_ms: f64,
) -> Result<JsValue> {
    let batch: InFlightBatch = from_js("readAnswer batch", batch)?;
    let schema: TableSchema = from_js("readAnswer table", schema)?;
    let response: PushResponse = from_js("readAnswer response", response)?;
    let places: Vec<NewRowPlace> = from_js("readAnswer places", places)?;
    let outcome = batch
        .read_answer(&schema, &response, Some(&places), now_ms as i64)
        .map_err(|e| BindingError::new("readAnswer", e))?;
    Ok(to_js("push outcome", &outcome)?)
}

/// Today's record of a pending batch saved by an earlier add-on (`{batchId, table, request,
/// recovery, newRows}`), so it is sent again under its id and its answer read once.
/// `zoneOffsets` is the offset table of `saved.recovery.timeZone`.
#[wasm_bindgen(js_name = upgradeSavedBatch)]
pub fn upgrade_saved(
    saved: JsValue,
    zone_offsets: JsValue,
    schema: JsValue,
    now_ms: f64,
) -> Result<JsValue> {
    let saved: SavedBatchV1 = from_js("saved batch", saved)?;
    let zone_offsets: Vec<ZoneTransition> = from_js("zoneOffsets", zone_offsets)?;
    let schema: TableSchema = from_js("table", schema)?;
    let batch = upgrade_saved_batch(saved, zone_offsets, &schema, now_ms as i64)
        .map_err(|e| BindingError::new("upgradeSavedBatch", e))?;
    Ok(to_js("batch", &batch)?)
}

/// The stored base (its JSON text, empty before the first sync) after `updates`
/// (`{key: [version, hashes] | null}`), as text to store.
///
/// ```js
/// storeWriteBlock_(id, 'base', core.applyBaseUpdates(storeReadBlock_(id, 'base'), plan.baseUpdates));
/// ```
#[wasm_bindgen(js_name = applyBaseUpdates)]
pub fn apply_base_updates(stored: &str, updates: JsValue) -> Result<String> {
    let updates: BTreeMap<RowKey, Option<BaseRow>> = from_js("base updates", updates)?;
    Ok(Base::apply_to_stored(stored, &updates).map_err(|e| BindingError::new("stored base", e))?)
}
