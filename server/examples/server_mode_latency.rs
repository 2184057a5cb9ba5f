//! Measures server mode's database → sheet latency: from the moment an UPDATE's commit returns
//! to the moment the new value is in the bound sheet of the Sheets API stand-in, with the
//! stand-in answering every call `LATENCY_MS` late (100 ms by default, about Google's). One
//! table is bound to `BINDINGS` spreadsheets in one process; each run updates the table once
//! and times up to 20 of the sheets (spread over all of them). Prints p50 / p99 / max. Then
//! the other way: a value typed into the first sheet and a poke, until the table holds it.
//!
//! ```text
//! cargo run --release -p sheetsync-server --example server_mode_latency -- [BINDINGS] [RUNS] [LATENCY_MS]
//! ```
//!
//! Needs `node` (the stand-in is tests/emulator/sheets-standin.js). The database is a fresh
//! SQLite file. A value counts as arrived at the start of the first read that shows it; the
//! watcher reads each timed sheet every 25 ms, so the figures include up to one read's
//! latency of the stand-in.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value as J;
use sheetsync_core::policy::PolicySet;
use sheetsync_server::bindings::{self, NewBinding};
use sheetsync_server::db::Db;
use sheetsync_server::google::auth::TokenSource;
use sheetsync_server::google::backoff::Backoff;
use sheetsync_server::google::budget::{Budgets, QuotaLimits};
use sheetsync_server::google::key::ServiceAccountKey;
use sheetsync_server::google::sheets::{RangeValues, Render, SheetsClient};
use sheetsync_server::server_mode::{ServerMode, Settings};
use sheetsync_server::{tables, Instance, Options};
use sqlx::{Executor, Row};
use url::Url;

type Error = Box<dyn std::error::Error>;

/// No budget stands in the way: the figures are the loop's, not the quota's.
fn unlimited() -> QuotaLimits {
    QuotaLimits {
        reads_per_project: 10_000_000,
        reads_per_user: 10_000_000,
        writes_per_project: 10_000_000,
        writes_per_user: 10_000_000,
        drive_per_project: 10_000_000,
        drive_per_user: 10_000_000,
        window: Duration::from_secs(60),
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let latency: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);

    let key_file = std::env::temp_dir().join(format!("sm_latency_{}.json", std::process::id()));
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/emulator/sheets-standin.js");
    let huge = "100000000";
    let mut standin = Command::new("node")
        .arg(&script)
        .args(["--write-key-file", key_file.to_str().ok_or("key path")?])
        .args([
            "--spreadsheet-count",
            &count.to_string(),
            "--sheet",
            "People",
        ])
        .args(["--latency-ms", &latency.to_string()])
        .args([
            "--reads-per-minute-per-user",
            huge,
            "--reads-per-minute-per-project",
            huge,
        ])
        .args([
            "--writes-per-minute-per-user",
            huge,
            "--writes-per-minute-per-project",
            huge,
        ])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(standin.stdout.take().ok_or("stdout")?).read_line(&mut line)?;
    let info: J = serde_json::from_str(&line)?;
    let api = info["url"].as_str().ok_or("url")?.to_string();
    let ids: Vec<String> = info["spreadsheetIds"]
        .as_array()
        .ok_or("spreadsheetIds")?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();

    let path = std::env::temp_dir().join(format!("sm_latency_{}.sqlite", std::process::id()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = Db::open(&url, 20).await?;
    let outside = sqlx::AnyPool::connect(&url).await?;
    outside
        .execute("CREATE TABLE probe (id INT PRIMARY KEY, n INT NOT NULL)")
        .await?;
    outside
        .execute("INSERT INTO probe (id, n) VALUES (1, 0)")
        .await?;
    tables::enable(&db, "probe").await?;
    for id in &ids {
        bindings::create(
            &db,
            &NewBinding {
                spreadsheet_id: id.clone(),
                sheet_name: "People".into(),
                table: "probe".into(),
                policies: PolicySet::default(),
            },
        )
        .await?;
    }
    let instance = Instance::start(db.clone(), &Options::default()).await?;
    let mut settings = Settings::new(key_file.clone());
    settings.api_url = Url::parse(&api)?;
    settings.safety_poll = Duration::from_secs(3600);
    settings.quota = unlimited();
    let started = Instant::now();
    let mode = ServerMode::start(&instance.state, settings)?;

    let watcher = Arc::new(SheetsClient::new(
        Url::parse(&api)?,
        TokenSource::new(ServiceAccountKey::load(&key_file)?),
        Backoff::default(),
        Arc::new(Budgets::new(unlimited())),
    ));
    let step = (ids.len() / 20).max(1);
    let timed: Vec<String> = ids.iter().step_by(step).take(20).cloned().collect();
    // Every timed sheet shows the first round's copy of the table.
    for id in &timed {
        wait_for(&watcher, id, 0).await?;
    }
    println!(
        "{} bindings: first rounds done in {:.1} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );

    let mut samples = Vec::new();
    for n in 1..=runs as i64 {
        outside
            .execute(format!("UPDATE probe SET n = {n} WHERE id = 1").as_str())
            .await?;
        let committed = Instant::now();
        let waits = timed.iter().map(|id| {
            let watcher = watcher.clone();
            let id = id.clone();
            tokio::spawn(async move { wait_for(&watcher, &id, n).await })
        });
        for w in waits.collect::<Vec<_>>() {
            let seen = w.await??;
            samples.push(seen.saturating_duration_since(committed));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "database → sheet over {runs} runs, {} sheets timed of {} bindings, stand-in latency {latency} ms: \
         p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        timed.len(),
        ids.len(),
        pick(0.5).as_secs_f64() * 1000.0,
        pick(0.99).as_secs_f64() * 1000.0,
        samples[samples.len() - 1].as_secs_f64() * 1000.0
    );

    // Sheet → database: a person types into the first sheet and the add-on's trigger pokes.
    let first = &ids[0];
    let mut pokes = Vec::new();
    for n in 1..=runs as i64 {
        let value = 1_000_000 + n;
        watcher
            .batch_update_values(
                first,
                &[RangeValues {
                    range: "'People'!B2".into(),
                    values: vec![vec![J::from(value)]],
                }],
            )
            .await?;
        let poked = Instant::now();
        instance.state.bindings.poke(1);
        let deadline = poked + Duration::from_secs(60);
        loop {
            let row = sqlx::query("SELECT n FROM probe WHERE id = 1")
                .fetch_one(&outside)
                .await?;
            if row.try_get::<i64, _>(0)? == value {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("the poke's value {value} did not reach the table").into());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        pokes.push(poked.elapsed());
        // Let every binding settle before the next edit.
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    pokes.sort();
    let pick = |q: f64| pokes[((pokes.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "poke → table over {runs} runs: p50 {:.0} ms, p99 {:.0} ms",
        pick(0.5).as_secs_f64() * 1000.0,
        pick(0.99).as_secs_f64() * 1000.0
    );
    mode.shutdown().await;
    drop(instance);
    let _ = standin.kill();
    let _ = std::fs::remove_file(&key_file);
    let _ = std::fs::remove_file(&path);
    Ok(())
}

/// Reads sheet `id` every 25 ms until its cell B2 holds `n`; returns when the read that
/// showed it started.
async fn wait_for(sheets: &SheetsClient, id: &str, n: i64) -> Result<Instant, String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let asked = Instant::now();
        let grids = sheets
            .batch_get(id, &["'People'!B2".to_string()], Render::Values)
            .await
            .map_err(|e| e.to_string())?;
        let value = grids
            .first()
            .and_then(|g| g.first())
            .and_then(|r| r.first())
            .and_then(J::as_i64);
        if value == Some(n) {
            return Ok(asked);
        }
        if Instant::now() > deadline {
            return Err(format!(
                "sheet {id} did not show {n} within 120 s (it shows {value:?})"
            ));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
