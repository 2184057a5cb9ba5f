//! A push never answers with a version or key the database did not report: a write whose
//! change was not captured fails the whole batch with `500 internal`, nothing of it is
//! committed, and the same batch applies afresh once the cause is gone.

mod common;

use serde_json::{json, Value as J};
use sheetsync_server::db::triggers;
use sheetsync_server::tables;
use sqlx::Row;

async fn names(ctx: &common::Ctx) -> Vec<String> {
    sqlx::query("SELECT name FROM people ORDER BY name")
        .fetch_all(&ctx.outside)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>(0).unwrap())
        .collect()
}

backend_tests! {
    async fn writes_whose_change_was_not_logged_fail_the_batch_and_commit_nothing(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let (status, body) = ctx.post("/v1/tables/people/push", Some(&token), json!({
            "batch_id": "seed", "origin": "o",
            "changes": [{"op": "insert", "cells": {"name": "a"}},
                        {"op": "insert", "cells": {"name": "b"}},
                        {"op": "insert", "cells": {"name": "c"}}]
        })).await;
        assert_eq!(status, 200, "{body}");
        let at = |i: usize| (body["results"][i]["key"].clone(), body["results"][i]["version"].clone());
        let ((ka, va), (kb, vb), (kc, vc)) = (at(0), at(1), at(2));
        let before = names(&ctx).await;

        // Another tool removed the change capture: writes still succeed, but log nothing.
        let info = ctx.instance.state.catalog.get("people").await.unwrap();
        triggers::remove(&ctx.db, info.id, &info.table_ident).await.unwrap();
        let batches: Vec<(&str, J)> = vec![
            ("one-update", json!([{"op": "update", "key": ka, "expected_version": va, "cells": {"name": "a2"}}])),
            ("two-updates", json!([{"op": "update", "key": ka, "expected_version": va, "cells": {"name": "a3"}},
                                   {"op": "update", "key": kb, "expected_version": vb, "cells": {"name": "b3"}}])),
            ("one-delete", json!([{"op": "delete", "key": kc, "expected_version": vc}])),
            ("one-insert", json!([{"op": "insert", "cells": {"name": "d"}}])),
            ("two-inserts", json!([{"op": "insert", "cells": {"name": "e"}},
                                   {"op": "insert", "cells": {"name": "f"}}])),
        ];
        for (id, changes) in &batches {
            let (status, body) = ctx.post("/v1/tables/people/push", Some(&token),
                json!({"batch_id": id, "origin": "o", "changes": changes})).await;
            assert_eq!(status, 500, "{id}: {body}");
            assert_eq!(body["error"], "internal", "{id}: {body}");
            assert_eq!(names(&ctx).await, before, "{id} left a trace");
        }

        // With the capture back, each batch is applied (not replayed) with real versions.
        tables::enable(&ctx.db, "people").await.unwrap();
        for (id, changes) in &batches[..1] {
            let (status, body) = ctx.post("/v1/tables/people/push", Some(&token),
                json!({"batch_id": id, "origin": "o", "changes": changes})).await;
            assert_eq!(status, 200, "{id}: {body}");
            assert_eq!(body["replayed"], false, "{body}");
            let r = &body["results"][0];
            assert_eq!(r["result"], "applied", "{body}");
            assert!(r["version"].as_i64().unwrap() > va.as_i64().unwrap(), "{body}");
        }
        let (status, body) = ctx.post("/v1/tables/people/push", Some(&token),
            json!({"batch_id": "two-inserts", "origin": "o", "changes": batches[4].1})).await;
        assert_eq!(status, 200, "{body}");
        for r in body["results"].as_array().unwrap() {
            assert_eq!(r["result"], "applied", "{body}");
            assert!(r["version"].as_i64().unwrap() > 0, "{body}");
            assert!(!r["key"].as_str().unwrap().is_empty(), "{body}");
        }
    }
}
