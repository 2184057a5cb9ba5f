//! A table enabled or disabled while servers run is served, or no longer served, by every
//! running instance at once, whichever process made the change: the CLI in another process or
//! another server instance. The instances' slow catalog refresh (30 s) never runs during these
//! tests, so only the prompt path can pass them.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::bin::run_async;
use sheetsync_server::{tables, Instance};

/// Well under the 30 s slow refresh, with room for a loaded machine.
const PROMPTLY: Duration = Duration::from_secs(3);

/// The table names `instance` serves to `token`.
async fn served(instance: &Instance, token: &str) -> Vec<String> {
    let (status, body) = common::call(instance, "GET", "/v1/tables", Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_string())
        .collect()
}

/// Waits until `instance` serves `pets` (or no longer does), at most [`PROMPTLY`].
async fn wait_for_pets(instance: &Instance, token: &str, present: bool) -> Duration {
    let start = Instant::now();
    loop {
        let names = served(instance, token).await;
        if names.iter().any(|n| n == "pets") == present {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < PROMPTLY,
            "pets {} after {PROMPTLY:?}: {names:?}",
            if present {
                "not served"
            } else {
                "still served"
            }
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

backend_tests! {
    async fn a_table_enabled_by_the_cli_is_served_at_once_by_running_instances(ctx) {
        ctx.sql("CREATE TABLE pets (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL)").await;
        let token = ctx.token(&["*"], false).await;
        let second = ctx.second_instance().await;
        assert!(!served(&second, &token).await.contains(&"pets".to_string()));
        let run = run_async(vec![
            "--database-url".into(), ctx.url.clone(), "table".into(), "enable".into(), "pets".into(),
        ]).await;
        assert!(run.status.success(), "{}", run.stderr);
        wait_for_pets(&ctx.instance, &token, true).await;
        wait_for_pets(&second, &token, true).await;
        let run = run_async(vec![
            "--database-url".into(), ctx.url.clone(), "table".into(), "disable".into(), "pets".into(),
        ]).await;
        assert!(run.status.success(), "{}", run.stderr);
        wait_for_pets(&ctx.instance, &token, false).await;
        wait_for_pets(&second, &token, false).await;
    }

    async fn a_table_enabled_by_one_instance_is_served_at_once_by_another(ctx) {
        ctx.sql("CREATE TABLE pets (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL)").await;
        let token = ctx.token(&["pets"], false).await;
        let second = ctx.second_instance().await;
        // The first instance enables it (as `serve --tables` or a future API would), without
        // telling anyone.
        tables::enable(&ctx.db, "pets").await.expect("enable");
        let took = wait_for_pets(&second, &token, true).await;
        eprintln!("the second instance served the table after {took:?}");
    }
}
