//! Measures how long a change written by plain SQL takes to reach a client waiting on the
//! change feed: from the moment the UPDATE's commit returns to the moment the long-poll
//! answer has been read from the socket. Prints p50 / p99 / max over a few dozen runs.
//!
//! ```text
//! cargo run --release -p sheetsync-server --example feed_latency -- [DATABASE_URL] [RUNS]
//! ```
//!
//! The database URL defaults to a fresh SQLite file; for MariaDB or PostgreSQL pass a URL of
//! an empty scratch database (the example creates and drops its own table there).

use std::time::{Duration, Instant};

use sheetsync_server::db::Db;
use sheetsync_server::{tables, tokens, Instance, Options};
use sqlx::Executor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| {
        let path = std::env::temp_dir().join(format!("feed_latency_{}.sqlite", std::process::id()));
        format!("sqlite://{}?mode=rwc", path.display())
    });
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(40);

    let db = Db::open(&url, 10).await?;
    let outside = sqlx::AnyPool::connect(&url).await?;
    outside
        .execute("DROP TABLE IF EXISTS latency_probe")
        .await?;
    outside
        .execute("CREATE TABLE latency_probe (id INT PRIMARY KEY, n INT NOT NULL)")
        .await?;
    outside
        .execute("INSERT INTO latency_probe (id, n) VALUES (1, 0)")
        .await?;
    tables::enable(&db, "latency_probe").await?;
    let (_, token) = tokens::create(&db, "latency", &["latency_probe".into()], false).await?;
    let instance = Instance::start(db.clone(), &Options::default()).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(sheetsync_server::run(
        listener,
        instance.router(),
        std::future::pending(),
    ));

    let mut cursor = first_cursor(addr, &token).await?;
    let mut samples = Vec::with_capacity(runs);
    for i in 1..=runs {
        let path = format!("/v1/tables/latency_probe/changes?cursor={cursor}&wait=10");
        let token2 = token.clone();
        let waiter = tokio::spawn(async move {
            let body = get(addr, &path, &token2).await;
            (Instant::now(), body)
        });
        // Let the request reach its wait.
        tokio::time::sleep(Duration::from_millis(60)).await;
        outside
            .execute(format!("UPDATE latency_probe SET n = {i} WHERE id = 1").as_str())
            .await?;
        let committed = Instant::now();
        let (received, body) = waiter.await?;
        let body = body?;
        let page: serde_json::Value = serde_json::from_str(&body)?;
        if page["changes"].as_array().is_none_or(|c| c.is_empty()) {
            return Err(format!("run {i}: the long-poll returned no change: {body}").into());
        }
        cursor = page["cursor"].as_str().unwrap_or("0").to_string();
        samples.push(received.saturating_duration_since(committed));
    }
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "feed latency over {runs} runs on {}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        url.split(':').next().unwrap_or("?"),
        pick(0.5).as_secs_f64() * 1000.0,
        pick(0.99).as_secs_f64() * 1000.0,
        samples[samples.len() - 1].as_secs_f64() * 1000.0
    );
    drop(instance);
    outside.execute("DROP TABLE latency_probe").await?;
    Ok(())
}

async fn first_cursor(
    addr: std::net::SocketAddr,
    token: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let body = get(addr, "/v1/tables/latency_probe/rows?limit=1", token).await?;
    let page: serde_json::Value = serde_json::from_str(&body)?;
    Ok(page["cursor"].as_str().unwrap_or("0").to_string())
}

/// A minimal HTTP/1.1 GET over a fresh connection; returns the body.
async fn get(
    addr: std::net::SocketAddr,
    path: &str,
    token: &str,
) -> Result<String, std::io::Error> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response);
    Ok(text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default())
}
