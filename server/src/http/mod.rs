//! The HTTP surface: the router, its shared state and the tower-http layers around it.

pub mod auth;
pub mod binding_mode;
pub mod bindings;
pub mod drive_notifications;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod history;
pub mod key_order;
pub mod poke;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::db::Db;
use crate::feed::shared::SharedReads;
use crate::feed::FeedClock;
use crate::metrics::Metrics;
use crate::tables::Catalog;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The enabled tables' schemas.
    pub catalog: Catalog,
    /// The feed position, for long-polls to wait on.
    pub clock: FeedClock,
    /// Feed reads and stamping runs shared by concurrent requests.
    pub reads: Arc<SharedReads>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The longest a long-poll may wait.
    pub max_wait: Duration,
    /// Origins allowed by CORS (exact, or with one `*` standing for a host-name part).
    pub cors_origins: Arc<Vec<String>>,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Server mode's bindings run by this instance: their status and wake-up bells.
    pub bindings: Arc<crate::server_mode::status::Registry>,
}

/// The default largest request body, 50 MiB: a push of a big sheet fits, and Apps Script sends
/// at most 50 MB per request.
pub const BODY_LIMIT: usize = 50 * 1024 * 1024;

/// Every route of the protocol, as `(method, path)`; the OpenAPI test checks the document
/// against this list and the router is built from the same paths.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/metrics"),
    ("get", "/v1/tables"),
    ("get", "/v1/tables/{table}/rows"),
    ("get", "/v1/tables/{table}/changes"),
    ("post", "/v1/tables/{table}/push"),
    ("get", "/v1/tables/{table}/rows/{key}/versions/{version}"),
    ("get", "/v1/tables/{table}/rows/{key}/history"),
    ("post", "/v1/tables/{table}/overrides"),
    ("post", "/v1/bindings"),
    ("delete", "/v1/bindings/{id}"),
    ("post", "/v1/tables/{table}/keys/order"),
    // Server mode: a binding's status, and a poke that has it read its sheet now.
    ("get", "/v1/bindings/{id}"),
    ("post", "/v1/bindings/{id}/poke"),
    // Server mode's held conflicts, and a person's answers to them.
    ("get", "/v1/bindings/{id}/conflicts"),
    ("post", "/v1/bindings/{id}/conflicts"),
    // Server mode's Drive push notifications (no bearer token: the channel's own token).
    ("post", "/v1/drive/notifications"),
];

/// Whether `origin` matches `pattern`: equal, or with the pattern's `*` standing for one or more
/// letters, digits or hyphens (one host-name label part, so no `.` or `/` can sneak in).
pub fn origin_matches(pattern: &str, origin: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern.eq_ignore_ascii_case(origin),
        Some((prefix, suffix)) => {
            origin.len() > prefix.len() + suffix.len()
                && origin.starts_with(prefix)
                && origin.ends_with(suffix)
                && origin[prefix.len()..origin.len() - suffix.len()]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }
    }
}

/// Names the charset of every JSON answer: JSON is UTF-8, but a client that decodes by the
/// header (Apps Script's `getContentText()` without an argument may) would otherwise guess.
async fn name_json_charset(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let content_type = axum::http::header::CONTENT_TYPE;
    if res
        .headers()
        .get(&content_type)
        .and_then(|v| v.to_str().ok())
        == Some("application/json")
    {
        res.headers_mut().insert(
            content_type,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    res
}

async fn count_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    Metrics::add(&state.metrics.requests, 1);
    next.run(req).await
}

/// The application router over `state`, with CORS, compression, body limit, timeout and
/// tracing. Tests drive it directly with `tower::ServiceExt::oneshot`.
pub fn app(state: AppState) -> Router {
    let origins = state.cors_origins.clone();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin
                .to_str()
                .map(|o| origins.iter().any(|p| origin_matches(p, o)))
                .unwrap_or(false)
        }))
        .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
        .allow_headers([
            axum::http::header::AUTHORIZATION,
            axum::http::header::CONTENT_TYPE,
        ])
        .max_age(Duration::from_secs(3600));
    // Longer than the longest long-poll, so a waiting client gets its empty page, not a 408.
    let timeout = state.max_wait + Duration::from_secs(30);
    Router::new()
        .route(ROUTES[0].1, get(handlers::health))
        .route(ROUTES[1].1, get(handlers::metrics))
        .route(ROUTES[2].1, get(handlers::list_tables))
        .route(ROUTES[3].1, get(handlers::rows_page))
        .route(ROUTES[4].1, get(handlers::changes))
        .route(ROUTES[5].1, post(handlers::push))
        .route(ROUTES[6].1, get(handlers::row_version))
        .route(ROUTES[7].1, get(history::row_history))
        .route(ROUTES[8].1, post(history::report_overrides))
        .route(ROUTES[9].1, post(binding_mode::hand_over))
        .route(ROUTES[10].1, delete(binding_mode::hand_back))
        .route(ROUTES[11].1, post(key_order::order_keys))
        .route(ROUTES[12].1, get(bindings::binding_status))
        .route(ROUTES[13].1, post(bindings::poke))
        .route(
            ROUTES[14].1,
            get(bindings::conflicts).post(bindings::answer_conflicts),
        )
        .route(ROUTES[16].1, post(drive_notifications::notification))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(extract::method_not_allowed)
        .layer(DefaultBodyLimit::max(state.body_limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            extract::refuse_oversized,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::from_fn(extract::json_errors))
        .layer(middleware::from_fn(name_json_charset))
        .layer(cors)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::origin_matches;

    #[test]
    fn the_apps_script_wildcard_matches_sidebar_origins_only() {
        let p = "https://*-script.googleusercontent.com";
        assert!(origin_matches(
            p,
            "https://n-abc123def-0lu-script.googleusercontent.com"
        ));
        assert!(!origin_matches(p, "https://-script.googleusercontent.com"));
        assert!(!origin_matches(
            p,
            "https://evil.com/-script.googleusercontent.com"
        ));
        assert!(!origin_matches(
            p,
            "https://a.evil-script.googleusercontent.com"
        ));
        assert!(!origin_matches(p, "http://x-script.googleusercontent.com"));
        assert!(origin_matches("https://example.com", "https://example.com"));
    }
}
