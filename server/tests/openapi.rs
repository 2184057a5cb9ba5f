//! The OpenAPI document and the router describe the same routes.

use std::collections::BTreeSet;

use sheetsync_server::http::ROUTES;

#[test]
fn every_route_in_the_router_is_in_the_openapi_document_and_no_other() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.yaml");
    let text = std::fs::read_to_string(path).expect("docs/openapi.yaml is readable");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("docs/openapi.yaml is YAML");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_mapping().expect("a paths map") {
        for (method, _) in item.as_mapping().expect("a path item") {
            documented.insert((
                method.as_str().unwrap().to_string(),
                path.as_str().unwrap().to_string(),
            ));
        }
    }
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, routed);
}

#[tokio::test]
async fn the_router_answers_every_listed_route_and_nothing_else() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    let db = sheetsync_server::db::Db::open("sqlite::memory:", 1)
        .await
        .expect("in-memory database");
    let instance = sheetsync_server::Instance::start(db, &sheetsync_server::Options::default())
        .await
        .expect("start");
    for (method, path) in ROUTES {
        let uri = path
            .replace("{table}", "t")
            .replace("{key}", "1")
            .replace("{version}", "1");
        let req = Request::builder()
            .method(method.to_ascii_uppercase().as_str())
            .uri(&uri)
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let status = instance.router().oneshot(req).await.unwrap().status();
        assert!(
            status != 404 && status != 405,
            "{method} {uri} is listed but answers {status}"
        );
    }
    let req = Request::builder()
        .uri("/v1/nothing")
        .body(Body::empty())
        .unwrap();
    assert_eq!(instance.router().oneshot(req).await.unwrap().status(), 404);
}

mod common;

/// The operations of docs/openapi.yaml: `(method, path, operation)`.
fn operations(doc: &serde_yaml::Value) -> Vec<(String, String, serde_yaml::Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_mapping().expect("a paths map") {
        for (method, op) in item.as_mapping().expect("a path item") {
            out.push((
                method.as_str().unwrap().to_string(),
                path.as_str().unwrap().to_string(),
                op.clone(),
            ));
        }
    }
    out
}

fn openapi() -> serde_yaml::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// An operation's parameters, with `$ref`s resolved.
fn parameters(doc: &serde_yaml::Value, op: &serde_yaml::Value) -> Vec<serde_yaml::Value> {
    let none = Vec::new();
    op["parameters"]
        .as_sequence()
        .unwrap_or(&none)
        .iter()
        .map(|p| match p["$ref"].as_str() {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap();
                doc["components"]["parameters"][name].clone()
            }
            None => p.clone(),
        })
        .collect()
}

/// Values that do not fit a parameter of this schema (none for free text in a query).
fn malformed(param: &serde_yaml::Value) -> Vec<&'static str> {
    let path = param["in"] == "path";
    match (param["schema"]["type"].as_str(), path) {
        (Some("integer"), _) => vec!["-1", "abc", "1.5", "18446744073709551616", "0", "%FF"]
            .into_iter()
            .filter(|v| !path || !v.starts_with('-') && *v != "0")
            .collect(),
        (Some("number"), _) => vec!["abc", "-1", "NaN", "%FF"],
        (Some("string"), true) => vec!["%FF", "%C3%28"],
        _ => vec![],
    }
}

/// Whether the operation documents `status` with the `ErrorBody` schema.
fn documents_error(doc: &serde_yaml::Value, op: &serde_yaml::Value, status: u16) -> bool {
    let mut response = op["responses"][status.to_string().as_str()].clone();
    if let Some(r) = response["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        response = doc["components"]["responses"][name].clone();
    }
    response["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/ErrorBody"
}

/// Sends one request and checks it is answered `want` with a JSON `ErrorBody` whose code is a
/// documented one, and that the operation documents that answer.
async fn expect_error(
    ctx: &common::Ctx,
    doc: &serde_yaml::Value,
    op: Option<&serde_yaml::Value>,
    req: axum::http::Request<axum::body::Body>,
    want: u16,
) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let what = format!("{} {}", req.method(), req.uri());
    let res = ctx.instance.router().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body: serde_json::Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("{what}: not JSON: {}", String::from_utf8_lossy(&bytes)));
    assert_eq!(status, want, "{what}: {body}");
    let codes = doc["components"]["schemas"]["ErrorBody"]["properties"]["error"]["enum"]
        .as_sequence()
        .unwrap();
    let code = body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: {body}"));
    assert!(
        codes.iter().any(|c| c.as_str() == Some(code)),
        "{what}: code {code} is not documented"
    );
    assert!(body["message"].as_str().is_some(), "{what}: {body}");
    if let Some(op) = op {
        assert!(
            documents_error(doc, op, status),
            "{what}: answers {status}, which docs/openapi.yaml does not list with ErrorBody"
        );
    }
}

backend_tests! {
    async fn every_documented_route_answers_malformed_requests_with_the_json_error_body(ctx) {
        use axum::body::Body;
        use axum::http::Request;
        ctx.people().await;
        ctx.sql("INSERT INTO people (id, name) VALUES (1, 'a')").await;
        let token = ctx.token(&["people"], true).await;
        let doc = openapi();
        let mut checked = 0;
        for (method, path, op) in operations(&doc) {
            let params = parameters(&doc, &op);
            let good = |name: &str| match name {
                "table" => "people",
                _ => "1",
            };
            let uri_with = |bad: Option<(&str, &str)>| {
                let mut uri = path.clone();
                let mut query = Vec::new();
                for p in &params {
                    let name = p["name"].as_str().unwrap();
                    let value = match bad {
                        Some((n, v)) if n == name => v.to_string(),
                        _ if p["in"] == "path" => good(name).to_string(),
                        _ => continue,
                    };
                    if p["in"] == "path" {
                        uri = uri.replace(&format!("{{{name}}}"), &value);
                    } else {
                        query.push(format!("{name}={value}"));
                    }
                }
                if !query.is_empty() {
                    uri = format!("{uri}?{}", query.join("&"));
                }
                uri
            };
            let request = |uri: String, body: Body, content_type: &str| {
                Request::builder()
                    .method(method.to_ascii_uppercase().as_str())
                    .uri(uri)
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", content_type)
                    .body(body)
                    .unwrap()
            };
            let has_body = !op["requestBody"].is_null();
            let valid_body = || {
                if has_body {
                    Body::from(r#"{"batch_id":"walk","origin":"o","changes":[]}"#)
                } else {
                    Body::empty()
                }
            };
            for p in &params {
                let name = p["name"].as_str().unwrap();
                for bad in malformed(p) {
                    let req = request(uri_with(Some((name, bad))), valid_body(), "application/json");
                    expect_error(&ctx, &doc, Some(&op), req, 400).await;
                    checked += 1;
                }
            }
            if has_body {
                for bad in ["{", "[]", "{\"batch_id\": 1}"] {
                    let req = request(uri_with(None), Body::from(bad), "application/json");
                    expect_error(&ctx, &doc, Some(&op), req, 400).await;
                }
                let req = request(uri_with(None), valid_body(), "text/plain");
                expect_error(&ctx, &doc, Some(&op), req, 415).await;
                let mut req = request(uri_with(None), Body::empty(), "application/json");
                let over = (sheetsync_server::http::BODY_LIMIT + 1).to_string();
                req.headers_mut().insert("content-length", over.parse().unwrap());
                expect_error(&ctx, &doc, Some(&op), req, 413).await;
                checked += 5;
            }
            // A method the route does not have: the first of these its path item leaves out.
            let documented = &doc["paths"][path.as_str()];
            let other = ["put", "patch", "delete", "get"]
                .into_iter()
                .find(|m| documented.get(*m).is_none())
                .expect("a path item without every method")
                .to_ascii_uppercase();
            let req = Request::builder()
                .method(other.as_str())
                .uri(uri_with(None))
                .body(Body::empty())
                .unwrap();
            expect_error(&ctx, &doc, None, req, 405).await;
            checked += 1;
        }
        assert!(checked >= 40, "only {checked} malformed requests were tried");
        let req = Request::builder().uri("/v1/no/such/route").body(Body::empty()).unwrap();
        expect_error(&ctx, &doc, None, req, 404).await;
    }
}
