//! Every column type round-trips through push, the row pages and the feed unchanged.

mod common;

use common::Kind;
use serde_json::json;

backend_tests! {
    async fn values_of_every_type_round_trip_through_push_rows_and_feed(ctx) {
        let ddl = match ctx.kind {
            Kind::MySql => "CREATE TABLE kinds (id INT PRIMARY KEY, big BIGINT UNSIGNED, amount DECIMAL(30,10), \
                f DOUBLE, b BOOLEAN, t VARCHAR(10), d DATE, dt DATETIME(3), ts TIMESTAMP(3) NULL, tm TIME, \
                j JSON, e ENUM('red','green'))",
            Kind::Postgres => "CREATE TYPE colour AS ENUM ('red', 'green'); \
                CREATE TABLE kinds (id INT PRIMARY KEY, big NUMERIC(20,0), amount NUMERIC(30,10), \
                f DOUBLE PRECISION, b BOOLEAN, t VARCHAR(10), d DATE, dt TIMESTAMP(3), ts TIMESTAMPTZ(3), \
                tm TIME, j JSONB, e colour)",
            Kind::Sqlite => "CREATE TABLE kinds (id INTEGER PRIMARY KEY, big TEXT, amount DECIMAL(30,10), \
                f REAL, b BOOLEAN, t VARCHAR(10), d DATE, dt DATETIME, ts TIMESTAMP, tm TIME, j JSON, e TEXT)",
        };
        for stmt in ddl.split("; ") {
            ctx.sql(stmt).await;
        }
        ctx.enable("kinds").await;
        let token = ctx.token(&["kinds"], true).await;
        // SQLite stores a DECIMAL column's numbers as doubles (NUMERIC affinity) and has no
        // time zones (TIMESTAMP is a wall clock there), so it gets a value a double holds exactly.
        let (amount, instant) = match ctx.kind {
            Kind::Sqlite => ("1234.5000000000", "2024-02-29 13:45:00.250"),
            _ => ("12345678901234567890.0123456789", "2024-02-29T13:45:00.250Z"),
        };
        let cells = json!({
            "id": 1, "big": "18446744073709551615", "amount": amount,
            "f": 1.5, "b": true, "t": "007", "d": "2024-02-29", "dt": "2024-02-29 13:45:00.250",
            "ts": "2024-02-29T13:45:00.250Z", "tm": "08:30:15", "j": "{\"a\":[1,true]}", "e": "green"
        });
        let (status, body) = ctx.post("/v1/tables/kinds/push", Some(&token), json!({
            "batch_id": "k", "origin": "s", "changes": [{"op": "insert", "cells": cells}]
        })).await;
        assert_eq!(status, 200, "{body}");
        let row = body["results"][0]["row"].clone();
        assert_eq!(body["results"][0]["result"], "applied", "{body}");
        let expected = json!([1, "18446744073709551615", amount, 1.5, true,
            "007", "2024-02-29", "2024-02-29 13:45:00.250", instant, "08:30:15",
            "{\"a\":[1,true]}", "green"]);
        assert_eq!(row, expected, "stored row");
        let (_, page) = ctx.get("/v1/tables/kinds/rows", Some(&token)).await;
        assert_eq!(page["rows"][0]["cells"], expected, "row page");
        let (changes, _) = ctx.changes_until(&token, "kinds", "0", 1).await;
        assert_eq!(changes[0]["cells"], expected, "feed");
    }
}
