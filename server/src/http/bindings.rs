//! Server mode's routes for one binding: its status as the instance running it sees it, and
//! the poke the add-on's edit trigger sends so the server reads the sheet now rather than at
//! the next safety poll. The caller's token must cover the bound table (and write it, for a
//! poke).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::extract::ApiPath;
use super::AppState;
use crate::bindings::{self, Binding, BindingError};
use crate::db::now_ms;
use crate::server_mode::status::{LastRound, Reject};

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
    last_round: Option<LastRound>,
    lag_ms: Option<i64>,
    conflicts: usize,
    rejects: Vec<Reject>,
    /// Sheet deletions the mass-delete guard holds back, when it does.
    mass_delete_held: Option<usize>,
    quota_backoff_until_ms: Option<i64>,
}

/// The binding `id`, if the caller's token covers its table (for writing, when `write`).
async fn binding_for(
    state: &AppState,
    caller: &Caller,
    id: &str,
    write: bool,
) -> ApiResult<Binding> {
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
    caller.table(state, &binding.table, write).await?;
    Ok(binding)
}

/// `GET /v1/bindings/{id}`.
pub async fn binding_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<BindingView>> {
    let b = binding_for(&state, &caller, &id, false).await?;
    let status = state.bindings.status(b.id).unwrap_or_default();
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
        last_round: status.last_round,
        lag_ms: status.lag_ms,
        conflicts: status.conflicts,
        rejects: status.rejects,
        mass_delete_held: status.mass_delete_held,
        quota_backoff_until_ms: status.quota_backoff_until_ms,
    }))
}

/// `POST /v1/bindings/{id}/poke`: 202, and the binding's task reads the sheet now when this
/// instance runs it; another instance's task reads it at its next safety poll.
pub async fn poke(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let b = binding_for(&state, &caller, &id, true).await?;
    if b.paused {
        return Err(ApiError::Paused(format!(
            "binding {} is paused: resume it (`sheetsync-server binding resume {}`) to sync",
            b.id, b.id
        )));
    }
    let woken = state.bindings.poke(b.id);
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "woken": woken })),
    ))
}
