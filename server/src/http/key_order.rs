//! `POST /v1/tables/{table}/keys/order`: keys in the table's key order ([`crate::key_order`]).

use axum::extract::State;
use axum::Json;
use sheetsync_core::wire::KeyOrder;

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, ApiPath};
use super::AppState;
use crate::key_order;

/// `POST /v1/tables/{table}/keys/order`.
pub async fn order_keys(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(table): ApiPath<String>,
    body: Result<ApiJson<KeyOrder>, ApiError>,
) -> ApiResult<Json<KeyOrder>> {
    let info = caller.table(&state, &table, false).await?;
    let ApiJson(request) = body?;
    let params =
        key_order::params(&state.db, &info, &request.keys).map_err(ApiError::BadRequest)?;
    let keys = key_order::order(&state.db, &info, &request.keys, &params).await?;
    Ok(Json(KeyOrder { keys }))
}
