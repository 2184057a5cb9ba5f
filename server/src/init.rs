//! `init`: one command from nothing to a working set-up. It opens (or creates) the database,
//! creates the demo table when asked, enables the chosen tables and makes sure a read-write
//! token named for the set-up exists.
//!
//! Running it again changes nothing that is already right: a demo table that exists is left as
//! it is (its rows may have been edited since), enabling a table twice only reinstalls its
//! triggers, and a live token of the same name is reused rather than a second one made. Token
//! secrets are stored only as hashes, so a reused token's secret cannot be shown again; the
//! report says so, and `--new-token` revokes the old one and makes a new one.

use sqlx::Executor;

use crate::db::{Backend, Db};
use crate::tables::{self, TableError};
use crate::tokens;

/// The demo table `--demo` creates on SQLite.
pub const DEMO_TABLE: &str = "people";

/// The demo table: an integer key the database assigns, text, a nullable column and a number,
/// so the first sync shows the common kinds of cell.
const DEMO_DDL: &str = "CREATE TABLE people (\
     id INTEGER PRIMARY KEY, \
     name VARCHAR(100) NOT NULL, \
     email VARCHAR(200) NULL, \
     city VARCHAR(100) NULL, \
     score INTEGER NULL)";

const DEMO_ROWS: &str = "INSERT INTO people (id, name, email, city, score) VALUES \
     (1, 'Ada Lovelace', 'ada@example.com', 'London', 92), \
     (2, 'Alan Turing', 'alan@example.com', 'Manchester', 88), \
     (3, 'Grace Hopper', NULL, 'New York', 95), \
     (4, 'Edsger Dijkstra', 'edsger@example.com', 'Eindhoven', 90), \
     (5, 'Barbara Liskov', 'barbara@example.com', NULL, 87)";

/// What `init` is asked to do.
#[derive(Clone, Debug, Default)]
pub struct InitPlan {
    /// Create the demo table (SQLite only) and enable it.
    pub demo: bool,
    /// Tables to enable besides the demo table.
    pub tables: Vec<String>,
    /// The name of the set-up's token.
    pub token_name: String,
    /// Revoke the live tokens of that name and make a new one.
    pub new_token: bool,
}

/// What happened to the demo table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Demo {
    /// Not asked for.
    NotAsked,
    /// Created with this many rows.
    Created(usize),
    /// It existed already and was left as it is.
    Existed,
}

/// What happened to the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenOutcome {
    /// A new token; its secret is shown only now.
    Created {
        /// Its id.
        id: i64,
        /// Its secret.
        secret: String,
        /// Ids of the tokens of the same name that `--new-token` revoked.
        revoked: Vec<i64>,
    },
    /// A live token of this name covers every table; it is kept and its secret is not known.
    Reused {
        /// Its id.
        id: i64,
    },
}

/// What `init` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitReport {
    /// The demo table's fate.
    pub demo: Demo,
    /// The tables now enabled, in the order given (the demo table first).
    pub enabled: Vec<String>,
    /// The token.
    pub token: TokenOutcome,
}

/// Why `init` stopped.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// Neither `--tables` nor `--demo`: there would be nothing to sync.
    #[error("name the tables to sync with --tables a,b (or pass --demo to create a demo table on SQLite)")]
    NoTables,
    /// `--demo` on MySQL/MariaDB or PostgreSQL.
    #[error("--demo creates its table only on SQLite; on {0} create your table and pass --tables")]
    DemoNotSqlite(&'static str),
    /// A table cannot be enabled; the sentence names it.
    #[error("cannot enable table {table:?}: {source}")]
    Table {
        /// The table.
        table: String,
        /// Why.
        source: TableError,
    },
    /// The existing token may only read.
    #[error(
        "token {id} ({name}) exists but may only read; pass --new-token to revoke it and \
         create a read-write one"
    )]
    TokenReadOnly {
        /// Its id.
        id: i64,
        /// Its name.
        name: String,
    },
    /// The existing token does not cover every table and `--new-token` was not given.
    #[error(
        "token {id} ({name}) exists but does not cover table(s) {missing}; pass --new-token to \
         revoke it and create one that does"
    )]
    TokenTooNarrow {
        /// Its id.
        id: i64,
        /// Its name.
        name: String,
        /// The tables it lacks, quoted and comma-separated.
        missing: String,
    },
    /// The database refused.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// Runs `plan` against `db`.
pub async fn init(db: &Db, plan: &InitPlan) -> Result<InitReport, InitError> {
    let mut wanted: Vec<String> = Vec::new();
    if plan.demo {
        if db.backend != Backend::Sqlite {
            let name = match db.backend {
                Backend::MySql => "MySQL/MariaDB",
                _ => "PostgreSQL",
            };
            return Err(InitError::DemoNotSqlite(name));
        }
        wanted.push(DEMO_TABLE.to_string());
    }
    for t in &plan.tables {
        if !wanted.contains(t) {
            wanted.push(t.clone());
        }
    }
    if wanted.is_empty() {
        return Err(InitError::NoTables);
    }
    let demo = if plan.demo {
        create_demo(db).await?
    } else {
        Demo::NotAsked
    };
    for t in &wanted {
        tables::enable(db, t)
            .await
            .map_err(|source| InitError::Table {
                table: t.clone(),
                source,
            })?;
    }
    let token = ensure_token(db, plan, &wanted).await?;
    Ok(InitReport {
        demo,
        enabled: wanted,
        token,
    })
}

/// Creates the demo table with its rows, unless a table of that name exists.
async fn create_demo(db: &Db) -> Result<Demo, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    let sql = format!(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = {}",
        db.ph(1)
    );
    let exists = sqlx::query(&sql)
        .bind(DEMO_TABLE)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if exists {
        tx.rollback().await?;
        return Ok(Demo::Existed);
    }
    (&mut *tx).execute(DEMO_DDL).await?;
    let rows = (&mut *tx).execute(DEMO_ROWS).await?.rows_affected();
    tx.commit().await?;
    Ok(Demo::Created(rows as usize))
}

/// Reuses the live token named `plan.token_name` when it covers `wanted`, else (with
/// `--new-token`, or when there is none) creates one.
async fn ensure_token(
    db: &Db,
    plan: &InitPlan,
    wanted: &[String],
) -> Result<TokenOutcome, InitError> {
    let live: Vec<_> = tokens::list(db)
        .await?
        .into_iter()
        .filter(|t| t.revoked_at_ms.is_none() && t.grant.name == plan.token_name)
        .collect();
    let mut revoked = Vec::new();
    if plan.new_token {
        for t in &live {
            if tokens::revoke(db, t.grant.id).await? {
                revoked.push(t.grant.id);
            }
        }
    } else if let Some(t) = live.last() {
        let missing: Vec<String> = wanted
            .iter()
            .filter(|w| !t.grant.covers(w))
            .map(|w| format!("{w:?}"))
            .collect();
        if !missing.is_empty() {
            return Err(InitError::TokenTooNarrow {
                id: t.grant.id,
                name: t.grant.name.clone(),
                missing: missing.join(", "),
            });
        }
        if !t.grant.can_write {
            return Err(InitError::TokenReadOnly {
                id: t.grant.id,
                name: t.grant.name.clone(),
            });
        }
        return Ok(TokenOutcome::Reused { id: t.grant.id });
    }
    let (id, secret) = tokens::create(db, &plan.token_name, wanted, true).await?;
    Ok(TokenOutcome::Created {
        id,
        secret,
        revoked,
    })
}
