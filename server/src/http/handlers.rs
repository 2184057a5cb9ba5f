//! The route handlers: thin translations between HTTP and the feed, rows and push modules.

use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use sheetsync_core::schema::RowKey;
use sheetsync_core::wire::{
    ChangeOp, ChangePage, Cursor, PushRequest, PushResponse, PushResult, RowPage, TableList,
    VersionedRow, PROTOCOL_VERSION,
};

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::AppState;
use crate::db::types::cells::degraded_in;
use crate::feed::shared::Answer;
use crate::feed::{self, FeedError};
use crate::metrics::Metrics;
use crate::push::{self, PushError};
use crate::rows;

/// Largest page a client may ask for.
const MAX_LIMIT: usize = 10_000;
/// Page size when the client does not say.
const DEFAULT_LIMIT: usize = 1_000;

/// The page size asked for: a whole number of at least 1; more than the most is capped.
fn limit_of(limit: Option<&str>) -> ApiResult<usize> {
    let Some(text) = limit else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.parse::<u64>() {
        Ok(n) if n >= 1 && !text.starts_with('+') => Ok(n.min(MAX_LIMIT as u64) as usize),
        _ => Err(ApiError::BadRequest(format!(
            "limit must be a whole number of at least 1 (a page holds at most {MAX_LIMIT}), not {text:?}"
        ))),
    }
}

/// Seconds to wait for a change: a number ≥ 0 (capped by the caller).
fn wait_of(wait: Option<&str>) -> ApiResult<f64> {
    let Some(text) = wait else { return Ok(0.0) };
    match text.trim().parse::<f64>() {
        Ok(w) if w.is_finite() && w >= 0.0 => Ok(w),
        _ => Err(ApiError::BadRequest(format!(
            "wait must be a number of seconds ≥ 0, not {text:?}"
        ))),
    }
}

/// `GET /v1/tables`.
pub async fn list_tables(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<TableList>> {
    let tables = state
        .catalog
        .all()
        .await
        .into_iter()
        .filter(|t| caller.0.covers(&t.schema.name))
        .map(|t| {
            let mut schema = t.schema.clone();
            schema.writable = caller.0.can_write;
            schema
        })
        .collect();
    Ok(Json(TableList {
        protocol: PROTOCOL_VERSION,
        tables,
    }))
}

/// Query of `GET /v1/tables/{table}/rows`.
#[derive(Debug, Deserialize)]
pub struct RowsQuery {
    after: Option<String>,
    limit: Option<String>,
}

/// `GET /v1/tables/{table}/rows`.
pub async fn rows_page(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(table): ApiPath<String>,
    ApiQuery(q): ApiQuery<RowsQuery>,
) -> ApiResult<Json<RowPage>> {
    let info = caller.table(&state, &table, false).await?;
    let limit = limit_of(q.limit.as_deref())?;
    let after = match &q.after {
        None => None,
        Some(a) => Some(
            rows::key_param(&state.db, &info, &RowKey(a.clone()))
                .map_err(|e| ApiError::BadRequest(format!("after: {e}")))?,
        ),
    };
    // The position first: every change stamped up to it committed before the rows are read.
    let (position, _) = feed::state(&state.db).await?;
    let rows::Page { rows, unreadable } = rows::page(&state.db, &info, after, limit).await?;
    Metrics::add(&state.metrics.rows_unreadable, unreadable);
    let degraded = rows.iter().map(|r| degraded_in(&r.cells)).sum();
    Metrics::add(&state.metrics.cells_degraded, degraded);
    let next_after = if rows.len() == limit {
        rows.last().map(|r| r.key.clone())
    } else {
        None
    };
    Ok(Json(RowPage {
        rows,
        next_after,
        cursor: Cursor(position.to_string()),
    }))
}

/// Query of `GET /v1/tables/{table}/changes`.
#[derive(Debug, Deserialize)]
pub struct ChangesQuery {
    cursor: Option<String>,
    limit: Option<String>,
    wait: Option<String>,
}

/// `GET /v1/tables/{table}/changes`, a long-poll when `wait` > 0.
pub async fn changes(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(table): ApiPath<String>,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> ApiResult<axum::response::Response> {
    let info = caller.table(&state, &table, false).await?;
    let limit = limit_of(q.limit.as_deref())?;
    let cursor: i64 = match q.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => c.parse().ok().filter(|c: &i64| *c >= 0).ok_or_else(|| {
            ApiError::BadRequest(format!("cursor {c:?} is not one this server gave"))
        })?,
    };
    let wait = wait_of(q.wait.as_deref())?;
    let wait = Duration::from_secs_f64(wait.min(state.max_wait.as_secs_f64()));
    let deadline = tokio::time::Instant::now() + wait;
    // Stamp what is already committed before the first read, so a reader always sees every
    // change committed before its request, not only those the poller has reached.
    state.reads.tick(&state.db, &state.clock).await?;
    // Woken only by this table's changes; the page is read at the last position, which has
    // moved at least as far as the table's own when it wakes us.
    let mut clock = state.clock.subscribe_table(info.id);
    let mut woken = false;
    loop {
        let table_seen = *clock.borrow_and_update();
        let seen = state.clock.last();
        let read = state
            .reads
            .changes_after(&state.db, &state.metrics, &info, cursor, limit, seen)
            .await;
        let page = match read {
            Ok(p) => p,
            Err(FeedError::Expired) => return Err(ApiError::CursorExpired),
            Err(FeedError::Db(e)) => return Err(e.into()),
        };
        let changes = &page.page.0;
        if !changes.is_empty() || tokio::time::Instant::now() >= deadline {
            let answer = page.answer(|(changes, more)| {
                let next = changes.last().map_or(cursor, |(seq, _)| *seq);
                let body = serde_json::to_vec(&ChangePage {
                    changes: changes.iter().map(|(_, c)| c.clone()).collect(),
                    cursor: Cursor(next.to_string()),
                    more: *more,
                })
                .map_err(|e| e.to_string())?;
                let unreadable = changes
                    .iter()
                    .filter(|(_, c)| matches!(c.op, ChangeOp::Unreadable { .. }))
                    .count() as u64;
                let degraded = changes
                    .iter()
                    .map(|(_, c)| match &c.op {
                        ChangeOp::Upsert { cells } => degraded_in(cells),
                        _ => 0,
                    })
                    .sum();
                Ok(Answer {
                    body: body.into(),
                    unreadable,
                    degraded,
                })
            });
            let answer = match answer {
                Ok(a) => a,
                Err(e) => {
                    return Err(ApiError::Inconsistent(format!(
                        "a page of changes cannot be written as JSON: {e}"
                    )))
                }
            };
            Metrics::add(&state.metrics.changes_served, changes.len() as u64);
            Metrics::add(&state.metrics.changes_unreadable, answer.unreadable);
            Metrics::add(&state.metrics.cells_degraded, answer.degraded);
            if woken {
                state.clock.wake.answered(seen);
            }
            return Ok((
                [(header::CONTENT_TYPE, "application/json")],
                answer.body.clone(),
            )
                .into_response());
        }
        drop(page);
        // Sleep until the sequencer hands out a position we have not looked at, or time is up.
        let parked = Parked::new(&state.metrics);
        let poller_gone = matches!(
            tokio::time::timeout_at(deadline, clock.wait_for(|v| *v > table_seen)).await,
            Ok(Err(_))
        );
        drop(parked);
        woken = tokio::time::Instant::now() < deadline;
        if woken {
            state.clock.wake.woken(state.clock.last());
        }
        if poller_gone {
            // The poller is gone (shutting down): answer what we have.
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// Counts a long-poll as waiting while it lives (also when the client goes away meanwhile).
struct Parked<'a>(&'a Metrics);

impl<'a> Parked<'a> {
    fn new(metrics: &'a Metrics) -> Self {
        Metrics::add(&metrics.waiting, 1);
        Parked(metrics)
    }
}

impl Drop for Parked<'_> {
    fn drop(&mut self) {
        self.0
            .waiting
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// `POST /v1/tables/{table}/push`.
pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(table): ApiPath<String>,
    body: Result<ApiJson<PushRequest>, ApiError>,
) -> ApiResult<Json<PushResponse>> {
    let info = caller.table(&state, &table, true).await?;
    let ApiJson(req) = body?;
    let response = push::push(&state.db, Some(&state.clock), &info, &req)
        .await
        .map_err(|e| match e {
            PushError::Invalid(m) => ApiError::BadRequest(m),
            PushError::Db(e) => ApiError::Database(e),
            PushError::Inconsistent(m) => ApiError::Inconsistent(m),
        })?;
    let m = &state.metrics;
    if response.replayed {
        Metrics::add(&m.replays, 1);
    } else {
        // The push has committed: its changes go into the feed now, not on the next tick.
        state.clock.committed();
        Metrics::add(&m.pushes, 1);
        for r in &response.results {
            match r {
                PushResult::Applied { .. } => Metrics::add(&m.rows_applied, 1),
                PushResult::Conflict { .. } => Metrics::add(&m.conflicts, 1),
                PushResult::Rejected { .. } => Metrics::add(&m.rejects, 1),
            }
        }
    }
    let degraded = response
        .results
        .iter()
        .map(|r| match r {
            PushResult::Applied { row: Some(row), .. } => degraded_in(row),
            PushResult::Conflict {
                current: Some(now), ..
            } => degraded_in(&now.cells),
            _ => 0,
        })
        .sum();
    Metrics::add(&m.cells_degraded, degraded);
    Ok(Json(response))
}

/// `GET /v1/tables/{table}/rows/{key}/versions/{version}`.
pub async fn row_version(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((table, key, version)): ApiPath<(String, String, String)>,
) -> ApiResult<Json<VersionedRow>> {
    let info = caller.table(&state, &table, false).await?;
    let version: i64 = version.parse().map_err(|_| {
        ApiError::BadRequest(format!(
            "version must be a whole number (a row version this server gave), not {version:?}"
        ))
    })?;
    let row = rows::at_version(&state.db, &info, &RowKey(key), version)
        .await?
        .ok_or_else(|| ApiError::NotFound("that version of the row is no longer kept".into()))?;
    Metrics::add(&state.metrics.cells_degraded, degraded_in(&row.cells));
    Ok(Json(row))
}

/// `GET /health`: 200 when the database answers.
pub async fn health(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    sqlx::query("SELECT 1").fetch_one(&state.db.pool).await?;
    Ok(Json(serde_json::json!({ "status": "ok" })))
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let lag = state
        .clock
        .lag_ms
        .load(std::sync::atomic::Ordering::Relaxed);
    let mut text = state.metrics.render(lag, state.clock.last());
    text.push_str(&state.clock.wake.render());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

/// Any other path: 404 as an error body.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}
