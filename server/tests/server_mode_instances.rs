//! Server mode across instances and processes, against the Sheets API stand-in on MariaDB,
//! PostgreSQL and SQLite: a server stopped mid-round, leases handed over and taken over, paused
//! bindings, `serve --google-key` as a process, the zone tables and the API calls of each round.

mod common;

use axum::http::StatusCode;
use common::server_mode::*;
use common::Ctx;
use serde_json::{json, Value as J};
use sheetsync_core::policy::ConflictPolicy;
use sheetsync_server::bindings::{self};
use sheetsync_server::server_mode::{ServerMode, Step};
use std::time::Duration;
use url::Url;

backend_tests! {
    async fn a_server_stopped_between_any_two_steps_loses_and_doubles_nothing(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        let steps = [Step::SheetEdited, Step::StateSaved, Step::BatchSent, Step::AnswerWritten];
        for (i, step) in steps.into_iter().enumerate() {
            // A new row in the sheet and a change in the table, for one round to carry.
            let v = person.values().await;
            let n = v.len() + 1;
            let new_name = format!("New{i}");
            person.write(&format!("A{n}:F{n}"), vec![vec![json!(""), json!(new_name), json!(""), json!(""), json!(""), json!(true)]]).await;
            ctx.sql(&format!("UPDATE people SET name = 'Bob{i}' WHERE id = 2")).await;

            // The first instance stops right after `step`, as if killed there: it saves
            // nothing more and releases nothing.
            let mut s = settings(&standin, &format!("killed{i}"));
            s.stop_at = Some(step);
            let killed = ServerMode::start(&ctx.instance.state, s).unwrap();
            eventually(&format!("the round stopped after {step:?}"), || async {
                killed.halted().then_some(())
            }).await;

            // Another instance takes the lease once it expires and finishes the work.
            let next = ServerMode::start(&ctx.instance.state, settings(&standin, &format!("next{i}"))).unwrap();
            poke(&ctx, id, &token).await;
            let v = eventually(&format!("after {step:?}: the new row keyed in the sheet, Bob{i} there"), || async {
                let v = person.values().await;
                let rows = by_id(&v);
                let keyed = rows.values().any(|r| r["name"] == json!(new_name));
                let bob = rows.get("2").is_some_and(|r| r["name"] == json!(format!("Bob{i}")));
                (keyed && bob && !rows.contains_key("")).then_some(v)
            }).await;
            assert_eq!(count_named(&ctx, &new_name).await, 1, "after {step:?}: the new row reached the table once");
            let in_sheet = by_id(&v).values().filter(|r| r["name"] == json!(new_name)).count();
            assert_eq!(in_sheet, 1, "after {step:?}: one row in the sheet");
            assert_eq!(names(&ctx).await.len(), v.len() - 1, "after {step:?}: sheet and table hold the same rows");
            next.shutdown().await;
            drop(killed);
        }
    }

    async fn two_instances_hand_a_binding_over_and_take_it_over(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        let second = ctx.second_instance().await;
        let one = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        eventually("instance one owns the binding", || async {
            (status(&ctx, id, &token).await["owner"] == json!("one")).then_some(())
        }).await;
        let two = ServerMode::start(&second.state, settings(&standin, "two")).unwrap();
        ctx.sql("UPDATE people SET name = 'Ann1' WHERE id = 1").await;
        eventually("Ann1 in the sheet", || async {
            (by_id(&person.values().await)["1"]["name"] == json!("Ann1")).then_some(())
        }).await;
        assert_eq!(status(&ctx, id, &token).await["owner"], json!("one"), "one owner at a time");

        // Handover: instance one shuts down and releases; two takes the binding at once.
        one.shutdown().await;
        eventually("instance two owns the binding", || async {
            (status(&ctx, id, &token).await["owner"] == json!("two")).then_some(())
        }).await;
        ctx.sql("UPDATE people SET name = 'Ann2' WHERE id = 1").await;
        eventually("Ann2 in the sheet through instance two", || async {
            (by_id(&person.values().await)["1"]["name"] == json!("Ann2")).then_some(())
        }).await;

        // Takeover: instance two stops renewing mid-round (as if killed); one takes the
        // expired lease and carries on.
        two.shutdown().await;
        let mut s = settings(&standin, "two-again");
        s.stop_at = Some(Step::StateSaved);
        let stalled = ServerMode::start(&second.state, s).unwrap();
        let v = person.values().await;
        let n = v.len() + 1;
        person.write(&format!("A{n}:F{n}"), vec![vec![json!(""), json!("Gus"), json!(""), json!(""), json!(""), json!(true)]]).await;
        second.state.bindings.poke(id);
        eventually("the stalled instance stopped", || async { stalled.halted().then_some(()) }).await;
        let one = ServerMode::start(&ctx.instance.state, settings(&standin, "one-again")).unwrap();
        eventually("Gus keyed in the sheet by instance one", || async {
            let rows = by_id(&person.values().await);
            (rows.values().any(|r| r["name"] == json!("Gus")) && !rows.contains_key("")).then_some(())
        }).await;
        assert_eq!(count_named(&ctx, "Gus").await, 1);
        assert_eq!(status(&ctx, id, &token).await["owner"], json!("one-again"));
        one.shutdown().await;
    }

    async fn paused_bindings_stop_and_pokes_say_so(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        bindings::set_paused(&ctx.db, id, true).await.unwrap();
        let (status_code, body) = ctx.post(&format!("/v1/bindings/{id}/poke"), Some(&token), json!({})).await;
        assert_eq!(status_code, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"], json!("paused"));
        let (status_code, _) = ctx.post("/v1/bindings/999/poke", Some(&token), json!({})).await;
        assert_eq!(status_code, StatusCode::NOT_FOUND);
        eventually("the paused binding has no owner", || async {
            (status(&ctx, id, &token).await["owner"] == J::Null).then_some(())
        }).await;
        ctx.sql("UPDATE people SET name = 'Paused' WHERE id = 1").await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(by_id(&person.values().await)["1"]["name"], json!("Ann"), "nothing syncs while paused");
        bindings::set_paused(&ctx.db, id, false).await.unwrap();
        eventually("resumed: the change reaches the sheet", || async {
            (by_id(&person.values().await)["1"]["name"] == json!("Paused")).then_some(())
        }).await;
        let read_only = ctx.token(&["people"], false).await;
        let (status_code, _) = ctx.post(&format!("/v1/bindings/{id}/poke"), Some(&read_only), json!({})).await;
        assert_eq!(status_code, StatusCode::FORBIDDEN, "a poke needs a write token");
        mode.shutdown().await;
    }

    async fn every_instance_tells_the_status_its_owner_saved(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = bound(&ctx, ConflictPolicy::Manual).await;
        let other = ctx.second_instance().await;

        // Before any round nothing is known, and each instance says so alike.
        for (name, instance) in [("this", &ctx.instance), ("the other", &other)] {
            let s = status_on(instance, id, &token).await;
            for field in ["lastRound", "lagMs", "conflicts", "rejects", "massDeleteHeld",
                          "quotaBackoffUntilMs", "statusSavedAtMs", "statusSavedBy", "owner"] {
                assert_eq!(s[field], J::Null, "{name} instance, {field} before any round: {s}");
            }
        }

        // The owner's round holds a conflict on Ann's name and has Bob's row refused.
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "owner")).unwrap();
        let v = sheet_has_ids(&person, &["1", "2"]).await;
        person.write(&format!("B{}", row_of(&v, "1")), vec![vec![json!("SheetAnn")]]).await;
        person.write(&format!("B{}", row_of(&v, "2")), vec![vec![json!("a name far longer than twenty characters")]]).await;
        ctx.sql("UPDATE people SET name = 'DbAnn' WHERE id = 1").await;
        poke(&ctx, id, &token).await;

        // The instance that does not run the binding answers exactly what the owner does.
        let (owner_view, other_view) = eventually("both instances tell the round's conflict and reject", || async {
            let mine = status_on(&ctx.instance, id, &token).await;
            let theirs = status_on(&other, id, &token).await;
            let found = mine["conflicts"] == json!(1)
                && mine["rejects"].as_array().is_some_and(|r| r.len() == 1);
            (found && mine == theirs).then_some((mine, theirs))
        }).await;
        assert_eq!(other_view, owner_view);
        assert_eq!(other_view["rejects"][0]["key"], json!("2"), "{other_view}");
        assert_eq!(other_view["owner"], json!("owner"));
        assert_eq!(other_view["statusSavedBy"], json!("owner"));
        assert_eq!(other_view["massDeleteHeld"], json!(0), "{other_view}");
        let saved = other_view["statusSavedAtMs"].as_i64().expect("a save time");
        assert!(saved >= other_view["lastRound"]["atMs"].as_i64().unwrap(), "{other_view}");
        mode.shutdown().await;
    }
}

/// `GET /v1/bindings/{id}` on `instance`.
async fn status_on(instance: &sheetsync_server::Instance, id: i64, token: &str) -> J {
    let (code, body) = common::call(
        instance,
        "GET",
        &format!("/v1/bindings/{id}"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    body
}

backend_tests! {
    async fn serve_with_a_google_key_syncs_its_bindings(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = bound(&ctx, ConflictPolicy::LatestWins).await;
        let port = common::process::free_port();
        let log = common::bin::temp_path("serve-server-mode.log");
        let out = std::fs::File::create(&log).unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_sheetsync-server"))
            .args(["--database-url", &ctx.url, "serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--google-key", standin.key_file.to_str().unwrap(), "--google-api-url", &standin.url])
            .args(["--safety-poll-seconds", "1", "--coalesce-ms", "50", "--lease-seconds", "3"])
            .args(["--instance-name", "proc"])
            .env("RUST_LOG", "sheetsync_server=info")
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("start the server");
        let child = common::process::Killed(child);
        // Waited for without blocking a worker thread: the test's own instance may hold the
        // feed's row lock mid-stamp, and the new process's first stamp waits for it.
        let up = tokio::time::Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(up.elapsed() < Duration::from_secs(60), "the server did not listen: {}", std::fs::read_to_string(&log).unwrap());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // The first round fills the sheet; a database change follows at once.
        sheet_has_ids(&person, &["1", "2"]).await;
        ctx.sql("UPDATE people SET name = 'Proc' WHERE id = 2").await;
        eventually("Proc in the sheet", || async {
            (by_id(&person.values().await)["2"]["name"] == json!("Proc")).then_some(())
        }).await;
        // A sheet edit with no poke arrives by the safety poll.
        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "1")), vec![vec![json!("Polled")]]).await;
        eventually("Polled in the table", || async {
            (names(&ctx).await[0].1 == "Polled").then_some(())
        }).await;

        // The status route of the process itself.
        let url = Url::parse(&format!("http://127.0.0.1:{port}/v1/bindings/{id}")).unwrap();
        let answer = sheetsync_server::google::http::send("GET", &url, &[("authorization", &format!("Bearer {token}"))], None)
            .await
            .unwrap();
        let body: J = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(body["owner"], json!("proc"), "{body}");
        assert_eq!(body["lastRound"]["ok"], json!(true), "{body}");

        // SIGTERM: the process stops its tasks and releases the lease.
        let pid = child.0.id().to_string();
        assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        eventually("the lease released", || async {
            let b = bindings::get(&ctx.db, id).await.unwrap();
            b.lease.is_none().then_some(())
        }).await;
        drop(child);
        let log_text = std::fs::read_to_string(&log).unwrap();
        assert!(log_text.contains("server mode: syncing bindings"), "{log_text}");
        assert!(!log_text.contains("PRIVATE KEY"), "the key is never logged");
        let _ = std::fs::remove_file(&log);
    }
}

/// The server's zone tables equal the add-on's (addon/Zone.js run by node on its own zone
/// data) for the zones the suites use.
#[test]
fn zone_tables_match_the_add_ons() {
    let zones = [
        "Europe/Berlin",
        "America/New_York",
        "Asia/Tokyo",
        "Europe/Paris",
        "Asia/Kolkata",
        "Pacific/Apia",
        "Australia/Lord_Howe",
        "UTC",
    ];
    let zone_js = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../addon/Zone.js");
    let script = format!(
        "const vm = require('node:vm'); const ctx = {{}}; vm.createContext(ctx); \
         vm.runInContext(require('node:fs').readFileSync({:?}, 'utf8'), ctx); \
         const out = {{}}; for (const z of {}) out[z] = vm.runInContext('zoneComputeOffsets_(' + JSON.stringify(z) + ')', ctx); \
         process.stdout.write(JSON.stringify(out));",
        zone_js.display().to_string(),
        serde_json::to_string(&zones).unwrap()
    );
    let out = std::process::Command::new("node")
        .args(["-e", &script])
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tables: std::collections::BTreeMap<String, Vec<(i64, i32)>> =
        serde_json::from_slice(&out.stdout).unwrap();
    for zone in zones {
        let ours = sheetsync_server::server_mode::zone::offset_table(zone).unwrap();
        let theirs = &tables[zone];
        assert_eq!(ours.len(), theirs.len(), "{zone}: entries");
        assert_eq!(&ours, theirs, "{zone}");
    }
}

/// Sheets API calls server mode made so far: (reads, writes), from its quota budgets.
fn calls(ctx: &Ctx) -> (u64, u64) {
    let text = ctx
        .instance
        .state
        .metrics
        .google_quota
        .get()
        .unwrap()
        .render();
    let used = |kind: &str| {
        text.lines()
            .find(|l| {
                l.starts_with(&format!(
                    "sheetsync_google_quota_used{{kind=\"{kind}\",scope=\"project\"}}"
                ))
            })
            .and_then(|l| l.rsplit(' ').next())
            .unwrap()
            .parse()
            .unwrap()
    };
    (used("read"), used("write"))
}

/// Waits until a round ends after `since` (ms), and returns the calls made meanwhile.
async fn round_calls(
    ctx: &Ctx,
    id: i64,
    token: &str,
    before: (u64, u64),
    since: i64,
) -> (u64, u64) {
    ok_round_after(ctx, id, token, since).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = calls(ctx);
    (after.0 - before.0, after.1 - before.1)
}

backend_tests! {
    async fn each_kind_of_round_makes_the_fewest_api_calls(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        let before = sheetsync_server::db::now_ms();
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        // The task's first round: the sheet's properties, then a round with nothing to do.
        ok_round_after(&ctx, id, &token, before).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = || sheetsync_server::db::now_ms();

        let (b, t) = (calls(&ctx), now());
        ctx.sql("UPDATE people SET name = 'Upd' WHERE id = 1").await;
        let db_update = round_calls(&ctx, id, &token, b, t).await;

        let (b, t) = (calls(&ctx), now());
        ctx.sql("INSERT INTO people (name, active) VALUES ('Ins', TRUE)").await;
        let db_insert = round_calls(&ctx, id, &token, b, t).await;

        let (b, t) = (calls(&ctx), now());
        ctx.sql("DELETE FROM people WHERE id = 3").await;
        let db_delete = round_calls(&ctx, id, &token, b, t).await;

        let (b, t) = (calls(&ctx), now());
        poke(&ctx, id, &token).await;
        let idle_poke = round_calls(&ctx, id, &token, b, t).await;

        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "2")), vec![vec![json!("Edited")]]).await;
        let (b, t) = (calls(&ctx), now());
        poke(&ctx, id, &token).await;
        let sheet_update = round_calls(&ctx, id, &token, b, t).await;

        let n = person.values().await.len() + 1;
        person.write(&format!("A{n}:F{n}"), vec![vec![json!(""), json!("Row"), json!(""), json!(""), json!(""), json!(true)]]).await;
        let (b, t) = (calls(&ctx), now());
        poke(&ctx, id, &token).await;
        let sheet_insert = round_calls(&ctx, id, &token, b, t).await;

        eprintln!("API calls (reads, writes): database update {db_update:?}, insert {db_insert:?}, \
                   delete {db_delete:?}; poke with no edit {idle_poke:?}; sheet update {sheet_update:?}, \
                   new sheet row {sheet_insert:?}");
        // The sheet, then the rows about to be written or deleted once more (`reread`).
        assert_eq!(db_update, (3, 1));
        // New rows go into rows inserted for them: nothing to read again, no grid size to ask.
        assert_eq!(db_insert, (2, 2));
        assert_eq!(db_delete, (3, 1));
        assert_eq!(idle_poke, (2, 0));
        assert_eq!(sheet_update, (4, 0));
        assert_eq!(sheet_insert, (4, 1));
        mode.shutdown().await;
    }
}
