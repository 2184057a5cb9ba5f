//! The SQL each backend needs spelled its own way: placeholders, identifier quoting, casts to
//! and from text, the clock, and the origin tag the triggers read.

use sheetsync_core::value::{SqlType, Value};

/// The database family behind a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// MySQL or MariaDB.
    MySql,
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
}

/// Why a name cannot be used as an SQL identifier.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} cannot be used as a table or column name here")]
pub struct BadIdentifier(pub String);

impl Backend {
    /// The backend a connection URL names, if any.
    pub fn from_url(url: &str) -> Option<Backend> {
        let scheme = url.split(':').next()?.to_ascii_lowercase();
        match scheme.as_str() {
            "mysql" | "mariadb" => Some(Backend::MySql),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            "sqlite" => Some(Backend::Sqlite),
            _ => None,
        }
    }

    /// Statements run on every new connection. MySQL reads committed data so the sequencer's
    /// plain SELECT sees every committed change and never waits on an open one; every backend
    /// talks UTC so instants round-trip.
    pub fn session_setup(self) -> &'static [&'static str] {
        match self {
            Backend::MySql => &[
                "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                "SET time_zone = '+00:00'",
                "SET NAMES utf8mb4",
            ],
            Backend::Postgres => &["SET TIME ZONE 'UTC'"],
            Backend::Sqlite => &[
                "PRAGMA journal_mode = WAL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 10000",
            ],
        }
    }

    /// Placeholder number `n` (1-based).
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Backend::Postgres => format!("${n}"),
            Backend::MySql | Backend::Sqlite => "?".to_string(),
        }
    }

    /// Quotes an identifier, refusing names no trigger body could carry safely.
    pub fn quote(self, name: &str) -> Result<String, BadIdentifier> {
        if name.is_empty()
            || name.len() > 128
            || name.chars().any(|c| c.is_control())
            || name.contains("$sheetsync$")
        {
            return Err(BadIdentifier(name.to_string()));
        }
        Ok(match self {
            Backend::MySql => format!("`{}`", name.replace('`', "``")),
            Backend::Postgres | Backend::Sqlite => format!("\"{}\"", name.replace('"', "\"\"")),
        })
    }

    /// An expression giving column `col` (already qualified and quoted) as text in the form
    /// the core's decoder reads back.
    pub fn text_expr(self, col: &str, ty: &SqlType) -> String {
        super::types::sql::read_expr(self, col, ty)
    }

    /// A placeholder for a text parameter, converted to a column of database type `db_type`.
    pub fn typed_param(self, n: usize, db_type: &str) -> String {
        super::types::sql::param_expr(self, n, db_type)
    }

    /// The text a checked value is bound as.
    pub fn param_text(self, value: &Value) -> Option<String> {
        if let Some(special) = super::types::sql::param_special(self, value) {
            return Some(special);
        }
        let wire = value.to_wire();
        Some(match value {
            Value::Null => return None,
            Value::Bool(b) => match self {
                Backend::Postgres => b.to_string(),
                Backend::MySql | Backend::Sqlite => u8::from(*b).to_string(),
            },
            Value::Int(i) => i.to_string(),
            Value::Float(x) => x.to_string(),
            Value::Decimal(s) | Value::Text(s) | Value::Json(s) | Value::Bits(s) => s.clone(),
            Value::Timestamp(t) => match self {
                Backend::Postgres => format!("{}+00", t.format("%Y-%m-%d %H:%M:%S%.f")),
                Backend::MySql | Backend::Sqlite => t.format("%Y-%m-%d %H:%M:%S%.f").to_string(),
            },
            Value::Date(_)
            | Value::DateTime(_)
            | Value::Time(_)
            | Value::Binary(_)
            | Value::TimeSpan(_)
            | Value::OffCalendar(_) => match wire {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            },
        })
    }

    /// The current time in milliseconds since the epoch, as an SQL expression.
    pub fn now_ms_expr(self) -> &'static str {
        match self {
            Backend::MySql => "CAST(ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000) AS SIGNED)",
            Backend::Postgres => "(extract(epoch from clock_timestamp()) * 1000)::bigint",
            Backend::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
        }
    }

    /// The origin tag of the push being written, NULL for every other writer.
    pub fn origin_expr(self) -> &'static str {
        match self {
            Backend::MySql => "@sheetsync_origin",
            Backend::Postgres => "NULLIF(current_setting('sheetsync.origin', true), '')",
            Backend::Sqlite => "(SELECT origin FROM sheetsync_origin WHERE id = 1)",
        }
    }

    /// The suffix that locks the rows a SELECT reads (SQLite locks the whole database on write).
    pub fn for_update(self) -> &'static str {
        match self {
            Backend::MySql | Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        }
    }

    /// Inserts or replaces a row version (table id, key text and version as parameters 1-3).
    pub fn upsert_version_sql(self) -> String {
        match self {
            Backend::MySql => "INSERT INTO sheetsync_row_versions (table_id, row_key, version) \
                VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE version = VALUES(version)"
                .to_string(),
            Backend::Postgres | Backend::Sqlite => format!(
                "INSERT INTO sheetsync_row_versions (table_id, row_key, version) VALUES ({}, {}, {}) \
                 ON CONFLICT (table_id, row_key) DO UPDATE SET version = excluded.version",
                self.placeholder(1),
                self.placeholder(2),
                self.placeholder(3)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_inside_identifiers_are_doubled_not_trusted() {
        assert_eq!(Backend::MySql.quote("a`b").unwrap(), "`a``b`");
        assert_eq!(
            Backend::Postgres.quote("a\"; drop").unwrap(),
            "\"a\"\"; drop\""
        );
        assert!(Backend::Sqlite.quote("").is_err());
        assert!(Backend::Postgres.quote("x\0").is_err());
    }

    #[test]
    fn the_backend_follows_the_url_scheme() {
        assert_eq!(Backend::from_url("mariadb://h/db"), Some(Backend::MySql));
        assert_eq!(
            Backend::from_url("postgresql://h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("sqlite://x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("oracle://x"), None);
    }
}
