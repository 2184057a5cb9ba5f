//! Query plans of the lookups a push makes per chunk: each key is found through an index, even
//! on a database whose statistics were never gathered (PostgreSQL with autovacuum off).

mod common;

use common::Kind;
use sheetsync_server::db::text_at;
use sheetsync_server::rows::versions_sql;
use sqlx::{Executor, Row};

/// Version rows of one table, written straight into the table without statistics.
const VERSIONS: i64 = 20_000;
/// Keys asked for at once (a push chunk's size).
const ASKED: i64 = 500;

fn fill_versions_sql(kind: Kind, table_id: i64) -> String {
    match kind {
        Kind::Postgres => format!(
            "INSERT INTO sheetsync_row_versions (table_id, row_key, version) \
             SELECT {table_id}, g::text, g FROM generate_series(1, {VERSIONS}) g"
        ),
        Kind::MySql => format!(
            "INSERT INTO sheetsync_row_versions (table_id, row_key, version) \
             SELECT {table_id}, CAST(seq AS CHAR), seq FROM seq_1_to_{VERSIONS}"
        ),
        Kind::Sqlite => format!(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {VERSIONS}) \
             INSERT INTO sheetsync_row_versions (table_id, row_key, version) \
             SELECT {table_id}, CAST(n AS TEXT), n FROM g"
        ),
    }
}

backend_tests! {
    async fn the_row_versions_lookup_finds_each_key_through_the_index_without_statistics(ctx) {
        ctx.people().await;
        let info = ctx.instance.state.catalog.get("people").await.unwrap();
        ctx.sql(&fill_versions_sql(ctx.kind, info.id)).await;
        let keys: Vec<String> = (10_000..10_000 + ASKED).map(|k| k.to_string()).collect();
        let sql = versions_sql(&ctx.db, keys.len());

        let mut conn = ctx.outside.acquire().await.unwrap();
        let plan: Vec<String> = match ctx.kind {
            Kind::Postgres => {
                // The server's statements are prepared; after a few runs PostgreSQL may keep a
                // generic plan, which knows neither the table id nor the keys.
                let types = std::iter::once("bigint")
                    .chain(keys.iter().map(|_| "text"))
                    .collect::<Vec<_>>()
                    .join(", ");
                conn.execute(format!("PREPARE versions_lookup ({types}) AS {sql}").as_str())
                    .await
                    .unwrap();
                conn.execute("SET plan_cache_mode = force_generic_plan").await.unwrap();
                let args = std::iter::once(info.id.to_string())
                    .chain(keys.iter().map(|k| format!("'{k}'")))
                    .collect::<Vec<_>>()
                    .join(", ");
                let rows = conn
                    .fetch_all(format!("EXPLAIN EXECUTE versions_lookup ({args})").as_str())
                    .await
                    .unwrap();
                rows.iter().map(|r| text_at(r, 0).unwrap().unwrap_or_default()).collect()
            }
            Kind::MySql | Kind::Sqlite => {
                let explain = if ctx.kind == Kind::MySql { "EXPLAIN" } else { "EXPLAIN QUERY PLAN" };
                let sql = format!("{explain} {sql}");
                let mut q = sqlx::query(&sql).bind(info.id);
                for k in &keys {
                    q = q.bind(k.clone());
                }
                let rows = q.fetch_all(&mut *conn).await.unwrap();
                rows.iter()
                    .map(|r| {
                        (0..r.len())
                            .map(|i| text_at(r, i).ok().flatten().unwrap_or_default())
                            .collect::<Vec<_>>()
                            .join(" | ")
                    })
                    .collect()
            }
        };
        let text = plan.join("\n");
        match ctx.kind {
            Kind::Postgres => {
                assert!(
                    text.contains("Index Cond: ((row_key = ANY"),
                    "the keys are not an index condition:\n{}",
                    text.chars().take(2000).collect::<String>()
                );
                assert!(!text.contains("Filter:"), "rows are filtered after an index scan:\n{text}");
            }
            // type `range` on the primary key: one index dive per key.
            Kind::MySql => assert!(text.contains("| range | PRIMARY |"), "{text}"),
            Kind::Sqlite => assert!(text.contains("row_key=?"), "{text}"),
        }
        drop(conn);

        let mut q = sqlx::query(&sql).bind(info.id);
        for k in &keys {
            q = q.bind(k.clone());
        }
        let found = q.fetch_all(&ctx.outside).await.unwrap();
        assert_eq!(found.len(), keys.len());
        for r in &found {
            let key = text_at(r, 0).unwrap().unwrap();
            let version = sheetsync_server::db::int_at(r, 1).unwrap().unwrap();
            assert_eq!(key, version.to_string());
        }
    }
}
