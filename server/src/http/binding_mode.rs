//! Switching a sheet between add-on mode and server mode: `POST /v1/bindings` hands a sheet
//! from the add-on to the server with its base, and `DELETE /v1/bindings/{id}` hands it back
//! with the server's (see [`crate::bindings::handover`]). Neither resyncs the sheet.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use sheetsync_core::base::Base;
use sheetsync_core::policy::{ConflictPolicy, PolicySet};
use sheetsync_core::round::BindingState;
use sheetsync_core::wire::{Cursor, RowChange};

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, ApiPath};
use super::AppState;
use crate::bindings::handover::{self, FromAddon, HAND_BACK_WAIT};
use crate::bindings::state::StoredState;
use crate::bindings::{BindingError, NewBinding};

/// `POST /v1/bindings`: 201 `{id}`.
pub async fn hand_over(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let from = read_hand_over(&body)?;
    caller.table(&state, &from.binding.table, true).await?;
    let id = handover::take_from_addon(&state.db, &from)
        .await
        .map_err(api_error)?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// `DELETE /v1/bindings/{id}`: the binding's base, cursor and held changes, and what it was.
pub async fn hand_back(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let binding = crate::bindings::get(&state.db, id)
        .await
        .map_err(api_error)?;
    caller.table(&state, &binding.table, true).await?;
    let back = handover::hand_back(&state.db, id, HAND_BACK_WAIT)
        .await
        .map_err(api_error)?;
    let b = back.binding;
    Ok(Json(json!({
        "id": b.id,
        "spreadsheet": b.spreadsheet_id,
        "sheet": b.sheet_name,
        "table": b.table,
        "policy": b.policies,
        "base": back.state.round.base,
        "cursor": back.state.cursor,
        "held": back.state.round.held_changes,
    })))
}

/// The hand-over body, each field checked and named when wrong.
fn read_hand_over(body: &Value) -> ApiResult<FromAddon> {
    let fields = body
        .as_object()
        .ok_or_else(|| ApiError::BadRequest("the body must be a JSON object".into()))?;
    let known = [
        "spreadsheet",
        "sheet",
        "table",
        "policy",
        "base",
        "cursor",
        "held",
        "pendingBatch",
    ];
    if let Some(unknown) = fields.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ApiError::BadRequest(format!(
            "unknown field {unknown:?}: a hand-over has {}",
            known.join(", ")
        )));
    }
    let policy: Map<String, Value> = field(fields, "policy")?;
    if !policy.contains_key("default") {
        return Err(ApiError::BadRequest(
            "policy: the default policy is missing (policy.default)".into(),
        ));
    }
    let policies: PolicySet = serde_json::from_value(Value::Object(policy))
        .map_err(|e| ApiError::BadRequest(format!("policy: {e}")))?;
    let custom = std::iter::once(("policy.default".to_string(), policies.default)).chain(
        policies
            .columns
            .iter()
            .map(|(c, p)| (format!("policy.columns.{c}"), *p)),
    );
    for (at, p) in custom {
        if p == ConflictPolicy::Custom {
            return Err(ApiError::BadRequest(format!(
                "{at}: \"custom\" runs the add-on's resolveConflict, which the server does not \
                 have; choose another policy before handing the sheet to the server"
            )));
        }
    }
    let base: Option<Base> = field(fields, "base")?;
    let cursor: Option<String> = field(fields, "cursor")?;
    if let Some(c) = &cursor {
        if !c.parse::<i64>().is_ok_and(|n| n >= 0) {
            return Err(ApiError::BadRequest(format!(
                "cursor: {c:?} is not one this server gave"
            )));
        }
    }
    let held: Vec<RowChange> = field(fields, "held")?;
    if base.is_some() != cursor.is_some() {
        return Err(ApiError::BadRequest(
            "base and cursor go together: a synced sheet has both, a sheet never synced has \
             neither (both null)"
                .into(),
        ));
    }
    if base.is_none() && !held.is_empty() {
        return Err(ApiError::BadRequest(
            "held: a sheet never synced (base null) holds no changes".into(),
        ));
    }
    Ok(FromAddon {
        binding: NewBinding {
            spreadsheet_id: field(fields, "spreadsheet")?,
            sheet_name: field(fields, "sheet")?,
            table: field(fields, "table")?,
            policies,
        },
        state: StoredState {
            round: BindingState {
                base,
                held_changes: held,
                in_flight: None,
            },
            cursor: cursor.map(Cursor),
        },
        pending_batch: field(fields, "pendingBatch")?,
    })
}

/// Field `name`, which must be present (null where it may be null) and of type `T`.
fn field<T: DeserializeOwned>(fields: &Map<String, Value>, name: &str) -> ApiResult<T> {
    let value = fields
        .get(name)
        .ok_or_else(|| ApiError::BadRequest(format!("{name}: the field is missing")))?;
    serde_json::from_value(value.clone()).map_err(|e| ApiError::BadRequest(format!("{name}: {e}")))
}

fn api_error(e: BindingError) -> ApiError {
    match e {
        BindingError::BadSpreadsheetId(_) => ApiError::BadRequest(format!("spreadsheet: {e}")),
        BindingError::EmptySheetName => ApiError::BadRequest(format!("sheet: {e}")),
        BindingError::BadPolicy(m) => {
            ApiError::BadRequest(format!("policy: {}", m.replace("--policy", "the policy")))
        }
        BindingError::TableNotEnabled(_) => ApiError::NotFound(format!("table: {e}")),
        BindingError::NoBinding(id) => ApiError::NotFound(format!("there is no binding {id}")),
        BindingError::AlreadyBound { .. }
        | BindingError::AddonBatchInFlight(_)
        | BindingError::ServerBatchInFlight { .. } => ApiError::Conflict(e.to_string()),
        BindingError::Db(e) => ApiError::Database(e),
        BindingError::Corrupt { .. } | BindingError::LeaseLost(_) | BindingError::Catalog(_) => {
            ApiError::Inconsistent(e.to_string())
        }
    }
}
