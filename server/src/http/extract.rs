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
use sheetsync_core::wire::ErrorBody;

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

/// Turns any error answer that is not already a JSON `ErrorBody` (a layer's own refusal, such
/// as the timeout's empty 408) into one, so every error a client sees has the documented form.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let code = match status {
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::CONFLICT => "conflict",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = match status {
        StatusCode::REQUEST_TIMEOUT => ApiError::Timeout.to_string(),
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        s => s
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_string(),
    };
    let body = ErrorBody {
        error: code.to_string(),
        message,
    };
    let mut fresh = (status, axum::Json(body)).into_response();
    // Keep the layers' headers (CORS, say), but not those describing the replaced body.
    for (name, value) in res.headers() {
        if name != axum::http::header::CONTENT_TYPE
            && name != axum::http::header::CONTENT_LENGTH
            && name != axum::http::header::CONTENT_ENCODING
            && !fresh.headers().contains_key(name)
        {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fresh
}

/// The answer for a route that exists under another method.
pub async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::MethodNotAllowed(format!(
        "{} is not allowed on {}",
        req.method(),
        req.uri().path()
    ))
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use axum::Router;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    #[tokio::test]
    async fn an_error_a_layer_answers_without_a_body_gets_the_json_error_body() {
        let app = Router::new()
            .route("/slow", get(|| async { StatusCode::REQUEST_TIMEOUT }))
            .route("/ok", get(|| async { "fine" }))
            .layer(axum::middleware::from_fn(super::json_errors));
        let res = app
            .clone()
            .oneshot(Request::get("/slow").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::REQUEST_TIMEOUT);
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["error"], "request_timeout", "{body}");
        let res = app
            .oneshot(Request::get("/ok").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&bytes[..], b"fine", "a success is left alone");
    }
}
