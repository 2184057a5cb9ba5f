//! Change capture: the INSERT/UPDATE/DELETE triggers the server generates for each synced table.
//!
//! Every trigger appends to `sheetsync_changes` (key text, op, the full new row image as a JSON
//! array of cell texts in column order, the origin tag, the time) and records the new log id as
//! the row's version in `sheetsync_row_versions`. Cells are read as `types::sql` says, so no
//! value a column can hold makes the trigger, and with it another application's write, fail. A key change is logged as a delete of the old
//! key and an upsert of the new one. Names in the bodies come from the catalog and are quoted;
//! the table is identified by its numeric id, so no string literal is ever built from a name.
//! On SQLite a row whose key is NULL is not logged at all (see [`create_statements`]).

use sqlx::Executor;

use super::catalog::TableInfo;
use super::ident::Ident;
use super::{Backend, Db};

/// Why triggers could not be installed or removed.
pub type TriggerError = sqlx::Error;

fn trigger_base(id: i64) -> String {
    format!("sheetsync_t{id}")
}

/// The SQL to append one log entry for row reference `r` (`NEW` or `OLD`), as an upsert (`U`)
/// or a delete (`D`), and bump the row's version, for MySQL and SQLite trigger bodies.
fn log_statements(backend: Backend, info: &TableInfo, r: &str, op: char) -> String {
    let key_col = info.key_column();
    let key = super::types::sql::key_expr(
        backend,
        &format!("{r}.{}", info.key_sql()),
        &key_col.sql_type,
    );
    let image = if op == 'D' {
        "NULL".to_string()
    } else {
        let cells: Vec<String> = info
            .schema
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| backend.text_expr(&format!("{r}.{}", info.column_sql(i)), &c.sql_type))
            .collect();
        let quoted: Vec<_> = info
            .schema
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (info.column_sql(i).to_string(), c.sql_type.clone()))
            .collect();
        match backend {
            Backend::MySql => format!("JSON_ARRAY({})", cells.join(", ")),
            Backend::Sqlite => super::types::sql::sqlite_row_image(&format!("{r}."), &quoted),
            Backend::Postgres => {
                format!("array_to_json(ARRAY[{}]::text[])::text", cells.join(", "))
            }
        }
    };
    let id = info.id;
    let insert_log = format!(
        "INSERT INTO sheetsync_changes (table_id, row_key, op, row_image, origin, changed_at_ms) \
         VALUES ({id}, {key}, '{op}', {image}, {origin}, {now})",
        origin = backend.origin_expr(),
        now = backend.now_ms_expr(),
    );
    let upsert = match backend {
        Backend::MySql => format!(
            "INSERT INTO sheetsync_row_versions (table_id, row_key, version) \
             VALUES ({id}, {key}, LAST_INSERT_ID()) \
             ON DUPLICATE KEY UPDATE version = VALUES(version)"
        ),
        Backend::Sqlite => format!(
            "INSERT INTO sheetsync_row_versions (table_id, row_key, version) \
             VALUES ({id}, {key}, last_insert_rowid()) \
             ON CONFLICT (table_id, row_key) DO UPDATE SET version = excluded.version"
        ),
        Backend::Postgres => format!(
            "INSERT INTO sheetsync_row_versions (table_id, row_key, version) \
             VALUES ({id}, {key}, v) \
             ON CONFLICT (table_id, row_key) DO UPDATE SET version = excluded.version"
        ),
    };
    match backend {
        Backend::Postgres => format!("{insert_log} RETURNING id INTO v;\n    {upsert};"),
        _ => format!("{insert_log};\n    {upsert};"),
    }
}

/// `CREATE TRIGGER <base>_<suffix> AFTER <event> ON <table><condition> BEGIN <body> END`, the
/// form MySQL and SQLite share (`condition` is MySQL's ` FOR EACH ROW` or SQLite's optional
/// ` WHEN ...`).
fn after_trigger(
    base: &str,
    suffix: &str,
    event: &str,
    table: &str,
    condition: &str,
    body: &str,
) -> String {
    format!(
        "CREATE TRIGGER {base}_{suffix} AFTER {event} ON {table}{condition} BEGIN\n    {body}\nEND"
    )
}

/// The statements that (re)create the triggers of `info`'s table.
pub fn create_statements(backend: Backend, info: &TableInfo) -> Vec<String> {
    let table = info.table_sql();
    let base = trigger_base(info.id);
    let key = info.key_sql();
    let del = log_statements(backend, info, "OLD", 'D');
    let ups = log_statements(backend, info, "NEW", 'U');
    match backend {
        Backend::MySql => {
            let each = " FOR EACH ROW";
            let update = format!(
                "IF NOT (OLD.{key} <=> NEW.{key}) THEN\n    {del}\n    END IF;\n    {ups}"
            );
            vec![
                after_trigger(&base, "ins", "INSERT", table, each, &ups),
                after_trigger(&base, "upd", "UPDATE", table, each, &update),
                after_trigger(&base, "del", "DELETE", table, each, &del),
            ]
        }
        Backend::Sqlite => {
            // SQLite allows NULL in a primary key that is not an INTEGER PRIMARY KEY. Such a
            // row has no key to log or to name; it is not synced, and another application's
            // write of it must not fail on the log's NOT NULL key.
            let new_keyed = format!(" WHEN NEW.{key} IS NOT NULL");
            let old_keyed = format!(" WHEN OLD.{key} IS NOT NULL");
            let rekeyed = format!(" WHEN OLD.{key} IS NOT NEW.{key} AND OLD.{key} IS NOT NULL");
            vec![
                after_trigger(&base, "ins", "INSERT", table, &new_keyed, &ups),
                after_trigger(&base, "rekey", "UPDATE", table, &rekeyed, &del),
                after_trigger(&base, "upd", "UPDATE", table, &new_keyed, &ups),
                after_trigger(&base, "del", "DELETE", table, &old_keyed, &del),
            ]
        }
        Backend::Postgres => vec![
            format!(
                "CREATE OR REPLACE FUNCTION {base}_fn() RETURNS trigger LANGUAGE plpgsql AS $sheetsync$\n\
                 DECLARE v bigint;\nBEGIN\n  \
                 IF TG_OP = 'DELETE' THEN\n    {del}\n  \
                 ELSIF TG_OP = 'UPDATE' THEN\n    \
                   IF OLD.{key} IS DISTINCT FROM NEW.{key} THEN\n    {del}\n    END IF;\n    {ups}\n  \
                 ELSE\n    {ups}\n  END IF;\n  RETURN NULL;\nEND\n$sheetsync$"
            ),
            format!(
                "CREATE TRIGGER {base} AFTER INSERT OR UPDATE OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION {base}_fn()"
            ),
        ],
    }
}

/// The statements that drop the triggers of table `id` on `table` (quoted), if present.
pub fn drop_statements(backend: Backend, id: i64, table: &str) -> Vec<String> {
    let base = trigger_base(id);
    match backend {
        Backend::MySql => ["ins", "upd", "del"]
            .iter()
            .map(|s| format!("DROP TRIGGER IF EXISTS {base}_{s}"))
            .collect(),
        Backend::Sqlite => ["ins", "rekey", "upd", "del"]
            .iter()
            .map(|s| format!("DROP TRIGGER IF EXISTS {base}_{s}"))
            .collect(),
        Backend::Postgres => vec![
            format!("DROP TRIGGER IF EXISTS {base} ON {table}"),
            format!("DROP FUNCTION IF EXISTS {base}_fn()"),
        ],
    }
}

/// Replaces the triggers of `info`'s table with freshly generated ones. On PostgreSQL and SQLite
/// this is one transaction, so no change slips between drop and create.
pub async fn install(db: &Db, info: &TableInfo) -> Result<(), TriggerError> {
    let mut statements = drop_statements(db.backend, info.id, info.table_sql());
    statements.extend(create_statements(db.backend, info));
    run_all(db, statements).await
}

/// Removes the triggers of table `id` named `table`.
pub async fn remove(db: &Db, id: i64, table: &Ident) -> Result<(), TriggerError> {
    run_all(db, drop_statements(db.backend, id, table.sql())).await
}

/// The name of the lock that makes trigger installs take turns.
const INSTALL_LOCK: &str = "sheetsync_triggers";

/// How long an install waits for another to finish before giving up, in seconds.
const INSTALL_LOCK_WAIT_SECONDS: u32 = 60;

/// Runs `statements` in one transaction, holding the install lock: two installs at once (an
/// instance regenerating a table's triggers while `table enable` runs, or two instances doing
/// it) would interleave their drops and creates, which PostgreSQL refuses for a function
/// replaced concurrently and MySQL for a trigger created twice.
async fn run_all(db: &Db, statements: Vec<String>) -> Result<(), TriggerError> {
    let mut tx = db.pool.begin().await?;
    match db.backend {
        // Released by the transaction's end, whatever it is.
        Backend::Postgres => {
            let lock = format!("SELECT pg_advisory_xact_lock(hashtext('{INSTALL_LOCK}'))");
            (&mut *tx).execute(lock.as_str()).await?;
        }
        // A session lock: released below on every path, as the connection goes back to the
        // pool.
        Backend::MySql => {
            let lock = format!("SELECT GET_LOCK('{INSTALL_LOCK}', {INSTALL_LOCK_WAIT_SECONDS})");
            let row = sqlx::query(&lock).fetch_one(&mut *tx).await?;
            if crate::tables::first_int(&row)? != 1 {
                return Err(sqlx::Error::Protocol(format!(
                    "another install of triggers held the lock {INSTALL_LOCK} for over \
                     {INSTALL_LOCK_WAIT_SECONDS} s"
                )));
            }
        }
        // One writer at a time already.
        Backend::Sqlite => {}
    }
    let mut ran = Ok(());
    for s in &statements {
        // Text protocol: MySQL refuses CREATE TRIGGER as a prepared statement.
        if let Err(e) = (&mut *tx).execute(s.as_str()).await {
            ran = Err(e);
            break;
        }
    }
    if db.backend == Backend::MySql {
        let release = format!("SELECT RELEASE_LOCK('{INSTALL_LOCK}')");
        let released = (&mut *tx).execute(release.as_str()).await;
        if ran.is_ok() {
            released?;
        }
    }
    ran?;
    tx.commit().await
}
