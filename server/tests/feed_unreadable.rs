//! The feed never stalls: a change-log entry the server cannot encode is served as
//! `unreadable` with its reason, counted in `/metrics`, and every later change still flows.
//! A row whose key has no text is left out of row pages, which still page through the rest;
//! a cell served in the degraded form is counted too.

mod common;

use common::{Ctx, Kind};
use serde_json::{json, Value as J};

/// A key as SQL, with the words its feed entry must carry (the reason of an unreadable entry,
/// or the key served).
type Keyed = (&'static str, &'static str);

/// The value of counter `name` in `/metrics`.
async fn metric(ctx: &Ctx, name: &str) -> u64 {
    let (_, metrics) = ctx.get("/metrics", None).await;
    let text = metrics.as_str().unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

/// Every row of `table`, read in pages of `limit`, as `(key, version, cells)`; panics if the
/// pages do not end.
async fn all_rows(ctx: &Ctx, token: &str, table: &str, limit: usize) -> Vec<(J, J, J)> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..20 {
        let mut path = format!("/v1/tables/{table}/rows?limit={limit}");
        if let Some(a) = &after {
            path.push_str(&format!("&after={}", common::urlencode(a)));
        }
        let (status, page) = ctx.get(&path, Some(token)).await;
        assert_eq!(status, 200, "{path}: {page}");
        for r in page["rows"].as_array().unwrap() {
            out.push((r["key"].clone(), r["version"].clone(), r["cells"].clone()));
        }
        match page["next_after"].as_str() {
            Some(next) => after = Some(next.to_string()),
            None => return out,
        }
    }
    panic!("the row pages of {table} do not end: {out:?}");
}

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

backend_tests! {
    async fn a_key_that_is_not_utf8_text_is_unreadable_in_the_feed_and_left_out_of_row_pages(ctx) {
        // SQLite keeps any bytes in a text key, as text or as a BLOB (a BLOB is no text key
        // even when its bytes are UTF-8: `X'62'` and `'b'` are two rows). MariaDB and
        // PostgreSQL hold such bytes only in a byte key, whose key text is base64, so they
        // always have a key to serve.
        let (ddl, unreadable, readable): (&str, &[Keyed], &[Keyed]) = match ctx.kind {
            Kind::Sqlite => (
                "CREATE TABLE k (id TEXT PRIMARY KEY, name TEXT)",
                &[
                    ("CAST(X'FF61' AS TEXT)", "key is not UTF-8 text"),
                    ("X'FF62'", "key is bytes, not text"),
                    ("X'62'", "key is bytes, not text"),
                ],
                &[("'é'", "é"), ("'b'", "b")],
            ),
            Kind::MySql => (
                "CREATE TABLE k (id VARBINARY(8) PRIMARY KEY, name VARCHAR(10))",
                &[],
                &[("X'FF61'", "/2E="), ("X'FF62'", "/2I="), ("X'62'", "Yg==")],
            ),
            Kind::Postgres => (
                "CREATE TABLE k (id BYTEA PRIMARY KEY, name TEXT)",
                &[],
                &[("'\\xff61'::bytea", "/2E="), ("'\\xff62'::bytea", "/2I="), ("'\\x62'::bytea", "Yg==")],
            ),
        };
        ctx.sql(ddl).await;
        ctx.enable("k").await;
        let token = ctx.token(&["k"], true).await;
        let start = ctx.cursor_now(&token, "k").await;
        for (key, _) in unreadable {
            ctx.sql(&format!("INSERT INTO k (id, name) VALUES ({key}, 'x')")).await;
        }
        for (key, _) in readable {
            ctx.sql(&format!("INSERT INTO k (id, name) VALUES ({key}, 'y')")).await;
        }
        let n = unreadable.len() + readable.len();
        let (changes, _) = ctx.changes_until(&token, "k", &start, n).await;
        assert_eq!(changes.len(), n, "{changes:?}");
        let (bad, good) = changes.split_at(unreadable.len());
        for (c, (_, why)) in bad.iter().zip(unreadable) {
            assert_eq!(c["op"], "unreadable", "{c}");
            assert!(c["reason"].as_str().unwrap().contains(why), "{c}");
        }
        let mut versions = std::collections::HashMap::new();
        for (c, (_, key)) in good.iter().zip(readable) {
            assert_eq!(c["op"], "upsert", "{c}");
            assert_eq!(c["key"], *key, "{c}");
            assert_eq!(c["cells"], json!([key, "y"]), "{c}");
            versions.insert(key.to_string(), c["version"].clone());
        }
        assert_eq!(metric(&ctx, "sheetsync_changes_unreadable_total").await, unreadable.len() as u64);

        // Every readable row exactly once, under its key and version, whatever the page size.
        let mut want: Vec<&str> = readable.iter().map(|(_, k)| *k).collect();
        want.sort_by_key(|k| match ctx.kind {
            Kind::Sqlite => k.as_bytes().to_vec(),
            _ => {
                let bytes: &[u8] = match *k { "Yg==" => b"b", "/2E=" => b"\xffa", _ => b"\xffb" };
                bytes.to_vec()
            }
        });
        for limit in [1, 2, 10] {
            let rows = all_rows(&ctx, &token, "k", limit).await;
            let keys: Vec<&str> = rows.iter().map(|(k, _, _)| k.as_str().unwrap()).collect();
            assert_eq!(keys, want, "limit {limit}");
            for (key, version, cells) in &rows {
                assert_eq!(cells, &json!([key, "y"]), "limit {limit}");
                assert_eq!(version, &versions[key.as_str().unwrap()], "limit {limit}: {key}");
            }
        }
        let left_out = metric(&ctx, "sheetsync_rows_unreadable_total").await;
        if ctx.kind == Kind::Sqlite {
            assert!(left_out >= 3 * unreadable.len() as u64, "{left_out}");
        } else {
            assert_eq!(left_out, 0);
        }

        // Every row with a readable key is written by its key and version as served.
        for (i, (key, version, _)) in all_rows(&ctx, &token, "k", 10).await.iter().enumerate() {
            let (status, body) = ctx.post("/v1/tables/k/push", Some(&token), json!({
                "batch_id": format!("k{i}"), "origin": "s", "changes": [
                    {"op": "update", "key": key, "expected_version": version, "cells": {"name": "z"}}
                ]
            })).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["results"][0]["result"], "applied", "{key}: {body}");
            assert_eq!(body["results"][0]["row"], json!([key, "z"]), "{body}");
        }
    }

    async fn a_null_key_never_fails_another_writer_and_its_row_is_left_out_of_row_pages(ctx) {
        ctx.sql("CREATE TABLE nk (id VARCHAR(10) PRIMARY KEY, name VARCHAR(10))").await;
        ctx.enable("nk").await;
        let token = ctx.token(&["nk"], false).await;
        let start = ctx.cursor_now(&token, "nk").await;
        let insert = "INSERT INTO nk (id, name) VALUES (NULL, 'n')";
        let written = sqlx::Executor::execute(&ctx.outside, insert).await;
        if ctx.kind != Kind::Sqlite {
            // The database itself holds no NULL in a primary key.
            assert!(written.is_err(), "{written:?}");
            return;
        }
        // SQLite does, outside an INTEGER PRIMARY KEY: such a row has no key to sync.
        written.unwrap();
        ctx.sql("INSERT INTO nk (id, name) VALUES (NULL, 'm')").await;
        ctx.sql("UPDATE nk SET name = 'o' WHERE id IS NULL").await;
        ctx.sql("UPDATE nk SET id = 'a' WHERE name = 'o' AND rowid = (SELECT MIN(rowid) FROM nk)").await;
        ctx.sql("INSERT INTO nk (id, name) VALUES ('b', 'y')").await;
        ctx.sql("DELETE FROM nk WHERE id IS NULL").await;
        ctx.sql("INSERT INTO nk (id, name) VALUES (NULL, 'p')").await;
        let (changes, _) = ctx.changes_until(&token, "nk", &start, 2).await;
        let seen: Vec<(&J, &J)> = changes.iter().map(|c| (&c["op"], &c["key"])).collect();
        assert_eq!(seen, vec![(&json!("upsert"), &json!("a")), (&json!("upsert"), &json!("b"))]);
        for limit in [1, 10] {
            let rows = all_rows(&ctx, &token, "nk", limit).await;
            let keys: Vec<&J> = rows.iter().map(|(k, _, _)| k).collect();
            assert_eq!(keys, vec![&json!("a"), &json!("b")], "limit {limit}");
        }
        assert!(metric(&ctx, "sheetsync_rows_unreadable_total").await >= 2);
    }

    async fn cells_served_in_the_degraded_form_are_counted(ctx) {
        // Only SQLite keeps bytes a text column cannot carry; elsewhere such bytes live in a
        // byte column and are served as base64, never degraded.
        let (ddl, value, served) = match ctx.kind {
            Kind::Sqlite => ("CREATE TABLE d (id INTEGER PRIMARY KEY, note TEXT)", "CAST(X'FF41' AS TEXT)", json!({"base64": "/0E="})),
            Kind::MySql => ("CREATE TABLE d (id INT PRIMARY KEY, note VARBINARY(4))", "X'FF41'", json!("/0E=")),
            Kind::Postgres => ("CREATE TABLE d (id INT PRIMARY KEY, note BYTEA)", "'\\xff41'::bytea", json!("/0E=")),
        };
        let degraded = u64::from(ctx.kind == Kind::Sqlite);
        ctx.sql(ddl).await;
        ctx.enable("d").await;
        let token = ctx.token(&["d"], false).await;
        let start = ctx.cursor_now(&token, "d").await;
        ctx.sql(&format!("INSERT INTO d (id, note) VALUES (1, {value})")).await;
        let before = metric(&ctx, "sheetsync_cells_degraded_total").await;
        assert_eq!(before, 0);
        let (changes, _) = ctx.changes_until(&token, "d", &start, 1).await;
        assert_eq!(changes[0]["cells"], json!([1, served]), "{changes:?}");
        assert_eq!(metric(&ctx, "sheetsync_cells_degraded_total").await, degraded);
        let rows = all_rows(&ctx, &token, "d", 10).await;
        assert_eq!(rows[0].2, json!([1, served]));
        assert_eq!(metric(&ctx, "sheetsync_cells_degraded_total").await, 2 * degraded);
        let version = rows[0].1.as_i64().unwrap();
        let (status, row) = ctx.get(&format!("/v1/tables/d/rows/1/versions/{version}"), Some(&token)).await;
        assert_eq!(status, 200, "{row}");
        assert_eq!(row["cells"], json!([1, served]));
        assert_eq!(metric(&ctx, "sheetsync_cells_degraded_total").await, 3 * degraded);
    }
}
