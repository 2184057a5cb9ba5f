//! Measures how long pushes of many rows take end to end through the router (no socket):
//! a batch of inserts (row by row inside one transaction) and a batch of updates (multi-row
//! statements). Prints rows per second.
//!
//! ```text
//! cargo run --release -p sheetsync-server --example push_throughput -- [DATABASE_URL] [ROWS]
//! ```

use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::json;
use sheetsync_server::db::Db;
use sheetsync_server::{tables, tokens, Instance, Options};
use sqlx::Executor;
use tower::ServiceExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| {
        let path =
            std::env::temp_dir().join(format!("push_throughput_{}.sqlite", std::process::id()));
        format!("sqlite://{}?mode=rwc", path.display())
    });
    let rows: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(2000);
    let db = Db::open(&url, 10).await?;
    let outside = sqlx::AnyPool::connect(&url).await?;
    outside.execute("DROP TABLE IF EXISTS push_probe").await?;
    outside
        .execute(
            "CREATE TABLE push_probe (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, n INT NULL)",
        )
        .await?;
    tables::enable(&db, "push_probe").await?;
    let (_, token) = tokens::create(&db, "bench", &["push_probe".into()], true).await?;
    let instance = Instance::start(db.clone(), &Options::default()).await?;

    let inserts: Vec<_> = (0..rows)
        .map(|i| json!({"op": "insert", "cells": {"id": i, "name": format!("row {i}"), "n": i}}))
        .collect();
    let (secs, body) = push(
        &instance,
        &token,
        json!({"batch_id": "ins", "origin": "b", "changes": inserts}),
    )
    .await?;
    println!(
        "insert {rows} rows: {:.0} ms ({:.0} rows/s)",
        secs * 1000.0,
        rows as f64 / secs
    );
    let versions: Vec<i64> = body["results"]
        .as_array()
        .ok_or("no results")?
        .iter()
        .map(|r| r["version"].as_i64().unwrap_or(0))
        .collect();
    let updates: Vec<_> = (0..rows)
        .map(|i| json!({"op": "update", "key": i.to_string(), "expected_version": versions[i], "cells": {"n": i + 1}}))
        .collect();
    let (secs, body) = push(
        &instance,
        &token,
        json!({"batch_id": "upd", "origin": "b", "changes": updates}),
    )
    .await?;
    let applied = body["results"]
        .as_array()
        .map_or(0, |r| r.iter().filter(|r| r["result"] == "applied").count());
    println!(
        "update {rows} rows ({applied} applied): {:.0} ms ({:.0} rows/s)",
        secs * 1000.0,
        rows as f64 / secs
    );
    drop(instance);
    outside.execute("DROP TABLE push_probe").await?;
    Ok(())
}

async fn push(
    instance: &Instance,
    token: &str,
    body: serde_json::Value,
) -> Result<(f64, serde_json::Value), Box<dyn std::error::Error>> {
    let req = Request::builder()
        .method("POST")
        .uri("/v1/tables/push_probe/push")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))?;
    let start = Instant::now();
    let res = instance.router().oneshot(req).await?;
    let bytes = res.into_body().collect().await?.to_bytes();
    let secs = start.elapsed().as_secs_f64();
    Ok((secs, serde_json::from_slice(&bytes)?))
}
