//! Server mode's manual conflicts settled through the protocol, and pokes and answers that
//! reach an instance not owning the binding, against the Sheets API stand-in on MariaDB,
//! PostgreSQL and SQLite.

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

/// The conflicts `GET /v1/bindings/{id}/conflicts` lists on `instance`.
async fn conflicts_on(instance: &sheetsync_server::Instance, id: i64, token: &str) -> Vec<J> {
    let (code, body) = common::call(
        instance,
        "GET",
        &format!("/v1/bindings/{id}/conflicts"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    body["conflicts"].as_array().unwrap().clone()
}

/// Posts answers to binding `id`'s conflicts on `instance`.
async fn answer_on(
    instance: &sheetsync_server::Instance,
    id: i64,
    token: &str,
    answers: J,
) -> (StatusCode, J) {
    common::call(
        instance,
        "POST",
        &format!("/v1/bindings/{id}/conflicts"),
        Some(token),
        Some(json!({ "answers": answers })),
    )
    .await
}

/// Ann's name changed to `sheet` in the sheet and to `database` in the table, and the round
/// that holds the conflict run: returns the one conflict listed.
async fn ann_in_conflict(
    ctx: &Ctx,
    person: &Person,
    id: i64,
    token: &str,
    sheet: &str,
    database: &str,
) -> J {
    let v = person.values().await;
    person
        .write(&format!("B{}", row_of(&v, "1")), vec![vec![json!(sheet)]])
        .await;
    ctx.sql(&format!(
        "UPDATE people SET name = '{database}' WHERE id = 1"
    ))
    .await;
    poke(ctx, id, token).await;
    let mut held = eventually(
        &format!("the conflict {sheet} / {database} held"),
        || async {
            let c = conflicts_on(&ctx.instance, id, token).await;
            (c.len() == 1
                && c[0]["sheetValue"] == json!(sheet)
                && c[0]["databaseValue"] == json!(database))
            .then_some(c)
        },
    )
    .await;
    held.remove(0)
}

backend_tests! {
    async fn manual_conflicts_are_listed_and_settled_through_the_protocol(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::Manual).await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();

        // Listed with both sides, the base and since when; counted in the status.
        let before = now_ms();
        let c = ann_in_conflict(&ctx, &person, id, &token, "SheetAnn", "DbAnn").await;
        assert_eq!(c["key"], json!("1"), "{c}");
        assert_eq!(c["column"], json!("name"), "{c}");
        assert_eq!(c["baseValue"], json!("Ann"), "{c}");
        assert_eq!(c["answered"], J::Null, "{c}");
        let since = c["sinceMs"].as_i64().unwrap();
        assert!(since >= before - 1000 && since <= now_ms(), "{c}");
        // The status is saved once the round has ended, after the state that holds it.
        eventually("the status counts the conflict", || async {
            (status(&ctx, id, &token).await["conflicts"] == json!(1)).then_some(())
        }).await;
        assert_eq!(ann_in_table(&ctx).await.0, "DbAnn", "held: nothing written");

        // An answer to a conflict not held is refused, and stores nothing.
        let (code, body) = answer_on(&ctx.instance, id, &token, json!([{"key": "2", "column": "name", "choose": "sheet"}])).await;
        assert_eq!(code, StatusCode::CONFLICT, "{body}");
        assert!(body["message"].as_str().unwrap().contains("no conflict"), "{body}");
        let (code, body) = answer_on(&ctx.instance, id, &token, json!([{"key": "1", "column": "name", "choose": {"value": "x"}}])).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");

        // Keep the sheet's value: the table takes it and the sheet stays.
        let (code, body) = answer_on(&ctx.instance, id, &token, json!([{"key": "1", "column": "name", "choose": "sheet"}])).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["via"], json!("this instance"), "{body}");
        eventually("the sheet's value in the table", || async {
            (ann_in_table(&ctx).await.0 == "SheetAnn").then_some(())
        }).await;
        eventually("no conflict held", || async {
            conflicts_on(&ctx.instance, id, &token).await.is_empty().then_some(())
        }).await;
        assert_eq!(by_id(&person.values().await)["1"]["name"], json!("SheetAnn"));
        // The status is saved once the round has ended, after the state that settled it.
        eventually("the status counts no conflict", || async {
            (status(&ctx, id, &token).await["conflicts"] == json!(0)).then_some(())
        }).await;
        // The same answer again is stale now: refused.
        let (code, body) = answer_on(&ctx.instance, id, &token, json!([{"key": "1", "column": "name", "choose": "sheet"}])).await;
        assert_eq!(code, StatusCode::CONFLICT, "{body}");

        // Keep the database's value: the sheet gets it.
        ann_in_conflict(&ctx, &person, id, &token, "SheetAnn2", "DbAnn2").await;
        let (code, body) = answer_on(&ctx.instance, id, &token, json!([{"key": "1", "column": "name", "choose": "database"}])).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{body}");
        eventually("the database's value in the sheet", || async {
            (by_id(&person.values().await)["1"]["name"] == json!("DbAnn2")).then_some(())
        }).await;
        eventually("no conflict held", || async {
            conflicts_on(&ctx.instance, id, &token).await.is_empty().then_some(())
        }).await;
        assert_eq!(ann_in_table(&ctx).await.0, "DbAnn2");
        let left: i64 = sqlx::query("SELECT COUNT(*) FROM sheetsync_binding_answers")
            .fetch_one(&ctx.outside).await.unwrap().try_get(0).unwrap();
        assert_eq!(left, 0, "answers applied are deleted");
        mode.shutdown().await;
    }

    async fn an_answer_to_a_conflict_that_changed_since_is_dropped_not_applied(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::Manual).await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        ann_in_conflict(&ctx, &person, id, &token, "SheetAnn", "DbAnn").await;
        mode.shutdown().await;

        // Answered while no instance runs the binding; then the table changes again.
        let (code, body) = answer_on(&ctx.instance, id, &token, json!([{"key": "1", "column": "name", "choose": "sheet"}])).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["via"], json!("owner"), "{body}");
        assert_eq!(conflicts_on(&ctx.instance, id, &token).await[0]["answered"], json!("sheet"));
        ctx.sql("UPDATE people SET name = 'DbAnn2' WHERE id = 1").await;

        // The next round meets a different conflict: the answer is dropped, the new one held.
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        let c = eventually("the changed conflict held", || async {
            let c = conflicts_on(&ctx.instance, id, &token).await;
            (c.len() == 1 && c[0]["databaseValue"] == json!("DbAnn2")).then_some(c)
        }).await;
        assert_eq!(c[0]["answered"], J::Null, "{c:?}");
        assert_eq!(ann_in_table(&ctx).await.0, "DbAnn2", "the answer was not applied");
        assert_eq!(by_id(&person.values().await)["1"]["name"], json!("SheetAnn"));
        let left: i64 = sqlx::query("SELECT COUNT(*) FROM sheetsync_binding_answers")
            .fetch_one(&ctx.outside).await.unwrap().try_get(0).unwrap();
        assert_eq!(left, 0, "the dropped answer is deleted with the round's state");
        mode.shutdown().await;
    }

    async fn pokes_and_answers_reaching_another_instance_wake_the_owner(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::Manual).await;
        // The owner never reads the sheet by itself while the test runs: only a poke
        // forwarded from the other instance can explain a sheet edit reaching the table.
        let mut s = settings(&standin, "owner");
        s.safety_poll = Duration::from_secs(3600);
        let before = now_ms();
        let mode = ServerMode::start(&ctx.instance.state, s).unwrap();
        let other = ctx.second_instance().await;
        ok_round_after(&ctx, id, &token, before).await;

        // A poke to the instance that does not run the binding.
        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "1")), vec![vec![json!("Poked")]]).await;
        let (code, body) = common::call(&other, "POST", &format!("/v1/bindings/{id}/poke"), Some(&token), Some(json!({}))).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["woken"], json!(true), "{body}");
        assert_eq!(body["via"], json!("owner"), "{body}");
        eventually("the poked edit in the table", || async {
            (ann_in_table(&ctx).await.0 == "Poked").then_some(())
        }).await;

        // A conflict (the table's change wakes the owner), answered on the other instance.
        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "1")), vec![vec![json!("SheetSide")]]).await;
        ctx.sql("UPDATE people SET name = 'DbSide' WHERE id = 1").await;
        eventually("the conflict held, listed by the other instance", || async {
            let c = conflicts_on(&other, id, &token).await;
            (c.len() == 1 && c[0]["sheetValue"] == json!("SheetSide")).then_some(())
        }).await;
        let (code, body) = answer_on(&other, id, &token, json!([{"key": "1", "column": "name", "choose": "sheet"}])).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["via"], json!("owner"), "{body}");
        eventually("the answer applied by the owner", || async {
            (ann_in_table(&ctx).await.0 == "SheetSide").then_some(())
        }).await;
        assert_eq!(status(&ctx, id, &token).await["owner"], json!("owner"));
        mode.shutdown().await;
    }
}
