//! The one error type every handler returns. Each variant documents its status code; the body
//! is always an [`ErrorBody`] with a stable code. Database errors are logged, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use sheetsync_core::wire::ErrorBody;

/// An error answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401 `unauthorized`: no bearer token, or an unknown or revoked one.
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// 403 `forbidden`: the token does not cover this table or operation.
    #[error("{0}")]
    Forbidden(String),
    /// 404 `not_found`: no such table (for this token), row version or route.
    #[error("{0}")]
    NotFound(String),
    /// 400 `bad_request`: a malformed parameter or body.
    #[error("{0}")]
    BadRequest(String),
    /// 405 `method_not_allowed`: the route exists, but not for this method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 413 `payload_too_large`: the request body is larger than the server accepts.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415 `unsupported_media_type`: the body is not declared as JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 408 `request_timeout`: the request took longer than the server allows.
    #[error("the request took too long; try again")]
    Timeout,
    /// 409 `conflict`: the request clashes with the state it would change (a sheet already
    /// bound, a batch still in flight); the message says what to finish first.
    #[error("{0}")]
    Conflict(String),
    /// 409 `paused`: the server-mode binding is paused, so nothing runs it.
    #[error("{0}")]
    Paused(String),
    /// 410 `cursor_expired`: the cursor is older than the retained change log.
    #[error(
        "the cursor is older than the retained change log; read the table again from a snapshot"
    )]
    CursorExpired,
    /// 500 `internal`: the database failed; details are in the server log.
    #[error("the database failed; see the server log")]
    Database(#[from] sqlx::Error),
    /// 500 `internal`: the server could not make a true answer (the database did not report
    /// what it did); nothing was committed, the details are in the server log.
    #[error("the server could not confirm what the database did; nothing was committed, see the server log")]
    Inconsistent(String),
}

impl ApiError {
    /// The status and stable code of this error.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            ApiError::Timeout => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Paused(_) => (StatusCode::CONFLICT, "paused"),
            ApiError::CursorExpired => (StatusCode::GONE, "cursor_expired"),
            ApiError::Database(_) | ApiError::Inconsistent(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Database(e) => tracing::error!(error = %e, "database error"),
            ApiError::Inconsistent(m) => tracing::error!(problem = %m, "no true answer to give"),
            _ => {}
        }
        let (status, code) = self.status_and_code();
        let body = ErrorBody {
            error: code.to_string(),
            message: self.to_string(),
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// The result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
