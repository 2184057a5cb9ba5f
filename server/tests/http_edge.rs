//! The HTTP edge: the body limit for bodies with and without a length, and every malformed
//! parameter answered with the JSON `ErrorBody` and a stable code.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value as J};
use sheetsync_server::http::BODY_LIMIT;
use sheetsync_server::{Instance, Options};
use tower::ServiceExt;

/// Sends `req` through `instance`'s router; the body as JSON (or as a string if it is not).
async fn send(instance: &Instance, req: Request<Body>) -> (StatusCode, J) {
    let res = instance.router().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| J::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, json)
}

/// An empty push padded with spaces (still valid JSON) to exactly `size` bytes.
fn padded_push(size: usize) -> Vec<u8> {
    let mut body = json!({"batch_id": format!("b-{size}"), "origin": "o", "changes": []})
        .to_string()
        .into_bytes();
    assert!(body.len() <= size);
    body.resize(size, b' ');
    body
}

fn push_request(token: &str, body: Body, length: Option<usize>) -> Request<Body> {
    let mut req = Request::builder()
        .method("POST")
        .uri("/v1/tables/people/push")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    if let Some(n) = length {
        req = req.header("content-length", n.to_string());
    }
    req.body(body).unwrap()
}

/// A body sent in 1 MiB chunks with no length, as a chunked upload arrives.
fn chunked(bytes: Vec<u8>) -> Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        bytes.chunks(1 << 20).map(|c| Ok(c.to_vec())).collect();
    Body::from_stream(futures_util::stream::iter(chunks))
}

fn assert_error(status: StatusCode, body: &J, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

backend_tests! {
    async fn a_body_over_the_limit_is_refused_413_with_or_without_a_length(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let over = padded_push(BODY_LIMIT + 1);
        let (status, body) =
            send(&ctx.instance, push_request(&token, Body::from(over.clone()), Some(over.len()))).await;
        assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
        let (status, body) = send(&ctx.instance, push_request(&token, chunked(over), None)).await;
        assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    }

    async fn a_body_just_under_the_limit_is_accepted_with_or_without_a_length(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let under = padded_push(BODY_LIMIT);
        let (status, body) =
            send(&ctx.instance, push_request(&token, Body::from(under.clone()), Some(under.len()))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let under = padded_push(BODY_LIMIT - 1);
        let (status, body) = send(&ctx.instance, push_request(&token, chunked(under), None)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn malformed_parameters_are_answered_400_with_the_parameter_named(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let cases = [
            ("/v1/tables/people/rows?limit=-1", "limit"),
            ("/v1/tables/people/rows?limit=abc", "limit"),
            ("/v1/tables/people/rows?limit=1.5", "limit"),
            ("/v1/tables/people/rows?limit=18446744073709551616", "limit"),
            ("/v1/tables/people/rows?limit=0", "limit"),
            ("/v1/tables/people/rows?after=abc", "after"),
            ("/v1/tables/people/changes?limit=abc", "limit"),
            ("/v1/tables/people/changes?wait=abc", "wait"),
            ("/v1/tables/people/changes?wait=-1", "wait"),
            ("/v1/tables/people/changes?wait=NaN", "wait"),
            ("/v1/tables/people/changes?cursor=abc", "cursor"),
            ("/v1/tables/people/changes?cursor=-5", "cursor"),
            ("/v1/tables/people/rows/1/versions/abc", "version"),
            ("/v1/tables/people/rows/1/versions/1.5", "version"),
            ("/v1/tables/%FF/rows", "table"),
            ("/v1/tables/%FF/changes", "table"),
            ("/v1/tables/people/rows/%FF%FE/versions/1", "key"),
        ];
        for (uri, param) in cases {
            let (status, body) = ctx.get(uri, Some(&token)).await;
            assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_request");
            let message = body["message"].as_str().unwrap();
            assert!(message.contains(param), "{uri}: {message}");
        }
    }

    async fn bodies_methods_and_routes_that_do_not_fit_get_the_error_body(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let plain = Request::builder()
            .method("POST")
            .uri("/v1/tables/people/push")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "text/plain")
            .body(Body::from("{}"))
            .unwrap();
        let (status, body) = send(&ctx.instance, plain).await;
        assert_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        for bad in ["{", "[]", "{\"batch_id\": 5}", "{\"batch_id\":\"b\",\"origin\":\"o\",\"changes\":[{\"op\":\"upsert\"}]}"] {
            let (status, body) = send(&ctx.instance, push_request(&token, Body::from(bad), None)).await;
            assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_request");
        }
        let (status, body) = ctx.get("/v1/tables/people/push", Some(&token)).await;
        assert_error(status, &body, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        let (status, body) = ctx.post("/v1/tables/people/rows", Some(&token), json!({})).await;
        assert_error(status, &body, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        let (status, body) = ctx.get("/v2/anything", Some(&token)).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn json_answers_name_their_charset() {
    let db = sheetsync_server::db::Db::open("sqlite::memory:", 1)
        .await
        .expect("in-memory database");
    let instance = Instance::start(db, &Options::default())
        .await
        .expect("start");
    for (uri, want) in [
        ("/v1/tables", StatusCode::UNAUTHORIZED),
        ("/v2/nothing", StatusCode::NOT_FOUND),
    ] {
        let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
        let res = instance.router().oneshot(req).await.unwrap();
        assert_eq!(res.status(), want, "{uri}");
        assert_eq!(
            res.headers()["content-type"],
            "application/json; charset=utf-8",
            "{uri}"
        );
    }
}

#[tokio::test]
async fn the_body_limit_is_configurable() {
    let db = sheetsync_server::db::Db::open("sqlite::memory:", 1)
        .await
        .expect("in-memory database");
    let options = Options {
        body_limit: 1000,
        ..Options::default()
    };
    let instance = Instance::start(db, &options).await.expect("start");
    // The limit is checked before the token: no table or token is needed to see it.
    let over = padded_push(1001);
    let (status, body) = send(
        &instance,
        push_request("x", Body::from(over.clone()), Some(over.len())),
    )
    .await;
    assert_error(
        status,
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
}
