//! Keys in the table's key order: the database's own ORDER BY on the key column, under the
//! column's collation, for keys in the table and keys not in it.

mod common;

use common::Kind;
use serde_json::{json, Value as J};

/// A table keyed by text under a collation that ignores case (and, where the backend's
/// collation knows them, accents), unlike byte order.
async fn words(ctx: &common::Ctx) {
    let ddl = match ctx.kind {
        Kind::MySql => {
            "CREATE TABLE words (w VARCHAR(40) COLLATE utf8mb4_unicode_ci PRIMARY KEY, n INT NULL)"
        }
        Kind::Postgres => {
            "CREATE TABLE words (w TEXT COLLATE \"und-x-icu\" PRIMARY KEY, n INT NULL)"
        }
        Kind::Sqlite => "CREATE TABLE words (w TEXT COLLATE NOCASE PRIMARY KEY, n INTEGER NULL)",
    };
    ctx.sql(ddl).await;
    ctx.sql("INSERT INTO words (w, n) VALUES ('apple', 1), ('cherry', 3)")
        .await;
    ctx.enable("words").await;
}

async fn order(ctx: &common::Ctx, table: &str, token: &str, keys: J) -> (u16, J) {
    let path = format!("/v1/tables/{table}/keys/order");
    let (status, body) = ctx.post(&path, Some(token), json!({ "keys": keys })).await;
    (status.as_u16(), body)
}

backend_tests! {
    async fn text_keys_come_back_in_the_columns_collation_order(ctx) {
        words(&ctx).await;
        let token = ctx.token(&["words"], false).await;
        // Byte order would put "Banana" first; the collation ignores case. "Banana" and
        // "date" are not in the table.
        let (status, body) = order(&ctx, "words", &token, json!(["date", "cherry", "Banana", "apple"])).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"keys": ["apple", "Banana", "cherry", "date"]}));
    }

    async fn accents_follow_the_collation_where_it_knows_them(ctx) {
        words(&ctx).await;
        let token = ctx.token(&["words"], false).await;
        let (status, body) = order(&ctx, "words", &token, json!(["fig", "éclair", "Egg"])).await;
        assert_eq!(status, 200, "{body}");
        let expected = match ctx.kind {
            // Byte order after the ASCII letters: SQLite's NOCASE folds only ASCII case.
            Kind::Sqlite => json!(["Egg", "fig", "éclair"]),
            Kind::MySql | Kind::Postgres => json!(["éclair", "Egg", "fig"]),
        };
        assert_eq!(body, json!({"keys": expected}));
    }

    async fn numeric_keys_come_back_by_value(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let (status, body) = order(&ctx, "people", &token, json!(["10", "9", "100", "1000", "11"])).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"keys": ["9", "10", "11", "100", "1000"]}));
    }

    async fn ten_thousand_keys_are_ordered_and_one_more_is_refused(ctx) {
        words(&ctx).await;
        let token = ctx.token(&["words"], false).await;
        let keys: Vec<String> = (0..10_000).rev().map(|i| format!("k{i:05}")).collect();
        let (status, body) = order(&ctx, "words", &token, json!(keys)).await;
        assert_eq!(status, 200);
        let mut sorted = keys.clone();
        sorted.sort();
        assert!(body["keys"] == json!(sorted), "not in key order: {:.200}", body.to_string());

        let mut more = keys;
        more.push("k10000".into());
        let (status, body) = order(&ctx, "words", &token, json!(more)).await;
        assert_eq!(status, 400, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("at most 10000 keys"), "{message}");
    }

    async fn a_key_the_column_cannot_hold_is_named(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let (status, body) = order(&ctx, "people", &token, json!(["1", "one"])).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["message"].as_str().unwrap().contains("keys[1] (one)"), "{body}");
    }

    async fn a_table_the_token_does_not_reach_is_refused(ctx) {
        words(&ctx).await;
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let (status, _) = order(&ctx, "words", &token, json!(["a", "b"])).await;
        assert_eq!(status, 403);
        let (status, _) = order(&ctx, "words", "wrong-token", json!(["a", "b"])).await;
        assert_eq!(status, 401);
    }
}
