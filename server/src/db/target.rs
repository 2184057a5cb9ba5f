//! Where a database URL points, in words a person can act on: the host and port a server
//! database listens at, the user it logs in as, or the file an SQLite database lives in.
//! Connection failures are explained against this target, and commands name it when they open
//! it; a password never appears in either.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use super::Backend;

/// The place a database URL names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A MySQL, MariaDB or PostgreSQL server.
    Server {
        /// Which dialect it speaks.
        backend: Backend,
        /// Host name or address; `None` when the driver picks a local socket.
        host: Option<String>,
        /// TCP port (the backend's default when the URL gives none).
        port: u16,
        /// The user it logs in as, if the URL names one.
        user: Option<String>,
        /// The database (schema) name, if the URL names one.
        database: Option<String>,
    },
    /// An SQLite database file.
    SqliteFile(PathBuf),
    /// An SQLite database held in memory only.
    SqliteMemory,
}

impl Target {
    /// Reads `url` (already normalised to `mysql://`, `postgres://` or `sqlite:`).
    pub fn parse(backend: Backend, url: &str) -> Result<Target, String> {
        if backend == Backend::Sqlite {
            let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
                .map_err(|e| format!("invalid SQLite URL: {e}"))?;
            let file = options.get_filename();
            if url.contains(":memory:") || url.contains("mode=memory") {
                return Ok(Target::SqliteMemory);
            }
            return Ok(Target::SqliteFile(
                std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf()),
            ));
        }
        let parsed = url::Url::parse(url).map_err(|e| format!("invalid database URL: {e}"))?;
        let default_port = if backend == Backend::MySql {
            3306
        } else {
            5432
        };
        let query = |key: &str| {
            parsed
                .query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
        };
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .or_else(|| query("host").filter(|h| !h.starts_with('/')));
        let user = Some(parsed.username())
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .or_else(|| query("user"));
        let database = Some(parsed.path().trim_start_matches('/'))
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .or_else(|| query("dbname"));
        Ok(Target::Server {
            backend,
            host,
            port: parsed.port().unwrap_or(default_port),
            user,
            database,
        })
    }

    /// `host:port`, or the words for a local socket.
    pub fn address(&self) -> String {
        match self {
            Target::Server {
                host: Some(h),
                port,
                ..
            } => {
                if h.contains(':') && !h.starts_with('[') {
                    format!("[{h}]:{port}")
                } else {
                    format!("{h}:{port}")
                }
            }
            Target::Server { host: None, .. } => "the local socket".to_string(),
            Target::SqliteFile(p) => p.display().to_string(),
            Target::SqliteMemory => "memory".to_string(),
        }
    }

    /// The user the URL logs in as, for sentences about authentication and privileges.
    pub fn user(&self) -> String {
        match self {
            Target::Server { user: Some(u), .. } => format!("user {u:?}"),
            _ => "the default user".to_string(),
        }
    }

    /// The database name, for sentences about it.
    pub fn database(&self) -> String {
        match self {
            Target::Server {
                database: Some(d), ..
            } => format!("database {d:?}"),
            _ => "the database".to_string(),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Server {
                backend,
                user,
                database,
                ..
            } => {
                let scheme = if *backend == Backend::MySql {
                    "mysql"
                } else {
                    "postgres"
                };
                write!(f, "{scheme}://")?;
                if let Some(u) = user {
                    write!(f, "{u}@")?;
                }
                write!(f, "{}/", self.address())?;
                if let Some(d) = database {
                    write!(f, "{d}")?;
                }
                Ok(())
            }
            Target::SqliteFile(p) => write!(f, "SQLite file {}", p.display()),
            Target::SqliteMemory => write!(f, "SQLite in memory"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_url_names_host_port_user_and_database_but_never_the_password() {
        let t = Target::parse(Backend::MySql, "mysql://app:secret@db.example:3307/shop").unwrap();
        assert_eq!(t.address(), "db.example:3307");
        assert_eq!(t.to_string(), "mysql://app@db.example:3307/shop");
        assert!(!t.to_string().contains("secret"));
    }

    #[test]
    fn a_server_url_without_a_port_uses_the_backends_default() {
        let t = Target::parse(Backend::Postgres, "postgres://u@localhost/x").unwrap();
        assert_eq!(t.address(), "localhost:5432");
    }

    #[test]
    fn a_relative_sqlite_path_is_named_absolutely() {
        let t = Target::parse(Backend::Sqlite, "sqlite://data.sqlite?mode=rwc").unwrap();
        let Target::SqliteFile(p) = t else {
            panic!("not a file: {t:?}")
        };
        assert!(p.is_absolute());
        assert!(p.ends_with("data.sqlite"));
    }

    #[test]
    fn an_in_memory_sqlite_url_names_no_file() {
        let t = Target::parse(Backend::Sqlite, "sqlite::memory:").unwrap();
        assert_eq!(t, Target::SqliteMemory);
    }
}
