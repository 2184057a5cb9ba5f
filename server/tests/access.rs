//! Access control, hostile identifiers, and log retention.

mod common;

use common::{urlencode, Kind};
use serde_json::json;
use sqlx::{Executor, Row};

backend_tests! {
    async fn every_endpoint_refuses_missing_wrong_revoked_and_out_of_scope_tokens(ctx) {
        ctx.people().await;
        ctx.enable("teams").await;
        let reader = ctx.token(&["people"], false).await;
        let writer = ctx.token(&["people"], true).await;
        let teams_only = ctx.token(&["teams"], true).await;
        let revoked = ctx.token(&["people"], true).await;
        let list = sheetsync_server::tokens::list(&ctx.db).await.unwrap();
        let revoked_id = list.last().unwrap().grant.id;
        assert!(sheetsync_server::tokens::revoke(&ctx.db, revoked_id).await.unwrap());
        let push = json!({"batch_id": "a", "origin": "o", "changes": []});
        let table_routes = [
            ("GET", "/v1/tables/people/rows"),
            ("GET", "/v1/tables/people/changes?cursor=0"),
            ("POST", "/v1/tables/people/push"),
            ("GET", "/v1/tables/people/rows/1/versions/1"),
        ];
        let call = |method: &'static str, path: &'static str, token: Option<String>| {
            let ctx = ctx.clone();
            let push = push.clone();
            async move {
                let body = (method == "POST").then_some(push);
                common::call(&ctx.instance, method, path, token.as_deref(), body).await
            }
        };
        for (method, path) in table_routes.iter().copied().chain([("GET", "/v1/tables")]) {
            for token in [None, Some("sst_wrong".to_string()), Some(revoked.clone())] {
                let (status, body) = call(method, path, token.clone()).await;
                assert_eq!(status, 401, "{method} {path} with {token:?}: {body}");
                assert_eq!(body["error"], "unauthorized");
            }
        }
        for (method, path) in table_routes {
            let (status, body) = call(method, path, Some(teams_only.clone())).await;
            assert_eq!(status, 403, "{method} {path}: {body}");
            assert_eq!(body["error"], "forbidden");
        }
        let (status, _) = call("POST", "/v1/tables/people/push", Some(reader.clone())).await;
        assert_eq!(status, 403, "a read-only token cannot push");
        let (status, _) = call("POST", "/v1/tables/people/push", Some(writer.clone())).await;
        assert_eq!(status, 200);
        let (_, tables) = call("GET", "/v1/tables", Some(teams_only)).await;
        let names: Vec<&str> = tables["tables"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["teams"]);
        let (_, tables) = call("GET", "/v1/tables", Some(reader)).await;
        assert_eq!(tables["tables"][0]["writable"], false);
        let (status, _) = call("GET", "/health", None).await;
        assert_eq!(status, 200);
    }

    async fn identifiers_that_try_sql_injection_are_handled_safely(ctx) {
        ctx.people().await;
        let table = "odd`\"; DROP TABLE teams; --";
        let col = "na\"me`; DROP TABLE teams; --";
        let ddl = match ctx.kind {
            Kind::MySql => "CREATE TABLE `odd``\"; DROP TABLE teams; --` (id INT PRIMARY KEY, `na\"me``; DROP TABLE teams; --` VARCHAR(30))",
            _ => "CREATE TABLE \"odd`\"\"; DROP TABLE teams; --\" (id INT PRIMARY KEY, \"na\"\"me`; DROP TABLE teams; --\" VARCHAR(30))",
        };
        ctx.sql(ddl).await;
        ctx.enable(table).await;
        let token = ctx.token(&[table], true).await;
        let path = |rest: &str| format!("/v1/tables/{}/{rest}", urlencode(table));
        let (status, body) = ctx.post(&path("push"), Some(&token), json!({
            "batch_id": "evil", "origin": "o", "changes": [
                {"op": "insert", "cells": {"id": 1, col: "'); DROP TABLE teams; --"}},
                {"op": "insert", "cells": {"id": 2, "id = 1; DROP TABLE teams; --": 1}}
            ]
        })).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["results"][0]["result"], "applied", "{body}");
        assert_eq!(body["results"][1]["code"], "unknown_column", "{body}");
        let (changes, _) = ctx.changes_until(&token, table, "0", 1).await;
        assert_eq!(changes[0]["cells"], json!([1, "'); DROP TABLE teams; --"]));
        let (status, rows) = ctx.get(&path("rows?after=0"), Some(&token)).await;
        assert_eq!(status, 200, "{rows}");
        assert_eq!(rows["rows"][0]["cells"][1], "'); DROP TABLE teams; --");
        // A table that is not enabled, named like an attack, is simply not found.
        let (status, _) = ctx.get("/v1/tables/teams%3B%20DROP%20TABLE%20people/rows", Some(&token)).await;
        assert_eq!(status, 404);
        assert!(sheetsync_server::tables::enable(&ctx.db, "nope\"; DROP TABLE teams; --").await.is_err());
        let teams = ctx.outside.fetch_one("SELECT COUNT(*) FROM teams").await.unwrap();
        assert_eq!(teams.try_get::<i64, _>(0).unwrap(), 2);
    }

    async fn a_cursor_older_than_the_retained_log_expires_but_versions_survive(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        ctx.sql("INSERT INTO people (name) VALUES ('old')").await;
        ctx.sql("UPDATE people SET name = 'older'").await;
        let (changes, _) = ctx.changes_until(&token, "people", "0", 2).await;
        let version = changes[1]["version"].clone();
        let deleted = sheetsync_server::feed::compact(&ctx.db, 0, 0).await.unwrap();
        assert_eq!(deleted, 2);
        let (status, body) = ctx.get("/v1/tables/people/changes?cursor=0", Some(&token)).await;
        assert_eq!(status, 410);
        assert_eq!(body["error"], "cursor_expired");
        let (_, page) = ctx.get("/v1/tables/people/rows", Some(&token)).await;
        assert_eq!(page["rows"][0]["version"], version);
        let cursor = page["cursor"].as_str().unwrap();
        let (status, _) = ctx.get(&format!("/v1/tables/people/changes?cursor={cursor}"), Some(&token)).await;
        assert_eq!(status, 200);
    }
}
