//! The feed never stalls: a change-log entry the server cannot encode is served as
//! `unreadable` with its reason, counted in `/metrics`, and every later change still flows.

mod common;

use common::Kind;

/// Appends a raw entry to the change log of table `table_id`, as a broken writer might.
fn corrupt_entry(table_id: i64, key: &str, op: &str, image: &str) -> String {
    format!(
        "INSERT INTO sheetsync_changes (table_id, row_key, op, row_image, origin, changed_at_ms) \
         VALUES ({table_id}, {key}, {op}, {image}, NULL, 1)"
    )
}

backend_tests! {
    async fn entries_the_server_cannot_encode_are_served_as_unreadable_and_later_changes_flow(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let id = ctx.instance.state.catalog.get("people").await.unwrap().id;
        let start = ctx.cursor_now(&token, "people").await;
        let mut broken = vec![
            (corrupt_entry(id, "'7'", "'X'", "NULL"), "\"X\""),
            (corrupt_entry(id, "'8'", "'U'", "'not json'"), "not a JSON array"),
            (corrupt_entry(id, "'9'", "'U'", "'[\"9\"]'"), "has 1 cells"),
            (corrupt_entry(id, "'10'", "'U'", "NULL"), "no row image"),
        ];
        if ctx.kind == Kind::Sqlite {
            // Only SQLite keeps text that is not UTF-8; the others refuse it on write.
            broken.push((
                corrupt_entry(id, "'11'", "'U'", "CAST(X'5B22FF225D' AS TEXT)"),
                "not UTF-8",
            ));
            broken.push((
                corrupt_entry(id, "CAST(X'31FF' AS TEXT)", "'D'", "NULL"),
                "key is not UTF-8",
            ));
        }
        for (sql, _) in &broken {
            ctx.sql(sql).await;
        }
        ctx.sql("INSERT INTO people (name) VALUES ('after')").await;
        let (changes, _) = ctx.changes_until(&token, "people", &start, broken.len() + 1).await;
        assert_eq!(changes.len(), broken.len() + 1, "{changes:?}");
        for (change, (sql, why)) in changes.iter().zip(&broken) {
            assert_eq!(change["op"], "unreadable", "{sql}: {change}");
            let reason = change["reason"].as_str().unwrap();
            assert!(reason.contains(why), "{sql}: {reason}");
            assert!(change.get("cells").is_none(), "{change}");
            assert!(change["version"].as_i64().unwrap() > 0);
        }
        assert_eq!(changes[0]["key"], "7");
        let last = changes.last().unwrap();
        assert_eq!(last["op"], "upsert", "{last}");
        assert_eq!(last["cells"][1], "after");

        let (_, metrics) = ctx.get("/metrics", None).await;
        let line = format!("sheetsync_changes_unreadable_total {}", broken.len());
        assert!(metrics.as_str().unwrap().lines().any(|l| l == line), "{metrics}");
    }
}

backend_tests! {
    async fn an_earlier_version_whose_image_is_corrupt_is_an_error_not_an_empty_row(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let id = ctx.instance.state.catalog.get("people").await.unwrap().id;
        ctx.sql(&corrupt_entry(id, "'5'", "'U'", "'not json'")).await;
        let (changes, _) = ctx.changes_until(&token, "people", "0", 1).await;
        let version = changes[0]["version"].as_i64().unwrap();
        let (status, body) = ctx
            .get(&format!("/v1/tables/people/rows/5/versions/{version}"), Some(&token))
            .await;
        assert_eq!(status, 500, "{body}");
        assert_eq!(body["error"], "internal", "{body}");
    }
}
