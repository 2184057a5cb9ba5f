//! The safety poll under load from other tables: a sheet edit no poke announced reaches the
//! database at the next safety poll even while changes to another table keep waking the
//! binding's task (each such wake-up runs no round, and must not put the poll off).

mod common;

use common::server_mode::*;
use serde_json::json;
use sheetsync_core::policy::ConflictPolicy;
use sheetsync_server::server_mode::ServerMode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

backend_tests! {
    async fn an_unannounced_sheet_edit_arrives_while_another_table_keeps_changing(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        ctx.enable("teams").await;
        let mut s = settings(&standin, "one");
        s.safety_poll = Duration::from_secs(3);
        let mode = ServerMode::start(&ctx.instance.state, s).unwrap();
        // The loop's first round runs at once; the edit must come after it, or that round
        // (not a safety poll) would carry it.
        eventually("the first round of instance one", || async {
            (status(&ctx, id, &token).await["statusSavedBy"] == json!("one")).then_some(())
        })
        .await;

        // Another application writes another table every 300 ms: each commit wakes the task
        // through the feed, and none concerns its table.
        let writing = Arc::new(AtomicBool::new(true));
        let writer = {
            let (ctx, writing) = (ctx.clone(), writing.clone());
            tokio::spawn(async move {
                let mut n = 0u32;
                while writing.load(Ordering::SeqCst) {
                    n += 1;
                    ctx.sql(&format!("UPDATE teams SET name = 'red {n}' WHERE id = 1")).await;
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
            })
        };

        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "1")), vec![vec![json!("Ann by hand")]]).await;
        // No poke: only the safety poll (every 3 s) reads the sheet. The limit is generous,
        // ten polls, so a slow machine does not fail it; the loop that lost its poll to the
        // other table's wake-ups never gets there.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let arrived = loop {
            if ann_in_table(&ctx).await.0 == "Ann by hand" {
                break true;
            }
            if tokio::time::Instant::now() > deadline {
                break false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        writing.store(false, Ordering::SeqCst);
        writer.await.unwrap();
        mode.shutdown().await;
        assert!(arrived, "the sheet edit did not reach the table in 30 s (safety poll every 3 s)");
    }
}
