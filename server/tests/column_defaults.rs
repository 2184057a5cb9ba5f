//! The schema says which columns have a database default (`has_default`), read from each
//! backend's catalog: a client leaves such a column out of an insert when its cell is empty,
//! and waits for a value in a NOT NULL column without one.

mod common;

use common::Kind;
use serde_json::json;

fn ddl(kind: Kind) -> &'static str {
    match kind {
        Kind::MySql => {
            "CREATE TABLE tasks (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(40) NOT NULL, \
             status VARCHAR(10) NOT NULL DEFAULT 'new', word VARCHAR(10) NOT NULL DEFAULT 'NULL', \
             points INT NOT NULL, note TEXT NULL, spare INT NULL DEFAULT NULL)"
        }
        Kind::Postgres => {
            "CREATE TABLE tasks (id SERIAL PRIMARY KEY, title VARCHAR(40) NOT NULL, \
             status VARCHAR(10) NOT NULL DEFAULT 'new', word VARCHAR(10) NOT NULL DEFAULT 'NULL', \
             points INT NOT NULL, note TEXT NULL, spare INT NULL DEFAULT NULL)"
        }
        Kind::Sqlite => {
            "CREATE TABLE tasks (id INTEGER PRIMARY KEY, title VARCHAR(40) NOT NULL, \
             status VARCHAR(10) NOT NULL DEFAULT 'new', word VARCHAR(10) NOT NULL DEFAULT 'NULL', \
             points INT NOT NULL, note TEXT NULL, spare INT NULL DEFAULT NULL)"
        }
    }
}

backend_tests! {
    async fn the_schema_says_which_columns_the_database_fills_by_default(ctx) {
        ctx.sql(ddl(ctx.kind)).await;
        ctx.enable("tasks").await;
        let token = ctx.token(&["tasks"], true).await;
        let (status, tables) = ctx.get("/v1/tables", Some(&token)).await;
        assert_eq!(status, 200, "{tables}");
        let columns = tables["tables"][0]["columns"].as_array().unwrap().clone();
        let defaults: Vec<(String, bool)> = columns
            .iter()
            .map(|c| (c["name"].as_str().unwrap().to_string(), c["has_default"] == true))
            .collect();
        let expected = [
            // The key is generated: a client never writes it, whatever the catalog says.
            ("id", columns[0]["has_default"] == true),
            ("title", false),
            ("status", true),
            // A text default that spells NULL is still a default.
            ("word", true),
            ("points", false),
            ("note", false),
            // DEFAULT NULL fills nothing a client could not send itself.
            ("spare", false),
        ]
        .map(|(n, d)| (n.to_string(), d));
        assert_eq!(defaults, expected);
        assert_eq!(columns[0]["generated"], true);

        // An insert that leaves the defaulted columns out gets the database's values.
        let (_, body) = ctx
            .post(
                "/v1/tables/tasks/push",
                Some(&token),
                json!({"batch_id": "d1", "origin": "s", "changes": [
                    {"op": "insert", "cells": {"title": "write docs", "points": 3}}
                ]}),
            )
            .await;
        assert_eq!(body["results"][0]["result"], "applied", "{body}");
        let row = body["results"][0]["row"].as_array().unwrap().clone();
        assert_eq!(row[1..4], [json!("write docs"), json!("new"), json!("NULL")], "{body}");
    }
}
