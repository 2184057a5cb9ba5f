//! Server mode's routes for one binding: its status as its owner last saved it (the same on
//! every instance), and
//! the poke the add-on's edit trigger sends so the server reads the sheet now rather than at
//! the next safety poll. The caller's token must cover the bound table (and write it, for a
//! poke).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use sheetsync_core::policy::{Choice, Resolution};

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, ApiPath};
use super::AppState;
use crate::bindings::settle::{self, HeldConflict, SettleError};
use crate::bindings::{self, sheet_edits, Binding, BindingError};
use crate::db::catalog::TableInfo;
use crate::db::now_ms;
use crate::server_mode::status::{BindingStatus, LastRound, Reject};
use std::sync::Arc;

/// `GET /v1/bindings/{id}`'s answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingView {
    id: i64,
    spreadsheet: String,
    sheet: String,
    table: String,
    paused: bool,
    /// The instance holding a live lease.
    owner: Option<String>,
    /// When the status below was saved, and by which instance (null before the first round).
    status_saved_at_ms: Option<i64>,
    status_saved_by: Option<String>,
    /// Each of these is null while unknown (before the first round, or never learnt).
    last_round: Option<LastRound>,
    lag_ms: Option<i64>,
    conflicts: Option<usize>,
    rejects: Option<Vec<Reject>>,
    /// Sheet deletions the mass-delete guard holds back (0: none).
    mass_delete_held: Option<usize>,
    /// Until when the owner waits for Google's quota; null when it does not.
    quota_backoff_until_ms: Option<i64>,
}

/// The binding `id`, if the caller's token covers its table (for writing, when `write`).
async fn binding_for(
    state: &AppState,
    caller: &Caller,
    id: &str,
    write: bool,
) -> ApiResult<Binding> {
    Ok(binding_and_table(state, caller, id, write).await?.0)
}

/// [`binding_for`], with the bound table.
async fn binding_and_table(
    state: &AppState,
    caller: &Caller,
    id: &str,
    write: bool,
) -> ApiResult<(Binding, Arc<TableInfo>)> {
    let id: i64 = id.parse().map_err(|_| {
        ApiError::BadRequest(format!(
            "id must be a binding's number (`binding list` shows them), not {id:?}"
        ))
    })?;
    let binding = match bindings::get(&state.db, id).await {
        Ok(b) => b,
        Err(BindingError::NoBinding(_)) => {
            return Err(ApiError::NotFound(format!("there is no binding {id}")))
        }
        Err(BindingError::Db(e)) => return Err(e.into()),
        Err(e) => return Err(ApiError::Inconsistent(e.to_string())),
    };
    let info = caller.table(state, &binding.table, write).await?;
    Ok((binding, info))
}

/// `GET /v1/bindings/{id}`.
pub async fn binding_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<BindingView>> {
    let b = binding_for(&state, &caller, &id, false).await?;
    let saved = bindings::status::load(&state.db, b.id)
        .await
        .map_err(binding_error)?;
    let (status, saved_at_ms, saved_by) = match saved {
        Some(s) => (s.status, Some(s.saved_at_ms), Some(s.saved_by)),
        None => (BindingStatus::default(), None, None),
    };
    let owner = b
        .lease
        .filter(|(_, until)| *until > now_ms())
        .map(|(owner, _)| owner);
    Ok(Json(BindingView {
        id: b.id,
        spreadsheet: b.spreadsheet_id,
        sheet: b.sheet_name,
        table: b.table,
        paused: b.paused,
        owner,
        status_saved_at_ms: saved_at_ms,
        status_saved_by: saved_by,
        last_round: status.last_round,
        lag_ms: status.lag_ms,
        conflicts: status.conflicts,
        rejects: status.rejects,
        mass_delete_held: status.mass_delete_held,
        quota_backoff_until_ms: status.quota_backoff_until_ms,
    }))
}

/// `POST /v1/bindings/{id}/poke`: 202, and the binding's task reads the sheet now: at once
/// when this instance runs it, or through the owner's next sequencer tick when another does.
/// The edit the body names, if any, is stored first, so the owner's round finds it whichever
/// instance took the poke.
pub async fn poke(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let edit = super::poke::read(&body, content_type, now_ms())?;
    let (b, info) = binding_and_table(&state, &caller, &id, true).await?;
    refuse_paused(&b)?;
    let edits = edit.edits(&info).map_err(ApiError::BadRequest)?;
    if !edits.is_empty() {
        sheet_edits::record(&state.db, b.id, &edits)
            .await
            .map_err(binding_error)?;
    }
    let via = wake(&state, b.id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "woken": true, "via": via })),
    ))
}

fn refuse_paused(b: &Binding) -> ApiResult<()> {
    if b.paused {
        return Err(ApiError::Paused(format!(
            "binding {} is paused: resume it (`sheetsync-server binding resume {}`) to sync",
            b.id, b.id
        )));
    }
    Ok(())
}

/// Wakes binding `id`'s task here if this instance runs it, else asks its owner (any
/// instance, through the database) to; says which.
pub(crate) async fn wake(state: &AppState, id: i64) -> ApiResult<&'static str> {
    if state.bindings.poke(id) {
        return Ok("this instance");
    }
    bindings::wake::request(&state.db, id)
        .await
        .map_err(binding_error)?;
    Ok("owner")
}

pub(crate) fn binding_error(e: BindingError) -> ApiError {
    match e {
        BindingError::NoBinding(id) => ApiError::NotFound(format!("there is no binding {id}")),
        BindingError::Db(e) => e.into(),
        e => ApiError::Inconsistent(e.to_string()),
    }
}

/// `GET /v1/bindings/{id}/conflicts`'s answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictsView {
    /// The conflicts held after the owner's last round.
    conflicts: Vec<ConflictView>,
}

/// One held conflict, and the answer waiting for the owner's next round, if any.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictView {
    #[serde(flatten)]
    held: HeldConflict,
    /// `"sheet"` or `"database"` once answered, until the owner applies it.
    answered: Option<Choice>,
}

/// `GET /v1/bindings/{id}/conflicts`: the conflicts the binding holds for a person.
pub async fn conflicts(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ConflictsView>> {
    let b = binding_for(&state, &caller, &id, false).await?;
    let held = settle::held(&state.db, b.id).await.map_err(binding_error)?;
    let answers = settle::pending(&state.db, b.id)
        .await
        .map_err(binding_error)?;
    let conflicts = held
        .into_iter()
        .map(|h| {
            // The latest answer still given to this very conflict.
            let answered = answers
                .iter()
                .rev()
                .find(|a| {
                    a.resolution.key == h.key
                        && a.resolution.column == h.column
                        && a.sheet_value == h.sheet_value
                        && a.database_version == h.database_version
                })
                .map(|a| a.resolution.choose.clone());
            ConflictView { held: h, answered }
        })
        .collect();
    Ok(Json(ConflictsView { conflicts }))
}

/// `POST /v1/bindings/{id}/conflicts`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswersBody {
    /// `[{key, column, choose: "sheet"|"database"}]`, `column` null for a row conflict.
    answers: Vec<Resolution>,
}

/// `POST /v1/bindings/{id}/conflicts`: 202 once the answers are stored for the owner's next
/// round, and the owner woken; 409 when one names a conflict not held now (none is stored).
pub async fn answer_conflicts(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AnswersBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let b = binding_for(&state, &caller, &id, true).await?;
    refuse_paused(&b)?;
    if body.answers.is_empty() {
        return Err(ApiError::BadRequest(
            "answers is empty: answer at least one conflict".into(),
        ));
    }
    let stored = match settle::answer(&state.db, b.id, &body.answers).await {
        Ok(n) => n,
        Err(SettleError::Binding(e)) => return Err(binding_error(e)),
        Err(e @ SettleError::NotHeld { .. }) => return Err(ApiError::Conflict(e.to_string())),
        Err(e @ SettleError::BadChoice) => return Err(ApiError::BadRequest(e.to_string())),
    };
    let via = wake(&state, b.id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "accepted": stored, "woken": true, "via": via })),
    ))
}
