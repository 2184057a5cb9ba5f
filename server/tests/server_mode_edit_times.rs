//! Server mode's sheet edit times, carried by the add-on's poke, against the Sheets API
//! stand-in on MariaDB, PostgreSQL and SQLite: latest-wins counts a sheet edit as made when it
//! was made, the history names its author, a poke taken by an instance that does not run the
//! binding keeps its times, and bodies that cannot be trusted are refused naming the field.

mod common;

use axum::http::StatusCode;
use common::server_mode::*;
use common::Ctx;
use serde_json::{json, Value as J};
use sheetsync_core::policy::ConflictPolicy;
use sheetsync_server::db::now_ms;
use sheetsync_server::server_mode::ServerMode;
use sqlx::Row;
use std::time::Duration;

/// Posts a poke with `body` to `instance`.
async fn poke_with(
    instance: &sheetsync_server::Instance,
    id: i64,
    token: &str,
    body: J,
) -> (StatusCode, J) {
    common::call(
        instance,
        "POST",
        &format!("/v1/bindings/{id}/poke"),
        Some(token),
        Some(body),
    )
    .await
}

/// The edit times stored and not used by a round yet.
async fn edits_waiting(ctx: &Ctx) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM sheetsync_binding_edits")
        .fetch_one(&ctx.outside)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// Ann's name typed into the sheet as `name`, poked to `instance` with the edit's time and
/// author while no instance runs the binding (as under a quota back-off, or with every
/// instance down); then the table's Ann changed to `database`, strictly later. Returns the
/// edit's time.
async fn sheet_edit_before_database_edit(
    ctx: &Ctx,
    instance: &sheetsync_server::Instance,
    person: &Person,
    id: i64,
    token: &str,
    name: &str,
    database: &str,
) -> i64 {
    let v = person.values().await;
    person
        .write(&format!("B{}", row_of(&v, "1")), vec![vec![json!(name)]])
        .await;
    let edited = now_ms();
    let body = json!({"keys": ["1"], "editedAtMs": edited, "author": "ann@example.com"});
    let (code, answer) = poke_with(instance, id, token, body).await;
    assert_eq!(code, StatusCode::ACCEPTED, "{answer}");
    assert_eq!(
        answer["via"],
        json!("owner"),
        "no instance runs the binding: {answer}"
    );
    // The database's change is made after the sheet's, by the clock both sides share.
    tokio::time::sleep(Duration::from_millis(20)).await;
    ctx.sql(&format!(
        "UPDATE people SET name = '{database}' WHERE id = 1"
    ))
    .await;
    edited
}

/// Runs the binding until the sheet shows `name` for Ann, then stops it.
async fn round_until_sheet_shows(
    ctx: &Ctx,
    standin: &common::standin::StandIn,
    person: &Person,
    name: &str,
) {
    let mode = ServerMode::start(&ctx.instance.state, settings(standin, "owner")).unwrap();
    eventually(&format!("{name} in the sheet"), || async {
        (by_id(&person.values().await)["1"]["name"] == json!(name)).then_some(())
    })
    .await;
    mode.shutdown().await;
}

/// The sheet values kept in Ann's history, as (value, author, editedAtMs).
async fn ann_overrides(ctx: &Ctx, token: &str) -> Vec<(J, J, J)> {
    let (code, history) = ctx
        .get("/v1/tables/people/rows/1/history", Some(token))
        .await;
    assert_eq!(code, StatusCode::OK, "{history}");
    history["overrides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["value"].clone(),
                o["author"].clone(),
                o["edited_at_ms"].clone(),
            )
        })
        .collect()
}

backend_tests! {
    async fn latest_wins_counts_a_sheet_edit_from_when_the_poke_says_it_was_made(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        let edited = sheet_edit_before_database_edit(&ctx, &ctx.instance, &person, id, &token, "SheetAnn", "DbAnn").await;

        // The round reads the sheet after the database's change, yet the sheet's edit is the
        // earlier one: the database's value wins, and the sheet's is kept with its author.
        round_until_sheet_shows(&ctx, &standin, &person, "DbAnn").await;
        assert_eq!(ann_in_table(&ctx).await.0, "DbAnn");
        let lost = ann_overrides(&ctx, &token).await;
        assert!(lost.contains(&(json!("SheetAnn"), json!("ann@example.com"), json!(edited))), "{lost:?}");
        assert_eq!(edits_waiting(&ctx).await, 0, "the round used the edit time, and forgot it");
    }

    async fn a_poke_taken_by_an_instance_not_running_the_binding_keeps_its_times(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        let other = ctx.second_instance().await;
        let edited = sheet_edit_before_database_edit(&ctx, &other, &person, id, &token, "SheetAnn", "DbAnn").await;
        assert_eq!(edits_waiting(&ctx).await, 1, "kept in the database for the owner");
        round_until_sheet_shows(&ctx, &standin, &person, "DbAnn").await;
        assert_eq!(ann_in_table(&ctx).await.0, "DbAnn");
        let lost = ann_overrides(&ctx, &token).await;
        assert!(lost.contains(&(json!("SheetAnn"), json!("ann@example.com"), json!(edited))), "{lost:?}");

        // With the owner running, a poke to the other instance wakes it, and its round uses
        // (and forgets) the edit's time.
        let before = now_ms();
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "owner")).unwrap();
        ok_round_after(&ctx, id, &token, before).await;
        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "1")), vec![vec![json!("Poked")]]).await;
        let body = json!({"keys": ["1"], "editedAtMs": now_ms(), "author": null});
        let (code, answer) = poke_with(&other, id, &token, body).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{answer}");
        assert_eq!(answer["via"], json!("owner"), "{answer}");
        eventually("the poked edit in the table", || async {
            (ann_in_table(&ctx).await.0 == "Poked").then_some(())
        }).await;
        eventually("the edit time used and forgotten", || async {
            (edits_waiting(&ctx).await == 0).then_some(())
        }).await;
        mode.shutdown().await;
    }

    async fn poke_bodies_that_cannot_be_trusted_are_refused_naming_the_field(ctx) {
        let (id, token) = bound(&ctx, ConflictPolicy::LatestWins).await;
        let now = now_ms();
        let many: Vec<String> = (1..=1001).map(|i| i.to_string()).collect();
        let cases = [
            (json!({"keys": ["1"], "editedAtMs": now + 10 * 60_000}), "editedAtMs"),
            (json!({"keys": ["1"], "editedAtMs": "yesterday"}), "editedAtMs"),
            (json!({"keys": ["1"], "editedAtMs": -5}), "editedAtMs"),
            (json!({"keys": ["1"]}), "editedAtMs is missing"),
            (json!({"keys": "1", "editedAtMs": now}), "keys"),
            (json!({"keys": ["1", 2], "editedAtMs": now}), "keys[1]"),
            (json!({"keys": ["x"], "editedAtMs": now}), "keys[0]"),
            (json!({"keys": [""], "editedAtMs": now}), "keys[0]"),
            (json!({"keys": many, "editedAtMs": now}), "keys holds 1001 keys"),
            (json!({"keys": ["1"], "editedAtMs": now, "author": 7}), "author"),
            (json!({"keys": ["1"], "editedAtMs": now, "author": "a".repeat(321)}), "author"),
            (json!({"keys": ["1"], "editedAtMs": now, "user": "x"}), "user"),
            (json!(["1"]), "JSON object"),
        ];
        for (body, field) in cases {
            let (code, answer) = poke_with(&ctx.instance, id, &token, body.clone()).await;
            assert_eq!(code, StatusCode::BAD_REQUEST, "{body}: {answer}");
            assert_eq!(answer["error"], json!("bad_request"), "{body}: {answer}");
            let message = answer["message"].as_str().unwrap();
            assert!(message.starts_with(field) || message.contains(field), "{body}: {message}");
        }
        assert_eq!(edits_waiting(&ctx).await, 0, "nothing refused is kept");

        // A bare poke, and one whose edited rows have no key yet, still wake the owner.
        for body in [json!({}), json!({"keys": [], "editedAtMs": now})] {
            let (code, answer) = poke_with(&ctx.instance, id, &token, body.clone()).await;
            assert_eq!(code, StatusCode::ACCEPTED, "{body}: {answer}");
        }
        assert_eq!(edits_waiting(&ctx).await, 0);
    }
}
