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
