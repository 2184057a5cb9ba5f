//! The real `sheetsync-server` binary, driven as a person would drive it: every failure is one
//! sentence on stderr naming its cause and place, printed once; commands other than `serve`
//! never create a database; output written to a pipe carries no colour codes.

mod common;

use std::net::TcpListener;

use common::bin::{
    closed_port, remove_sqlite, run, run_async, run_with_env, temp_path, the_error, Run,
};
use common::{Kind, TestDb};
use sqlx::Executor;

#[test]
fn a_closed_mysql_port_is_named_as_connection_refused() {
    let port = closed_port();
    let url = format!("mysql://root@127.0.0.1:{port}/test");
    let run = run(&["--database-url", &url, "table", "list"]);
    let line = the_error(&run);
    assert!(line.contains("connection refused"), "{line}");
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");
    // The pool's own "timed out while waiting for an open connection" (after 30 s) would hide
    // the cause: the refusal is reported by itself.
    assert_eq!(run.stderr.matches("connection refused").count(), 1);
    assert!(!run.stderr.contains("pool timed out"), "{}", run.stderr);
}

#[test]
fn a_database_that_never_answers_is_given_up_after_the_connect_timeout() {
    // Accepts connections and never speaks: the client waits for a greeting.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let url = format!("mysql://root@{addr}/test");
    let run = run(&[
        "--database-url",
        &url,
        "--connect-timeout",
        "1",
        "token",
        "list",
    ]);
    let line = the_error(&run);
    assert!(line.contains(&addr.to_string()), "{line}");
    assert!(line.contains("no answer within 1 s"), "{line}");
    drop(listener);
}

#[test]
fn an_unknown_host_is_named() {
    let run = run(&[
        "--database-url",
        "mysql://root@nosuch-host.invalid:3306/test",
        "table",
        "list",
    ]);
    let line = the_error(&run);
    assert!(line.contains("unknown host"), "{line}");
    assert!(line.contains("nosuch-host.invalid"), "{line}");
}

#[test]
fn a_wrong_mariadb_password_is_named_as_failed_authentication() {
    let run = run(&[
        "--database-url",
        "mysql://root:wrong-password@127.0.0.1:3306/test",
        "table",
        "list",
    ]);
    let line = the_error(&run);
    assert!(line.contains("authentication failed"), "{line}");
    assert!(line.contains("\"root\""), "{line}");
    assert!(line.contains("127.0.0.1:3306"), "{line}");
    assert!(!line.contains("wrong-password"), "{line}");
}

#[test]
fn an_unknown_postgres_role_is_named_as_failed_authentication() {
    let run = run(&[
        "--database-url",
        "postgres://nosuch_role@127.0.0.1:5432/postgres",
        "token",
        "list",
    ]);
    let line = the_error(&run);
    assert!(line.contains("authentication failed"), "{line}");
    assert!(line.contains("nosuch_role"), "{line}");
}

#[test]
fn a_certificate_that_cannot_be_verified_is_named_as_tls() {
    // Nothing can vouch for 127.0.0.1: whether the server offers TLS with its own certificate
    // or none at all, verify-full cannot succeed.
    let run = run(&[
        "--database-url",
        "postgres://postgres@127.0.0.1:5432/postgres?sslmode=verify-full",
        "token",
        "list",
    ]);
    let line = the_error(&run);
    assert!(
        line.contains("TLS with the database at 127.0.0.1:5432"),
        "{line}"
    );
}

#[tokio::test]
async fn a_mariadb_user_without_privileges_is_told_so() {
    let db = TestDb::create(Kind::MySql).await;
    let name = db.url.rsplit('/').next().expect("name").to_string();
    let user = format!("{name}_ro");
    let admin = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect("mysql://root@127.0.0.1:3306/test")
        .await
        .expect("admin");
    admin
        .execute(format!("CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'").as_str())
        .await
        .expect("create user");
    admin
        .execute(format!("GRANT SELECT ON {name}.* TO '{user}'@'%'").as_str())
        .await
        .expect("grant");
    let url = format!("mysql://{user}:pw@127.0.0.1:3306/{name}");
    let run = run_async(vec![
        "--database-url".into(),
        url,
        "table".into(),
        "list".into(),
    ])
    .await;
    let _ = admin
        .execute(format!("DROP USER '{user}'@'%'").as_str())
        .await;
    db.drop_database().await;
    let line = the_error(&run);
    assert!(line.contains("lacks a privilege"), "{line}");
    assert!(line.contains(&user), "{line}");
}

#[test]
fn a_missing_sqlite_file_is_refused_by_name_and_not_created() {
    let path = temp_path("missing.sqlite");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    for args in [
        vec!["table", "list"],
        vec!["token", "list"],
        vec!["table", "enable", "people"],
        vec!["token", "create", "--name", "x", "--tables", "*"],
    ] {
        let mut all = vec!["--database-url", url.as_str()];
        all.extend(args);
        let run = run(&all);
        let line = the_error(&run);
        assert!(line.contains(&path.display().to_string()), "{line}");
        assert!(line.contains("serve"), "{line}");
        assert!(!path.exists(), "{} was created by {all:?}", path.display());
    }
}

#[test]
fn a_command_names_the_sqlite_database_it_opened() {
    let path = temp_path("present.sqlite");
    std::fs::File::create(&path).expect("create empty file");
    let url = format!("sqlite://{}", path.display());
    let run = run(&["--database-url", &url, "table", "list"]);
    remove_sqlite(&path);
    assert!(run.status.success(), "{}", run.stderr);
    let named: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(&path.display().to_string()))
        .collect();
    assert_eq!(named.len(), 1, "{}", run.stderr);
}

#[test]
fn a_shell_set_up_for_server_mode_still_runs_the_other_commands() {
    let path = temp_path("google-env.sqlite");
    std::fs::File::create(&path).expect("create empty file");
    let url = format!("sqlite://{}", path.display());
    let env = [
        ("SHEETSYNC_GOOGLE_API_URL", "http://127.0.0.1:9"),
        ("SHEETSYNC_GOOGLE_TOKEN_URL", "http://127.0.0.1:9/token"),
    ];
    let listed = run_with_env(None, &env, &["--database-url", &url, "binding", "list"]);
    remove_sqlite(&path);
    assert!(listed.status.success(), "{}", listed.stderr);
}

/// Runs `serve` with `args` on a new SQLite database file `name`, removed afterwards with its
/// journal files.
fn serve_on_a_new_sqlite(name: &str, args: &[&str]) -> Run {
    let path = temp_path(name);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut all = vec!["--database-url", &url, "serve"];
    all.extend_from_slice(args);
    let run = run(&all);
    remove_sqlite(&path);
    run
}

#[test]
fn serve_refuses_google_addresses_without_a_key() {
    let run = serve_on_a_new_sqlite(
        "google-nokey.sqlite",
        &[
            "--listen",
            "127.0.0.1:0",
            "--google-api-url",
            "http://127.0.0.1:9",
        ],
    );
    let line = the_error(&run);
    assert!(line.contains("need --google-key"), "{line}");
}

#[test]
fn serve_refuses_a_drive_notification_address_without_a_key() {
    let run = serve_on_a_new_sqlite(
        "drive-nokey.sqlite",
        &[
            "--listen",
            "127.0.0.1:0",
            "--drive-notify-url",
            "https://sync.example.com/v1/drive/notifications",
        ],
    );
    let line = the_error(&run);
    assert!(
        line.contains("--drive-notify-url and --drive-api-url"),
        "{line}"
    );
    assert!(line.contains("need --google-key"), "{line}");
}

#[test]
fn an_address_in_use_is_named_once_and_logs_carry_no_colour_codes_in_a_pipe() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let run = serve_on_a_new_sqlite("serve.sqlite", &["--listen", &addr]);
    let line = the_error(&run);
    assert!(line.contains(&addr), "{line}");
    assert_eq!(
        run.stderr.to_lowercase().matches("already in use").count(),
        1,
        "{}",
        run.stderr
    );
    // The run logged at info level before failing; none of it is coloured.
    assert!(run.stderr.contains("database opened"), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
}

/// Runs `token create` against `ctx`'s database.
async fn token_create(ctx: &common::Ctx, extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec![
        "--database-url".into(),
        ctx.url.clone(),
        "token".into(),
        "create".into(),
        "--name".into(),
        "cli".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    run_async(args).await
}

backend_tests! {
    async fn a_token_for_missing_tables_is_refused_naming_them(ctx) {
        ctx.people().await;
        let before = sheetsync_server::tokens::list(&ctx.db).await.unwrap().len();
        let run = token_create(&ctx, &["--tables", "people,nosuch,alsonot"]).await;
        let line = the_error(&run);
        assert!(line.contains("\"nosuch\""), "{line}");
        assert!(line.contains("\"alsonot\""), "{line}");
        assert!(!line.contains("\"people\""), "{line}");
        assert!(line.contains("--allow-missing"), "{line}");
        let after = sheetsync_server::tokens::list(&ctx.db).await.unwrap().len();
        assert_eq!(before, after, "a token was created");
    }

    async fn a_token_for_missing_tables_is_created_with_allow_missing(ctx) {
        ctx.people().await;
        let run = token_create(&ctx, &["--tables", "nosuch", "--allow-missing"]).await;
        assert!(run.status.success(), "{}", run.stderr);
        assert!(run.stdout.contains("sst_"), "{}", run.stdout);
        let list = sheetsync_server::tokens::list(&ctx.db).await.unwrap();
        assert_eq!(list.last().unwrap().grant.tables, Some(vec!["nosuch".to_string()]));
    }

    async fn a_token_for_existing_tables_or_all_is_created(ctx) {
        ctx.people().await;
        for tables in ["people,teams", "*"] {
            let run = token_create(&ctx, &["--tables", tables, "--write"]).await;
            assert!(run.status.success(), "{tables}: {}", run.stderr);
            assert!(run.stdout.contains("sst_"), "{}", run.stdout);
        }
    }
}
