//! Query plans of the lookups a push makes per chunk: each key is found through an index, even
//! on a database whose statistics were never gathered (PostgreSQL with autovacuum off).

mod common;

use common::Kind;
use sheetsync_server::db::text_at;
use sheetsync_server::rows::{logged_rows_sql, versions_sql};
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

        let text = plan_of(&ctx, &sql, info.id, &keys).await;
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

        let found = rows_of(&ctx, &sql, info.id, &keys).await;
        assert_eq!(found.len(), keys.len());
        for r in &found {
            let key = text_at(r, 0).unwrap().unwrap();
            let version = sheetsync_server::db::int_at(r, 1).unwrap().unwrap();
            assert_eq!(key, version.to_string());
        }
    }
}

/// Change-log entries `1..=VERSIONS` of one table (upserts, the entry's id as its key) and the
/// versions pointing at them, written straight into the tables.
fn fill_log_sql(kind: Kind, table_id: i64) -> Vec<String> {
    let entries = match kind {
        Kind::Postgres => format!(
            "INSERT INTO sheetsync_changes (id, table_id, row_key, op, row_image, changed_at_ms, seq) \
             SELECT g, {table_id}, g::text, 'U', '[\"' || g || '\"]', 0, g FROM generate_series(1, {VERSIONS}) g"
        ),
        Kind::MySql => format!(
            "INSERT INTO sheetsync_changes (id, table_id, row_key, op, row_image, changed_at_ms, seq) \
             SELECT seq, {table_id}, CAST(seq AS CHAR), 'U', CONCAT('[\"', seq, '\"]'), 0, seq \
             FROM seq_1_to_{VERSIONS}"
        ),
        Kind::Sqlite => format!(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {VERSIONS}) \
             INSERT INTO sheetsync_changes (id, table_id, row_key, op, row_image, changed_at_ms, seq) \
             SELECT n, {table_id}, CAST(n AS TEXT), 'U', '[\"' || n || '\"]', 0, n FROM g"
        ),
    };
    vec![entries, fill_versions_sql(kind, table_id)]
}

/// The rows `sql` answers with the table id and `keys` as its parameters.
async fn rows_of(
    ctx: &common::Ctx,
    sql: &str,
    table_id: i64,
    keys: &[String],
) -> Vec<sqlx::any::AnyRow> {
    let mut q = sqlx::query(sql).bind(table_id);
    for k in keys {
        q = q.bind(k.clone());
    }
    q.fetch_all(&ctx.outside).await.unwrap()
}

/// The plan of `sql` run with the table id and `keys` as its parameters; on PostgreSQL the
/// generic plan of the prepared statement, which knows neither.
async fn plan_of(ctx: &common::Ctx, sql: &str, table_id: i64, keys: &[String]) -> String {
    let mut conn = ctx.outside.acquire().await.unwrap();
    let plan: Vec<String> = match ctx.kind {
        Kind::Postgres => {
            let types = std::iter::once("bigint")
                .chain(keys.iter().map(|_| "text"))
                .collect::<Vec<_>>()
                .join(", ");
            conn.execute(format!("PREPARE lookup ({types}) AS {sql}").as_str())
                .await
                .unwrap();
            conn.execute("SET plan_cache_mode = force_generic_plan")
                .await
                .unwrap();
            let args = std::iter::once(table_id.to_string())
                .chain(keys.iter().map(|k| format!("'{k}'")))
                .collect::<Vec<_>>()
                .join(", ");
            let rows = conn
                .fetch_all(format!("EXPLAIN EXECUTE lookup ({args})").as_str())
                .await
                .unwrap();
            conn.execute("DEALLOCATE lookup").await.unwrap();
            conn.execute("RESET plan_cache_mode").await.unwrap();
            rows.iter()
                .map(|r| text_at(r, 0).unwrap().unwrap_or_default())
                .collect()
        }
        Kind::MySql | Kind::Sqlite => {
            let explain = if ctx.kind == Kind::MySql {
                "EXPLAIN"
            } else {
                "EXPLAIN QUERY PLAN"
            };
            let sql = format!("{explain} {sql}");
            let mut q = sqlx::query(&sql).bind(table_id);
            for k in keys {
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
    plan.join("\n")
}

backend_tests! {
    async fn the_read_back_of_inserted_rows_finds_each_key_through_the_indexes_after_analyze(ctx) {
        ctx.people().await;
        let info = ctx.instance.state.catalog.get("people").await.unwrap();
        for sql in fill_log_sql(ctx.kind, info.id) {
            ctx.sql(&sql).await;
        }
        // With statistics, PostgreSQL's planner prefers hashing both whole tables for a join.
        let analyze = match ctx.kind {
            Kind::MySql => "ANALYZE TABLE sheetsync_changes, sheetsync_row_versions",
            Kind::Postgres | Kind::Sqlite => "ANALYZE",
        };
        ctx.sql(analyze).await;
        let keys: Vec<String> = (10_000..10_000 + ASKED).map(|k| k.to_string()).collect();
        let sql = logged_rows_sql(&ctx.db, keys.len());
        let text = plan_of(&ctx, &sql, info.id, &keys).await;
        match ctx.kind {
            Kind::Postgres => {
                assert!(!text.contains("Seq Scan"), "a table is read whole:\n{text}");
                assert!(text.contains("Index Scan using sheetsync_row_versions_pkey"), "{text}");
                assert!(text.contains("Index Scan using sheetsync_changes_pkey"), "{text}");
            }
            Kind::MySql => {
                assert!(text.contains("| range | PRIMARY |"), "{text}");
                assert!(!text.contains("| ALL |"), "a table is read whole:\n{text}");
            }
            Kind::Sqlite => assert!(!text.contains("SCAN"), "a table is read whole:\n{text}"),
        }

        let found = rows_of(&ctx, &sql, info.id, &keys).await;
        assert_eq!(found.len(), keys.len());
        for r in &found {
            let key = text_at(r, 0).unwrap().unwrap();
            let version = sheetsync_server::db::int_at(r, 1).unwrap().unwrap();
            let image = text_at(r, 2).unwrap().unwrap();
            assert_eq!(key, version.to_string());
            assert_eq!(image, format!("[\"{key}\"]"));
        }
    }
}
