//! The row-history routes: a row's kept past, and the add-on's reports of the sheet values
//! conflict policies overrode (see [`crate::history`]).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use sheetsync_core::history::{OverrideReport, OverrideReportResponse, RowHistory};
use sheetsync_core::schema::RowKey;

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::AppState;
use crate::history;

/// Entries of each kind a history answers when the client does not say.
const DEFAULT_LIMIT: usize = 100;
/// The most entries of each kind a history answers.
const MAX_LIMIT: usize = 1_000;

/// Query of `GET /v1/tables/{table}/rows/{key}/history`.
#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    limit: Option<String>,
}

/// `GET /v1/tables/{table}/rows/{key}/history`.
pub async fn row_history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((table, key)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<RowHistory>> {
    let info = caller.table(&state, &table, false).await?;
    let limit = match q.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => match text.parse::<u64>() {
            Ok(n) if n >= 1 && !text.starts_with('+') => n.min(MAX_LIMIT as u64) as usize,
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "limit must be a whole number of at least 1 (at most {MAX_LIMIT} are \
                     answered), not {text:?}"
                )))
            }
        },
    };
    let key = RowKey(key);
    info.key_column()
        .decode(&serde_json::Value::String(key.0.clone()))
        .map_err(|e| ApiError::BadRequest(format!("key {key}: {e}")))?;
    // Stamp what is committed, so the history shows every change made before the request.
    state.reads.tick(&state.db, &state.clock).await?;
    Ok(Json(history::read(&state.db, &info, &key, limit).await?))
}

/// `POST /v1/tables/{table}/overrides`.
pub async fn report_overrides(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(table): ApiPath<String>,
    body: Result<ApiJson<OverrideReport>, ApiError>,
) -> ApiResult<Json<OverrideReportResponse>> {
    let info = caller.table(&state, &table, true).await?;
    let ApiJson(report) = body?;
    history::check(&info, &report).map_err(ApiError::BadRequest)?;
    let stored = history::store(&state.db, &info, &report).await?;
    Ok(Json(OverrideReportResponse { stored }))
}
