//! The database: which backend it is, the connection pool, and the server's own tables.
//!
//! Every backend is reached through `sqlx::Any`, and every value crosses as text (or a 64-bit
//! integer): cells are read with a cast to text and written as bound text parameters cast to
//! the column's type in SQL. That keeps one code path for three databases, and the core's
//! schema-directed decoder is the one place a cell's text becomes a typed value.

pub mod catalog;
pub mod dialect;
pub mod ident;
pub mod triggers;
pub mod types;

use std::str::FromStr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

pub use dialect::Backend;

/// A connection pool to the user's database, with the backend it speaks.
#[derive(Clone, Debug)]
pub struct Db {
    /// The pool every request and background task draws from.
    pub pool: AnyPool,
    /// Which SQL dialect to generate.
    pub backend: Backend,
    /// INSERT statements run for rows whose key the database assigns (several rows each where
    /// the backend tells which key each row got).
    pub key_assigning_inserts: Arc<AtomicU64>,
}

/// Why the database could not be opened or prepared.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The URL names a scheme we do not speak.
    #[error("unsupported database URL {0:?}: use mysql://, mariadb://, postgres:// or sqlite://")]
    Scheme(String),
    /// Connecting failed.
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    /// The server's own tables could not be created or upgraded.
    #[error("cannot prepare sheetsync's tables: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

static MYSQL_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/mysql");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

impl Db {
    /// Opens a pool for `url` and brings sheetsync's own tables up to date.
    pub async fn open(url: &str, max_connections: u32) -> Result<Db, OpenError> {
        sqlx::any::install_default_drivers();
        let url = url.replacen("mariadb://", "mysql://", 1);
        let backend = Backend::from_url(&url).ok_or_else(|| OpenError::Scheme(url.clone()))?;
        let options = AnyConnectOptions::from_str(&url).map_err(OpenError::Connect)?;
        let max = if backend == Backend::Sqlite {
            // One writer at a time is SQLite's model; a single connection also keeps the
            // origin row private to the push that sets it.
            1
        } else {
            max_connections
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    for stmt in backend.session_setup() {
                        conn.execute(*stmt).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(OpenError::Connect)?;
        let migrator = match backend {
            Backend::MySql => &MYSQL_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
            Backend::Sqlite => &SQLITE_MIGRATIONS,
        };
        migrator.run(&pool).await.map_err(OpenError::Migrate)?;
        Ok(Db {
            pool,
            backend,
            key_assigning_inserts: Arc::default(),
        })
    }

    /// Numbered placeholder `n` (1-based) in this backend's syntax.
    pub fn ph(&self, n: usize) -> String {
        self.backend.placeholder(n)
    }
}

/// Reads column `idx` of `row` as optional text, whatever the driver calls a text column
/// (MySQL reports TEXT columns as blobs).
pub fn text_at(row: &AnyRow, idx: usize) -> Result<Option<String>, sqlx::Error> {
    match row.try_get::<Option<String>, _>(idx) {
        Ok(v) => Ok(v),
        Err(_) => match row.try_get::<Option<Vec<u8>>, _>(idx) {
            Ok(v) => Ok(v.map(|b| String::from_utf8_lossy(&b).into_owned())),
            Err(_) => row
                .try_get::<Option<i64>, _>(idx)
                .map(|v| v.map(|n| n.to_string())),
        },
    }
}

/// Reads column `idx` of `row` as a 64-bit integer, accepting text that holds one.
pub fn int_at(row: &AnyRow, idx: usize) -> Result<Option<i64>, sqlx::Error> {
    match row.try_get::<Option<i64>, _>(idx) {
        Ok(v) => Ok(v),
        Err(e) => match text_at(row, idx)? {
            None => Ok(None),
            Some(t) => t
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| sqlx::Error::Decode(Box::new(e))),
        },
    }
}

/// Milliseconds since the Unix epoch, from the server's clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
