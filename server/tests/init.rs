//! `sheetsync-server init`, run as a person runs it: from an empty folder with `--demo` on
//! SQLite, and with `--tables` on every backend. It leaves a working set-up, prints what the
//! next step needs, and running it again changes nothing that was right.

mod common;

use std::path::Path;

use common::bin::{run_in, temp_path, the_error, Run};
use sheetsync_server::db::Db;
use sheetsync_server::{tables, tokens};
use sqlx::Row;

/// The secret `init` printed (the line that is only a token).
fn printed_secret(run: &Run) -> Option<&str> {
    run.stdout.lines().find(|l| l.starts_with("sst_"))
}

/// Opens the database `init` made in `dir`.
async fn open_in(dir: &Path) -> Db {
    let url = format!("sqlite://{}", dir.join("sheetsync.sqlite").display());
    Db::open(&url, 1)
        .await
        .expect("open the database init made")
}

async fn count_people(db: &Db) -> i64 {
    let row = sqlx::query("SELECT COUNT(*) FROM people")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    row.try_get::<i64, _>(0).expect("count")
}

fn empty_dir(name: &str) -> std::path::PathBuf {
    let dir = temp_path(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

async fn init_in(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["init"];
    all.extend(args);
    run_in_async(dir, &all).await
}

/// [`run_in`] off the async runtime's threads.
async fn run_in_async(dir: &Path, args: &[&str]) -> Run {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_in(Some(&dir), &args)
    })
    .await
    .expect("join")
}

#[tokio::test]
async fn init_demo_in_an_empty_folder_makes_a_working_set_up_and_says_what_next() {
    let dir = empty_dir("init_demo");
    let run = init_in(&dir, &["--demo"]).await;
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    assert!(dir.join("sheetsync.sqlite").exists(), "no database file");
    let db = open_in(&dir).await;
    assert_eq!(count_people(&db).await, 5);
    let listed = tables::list(&db).await.unwrap();
    assert!(
        listed.iter().any(|t| t.name == "people" && t.enabled),
        "{listed:?}"
    );
    let secret = printed_secret(&run).expect("a token line");
    let grant = tokens::verify(&db, secret)
        .await
        .unwrap()
        .expect("the printed token works");
    assert!(grant.can_write && grant.covers("people"), "{grant:?}");
    assert!(
        run.stdout.contains("server URL: http://127.0.0.1:8080"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("start the server: sheetsync-server serve"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("scripts/addon-project"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "--server-url http://127.0.0.1:8080 --token {secret}"
        )),
        "{}",
        run.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn init_demo_again_keeps_the_rows_and_the_token_it_made() {
    let dir = empty_dir("init_again");
    let first = init_in(&dir, &["--demo"]).await;
    assert!(first.status.success(), "{}", first.stderr);
    let secret = printed_secret(&first).expect("token").to_string();
    {
        let db = open_in(&dir).await;
        sqlx::query("DELETE FROM people WHERE id = 5")
            .execute(&db.pool)
            .await
            .unwrap();
        db.pool.close().await;
    }
    let second = init_in(&dir, &["--demo"]).await;
    assert!(second.status.success(), "{}", second.stderr);
    assert!(
        second.stdout.contains("exists already; left as it is"),
        "{}",
        second.stdout
    );
    assert!(
        second.stdout.contains("token 1 exists already"),
        "{}",
        second.stdout
    );
    assert_eq!(printed_secret(&second), None, "{}", second.stdout);
    let db = open_in(&dir).await;
    assert_eq!(
        count_people(&db).await,
        4,
        "the demo rows were written again"
    );
    let live: Vec<_> = tokens::list(&db)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.revoked_at_ms.is_none())
        .collect();
    assert_eq!(live.len(), 1, "{live:?}");
    assert!(tokens::verify(&db, &secret).await.unwrap().is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn init_new_token_revokes_the_old_one_and_prints_a_new_one() {
    let dir = empty_dir("init_new_token");
    let first = init_in(&dir, &["--demo"]).await;
    let old = printed_secret(&first).expect("token").to_string();
    let second = init_in(&dir, &["--demo", "--new-token"]).await;
    assert!(second.status.success(), "{}", second.stderr);
    assert!(
        second.stdout.contains("token 1 revoked"),
        "{}",
        second.stdout
    );
    let new = printed_secret(&second).expect("a new token").to_string();
    assert_ne!(old, new);
    let db = open_in(&dir).await;
    assert!(tokens::verify(&db, &old).await.unwrap().is_none());
    assert!(tokens::verify(&db, &new).await.unwrap().is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn init_refuses_to_widen_a_token_silently() {
    let dir = empty_dir("init_narrow");
    assert!(init_in(&dir, &["--demo"]).await.status.success());
    {
        let db = open_in(&dir).await;
        sqlx::query("CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT)")
            .execute(&db.pool)
            .await
            .unwrap();
        db.pool.close().await;
    }
    let run = init_in(&dir, &["--demo", "--tables", "pets"]).await;
    let line = the_error(&run);
    assert!(line.contains("token 1 (sheetsync)"), "{line}");
    assert!(line.contains("\"pets\""), "{line}");
    assert!(line.contains("--new-token"), "{line}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn init_without_tables_or_demo_is_refused_before_creating_anything() {
    let dir = empty_dir("init_nothing");
    let run = init_in(&dir, &[]).await;
    assert!(!run.status.success(), "{}", run.stdout);
    assert!(run.stderr.contains("--tables"), "{}", run.stderr);
    assert!(
        !dir.join("sheetsync.sqlite").exists(),
        "a database was made"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn init_names_a_missing_table() {
    let dir = empty_dir("init_missing");
    let run = init_in(&dir, &["--tables", "nosuch"]).await;
    let line = the_error(&run);
    assert!(line.contains("\"nosuch\""), "{line}");
    let db = open_in(&dir).await;
    assert!(
        tokens::list(&db).await.unwrap().is_empty(),
        "a token was made"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `init ARGS` against `ctx`'s database.
async fn init_at(ctx: &common::Ctx, args: &[&str]) -> Run {
    let mut all = vec!["--database-url", ctx.url.as_str(), "init"];
    all.extend(args);
    run_in_async(&std::env::temp_dir(), &all).await
}

backend_tests! {
    async fn init_with_tables_enables_them_and_makes_one_token_however_often_it_runs(ctx) {
        ctx.sql("CREATE TABLE pets (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL)").await;
        let first = init_at(&ctx, &["--tables", "pets"]).await;
        assert!(first.status.success(), "{}", first.stderr);
        let secret = printed_secret(&first).expect("token").to_string();
        let grant = tokens::verify(&ctx.db, &secret).await.unwrap().expect("works");
        assert!(grant.can_write && grant.covers("pets"), "{grant:?}");
        if ctx.kind == common::Kind::Sqlite {
            // A file URL holds no secret: the next step gives it whole.
            let serve = format!("sheetsync-server --database-url '{}' serve", ctx.url);
            assert!(first.stdout.contains(&serve), "{}", first.stdout);
        } else {
            // The URL may carry a password: the next step names the option, not the URL.
            assert!(first.stdout.contains("--database-url URL"), "{}", first.stdout);
        }
        let second = init_at(&ctx, &["--tables", "pets"]).await;
        assert!(second.status.success(), "{}", second.stderr);
        assert_eq!(printed_secret(&second), None, "{}", second.stdout);
        let listed = tables::list(&ctx.db).await.unwrap();
        assert!(listed.iter().any(|t| t.name == "pets" && t.enabled), "{listed:?}");
        let live = tokens::list(&ctx.db).await.unwrap().into_iter()
            .filter(|t| t.revoked_at_ms.is_none()).count();
        assert_eq!(live, 1);
        if ctx.kind != common::Kind::Sqlite {
            let demo = init_at(&ctx, &["--demo"]).await;
            let line = the_error(&demo);
            assert!(line.contains("only on SQLite"), "{line}");
        }
    }
}
