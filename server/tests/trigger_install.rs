//! Installing a table's triggers while another install of them runs: an instance regenerating
//! them (its catalog saw the columns change) while `table enable` runs, or two instances at
//! once. The installs take turns, each succeeds, and the triggers they leave log changes.

mod common;

use sheetsync_server::tables;

backend_tests! {
    async fn installs_of_one_tables_triggers_at_the_same_time_take_turns(ctx) {
        ctx.people().await;
        let installs = (0..6).map(|_| tables::enable(&ctx.db, "people"));
        for (i, done) in futures_util::future::join_all(installs).await.into_iter().enumerate() {
            if let Err(e) = done {
                panic!("install {i} of six at once failed: {e}");
            }
        }
        let logged = || async {
            let row = sqlx::query("SELECT COUNT(*) FROM sheetsync_changes")
                .fetch_one(&ctx.db.pool)
                .await
                .expect("count the log");
            tables::first_int(&row).expect("a count")
        };
        let before = logged().await;
        ctx.sql("INSERT INTO people (name) VALUES ('after the installs')").await;
        assert_eq!(logged().await, before + 1, "the triggers left in place log an insert");
    }
}
