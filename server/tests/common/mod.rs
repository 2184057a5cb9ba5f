//! The harness every integration test uses: a fresh, uniquely named database per test on each
//! backend (MariaDB, PostgreSQL, SQLite), a server instance over it, a separate pool for
//! "other applications" writing plain SQL, and small HTTP helpers that drive the router
//! without a socket.
#![allow(dead_code)]

pub mod bin;
pub mod process;
pub mod proxies;
pub mod server_mode;
pub mod tls_client;

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value as J;
use sheetsync_server::db::Db;
use sheetsync_server::{tables, tokens, Instance, Options};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use tower::ServiceExt;

pub mod standin;

/// The backends every test body runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    MySql,
    Postgres,
    Sqlite,
}

const MYSQL_ADMIN: &str = "mysql://root@127.0.0.1:3306/test";
const POSTGRES_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "sstest_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

async fn admin_pool(kind: Kind) -> AnyPool {
    sqlx::any::install_default_drivers();
    let (url, how) = match kind {
        Kind::MySql => (
            MYSQL_ADMIN,
            "start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd",
        ),
        Kind::Postgres => (
            POSTGRES_ADMIN,
            "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
        ),
        Kind::Sqlite => unreachable!("SQLite needs no server"),
    };
    match AnyPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
    {
        Ok(p) => p,
        Err(e) => panic!("{kind:?} is not reachable at {url} ({e}); {how}"),
    }
}

/// A database made for one test.
pub struct TestDb {
    pub kind: Kind,
    pub url: String,
    name: String,
}

impl TestDb {
    pub async fn create(kind: Kind) -> TestDb {
        let name = unique_name();
        let url = match kind {
            Kind::MySql => {
                admin_execute(
                    kind,
                    &format!("CREATE DATABASE {name} CHARACTER SET utf8mb4"),
                )
                .await
                .expect("create database");
                format!("mysql://root@127.0.0.1:3306/{name}")
            }
            Kind::Postgres => {
                admin_execute(kind, &format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create database");
                format!("postgres://postgres@127.0.0.1:5432/{name}")
            }
            Kind::Sqlite => format!("sqlite://{}?mode=rwc", sqlite_path(&name).display()),
        };
        TestDb { kind, url, name }
    }

    pub async fn drop_database(self) {
        match self.kind {
            Kind::MySql => {
                let sql = format!("DROP DATABASE IF EXISTS {}", self.name);
                let _ = admin_execute(self.kind, &sql).await;
            }
            Kind::Postgres => {
                let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
                let _ = admin_execute(self.kind, &sql).await;
            }
            Kind::Sqlite => {
                let path = sqlite_path(&self.name);
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
        }
    }
}

/// Runs `sql` on the server of `kind` as its administrator (creating and dropping databases).
async fn admin_execute(kind: Kind, sql: &str) -> Result<(), sqlx::Error> {
    admin_pool(kind).await.execute(sql).await.map(|_| ())
}

/// The file of the SQLite database `name`.
fn sqlite_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("{name}.sqlite"))
}

/// One test's world: the database, an outside writer, and a running server instance.
pub struct Ctx {
    pub kind: Kind,
    pub url: String,
    /// A pool standing for other applications that write plain SQL.
    pub outside: AnyPool,
    /// The server's own database handle.
    pub db: Db,
    pub instance: Instance,
}

impl Ctx {
    /// Executes plain SQL from "another application".
    pub async fn sql(&self, sql: &str) {
        self.outside
            .execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Creates the fixture tables `teams` and `people` and enables `people` for sync.
    pub async fn people(&self) {
        for stmt in fixture_ddl(self.kind) {
            self.sql(stmt).await;
        }
        self.sql("INSERT INTO teams (id, name) VALUES (1, 'red'), (2, 'blue')")
            .await;
        self.enable("people").await;
    }

    /// Enables `table` and makes this instance see it.
    pub async fn enable(&self, table: &str) {
        tables::enable(&self.db, table).await.expect("enable table");
        self.instance
            .state
            .catalog
            .refresh(&self.db)
            .await
            .expect("refresh catalog");
    }

    /// A new token's secret.
    pub async fn token(&self, tables: &[&str], write: bool) -> String {
        let tables: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
        tokens::create(&self.db, "test", &tables, write)
            .await
            .expect("create token")
            .1
    }

    /// A second server instance over the same database.
    pub async fn second_instance(&self) -> Instance {
        let db = Db::open(&self.url, 5).await.expect("open second");
        Instance::start(db, &test_options())
            .await
            .expect("start second")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, J) {
        call(&self.instance, "GET", path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: J) -> (StatusCode, J) {
        call(&self.instance, "POST", path, token, Some(body)).await
    }

    /// Reads the feed of `table` after `cursor`, waiting up to `wait` seconds.
    pub async fn changes(&self, token: &str, table: &str, cursor: &str, wait: u32) -> J {
        let (status, body) = self
            .get(
                &format!(
                    "/v1/tables/{}/changes?cursor={cursor}&wait={wait}",
                    urlencode(table)
                ),
                Some(token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Reads the feed until at least `n` changes arrived (or 20 s passed).
    pub async fn changes_until(
        &self,
        token: &str,
        table: &str,
        cursor: &str,
        n: usize,
    ) -> (Vec<J>, String) {
        let mut cursor = cursor.to_string();
        let mut all = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while all.len() < n && std::time::Instant::now() < deadline {
            let page = self.changes(token, table, &cursor, 2).await;
            cursor = page["cursor"].as_str().unwrap().to_string();
            all.extend(page["changes"].as_array().unwrap().iter().cloned());
        }
        (all, cursor)
    }

    /// The current feed position (the cursor of a first row page).
    pub async fn cursor_now(&self, token: &str, table: &str) -> String {
        let (_, body) = self
            .get(&format!("/v1/tables/{table}/rows?limit=1"), Some(token))
            .await;
        body["cursor"].as_str().unwrap().to_string()
    }
}

/// Sends one request through `instance`'s router.
pub async fn call(
    instance: &Instance,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<J>,
) -> (StatusCode, J) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = instance.router().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| J::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, json)
}

pub fn test_options() -> Options {
    Options {
        poll_every: Duration::from_millis(20),
        ..Options::default()
    }
}

fn fixture_ddl(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::MySql => &[
            "CREATE TABLE teams (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL) ENGINE=InnoDB",
            "CREATE TABLE people (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL, \
             email VARCHAR(100) NULL UNIQUE, team_id INT NULL, score DECIMAL(8,2) NULL, \
             active BOOLEAN NOT NULL DEFAULT TRUE, CONSTRAINT people_team FOREIGN KEY (team_id) REFERENCES teams(id)) ENGINE=InnoDB",
        ],
        Kind::Postgres => &[
            "CREATE TABLE teams (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL)",
            "CREATE TABLE people (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name VARCHAR(20) NOT NULL, \
             email VARCHAR(100) NULL UNIQUE, team_id INT NULL REFERENCES teams(id), score NUMERIC(8,2) NULL, \
             active BOOLEAN NOT NULL DEFAULT TRUE)",
        ],
        Kind::Sqlite => &[
            "CREATE TABLE teams (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL)",
            "CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL, \
             email VARCHAR(100) NULL UNIQUE, team_id INT NULL REFERENCES teams(id), score DECIMAL(8,2) NULL, \
             active BOOLEAN NOT NULL DEFAULT TRUE)",
        ],
    }
}

/// Runs `body` against a fresh database of `kind`, then drops the database, even when the
/// body panics (the panic is passed on).
pub async fn run<F, Fut>(kind: Kind, body: F)
where
    F: FnOnce(Arc<Ctx>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "sheetsync_server=warn".into()),
        )
        .try_init();
    let test_db = TestDb::create(kind).await;
    let db = Db::open(&test_db.url, 5).await.expect("open database");
    let outside = AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if kind == Kind::Sqlite {
                    conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000")
                        .await?;
                }
                Ok(())
            })
        })
        .connect(&test_db.url)
        .await
        .expect("outside pool");
    let instance = Instance::start(db.clone(), &test_options())
        .await
        .expect("start instance");
    let ctx = Arc::new(Ctx {
        kind,
        url: test_db.url.clone(),
        outside,
        db,
        instance,
    });
    let outcome = tokio::spawn(body(ctx.clone())).await;
    if let Ok(ctx) = Arc::try_unwrap(ctx) {
        ctx.outside.close().await;
        ctx.db.pool.close().await;
    }
    test_db.drop_database().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Declares test bodies that each run once per backend:
/// `backend_tests! { async fn name(ctx) { ... } }` makes `name::mysql`, `name::postgres`
/// and `name::sqlite`.
#[macro_export]
macro_rules! backend_tests {
    ($(async fn $name:ident($ctx:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn body($ctx: std::sync::Arc<$crate::common::Ctx>) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() { $crate::common::run($crate::common::Kind::MySql, body).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { $crate::common::run($crate::common::Kind::Postgres, body).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { $crate::common::run($crate::common::Kind::Sqlite, body).await }
        }
    )*};
}

/// Percent-encodes everything but ASCII letters and digits (for table names in paths).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
