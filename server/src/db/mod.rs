//! The database: which backend it is, the connection pool, and the server's own tables.
//!
//! Every backend is reached through `sqlx::Any`, and every value crosses as text (or a 64-bit
//! integer): cells are read with a cast to text (bytes as hex, SQLite rows as one JSON image,
//! see `types::sql`) and written as bound text parameters cast to the column's type in SQL.
//! That keeps one code path for three databases, and the core's schema-directed decoder is the
//! one place a cell's text becomes a typed value.

pub mod catalog;
pub mod dialect;
pub mod explain;
pub mod ident;
pub mod target;
pub mod triggers;
pub mod types;

use std::str::FromStr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row};

pub use dialect::Backend;
pub use target::Target;

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
    /// Runs of inserts whose keys were looked up before they were written: only runs the
    /// database refused for a key that exists already.
    pub insert_key_lookups: Arc<AtomicU64>,
    /// Where the URL pointed, for messages (never holds a password).
    pub target: Target,
}

/// How a database is opened.
#[derive(Clone, Debug)]
pub struct OpenSettings {
    /// Largest number of pooled connections (SQLite always gets one).
    pub max_connections: u32,
    /// How long the first connection may take before opening fails.
    pub connect_timeout: Duration,
    /// How long a request may wait for a pooled connection later on.
    pub acquire_timeout: Duration,
    /// Whether a missing SQLite file may be created; otherwise opening it is refused.
    pub create_sqlite_file: bool,
}

impl OpenSettings {
    /// What `serve` uses: a missing SQLite file is created, and requests wait up to 30 s for a
    /// connection.
    pub fn serving(max_connections: u32) -> OpenSettings {
        OpenSettings {
            max_connections,
            connect_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(30),
            create_sqlite_file: true,
        }
    }
}

/// Why the database could not be opened or prepared; each says what and where in one sentence.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The URL names a scheme we do not speak.
    #[error("unsupported database URL {0:?}: use mysql://, mariadb://, postgres:// or sqlite://")]
    Scheme(String),
    /// The URL could not be read.
    #[error("{0}")]
    BadUrl(String),
    /// The SQLite file does not exist and this command does not create databases.
    #[error(
        "there is no SQLite database at {0}: run `sheetsync-server init` (or `serve`) once to \
         create it there, or pass the right --database-url"
    )]
    NoSqliteFile(std::path::PathBuf),
    /// The first connection did not succeed in time.
    #[error("cannot connect to the database at {address}: no answer within {seconds} s")]
    ConnectTimeout {
        /// host:port.
        address: String,
        /// The time allowed.
        seconds: u64,
    },
    /// Connecting failed; the sentence names the cause.
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    /// The server's own tables could not be created or upgraded.
    #[error("cannot prepare sheetsync's tables: {0}")]
    Migrate(String),
}

static MYSQL_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/mysql");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

impl Db {
    /// Opens a pool for `url` as `serve` does and brings sheetsync's own tables up to date.
    pub async fn open(url: &str, max_connections: u32) -> Result<Db, OpenError> {
        Db::open_with(url, &OpenSettings::serving(max_connections)).await
    }

    /// Opens a pool for `url` and brings sheetsync's own tables up to date. One connection is
    /// made first, on its own and within `connect_timeout`, so that a failure names its cause
    /// instead of surfacing as a pool timeout.
    pub async fn open_with(url: &str, settings: &OpenSettings) -> Result<Db, OpenError> {
        sqlx::any::install_default_drivers();
        let url = url.replacen("mariadb://", "mysql://", 1);
        let backend = Backend::from_url(&url).ok_or_else(|| OpenError::Scheme(url.clone()))?;
        let target = Target::parse(backend, &url).map_err(OpenError::BadUrl)?;
        if let Target::SqliteFile(path) = &target {
            if !settings.create_sqlite_file && !path.exists() {
                return Err(OpenError::NoSqliteFile(path.clone()));
            }
        }
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| OpenError::BadUrl(explain::explain(&target, &e)))?;
        tokio::time::timeout(settings.connect_timeout, probe(&target, &options))
            .await
            .map_err(|_| OpenError::ConnectTimeout {
                address: target.address(),
                seconds: settings.connect_timeout.as_secs(),
            })??;
        let max = if backend == Backend::Sqlite {
            // One writer at a time is SQLite's model; a single connection also keeps the
            // origin row private to the push that sets it.
            1
        } else {
            settings.max_connections
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(settings.acquire_timeout)
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
            .map_err(|e| OpenError::Connect(explain::explain(&target, &e)))?;
        let migrator = match backend {
            Backend::MySql => &MYSQL_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
            Backend::Sqlite => &SQLITE_MIGRATIONS,
        };
        migrator.run(&pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e) => {
                OpenError::Migrate(explain::explain(&target, &e))
            }
            other => OpenError::Migrate(other.to_string()),
        })?;
        Ok(Db {
            pool,
            backend,
            key_assigning_inserts: Arc::default(),
            insert_key_lookups: Arc::default(),
            target,
        })
    }

    /// Numbered placeholder `n` (1-based) in this backend's syntax.
    pub fn ph(&self, n: usize) -> String {
        self.backend.placeholder(n)
    }
}

/// Resolves the host, then makes and closes one connection, explaining what went wrong.
async fn probe(target: &Target, options: &AnyConnectOptions) -> Result<(), OpenError> {
    if let Target::Server {
        host: Some(host),
        port,
        ..
    } = target
    {
        if let Err(e) = tokio::net::lookup_host((host.as_str(), *port)).await {
            return Err(OpenError::Connect(format!(
                "unknown host {host:?}: its name does not resolve to an address ({e})"
            )));
        }
    }
    let conn = AnyConnection::connect_with(options)
        .await
        .map_err(|e| OpenError::Connect(explain::explain(target, &e)))?;
    let _ = conn.close().await;
    Ok(())
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

/// Reads column `idx` of `row` as text that must be there: a NULL is a decode error naming the
/// column, never an empty string standing in for a value the database did not give.
pub fn required_text_at(row: &AnyRow, idx: usize) -> Result<String, sqlx::Error> {
    text_at(row, idx)?.ok_or_else(|| null_where_required(idx))
}

/// Reads column `idx` of `row` as an integer that must be there (see [`required_text_at`]).
pub fn required_int_at(row: &AnyRow, idx: usize) -> Result<i64, sqlx::Error> {
    int_at(row, idx)?.ok_or_else(|| null_where_required(idx))
}

fn null_where_required(idx: usize) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: idx.to_string(),
        source: "the database answered NULL where a value is required".into(),
    }
}

/// Milliseconds since the Unix epoch, from the server's clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    #[tokio::test]
    async fn a_null_where_a_value_is_required_is_an_error_not_an_empty_value() {
        sqlx::any::install_default_drivers();
        let mut conn = AnyConnection::connect("sqlite::memory:").await.unwrap();
        let row = sqlx::query("SELECT NULL, 'x', 7")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        let err = required_text_at(&row, 0).unwrap_err().to_string();
        assert!(err.contains("NULL where a value is required"), "{err}");
        assert!(required_int_at(&row, 0).is_err());
        assert_eq!(required_text_at(&row, 1).unwrap(), "x");
        assert_eq!(required_int_at(&row, 2).unwrap(), 7);
    }
}
