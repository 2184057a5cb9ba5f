//! Row history: a row's change-log images, newest first, with the sheet values conflict
//! policies overrode as the add-on reported them; reports stored once, checked against the
//! table, and pruned with the change log.

mod common;

use serde_json::{json, Value as J};

/// An override of Ada's name as the add-on reports it: the sheet's `sheet` lost to `kept` at
/// `version`.
fn name_override(id: &str, key: &str, sheet: &str, kept: &str, version: i64) -> J {
    json!({"id": id, "key": key, "column": "name", "value": sheet, "winning_value": kept,
           "policy": "database-wins", "edited_at_ms": 1_700_000_000_000i64,
           "author": "ada@example.com", "database_version": version})
}

async fn report(ctx: &common::Ctx, token: &str, overrides: Vec<J>) -> (u16, J) {
    let (status, body) = ctx
        .post(
            "/v1/tables/people/overrides",
            Some(token),
            json!({"origin": "sheet-1", "overrides": overrides}),
        )
        .await;
    (status.as_u16(), body)
}

/// Ada inserted and renamed by SQL; returns her key and the rename's version.
async fn ada_renamed(ctx: &common::Ctx, token: &str) -> (String, i64) {
    ctx.sql("INSERT INTO people (name) VALUES ('Ada')").await;
    ctx.sql("UPDATE people SET name = 'Ada L'").await;
    let (changes, _) = ctx.changes_until(token, "people", "0", 2).await;
    (
        changes[1]["key"].as_str().unwrap().to_string(),
        changes[1]["version"].as_i64().unwrap(),
    )
}

backend_tests! {
    async fn a_rows_history_gives_its_change_log_images_and_the_sheet_values_overridden(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let (key, version) = ada_renamed(&ctx, &token).await;
        ctx.sql("INSERT INTO people (name) VALUES ('Bob')").await;
        let (status, body) = report(&ctx, &token, vec![
            name_override("o-1", &key, "Ada Lovelace", "Ada L", version),
        ]).await;
        assert_eq!((status, body), (200, json!({"stored": 1})));

        let (status, h) = ctx.get(&format!("/v1/tables/people/rows/{key}/history"), Some(&token)).await;
        assert_eq!(status, 200, "{h}");
        assert_eq!(h["key"], json!(key));
        let names: Vec<&J> = h["changes"].as_array().unwrap().iter().map(|c| &c["cells"][1]).collect();
        assert_eq!(names, vec![&json!("Ada L"), &json!("Ada")], "newest first, this row only: {h}");
        assert_eq!(h["changes"][0]["version"], json!(version));
        assert_eq!(h["changes"][0]["op"], "upsert");
        let o = &h["overrides"][0];
        assert_eq!(h["overrides"].as_array().unwrap().len(), 1, "{h}");
        assert_eq!(
            (&o["column"], &o["value"], &o["winning_value"], &o["policy"]),
            (&json!("name"), &json!("Ada Lovelace"), &json!("Ada L"), &json!("database-wins"))
        );
        assert_eq!(
            (&o["author"], &o["edited_at_ms"], &o["database_version"], &o["origin"]),
            (&json!("ada@example.com"), &json!(1_700_000_000_000i64), &json!(version), &json!("sheet-1"))
        );
        assert!(o["reported_at_ms"].as_i64().unwrap() > 1_700_000_000_000, "{o}");
    }

    async fn a_deleted_rows_history_ends_with_its_deletion(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let (key, _) = ada_renamed(&ctx, &token).await;
        ctx.sql("DELETE FROM people").await;
        ctx.changes_until(&token, "people", "0", 3).await;
        let (_, h) = ctx.get(&format!("/v1/tables/people/rows/{key}/history?limit=2"), Some(&token)).await;
        let ops: Vec<&J> = h["changes"].as_array().unwrap().iter().map(|c| &c["op"]).collect();
        assert_eq!(ops, vec![&json!("delete"), &json!("upsert")], "the limit keeps the newest: {h}");
    }

    async fn an_override_reported_again_is_stored_once(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let (key, version) = ada_renamed(&ctx, &token).await;
        let o = name_override("o-1", &key, "Ada Lovelace", "Ada L", version);
        assert_eq!(report(&ctx, &token, vec![o.clone()]).await, (200, json!({"stored": 1})));
        assert_eq!(report(&ctx, &token, vec![o]).await, (200, json!({"stored": 0})));
        let (_, h) = ctx.get(&format!("/v1/tables/people/rows/{key}/history"), Some(&token)).await;
        assert_eq!(h["overrides"].as_array().unwrap().len(), 1, "{h}");
    }

    async fn a_report_that_does_not_fit_the_table_is_refused_naming_the_entry_and_stores_nothing(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let (key, version) = ada_renamed(&ctx, &token).await;
        let good = name_override("o-1", &key, "Ada Lovelace", "Ada L", version);
        let mut too_long = name_override("o-2", &key, &"x".repeat(21), "Ada L", version);
        let (status, body) = report(&ctx, &token, vec![good.clone(), too_long.clone()]).await;
        assert_eq!(status, 400, "{body}");
        let message = body["message"].as_str().unwrap_or_default().to_string();
        assert!(message.contains("overrides[1]") && message.contains("name"), "{body}");
        too_long["column"] = json!("nickname");
        let (status, body) = report(&ctx, &token, vec![too_long]).await;
        assert_eq!(status, 400);
        assert!(body["message"].as_str().unwrap().contains("\"nickname\""), "{body}");
        let mut bad_key = good.clone();
        bad_key["key"] = json!("not a number");
        assert_eq!(report(&ctx, &token, vec![bad_key]).await.0, 400);
        let mut no_id = good;
        no_id["id"] = json!("");
        assert_eq!(report(&ctx, &token, vec![no_id]).await.0, 400);
        let (_, h) = ctx.get(&format!("/v1/tables/people/rows/{key}/history"), Some(&token)).await;
        assert_eq!(h["overrides"], json!([]), "a refused report stores nothing: {h}");
        let (status, _) = ctx.get("/v1/tables/people/rows/abc/history", Some(&token)).await;
        assert_eq!(status, 400, "a key the key column cannot hold");
    }

    async fn a_read_only_token_reads_history_but_cannot_report(ctx) {
        ctx.people().await;
        let reader = ctx.token(&["people"], false).await;
        let (key, version) = ada_renamed(&ctx, &reader).await;
        let o = name_override("o-1", &key, "Ada Lovelace", "Ada L", version);
        assert_eq!(report(&ctx, &reader, vec![o]).await.0, 403);
        let (status, _) = ctx.get(&format!("/v1/tables/people/rows/{key}/history"), Some(&reader)).await;
        assert_eq!(status, 200);
    }

    async fn reported_overrides_are_pruned_with_the_change_log(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let (key, version) = ada_renamed(&ctx, &token).await;
        let overrides = vec![
            name_override("o-1", &key, "Ada Lovelace", "Ada L", version),
            name_override("o-2", &key, "Countess", "Ada L", version),
        ];
        report(&ctx, &token, overrides).await;
        let history = |ctx: std::sync::Arc<common::Ctx>, token: String, key: String| async move {
            ctx.get(&format!("/v1/tables/people/rows/{key}/history"), Some(&token)).await.1
        };
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        // Within the retention time nothing goes, however many there are.
        sheetsync_server::feed::compact(&ctx.db, 60_000, 0).await.unwrap();
        let h = history(ctx.clone(), token.clone(), key.clone()).await;
        assert_eq!(h["overrides"].as_array().unwrap().len(), 2, "{h}");
        // Past it, the newest `retain_min` stay, as for the log.
        sheetsync_server::feed::compact(&ctx.db, 0, 1).await.unwrap();
        let h = history(ctx.clone(), token.clone(), key.clone()).await;
        let values: Vec<&J> = h["overrides"].as_array().unwrap().iter().map(|o| &o["value"]).collect();
        assert_eq!(values, vec![&json!("Countess")], "{h}");
        assert_eq!(h["changes"].as_array().unwrap().len(), 1, "the log kept its newest entry too");
        sheetsync_server::feed::compact(&ctx.db, 0, 0).await.unwrap();
        let h = history(ctx.clone(), token.clone(), key.clone()).await;
        assert_eq!((h["overrides"].clone(), h["changes"].clone()), (json!([]), json!([])));
    }
}
