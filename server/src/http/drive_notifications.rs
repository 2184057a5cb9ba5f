//! `POST /v1/drive/notifications`: where Drive delivers the push notifications of the
//! channels server mode opened on its bindings' spreadsheets.
//!
//! Drive sends no bearer token. A notification is taken on the strength of its channel id and
//! the secret token chosen when the channel was opened (`X-Goog-Channel-ID`,
//! `X-Goog-Channel-Token`), both checked against the channel's row, which every instance can
//! read: an unknown or expired channel is answered 404, a wrong token 403, and neither runs a
//! round. `sync` (the channel is open) is acknowledged and does nothing; `update` or `change`
//! wakes the binding's task as a poke does, here or through the owner's next sequencer tick.
//! The answer is immediate: Drive retries a notification that is not acknowledged fast.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;

use super::bindings::{binding_error, wake};
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::bindings::drive_channels;
use crate::db::now_ms;

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Takes one notification: 200, with whether it woke the binding.
pub async fn notification(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let drive = &state.metrics.drive;
    let refused = |e: ApiError| {
        crate::metrics::Metrics::add(&drive.refused, 1);
        e
    };
    let channel_id = header(&headers, "x-goog-channel-id").ok_or_else(|| {
        refused(ApiError::BadRequest(
            "the X-Goog-Channel-ID header is missing: this route takes Drive push \
             notifications only"
                .into(),
        ))
    })?;
    let resource_state = header(&headers, "x-goog-resource-state").ok_or_else(|| {
        refused(ApiError::BadRequest(format!(
            "the X-Goog-Resource-State header is missing from the notification of channel \
             {channel_id:?}"
        )))
    })?;
    let channel = drive_channels::find(&state.db, channel_id)
        .await
        .map_err(binding_error)?
        .filter(|c| c.expires_at_ms > now_ms())
        .ok_or_else(|| {
            refused(ApiError::NotFound(format!(
                "no Drive channel {channel_id:?} is open here (stopped, expired or never \
                 opened by this server)"
            )))
        })?;
    let token = header(&headers, "x-goog-channel-token").ok_or_else(|| {
        refused(ApiError::Forbidden(format!(
            "the X-Goog-Channel-Token header is missing from the notification of Drive \
             channel {channel_id:?}: every channel this server opens has one"
        )))
    })?;
    if !channel.token_matches(token) {
        return Err(refused(ApiError::Forbidden(format!(
            "the X-Goog-Channel-Token of Drive channel {channel_id:?} is not the one it was \
             opened with"
        ))));
    }
    drive.received(resource_state);
    let woken = match resource_state {
        "update" | "change" => {
            wake(&state, channel.binding_id).await?;
            true
        }
        _ => false,
    };
    Ok((
        StatusCode::OK,
        Json(serde_json::json!({ "binding": channel.binding_id, "woken": woken })),
    ))
}
