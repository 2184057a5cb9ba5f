//! Single rules about column types: what is refused at enable and what happens to triggers
//! made before a refusal, non-finite floats, byte keys, JSON and geometry checked by column,
//! and SQLite's generated columns.

mod common;

use common::{Ctx, Kind};
use serde_json::{json, Value as J};
use sqlx::{Executor, Row};

async fn rows_of(ctx: &Ctx, token: &str, table: &str) -> Vec<J> {
    let (status, page) = ctx
        .get(&format!("/v1/tables/{table}/rows"), Some(token))
        .await;
    assert_eq!(status, 200, "{table}: {page}");
    page["rows"].as_array().unwrap().clone()
}

/// Columns each backend cannot sync, with the DDL and the words the refusal must contain.
fn refused(kind: Kind) -> Vec<(&'static str, &'static str)> {
    match kind {
        Kind::MySql => vec![
            ("id POINT PRIMARY KEY", "\"id\" has type point"),
            ("id BIT(8) PRIMARY KEY", "\"id\" has type bit(8)"),
        ],
        Kind::Postgres => vec![("id BIT(8) PRIMARY KEY", "\"id\" has type bit(8)")],
        Kind::Sqlite => vec![("id BLOB PRIMARY KEY", "\"id\" has type BLOB")],
    }
}
backend_tests! {
    async fn columns_that_cannot_be_synced_are_refused_at_enable_naming_the_column(ctx) {
        for (n, (columns, words)) in refused(ctx.kind).into_iter().enumerate() {
            let table = format!("no{n}");
            ctx.sql(&format!("CREATE TABLE {table} ({columns})")).await;
            let err = sheetsync_server::tables::enable(&ctx.db, &table)
                .await
                .expect_err(columns)
                .to_string();
            assert!(err.contains(words) && err.contains("cannot be synced"), "{columns}: {err}");
        }
    }

    async fn a_synced_table_whose_column_becomes_unsyncable_loses_its_triggers(ctx) {
        ctx.sql("CREATE TABLE later (id INT PRIMARY KEY, note VARCHAR(10))").await;
        ctx.enable("later").await;
        let (count, change) = match ctx.kind {
            Kind::MySql => (
                "SELECT COUNT(*) FROM information_schema.TRIGGERS \
                 WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = 'later'",
                vec!["ALTER TABLE later MODIFY id BIT(8)"],
            ),
            Kind::Postgres => (
                "SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = 'later'::regclass AND NOT tgisinternal",
                vec!["ALTER TABLE later ALTER COLUMN id TYPE bit(8) USING id::bit(8)"],
            ),
            Kind::Sqlite => (
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'later'",
                vec!["DROP TABLE later", "CREATE TABLE later (id BLOB PRIMARY KEY, note TEXT)"],
            ),
        };
        let triggers = |sql: &'static str| {
            let ctx = ctx.clone();
            async move { ctx.outside.fetch_one(sql).await.unwrap().try_get::<i64, _>(0).unwrap() }
        };
        assert!(triggers(count).await > 0);
        for stmt in change {
            ctx.sql(stmt).await;
        }
        ctx.instance.state.catalog.refresh(&ctx.db).await.unwrap();
        assert_eq!(triggers(count).await, 0, "{:?}", ctx.kind);
        assert!(ctx.instance.state.catalog.get("later").await.is_none());
        let bits = match ctx.kind {
            Kind::MySql => "b'1'",
            Kind::Postgres => "B'00000001'",
            Kind::Sqlite => "X'01'",
        };
        ctx.sql(&format!("INSERT INTO later (id, note) VALUES ({bits}, 'a')")).await;
    }

    async fn non_finite_floats_are_stored_where_the_database_holds_them_and_refused_by_column_elsewhere(ctx) {
        let real = if ctx.kind == Kind::Postgres { "DOUBLE PRECISION" } else { "DOUBLE" };
        ctx.sql(&format!("CREATE TABLE odd (id INT PRIMARY KEY, v {real})")).await;
        ctx.enable("odd").await;
        let token = ctx.token(&["odd"], true).await;
        for (i, x) in ["NaN", "Infinity", "-Infinity"].into_iter().enumerate() {
            let (status, body) = ctx.post("/v1/tables/odd/push", Some(&token), json!({
                "batch_id": format!("odd{i}"), "origin": "s",
                "changes": [{"op": "insert", "cells": {"id": i, "v": x}}]
            })).await;
            assert_eq!(status, 200, "{body}");
            let r = &body["results"][0];
            if ctx.kind == Kind::MySql {
                assert_eq!((&r["result"], &r["code"], &r["column"]), (&json!("rejected"), &json!("bad_value"), &json!("v")), "{x}: {body}");
            } else {
                assert_eq!(r["result"], "applied", "{x}: {body}");
                assert_eq!(r["row"], json!([i, x]), "{x}: {body}");
            }
        }
    }

    async fn a_byte_key_is_the_base64_text_of_its_bytes(ctx) {
        let (ddl, bytes) = match ctx.kind {
            Kind::MySql => ("CREATE TABLE bk (id VARBINARY(16) PRIMARY KEY, note VARCHAR(10))", "UNHEX"),
            Kind::Postgres => ("CREATE TABLE bk (id BYTEA PRIMARY KEY, note VARCHAR(10))", "decode"),
            Kind::Sqlite => ("CREATE TABLE bk (id BLOB PRIMARY KEY, note TEXT)", ""),
        };
        ctx.sql(ddl).await;
        if ctx.kind == Kind::Sqlite {
            // SQLite has no base64 to spell the key in a trigger: the table is refused.
            let err = sheetsync_server::tables::enable(&ctx.db, "bk").await.unwrap_err().to_string();
            assert!(err.contains("\"id\" has type BLOB"), "{err}");
            return;
        }
        let hex = |h: &str| if bytes == "UNHEX" { format!("UNHEX('{h}')") } else { format!("decode('{h}', 'hex')") };
        ctx.enable("bk").await;
        let token = ctx.token(&["bk"], true).await;
        let at = ctx.cursor_now(&token, "bk").await;
        let long = "FB".repeat(16);
        ctx.sql(&format!("INSERT INTO bk (id, note) VALUES ({}, 'a'), ({}, 'b')", hex("FF00"), hex(&long))).await;
        let rows = rows_of(&ctx, &token, "bk").await;
        let keys: Vec<&J> = rows.iter().map(|r| &r["key"]).collect();
        assert_eq!(keys, vec![&json!("+/v7+/v7+/v7+/v7+/v7+w=="), &json!("/wA=")]);
        for r in &rows {
            assert_eq!(r["key"], r["cells"][0], "{r}");
            assert!(r["version"].as_i64().unwrap() > 0, "{r}");
        }
        let (status, body) = ctx.post("/v1/tables/bk/push", Some(&token), json!({
            "batch_id": "bk1", "origin": "s", "changes": [
                {"op": "update", "key": "/wA=", "expected_version": rows[1]["version"], "cells": {"note": "c"}},
                {"op": "insert", "cells": {"id": "AAE=", "note": "d"}},
                {"op": "delete", "key": rows[0]["key"], "expected_version": rows[0]["version"]}
            ]
        })).await;
        assert_eq!(status, 200, "{body}");
        let results = body["results"].as_array().unwrap();
        for r in results {
            assert_eq!(r["result"], "applied", "{body}");
        }
        assert_eq!(results[0]["row"], json!(["/wA=", "c"]));
        assert_eq!(results[1]["key"], "AAE=");
        ctx.sql(&format!("UPDATE bk SET id = {} WHERE id = {}", hex("0002"), hex("0001"))).await;
        let (changes, _) = ctx.changes_until(&token, "bk", &at, 7).await;
        let seen: Vec<(String, String)> = changes
            .iter()
            .map(|c| (c["op"].as_str().unwrap().to_string(), c["key"].as_str().unwrap().to_string()))
            .collect();
        let want = [
            ("upsert", "/wA="), ("upsert", "+/v7+/v7+/v7+/v7+/v7+w=="), ("upsert", "/wA="),
            ("upsert", "AAE="), ("delete", "+/v7+/v7+/v7+/v7+/v7+w=="), ("delete", "AAE="), ("upsert", "AAI="),
        ];
        let want: Vec<(String, String)> = want.iter().map(|(o, k)| (o.to_string(), k.to_string())).collect();
        assert_eq!(seen, want);
    }

    async fn invalid_json_is_a_bad_value_of_its_column(ctx) {
        ctx.sql("CREATE TABLE docs (id INT PRIMARY KEY, j JSON)").await;
        ctx.enable("docs").await;
        let token = ctx.token(&["docs"], true).await;
        let (_, tables) = ctx.get("/v1/tables", Some(&token)).await;
        assert_eq!(tables["tables"][0]["columns"][1]["sql_type"]["kind"], "json", "{tables}");
        let (status, body) = ctx.post("/v1/tables/docs/push", Some(&token), json!({
            "batch_id": "j", "origin": "s",
            "changes": [{"op": "insert", "cells": {"id": 1, "j": "{not json"}}]
        })).await;
        assert_eq!(status, 200, "{body}");
        let r = &body["results"][0];
        assert_eq!((&r["result"], &r["code"], &r["column"]), (&json!("rejected"), &json!("bad_value"), &json!("j")), "{body}");
    }
}

mod mysql_only {
    use super::*;

    async fn bad_geometry(ctx: std::sync::Arc<Ctx>) {
        ctx.sql("CREATE TABLE places (id INT PRIMARY KEY, at POINT NULL)")
            .await;
        ctx.enable("places").await;
        let token = ctx.token(&["places"], true).await;
        for (i, text) in ["not wkt", "LINESTRING(0 0,1 1)", "SRID=x;POINT(1 2)"]
            .into_iter()
            .enumerate()
        {
            let (status, body) = ctx
                .post(
                    "/v1/tables/places/push",
                    Some(&token),
                    json!({
                        "batch_id": format!("p{i}"), "origin": "s",
                        "changes": [{"op": "insert", "cells": {"id": i, "at": text}}]
                    }),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            let r = &body["results"][0];
            assert_eq!(
                (&r["result"], &r["code"], &r["column"]),
                (&json!("rejected"), &json!("bad_value"), &json!("at")),
                "{text}: {body}"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn text_that_is_no_geometry_of_the_column_is_a_bad_value_of_it() {
        common::run(Kind::MySql, bad_geometry).await
    }
}

mod sqlite_only {
    use super::*;

    async fn generated(ctx: std::sync::Arc<Ctx>) {
        ctx.sql(
            "CREATE TABLE gen (id INTEGER PRIMARY KEY, x INTEGER, \
             twice INTEGER GENERATED ALWAYS AS (x * 2) VIRTUAL, \
             thrice INTEGER GENERATED ALWAYS AS (x * 3) STORED)",
        )
        .await;
        ctx.enable("gen").await;
        let token = ctx.token(&["gen"], true).await;
        let (_, tables) = ctx.get("/v1/tables", Some(&token)).await;
        let columns = &tables["tables"][0]["columns"];
        let names: Vec<_> = columns
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].clone())
            .collect();
        assert_eq!(
            names,
            vec![json!("id"), json!("x"), json!("twice"), json!("thrice")]
        );
        assert_eq!(columns[2]["generated"], true);
        assert_eq!(columns[3]["generated"], true);
        ctx.sql("INSERT INTO gen (id, x) VALUES (1, 5)").await;
        let rows = rows_of(&ctx, &token, "gen").await;
        assert_eq!(rows[0]["cells"], json!([1, 5, 10, 15]));
        let (_, body) = ctx
            .post(
                "/v1/tables/gen/push",
                Some(&token),
                json!({
                    "batch_id": "g", "origin": "s", "changes": [{"op": "update", "key": "1",
                    "expected_version": rows[0]["version"], "cells": {"twice": 3}}]
                }),
            )
            .await;
        assert_eq!(body["results"][0]["code"], "unknown_column", "{body}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn virtual_and_stored_generated_columns_are_listed_read_only() {
        common::run(Kind::Sqlite, generated).await
    }
}
