//! Extractors that answer every malformed request in the documented form: axum's own path,
//! query and JSON extractors reject with plain text, so each is wrapped here and its rejection
//! turned into an [`ApiError`] (400 `bad_request`, 413 `payload_too_large` or 415
//! `unsupported_media_type`) whose message names the parameter at fault. The body limit is
//! checked twice: up front against `Content-Length` ([`refuse_oversized`]), and while a body
//! without one is read (axum's `DefaultBodyLimit`, surfacing here as a rejection).

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::AppState;

/// Path parameters, refused as `bad_request` naming the parameter.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(path_error(e)),
        }
    }
}

fn path_error(e: PathRejection) -> ApiError {
    use axum::extract::path::ErrorKind;
    let PathRejection::FailedToDeserializePathParams(failed) = &e else {
        return ApiError::BadRequest(format!("the path cannot be read: {}", e.body_text()));
    };
    ApiError::BadRequest(match failed.kind() {
        ErrorKind::InvalidUtf8InPathParam { key } => {
            format!("path parameter {key}: the percent-encoded bytes are not UTF-8 text")
        }
        ErrorKind::ParseErrorAtKey {
            key,
            value,
            expected_type,
        } => format!("path parameter {key}: {value:?} is not a valid {expected_type}"),
        ErrorKind::ParseError {
            value,
            expected_type,
        } => format!("path parameter: {value:?} is not a valid {expected_type}"),
        ErrorKind::ParseErrorAtIndex {
            index,
            value,
            expected_type,
        } => format!("path parameter {index}: {value:?} is not a valid {expected_type}"),
        _ => format!("the path cannot be read: {}", e.body_text()),
    })
}

/// The query string, refused as `bad_request` with the deserializer's reason. Handlers take
/// numbers as text and parse them themselves, so that the message names the parameter.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::BadRequest(
                format!("the query string cannot be read: {}", e.body_text()),
            )),
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}

/// A JSON body: 415 without a JSON content type, 413 over the body limit, 400 otherwise.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(json_error(e)),
        }
    }
}

fn json_error(e: JsonRejection) -> ApiError {
    match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(too_large()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(
            "the body must be JSON, sent with content-type: application/json".to_string(),
        ),
        _ => ApiError::BadRequest(format!("the body cannot be read: {}", e.body_text())),
    }
}

fn too_large() -> String {
    "the request body is larger than this server accepts; send the changes in smaller batches"
        .to_string()
}

/// Refuses a request whose declared `Content-Length` is over the body limit before any of the
/// body is read. A body without a length is counted as it is read instead.
pub async fn refuse_oversized(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(n) if n > state.body_limit as u64 => {
            ApiError::PayloadTooLarge(too_large()).into_response()
        }
        _ => next.run(req).await,
    }
}

/// The answer for a route that exists under another method.
pub async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::MethodNotAllowed(format!(
        "{} is not allowed on {}",
        req.method(),
        req.uri().path()
    ))
}
