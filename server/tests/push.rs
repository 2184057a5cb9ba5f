//! Pushes: compare-and-set, exactly-once batches, and refusals that stay with their row.

mod common;

use serde_json::json;
use sqlx::{Executor, Row};

/// Inserts one person through the server and returns `(key, version)`.
async fn insert_person(ctx: &common::Ctx, token: &str, name: &str) -> (String, i64) {
    let (status, body) = ctx
        .post(
            "/v1/tables/people/push",
            Some(token),
            json!({"batch_id": format!("ins-{name}"), "origin": "sheet-1",
                   "changes": [{"op": "insert", "cells": {"name": name}}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let r = &body["results"][0];
    assert_eq!(r["result"], "applied", "{body}");
    (
        r["key"].as_str().unwrap().to_string(),
        r["version"].as_i64().unwrap(),
    )
}

async fn count(ctx: &common::Ctx, sql: &str) -> i64 {
    let row = ctx.outside.fetch_one(sql).await.unwrap();
    row.try_get::<i64, _>(0).unwrap()
}

backend_tests! {
    async fn an_insert_returns_the_assigned_key_and_the_stored_row(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let (status, body) = ctx.post("/v1/tables/people/push", Some(&token), json!({
            "batch_id": "b1", "origin": "sheet-1",
            "changes": [{"op": "insert", "cells": {"name": "Ada", "score": "7.5", "team_id": 2}}]
        })).await;
        assert_eq!(status, 200, "{body}");
        let r = &body["results"][0];
        assert_eq!(r["result"], "applied");
        let key: i64 = r["key"].as_str().unwrap().parse().unwrap();
        assert_eq!(r["row"], json!([key, "Ada", null, 2, "7.50", true]));
        // The feed marks the change with the pushing client's origin.
        let (changes, _) = ctx.changes_until(&token, "people", "0", 1).await;
        assert_eq!(changes[0]["origin"], "sheet-1");
        assert_eq!(changes[0]["version"], r["version"]);
        // A plain SQL change afterwards carries no origin.
        ctx.sql("UPDATE people SET name = 'Ada L'").await;
        let (later, _) = ctx.changes_until(&token, "people", "0", 2).await;
        assert!(later[1]["origin"].is_null(), "{later:?}");
    }

    async fn a_stale_push_is_answered_with_a_conflict_and_changes_nothing(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let (key, version) = insert_person(&ctx, &token, "Ada").await;
        ctx.sql("UPDATE people SET name = 'Changed by SQL'").await;
        let (_, body) = ctx.post("/v1/tables/people/push", Some(&token), json!({
            "batch_id": "stale", "origin": "sheet-1",
            "changes": [
                {"op": "update", "key": key, "expected_version": version, "cells": {"name": "From sheet"}},
                {"op": "delete", "key": key, "expected_version": version}
            ]
        })).await;
        for r in body["results"].as_array().unwrap() {
            assert_eq!(r["result"], "conflict", "{body}");
            assert_eq!(r["current"]["cells"][1], "Changed by SQL");
            assert!(r["current"]["version"].as_i64().unwrap() > version);
        }
        assert_eq!(count(&ctx, "SELECT COUNT(*) FROM people WHERE name = 'Changed by SQL'").await, 1);
        // With the current version the same change applies.
        let current = body["results"][0]["current"]["version"].clone();
        let (_, body) = ctx.post("/v1/tables/people/push", Some(&token), json!({
            "batch_id": "fresh", "origin": "sheet-1",
            "changes": [{"op": "update", "key": key, "expected_version": current, "cells": {"name": "From sheet"}}]
        })).await;
        assert_eq!(body["results"][0]["result"], "applied", "{body}");
        assert_eq!(body["results"][0]["row"][1], "From sheet");
        // The old image is still readable by version, for a three-way merge.
        let (status, old) = ctx.get(&format!("/v1/tables/people/rows/{key}/versions/{current}"), Some(&token)).await;
        assert_eq!(status, 200, "{old}");
        assert_eq!(old["cells"][1], "Changed by SQL");
        let (status, _) = ctx.get(&format!("/v1/tables/people/rows/{key}/versions/999999"), Some(&token)).await;
        assert_eq!(status, 404);
    }

    async fn a_retried_batch_applies_once(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let batch = json!({"batch_id": "once", "origin": "sheet-1", "changes": [
            {"op": "insert", "cells": {"name": "One"}},
            {"op": "insert", "cells": {"name": "Two"}}
        ]});
        let (_, first) = ctx.post("/v1/tables/people/push", Some(&token), batch.clone()).await;
        let (_, again) = ctx.post("/v1/tables/people/push", Some(&token), batch).await;
        assert_eq!(first["replayed"], false);
        assert_eq!(again["replayed"], true);
        assert_eq!(first["results"], again["results"]);
        assert_eq!(count(&ctx, "SELECT COUNT(*) FROM people").await, 2);
    }

    async fn an_aborted_push_leaves_no_partial_batch(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let (key, version) = insert_person(&ctx, &token, "Locked").await;
        // Another writer holds the row, so the push stops inside its transaction after
        // writing its first row; then the push is cut off (as when a connection dies).
        let mut blocker = ctx.outside.begin().await.unwrap();
        (&mut *blocker).execute("UPDATE teams SET name = 'held' WHERE id = 1").await.unwrap();
        if ctx.kind != common::Kind::Sqlite {
            (&mut *blocker).execute(format!("UPDATE people SET score = 1 WHERE id = {key}").as_str()).await.unwrap();
        }
        let batch = json!({"batch_id": "cut", "origin": "sheet-1", "changes": [
            {"op": "insert", "cells": {"name": "First"}},
            {"op": "update", "key": key, "expected_version": version, "cells": {"name": "Second"}}
        ]});
        let pushing = {
            let ctx = ctx.clone();
            let token = token.clone();
            let batch = batch.clone();
            tokio::spawn(async move { ctx.post("/v1/tables/people/push", Some(&token), batch).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        pushing.abort();
        let _ = pushing.await;
        blocker.rollback().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(count(&ctx, "SELECT COUNT(*) FROM people WHERE name = 'First'").await, 0);
        // The retry is applied in full, once.
        let (_, body) = ctx.post("/v1/tables/people/push", Some(&token), batch).await;
        assert_eq!(body["replayed"], false, "{body}");
        assert!(body["results"].as_array().unwrap().iter().all(|r| r["result"] == "applied"), "{body}");
        assert_eq!(count(&ctx, "SELECT COUNT(*) FROM people WHERE name IN ('First', 'Second')").await, 2);
    }

    async fn each_kind_of_bad_value_is_rejected_for_its_row_alone(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        ctx.sql("INSERT INTO people (name, email) VALUES ('Taken', 'taken@x')").await;
        let (_, body) = ctx.post("/v1/tables/people/push", Some(&token), json!({
            "batch_id": "bad", "origin": "sheet-1", "changes": [
                {"op": "insert", "cells": {"name": "ok-1"}},
                {"op": "insert", "cells": {"name": "Typed", "team_id": "abc"}},
                {"op": "insert", "cells": {"name": null}},
                {"op": "insert", "cells": {"email": "nameless@x"}},
                {"op": "insert", "cells": {"name": "Dup", "email": "taken@x"}},
                {"op": "insert", "cells": {"name": "Orphan", "team_id": 99}},
                {"op": "insert", "cells": {"name": "x".repeat(21)}},
                {"op": "insert", "cells": {"name": "Digits", "score": "1.234"}},
                {"op": "insert", "cells": {"name": "Ghost", "nope": 1}},
                {"op": "insert", "cells": {"name": "ok-2"}}
            ]
        })).await;
        let results = body["results"].as_array().unwrap_or_else(|| panic!("{body}"));
        let expect = [
            ("applied", None, None),
            ("rejected", Some("bad_value"), Some("team_id")),
            ("rejected", Some("not_null"), Some("name")),
            ("rejected", Some("not_null"), Some("name")),
            ("rejected", Some("unique"), Some("email")),
            ("rejected", Some("foreign_key"), None),
            ("rejected", Some("bad_value"), Some("name")),
            ("rejected", Some("bad_value"), Some("score")),
            ("rejected", Some("unknown_column"), Some("nope")),
            ("applied", None, None),
        ];
        for (r, (result, code, column)) in results.iter().zip(expect) {
            assert_eq!(r["result"], result, "{r}");
            if let Some(code) = code {
                assert_eq!(r["code"], code, "{r}");
                assert!(r["reason"].as_str().unwrap().len() > 10, "{r}");
            }
            if let Some(column) = column {
                assert_eq!(r["column"], column, "{r}");
            }
        }
        assert_eq!(count(&ctx, "SELECT COUNT(*) FROM people").await, 3);
    }

    async fn a_run_of_updates_and_deletes_applies_together_and_refusals_stay_with_their_row(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let mut rows = Vec::new();
        for i in 0..6 {
            rows.push(insert_person(&ctx, &token, &format!("p{i}")).await);
        }
        ctx.sql("UPDATE people SET email = 'taken@x' WHERE name = 'p5'").await;
        let stale = rows[2].clone();
        ctx.sql("UPDATE people SET name = 'moved on' WHERE name = 'p2'").await;
        let change = |i: usize, cells: serde_json::Value| json!({"op": "update", "key": rows[i].0, "expected_version": rows[i].1, "cells": cells});
        // All fresh: one chunk, written together.
        let (_, body) = ctx.post("/v1/tables/people/push", Some(&token), json!({
            "batch_id": "chunk-1", "origin": "s", "changes": [
                change(0, json!({"name": "P0", "score": 1})),
                change(1, json!({"name": "P1", "score": 2})),
                {"op": "update", "key": stale.0, "expected_version": stale.1, "cells": {"name": "lost"}},
                change(3, json!({"team_id": 2})),
                {"op": "delete", "key": rows[4].0, "expected_version": rows[4].1}
            ]
        })).await;
        let results = body["results"].as_array().unwrap_or_else(|| panic!("{body}"));
        let kinds: Vec<&str> = results.iter().map(|r| r["result"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["applied", "applied", "conflict", "applied", "applied"], "{body}");
        assert_eq!(results[0]["row"][1], "P0");
        assert_eq!(results[0]["row"][4], "1.00");
        assert_eq!(results[2]["current"]["cells"][1], "moved on");
        assert_eq!(results[3]["row"][3], 2);
        assert!(results[4]["row"].is_null());
        assert!(results[0]["version"].as_i64().unwrap() > rows[0].1);
        // One refused row in a run: only it is refused.
        let v0 = results[0]["version"].clone();
        let v1 = results[1]["version"].clone();
        let (_, body) = ctx.post("/v1/tables/people/push", Some(&token), json!({
            "batch_id": "chunk-2", "origin": "s", "changes": [
                {"op": "update", "key": rows[0].0, "expected_version": v0, "cells": {"email": "taken@x"}},
                {"op": "update", "key": rows[1].0, "expected_version": v1, "cells": {"name": "P1b"}}
            ]
        })).await;
        assert_eq!(body["results"][0]["code"], "unique", "{body}");
        assert_eq!(body["results"][1]["result"], "applied", "{body}");
        assert_eq!(count(&ctx, "SELECT COUNT(*) FROM people WHERE name = 'P1b'").await, 1);
        assert_eq!(count(&ctx, "SELECT COUNT(*) FROM people WHERE email = 'taken@x'").await, 1);
    }

    async fn inserting_a_key_that_exists_is_a_conflict_and_the_other_inserts_apply(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        ctx.sql("INSERT INTO people (id, name) VALUES (10, 'Existing')").await;
        let (_, body) = ctx.post("/v1/tables/people/push", Some(&token), json!({
            "batch_id": "keyed", "origin": "s", "changes": [
                {"op": "insert", "cells": {"id": 10, "name": "Clash"}},
                {"op": "insert", "cells": {"id": 11, "name": "New", "score": "2"}},
                {"op": "insert", "cells": {"name": "Assigned"}}
            ]
        })).await;
        let r = body["results"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(r[0]["result"], "conflict", "{body}");
        assert_eq!(r[0]["current"]["cells"][1], "Existing");
        assert_eq!(r[1]["result"], "applied", "{body}");
        assert_eq!(r[1]["row"], json!([11, "New", null, null, "2.00", true]));
        assert_eq!(r[2]["result"], "applied", "{body}");
        assert_ne!(r[2]["key"], "10");
        assert_ne!(r[2]["key"], "11");
        assert_eq!(count(&ctx, "SELECT COUNT(*) FROM people").await, 3);
    }

    async fn inserts_whose_key_the_database_assigns_are_written_together_and_each_gets_its_own_key(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        ctx.sql("INSERT INTO people (id, name) VALUES (500, 'Existing')").await;
        // Two sets of columns: two multi-row INSERTs.
        let changes: Vec<serde_json::Value> = (0..30)
            .map(|i| if i % 3 == 0 {
                json!({"op": "insert", "cells": {"name": format!("n{i}"), "score": i}})
            } else {
                json!({"op": "insert", "cells": {"name": format!("n{i}")}})
            })
            .collect();
        let before = ctx.db.key_assigning_inserts.load(std::sync::atomic::Ordering::SeqCst);
        let (status, body) = ctx.post("/v1/tables/people/push", Some(&token), json!({
            "batch_id": "assigned", "origin": "s", "changes": changes
        })).await;
        assert_eq!(status, 200, "{body}");
        let statements = ctx.db.key_assigning_inserts.load(std::sync::atomic::Ordering::SeqCst) - before;
        assert_eq!(statements, 2, "INSERT statements for 30 rows in two column sets");
        let results = body["results"].as_array().unwrap();
        let mut keys = std::collections::HashSet::new();
        for (i, r) in results.iter().enumerate() {
            assert_eq!(r["result"], "applied", "{r}");
            assert_eq!(r["row"][1], format!("n{i}"), "row {i} was given another row's key: {r}");
            let key = r["key"].as_str().unwrap().to_string();
            assert_eq!(r["row"][0].to_string(), key);
            let stored = ctx.outside
                .fetch_one(format!("SELECT name FROM people WHERE id = {key}").as_str())
                .await
                .unwrap();
            assert_eq!(sheetsync_server::db::text_at(&stored, 0).unwrap().unwrap(), format!("n{i}"));
            assert!(keys.insert(key), "a key was handed out twice");
        }
        // The database's own counter moved past the keys handed out.
        ctx.sql("INSERT INTO people (name) VALUES ('after')").await;
        assert_eq!(count(&ctx, "SELECT COUNT(*) FROM people").await, 32);
    }
    async fn inserted_rows_are_answered_as_the_table_stores_them_with_their_versions(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let (status, body) = ctx.post("/v1/tables/people/push", Some(&token), json!({
            "batch_id": "stored", "origin": "s", "changes": [
                {"op": "insert", "cells": {"id": 21, "name": "Keyed", "score": "7.5", "team_id": 1}},
                {"op": "insert", "cells": {"id": 22, "name": "Ünïcode \"quoted\"", "email": "k@x"}},
                {"op": "insert", "cells": {"name": "Assigned", "score": 3}},
                {"op": "insert", "cells": {"name": "Assigned too", "active": false}}
            ]
        })).await;
        assert_eq!(status, 200, "{body}");
        let (_, page) = ctx.get("/v1/tables/people/rows", Some(&token)).await;
        let rows = page["rows"].as_array().unwrap_or_else(|| panic!("{page}"));
        assert_eq!(rows.len(), 4, "{page}");
        for r in body["results"].as_array().unwrap() {
            assert_eq!(r["result"], "applied", "{r}");
            let stored = rows.iter().find(|row| row["key"] == r["key"]).unwrap_or_else(|| panic!("{r} not in {page}"));
            assert_eq!(r["row"], stored["cells"], "{r}");
            assert_eq!(r["version"], stored["version"], "{r}");
        }
        assert_eq!(body["results"][0]["row"][4], "7.50");
    }

    async fn new_keys_are_inserted_without_a_lookup_and_an_existing_one_still_answers_a_conflict(ctx) {
        use std::sync::atomic::Ordering;
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let lookups = || ctx.db.insert_key_lookups.load(Ordering::SeqCst);
        let before = lookups();
        let (_, body) = ctx.post("/v1/tables/people/push", Some(&token), json!({
            "batch_id": "new", "origin": "s", "changes": [
                {"op": "insert", "cells": {"id": 20, "name": "A"}},
                {"op": "insert", "cells": {"id": 21, "name": "B"}}
            ]
        })).await;
        let r = body["results"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(r[0]["result"], "applied", "{body}");
        assert_eq!(r[1]["result"], "applied", "{body}");
        assert_eq!(r[1]["row"], json!([21, "B", null, null, null, true]), "{body}");
        assert_eq!(lookups(), before, "new keys were looked up");

        let (_, body) = ctx.post("/v1/tables/people/push", Some(&token), json!({
            "batch_id": "again", "origin": "s", "changes": [
                {"op": "insert", "cells": {"id": 22, "name": "C"}},
                {"op": "insert", "cells": {"id": 21, "name": "Clash"}},
                {"op": "insert", "cells": {"id": 23, "name": "D"}}
            ]
        })).await;
        let r = body["results"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(r[0]["result"], "applied", "{body}");
        assert_eq!(r[1]["result"], "conflict", "{body}");
        assert_eq!(r[1]["current"]["cells"][1], "B", "{body}");
        assert_eq!(r[2]["result"], "applied", "{body}");
        assert_eq!(lookups(), before + 1, "the refused run was not written again with its keys looked up");
        assert_eq!(count(&ctx, "SELECT COUNT(*) FROM people").await, 4);
        assert_eq!(count(&ctx, "SELECT COUNT(*) FROM people WHERE name = 'Clash'").await, 0);
    }
}
