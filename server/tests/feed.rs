//! The change feed: changes by any writer arrive, in commit order, with none skipped.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use common::Kind;
use serde_json::{json, Value as J};
use sqlx::Connection;
use sqlx::Executor;

backend_tests! {
    async fn a_change_by_plain_sql_outside_the_server_reaches_the_feed(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let start = ctx.cursor_now(&token, "people").await;
        ctx.sql("INSERT INTO people (name, email, score) VALUES ('Ada', 'ada@x', 12.5)").await;
        ctx.sql("UPDATE people SET name = 'Ada L' WHERE email = 'ada@x'").await;
        ctx.sql("DELETE FROM people WHERE email = 'ada@x'").await;
        let (changes, _) = ctx.changes_until(&token, "people", &start, 3).await;
        assert_eq!(changes.len(), 3, "{changes:?}");
        let key = changes[0]["key"].clone();
        assert_eq!(changes[0]["op"], "upsert");
        assert_eq!(changes[0]["cells"], json!([key.as_str().unwrap().parse::<i64>().unwrap(), "Ada", "ada@x", null, "12.50", true]));
        assert_eq!(changes[1]["cells"][1], "Ada L");
        assert_eq!(changes[2]["op"], "delete");
        assert!(changes.iter().all(|c| c["key"] == key && c["origin"].is_null()));
        let versions: Vec<i64> = changes.iter().map(|c| c["version"].as_i64().unwrap()).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    }

    async fn a_read_without_waiting_sees_every_change_committed_before_it(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let start = ctx.cursor_now(&token, "people").await;
        ctx.sql("INSERT INTO people (name) VALUES ('a')").await;
        ctx.sql("INSERT INTO people (name) VALUES ('b')").await;
        let page = ctx.changes(&token, "people", &start, 0).await;
        assert_eq!(page["changes"].as_array().unwrap().len(), 2, "{page}");
    }

    async fn two_server_instances_deliver_the_same_ordered_feed(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let other = ctx.second_instance().await;
        for i in 0..20 {
            ctx.sql(&format!("INSERT INTO people (name) VALUES ('p{i}')")).await;
        }
        let (mine, _) = ctx.changes_until(&token, "people", "0", 20).await;
        let mut theirs = Vec::new();
        let mut cursor = "0".to_string();
        while theirs.len() < 20 {
            let path = format!("/v1/tables/people/changes?cursor={cursor}&wait=2");
            let (_, page) = common::call(&other, "GET", &path, Some(&token), None).await;
            cursor = page["cursor"].as_str().unwrap().to_string();
            theirs.extend(page["changes"].as_array().unwrap().iter().cloned());
        }
        assert_eq!(mine, theirs);
        let names: Vec<&str> = mine.iter().map(|c| c["cells"][1].as_str().unwrap()).collect();
        let expected: Vec<String> = (0..20).map(|i| format!("p{i}")).collect();
        assert_eq!(names, expected);
    }

    async fn a_long_poll_wakes_on_a_commit(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let start = ctx.cursor_now(&token, "people").await;
        let waiter = {
            let ctx = ctx.clone();
            let token = token.clone();
            tokio::spawn(async move { ctx.changes(&token, "people", &start, 20).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        ctx.sql("INSERT INTO people (name) VALUES ('wake')").await;
        let page = waiter.await.unwrap();
        assert_eq!(page["changes"][0]["cells"][1], "wake", "{page}");
    }

    async fn long_polls_parked_at_one_cursor_share_one_read_of_the_change_that_wakes_them(ctx) {
        const WAITERS: u64 = 40;
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let start = ctx.cursor_now(&token, "people").await;
        let metrics = ctx.instance.state.metrics.clone();
        let waiters: Vec<_> = (0..WAITERS)
            .map(|_| {
                let (ctx, token, start) = (ctx.clone(), token.clone(), start.clone());
                tokio::spawn(async move { ctx.changes(&token, "people", &start, 20).await })
            })
            .collect();
        let parked_by = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while metrics.waiting.load(Ordering::SeqCst) < WAITERS {
            assert!(std::time::Instant::now() < parked_by, "the long-polls did not all park");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let reads_before = metrics.feed_reads.load(Ordering::SeqCst);
        ctx.sql("INSERT INTO people (name) VALUES ('shared')").await;
        let mut pages = Vec::new();
        for w in waiters {
            pages.push(w.await.unwrap());
        }
        let reads = metrics.feed_reads.load(Ordering::SeqCst) - reads_before;
        assert_eq!(pages[0]["changes"][0]["cells"][1], "shared", "{}", pages[0]);
        assert!(pages.iter().all(|p| *p == pages[0]), "the waiters got different pages");
        // Without sharing each waiter reads (40). With it, the waiters woken together share one
        // read; on a loaded machine they are scheduled in a few groups, and a group that comes
        // after the others let go of the page reads it again (7 reads seen with the whole
        // suite running on two cores; 1 when quiet).
        assert!(
            reads <= WAITERS / 4,
            "{reads} feed reads answered {WAITERS} waiters"
        );
    }

    async fn a_row_page_and_the_changes_after_its_cursor_miss_nothing(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        for i in 0..5 {
            ctx.sql(&format!("INSERT INTO people (name) VALUES ('r{i}')")).await;
        }
        // Let the sequencer place the inserts, so the page's cursor is past them.
        ctx.changes_until(&token, "people", "0", 5).await;
        let (status, first) = ctx.get("/v1/tables/people/rows?limit=3", Some(&token)).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["rows"].as_array().unwrap().len(), 3);
        let after = first["next_after"].as_str().unwrap();
        let (_, second) = ctx.get(&format!("/v1/tables/people/rows?limit=3&after={after}"), Some(&token)).await;
        assert_eq!(second["rows"].as_array().unwrap().len(), 2);
        assert!(second["next_after"].is_null());
        assert!(first["rows"][0]["version"].as_i64().unwrap() > 0);
        let cursor = first["cursor"].as_str().unwrap().to_string();
        ctx.sql("UPDATE people SET name = 'changed' WHERE name = 'r0'").await;
        let (changes, _) = ctx.changes_until(&token, "people", &cursor, 1).await;
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0]["cells"][1], "changed");
    }

    async fn pages_over_an_integer_key_return_every_row_once_in_numeric_order(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        for i in 0..12 {
            ctx.sql(&format!("INSERT INTO people (name) VALUES ('r{i}')")).await;
        }
        let mut keys: Vec<i64> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let path = match &after {
                Some(a) => format!("/v1/tables/people/rows?limit=5&after={a}"),
                None => "/v1/tables/people/rows?limit=5".to_string(),
            };
            let (status, page) = ctx.get(&path, Some(&token)).await;
            assert_eq!(status, 200, "{page}");
            for row in page["rows"].as_array().unwrap() {
                keys.push(row["key"].as_str().unwrap().parse().unwrap());
            }
            match page["next_after"].as_str() {
                Some(a) => after = Some(a.to_string()),
                None => break,
            }
        }
        assert_eq!(keys, (1..=12).collect::<Vec<i64>>());
    }

    async fn a_new_column_is_served_and_captured_after_the_schema_is_read_again(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        ctx.sql("ALTER TABLE people ADD COLUMN nick VARCHAR(10) NULL").await;
        ctx.instance.state.catalog.refresh(&ctx.db).await.unwrap();
        let (_, list) = ctx.get("/v1/tables", Some(&token)).await;
        assert_eq!(list["tables"][0]["columns"][6]["name"], "nick");
        ctx.sql("INSERT INTO people (name, nick) VALUES ('Ada', 'ada')").await;
        let (changes, _) = ctx.changes_until(&token, "people", "0", 1).await;
        assert_eq!(changes[0]["cells"][6], "ada", "{changes:?}");
    }
}

/// Two writers commit in the opposite order of their log entries. Only MariaDB and PostgreSQL
/// let a second transaction write while the first is open; SQLite's single writer is checked
/// by the test after this one.
mod transactions_committing_out_of_order_are_both_delivered {
    use super::*;

    async fn body(ctx: Arc<common::Ctx>) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let start = ctx.cursor_now(&token, "people").await;
        let mut a = ctx.outside.begin().await.unwrap();
        let mut b = ctx.outside.begin().await.unwrap();
        // A writes first, so its log entry has the smaller id, but commits last.
        (&mut *a)
            .execute("INSERT INTO people (name) VALUES ('A')")
            .await
            .unwrap();
        (&mut *b)
            .execute("INSERT INTO people (name) VALUES ('B')")
            .await
            .unwrap();
        b.commit().await.unwrap();
        let (first, cursor) = ctx.changes_until(&token, "people", &start, 1).await;
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(first[0]["cells"][1], "B");
        a.commit().await.unwrap();
        let (second, _) = ctx.changes_until(&token, "people", &cursor, 1).await;
        assert_eq!(
            second.len(),
            1,
            "the change committed later was skipped: {second:?}"
        );
        assert_eq!(second[0]["cells"][1], "A");
        assert!(second[0]["version"].as_i64() < first[0]["version"].as_i64());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql() {
        common::run(Kind::MySql, body).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        common::run(Kind::Postgres, body).await
    }
}

/// On SQLite a second writer cannot write while a transaction is open, so no change can commit
/// ahead of one logged before it: the feed's order is commit order by construction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_refuses_a_second_writer_while_a_transaction_is_open_so_log_order_is_commit_order() {
    common::run(Kind::Sqlite, |ctx: Arc<common::Ctx>| async move {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let start = ctx.cursor_now(&token, "people").await;
        let mut a = ctx.outside.begin().await.unwrap();
        (&mut *a)
            .execute("INSERT INTO people (name) VALUES ('A')")
            .await
            .unwrap();
        // A writer that does not wait for the lock is refused outright.
        let mut b = sqlx::AnyConnection::connect(&ctx.url).await.unwrap();
        b.execute("PRAGMA busy_timeout = 0").await.unwrap();
        let refused = b.execute("INSERT INTO people (name) VALUES ('B')").await;
        let err = refused.expect_err("a second writer wrote while a transaction was open");
        assert!(err.to_string().contains("locked"), "{err}");
        a.commit().await.unwrap();
        b.execute("INSERT INTO people (name) VALUES ('B')")
            .await
            .unwrap();
        let (changes, _) = ctx.changes_until(&token, "people", &start, 2).await;
        let names: Vec<&J> = changes.iter().map(|c| &c["cells"][1]).collect();
        assert_eq!(names, [&json!("A"), &json!("B")], "{changes:?}");
        assert!(changes[0]["version"].as_i64() < changes[1]["version"].as_i64());
    })
    .await
}

backend_tests! {
    async fn triggers_an_older_server_installed_are_regenerated_without_enabling_again(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        // What an older server left: its own triggers (here: none that log anything) and a
        // fingerprint of the columns alone. Nothing about the columns changed since.
        let info = ctx.instance.state.catalog.get("people").await.expect("people is synced");
        sheetsync_server::db::triggers::remove(&ctx.db, info.id, &info.table_ident)
            .await
            .expect("remove triggers");
        let stale = format!(
            "UPDATE sheetsync_tables SET fingerprint = '{}' WHERE name = 'people'",
            info.fingerprint()
        );
        ctx.sql(&stale).await;
        ctx.instance.state.catalog.refresh(&ctx.db).await.expect("refresh");
        let start = ctx.cursor_now(&token, "people").await;
        ctx.sql("INSERT INTO people (name, email, score) VALUES ('Grace', 'grace@x', 1)").await;
        let (changes, _) = ctx.changes_until(&token, "people", &start, 1).await;
        assert_eq!(changes.len(), 1, "the regenerated triggers logged the insert: {changes:?}");
    }
}

/// Entries the sequencer has not placed yet, as the triggers write them now (position 0 on
/// MySQL/MariaDB, NULL elsewhere) and, on MySQL/MariaDB, one written before migration 0011
/// (NULL) that the migration then gives 0, are placed in id order, and compaction deletes only
/// placed entries. No server instance runs here: only this test places entries.
async fn unplaced_entries_of_either_form_are_placed_in_order_and_never_compacted(kind: Kind) {
    use sheetsync_server::{db::Db, feed, tables};
    use sqlx::Row;
    let test_db = common::TestDb::create(kind).await;
    let db = Db::open(&test_db.url, 5).await.expect("open database");
    let run = |sql: String| {
        let pool = db.pool.clone();
        async move {
            pool.execute(sql.as_str())
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    };
    let positions = || async {
        sqlx::query("SELECT id, seq FROM sheetsync_changes ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get::<i64, _>(0), r.get::<Option<i64>, _>(1)))
            .collect::<Vec<_>>()
    };
    run("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))".into()).await;
    tables::enable(&db, "t").await.expect("enable t");
    run("INSERT INTO t (id, name) VALUES (1, 'placed')".into()).await;
    feed::stamp(&db).await.expect("place the first entry");
    run("INSERT INTO t (id, name) VALUES (2, 'new form')".into()).await;
    if kind == Kind::MySql {
        // The log as it was before migration 0011, one entry written then, and the migration.
        run("ALTER TABLE sheetsync_changes ALTER COLUMN seq SET DEFAULT NULL".into()).await;
        run("INSERT INTO t (id, name) VALUES (3, 'old form')".into()).await;
        let migration = include_str!("../../migrations/mysql/0011_feed_positions_in_place.sql");
        let code: String = migration
            .lines()
            .filter(|l| !l.starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        for statement in code.split(';').filter(|s| !s.trim().is_empty()) {
            run(statement.to_string()).await;
        }
    } else {
        run("INSERT INTO t (id, name) VALUES (3, 'old form')".into()).await;
    }
    let unplaced = (kind == Kind::MySql).then_some(0);
    let logged = positions().await;
    assert_eq!(
        logged.iter().map(|e| e.1).collect::<Vec<_>>(),
        [Some(1), unplaced, unplaced],
        "positions before placing"
    );
    // Everything is old enough to go; only the placed entry may.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let deleted = feed::compact(&db, 0, 0).await.expect("compact");
    assert_eq!(deleted, 1, "compaction deleted an entry with no position");
    let placed = feed::stamp(&db).await.expect("place the rest");
    assert_eq!((placed.prior, placed.last), (1, 3));
    assert_eq!(
        positions().await,
        [(logged[1].0, Some(2)), (logged[2].0, Some(3))],
        "placed in id order"
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(feed::compact(&db, 0, 0).await.expect("compact"), 2);
    db.pool.close().await;
    test_db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unplaced_entries_of_either_form_are_placed_in_order_and_never_compacted_mysql() {
    unplaced_entries_of_either_form_are_placed_in_order_and_never_compacted(Kind::MySql).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unplaced_entries_of_either_form_are_placed_in_order_and_never_compacted_postgres() {
    unplaced_entries_of_either_form_are_placed_in_order_and_never_compacted(Kind::Postgres).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unplaced_entries_of_either_form_are_placed_in_order_and_never_compacted_sqlite() {
    unplaced_entries_of_either_form_are_placed_in_order_and_never_compacted(Kind::Sqlite).await
}
