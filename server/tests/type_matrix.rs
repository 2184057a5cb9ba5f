//! Every column type each database offers: one table per type, enabled, written by another
//! application with ordinary and extreme values, then read through the row pages and the feed,
//! and pushed back exactly as served, which must leave the stored value as it was. The types
//! and values are in `type_matrix/cases.rs`; refusals and single rules are in `type_rules.rs`.

#[path = "type_matrix/cases.rs"]
mod cases;
mod common;

use cases::{cases, Case, Served::*};
use common::{Ctx, Kind};
use serde_json::{json, Value as J};
use sqlx::{Executor, Row};

/// The stored value of `v` in row `id`, spelled so that any change shows.
async fn stored(ctx: &Ctx, table: &str, id: usize) -> Option<String> {
    let expr = match ctx.kind {
        Kind::MySql => "HEX(v)",
        Kind::Postgres => "v::text",
        Kind::Sqlite => {
            "typeof(v) || ':' || CASE typeof(v) WHEN 'real' THEN printf('%!.17g', v) ELSE hex(v) END"
        }
    };
    let sql = format!("SELECT {expr} FROM {table} WHERE id = {id}");
    let row = ctx.outside.fetch_one(sql.as_str()).await.unwrap();
    row.try_get::<Option<String>, _>(0).unwrap_or_else(|_| {
        let bytes: Option<Vec<u8>> = row.try_get(0).unwrap();
        bytes.map(|b| String::from_utf8(b).unwrap())
    })
}

async fn rows_of(ctx: &Ctx, token: &str, table: &str) -> Vec<J> {
    let (status, page) = ctx
        .get(&format!("/v1/tables/{table}/rows"), Some(token))
        .await;
    assert_eq!(status, 200, "{table}: {page}");
    page["rows"].as_array().unwrap().clone()
}

async fn check(ctx: &Ctx, n: usize, case: &Case) {
    let table = format!("tm{n}");
    let id_type = if ctx.kind == Kind::Sqlite {
        "INTEGER"
    } else {
        "INT"
    };
    ctx.sql(&format!(
        "CREATE TABLE {table} (id {id_type} PRIMARY KEY, v {}, note VARCHAR(10))",
        case.ty
    ))
    .await;
    ctx.enable(&table).await;
    let token = ctx.token(&[&table], true).await;
    let at = ctx.cursor_now(&token, &table).await;
    let what = format!("{:?} {}", ctx.kind, case.ty);
    let count = case.values.len();
    for (i, (literal, _)) in case.values.iter().enumerate() {
        ctx.sql(&format!(
            "INSERT INTO {table} (id, v, note) VALUES ({}, {literal}, 'a')",
            i + 1
        ))
        .await;
    }
    // NULL, and a row deleted again: each other application's write must succeed.
    ctx.sql(&format!(
        "INSERT INTO {table} (id, v) VALUES ({}, NULL)",
        count + 1
    ))
    .await;
    ctx.sql(&format!(
        "INSERT INTO {table} (id, v) VALUES ({}, {})",
        count + 2,
        case.values[0].0
    ))
    .await;
    ctx.sql(&format!("UPDATE {table} SET note = 'x'")).await;
    ctx.sql(&format!("DELETE FROM {table} WHERE id = {}", count + 2))
        .await;

    let rows = rows_of(ctx, &token, &table).await;
    assert_eq!(rows.len(), count + 1, "{what}: {rows:?}");
    for (row, (literal, served)) in rows.iter().zip(&case.values) {
        let cell = &row["cells"][1];
        match served {
            Is(w) | Same(w) | Degraded(w) => assert_eq!(cell, w, "{what} {literal}"),
            Kept => assert!(!cell.is_null(), "{what} {literal}: served NULL"),
        }
        assert_eq!(row["cells"][2], json!("x"), "{what} {literal}");
    }
    assert_eq!(rows[count]["cells"][1], J::Null, "{what}: NULL row");

    // The feed: every change arrives, each row's last image equals its row page cells.
    let entries = 2 * (count + 2) + 1;
    let (changes, _) = ctx.changes_until(&token, &table, &at, entries).await;
    assert_eq!(changes.len(), entries, "{what}: {changes:?}");
    for row in &rows {
        let last = changes
            .iter()
            .rev()
            .find(|c| c["key"] == row["key"])
            .unwrap();
        assert_eq!(last["cells"], row["cells"], "{what}: feed vs rows");
    }
    let gone = changes.last().unwrap();
    assert_eq!(gone["op"], "delete", "{what}");

    // Push back exactly what was served.
    for (i, (row, (literal, served))) in rows.iter().zip(&case.values).enumerate() {
        let before = stored(ctx, &table, i + 1).await;
        let (status, body) = ctx
            .post(
                &format!("/v1/tables/{table}/push"),
                Some(&token),
                json!({"batch_id": format!("{table}-{i}"), "origin": "sheet", "changes": [{
                    "op": "update", "key": row["key"], "expected_version": row["version"],
                    "cells": {"v": row["cells"][1]}
                }]}),
            )
            .await;
        assert_eq!(status, 200, "{what} {literal}: {body}");
        let result = &body["results"][0];
        if let Degraded(_) = served {
            assert_eq!(result["result"], "rejected", "{what} {literal}: {body}");
            assert_eq!(result["code"], "bad_value", "{what} {literal}: {body}");
            assert_eq!(result["column"], "v", "{what} {literal}: {body}");
            continue;
        }
        assert_eq!(result["result"], "applied", "{what} {literal}: {body}");
        assert_eq!(result["row"], row["cells"], "{what} {literal}: stored row");
        if !matches!(served, Same(_)) {
            assert_eq!(stored(ctx, &table, i + 1).await, before, "{what} {literal}");
        }
    }
    let after = rows_of(ctx, &token, &table).await;
    for (a, b) in after.iter().zip(&rows) {
        assert_eq!(a["cells"], b["cells"], "{what}: rows after the push");
    }
}

backend_tests! {
    async fn every_column_type_survives_plain_sql_rows_changes_and_a_push_round_trip(ctx) {
        if ctx.kind == Kind::Postgres {
            ctx.sql("CREATE TYPE mood AS ENUM ('sad', 'ok')").await;
            ctx.sql("CREATE TYPE pair AS (a INT, b TEXT)").await;
        }
        for (n, case) in cases(ctx.kind).iter().enumerate() {
            check(&ctx, n, case).await;
        }
    }
}
