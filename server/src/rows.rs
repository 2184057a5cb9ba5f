//! Reading rows: key-ordered snapshot pages, one row with its version (optionally locked for a
//! compare-and-set), and a row's image at an earlier version.
//!
//! SQLite keeps whatever a writer gives it, also in a key column: a row whose key is not UTF-8
//! text, is a BLOB, or is NULL has no key a client could name, so it is an [`UnreadableKey`]. A
//! page leaves it out (logged and counted), reads on past it by its value, and still holds
//! `limit` rows when the table has them.

use sheetsync_core::schema::{CellError, RowKey};
use sheetsync_core::value::{SqlType, Value};
use sheetsync_core::wire::{RowVersion, VersionedRow, WireRow};
use sqlx::AnyConnection;

use crate::db::catalog::TableInfo;
use crate::db::types::sql::sqlite_row_image;
use crate::db::{int_at, required_int_at, required_text_at, text_at, Backend, Db};
use crate::feed::{image_to_wire, text_to_wire};

/// Decodes a key's text into the value to bind for the key column.
pub fn key_param(db: &Db, info: &TableInfo, key: &RowKey) -> Result<Option<String>, CellError> {
    let value = info
        .key_column()
        .decode(&serde_json::Value::String(key.0.clone()))?;
    if value == Value::Null {
        return Err(CellError {
            column: info.key_column().name.clone(),
            error: sheetsync_core::value::ValueError::NullNotAllowed,
        });
    }
    Ok(db.backend.param_text(&value))
}

/// The key of a row (on SQLite) that no client could name: a client's key is always UTF-8
/// text, and is never NULL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnreadableKey {
    /// NULL, which SQLite allows in a primary key that is not an `INTEGER PRIMARY KEY`.
    Null,
    /// Text that is not UTF-8, or a BLOB.
    Bytes {
        /// The key's bytes as SQLite holds them.
        bytes: Vec<u8>,
        /// Whether SQLite holds them as a BLOB (otherwise as text).
        blob: bool,
    },
}

impl UnreadableKey {
    /// The key's nearest spelling, U+FFFD for the bytes that are not UTF-8, for the log.
    pub fn lossy(&self) -> String {
        match self {
            UnreadableKey::Null => "NULL".to_string(),
            UnreadableKey::Bytes { bytes, .. } => String::from_utf8_lossy(bytes).into_owned(),
        }
    }
}

/// A row as read: its key text and wire cells, or a key that has no text.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadRow {
    /// A row with its key text and wire cells.
    Row(RowKey, WireRow),
    /// A row whose key has no text form.
    Unreadable(UnreadableKey),
}

impl ReadRow {
    /// The row, for reads addressed by a key text, which can only find rows that have one.
    pub fn readable(self, info: &TableInfo) -> Result<(RowKey, WireRow), sqlx::Error> {
        match self {
            ReadRow::Row(key, cells) => Ok((key, cells)),
            ReadRow::Unreadable(key) => Err(sqlx::Error::ColumnDecode {
                index: info.key_column().name.clone(),
                source: format!(
                    "table {:?}: a row read by its key has a key that is not UTF-8 text ({:?})",
                    info.schema.name,
                    key.lossy()
                )
                .into(),
            }),
        }
    }
}

/// `SELECT <every column as text> FROM <table>`, the start of every row read. On SQLite the
/// row is one JSON image (see [`sqlite_row_image`]) followed by the key's storage class.
pub fn select_from(db: &Db, info: &TableInfo) -> String {
    let b = db.backend;
    if b == Backend::Sqlite {
        let quoted: Vec<_> = info
            .schema
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (info.column_sql(i).to_string(), c.sql_type.clone()))
            .collect();
        return format!(
            "SELECT {}, typeof({}) FROM {}",
            sqlite_row_image("", &quoted),
            info.key_sql(),
            info.table_sql()
        );
    }
    let cols: Vec<String> = info
        .schema
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| b.text_expr(info.column_sql(i), &c.sql_type))
        .collect();
    format!("SELECT {} FROM {}", cols.join(", "), info.table_sql())
}

fn key_condition(db: &Db, info: &TableInfo, op: &str, n: usize) -> String {
    format!(
        "{} {op} {}",
        info.key_sql(),
        db.backend.typed_param(n, &info.db_types[info.key])
    )
}

/// Turns a row read by [`select_from`] into its key text and wire cells.
pub fn row_from(db: &Db, info: &TableInfo, r: &sqlx::any::AnyRow) -> Result<ReadRow, sqlx::Error> {
    if db.backend == Backend::Sqlite {
        return image_row(info, r);
    }
    let mut cells = Vec::with_capacity(info.schema.columns.len());
    let mut key = RowKey(String::new());
    for (i, col) in info.schema.columns.iter().enumerate() {
        let text = text_at(r, i)?;
        if i == info.key {
            key = RowKey(text.clone().unwrap_or_default());
        }
        let cell = text.map_or(serde_json::Value::Null, serde_json::Value::String);
        cells.push(text_to_wire(col, cell));
    }
    if let (SqlType::Binary { .. }, Some(serde_json::Value::String(wire))) =
        (&info.key_column().sql_type, cells.get(info.key))
    {
        // A byte key's text is its wire form (see `types::sql::key_expr`), not its hex.
        key = RowKey(wire.clone());
    }
    Ok(ReadRow::Row(key, cells))
}

/// SQLite: a row read as one JSON image (see [`sqlite_row_image`]) and its key's storage class.
fn image_row(info: &TableInfo, r: &sqlx::any::AnyRow) -> Result<ReadRow, sqlx::Error> {
    let image = required_text_at(r, 0)?;
    let cells: Vec<serde_json::Value> =
        serde_json::from_str(&image).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    if cells.len() != info.schema.columns.len() {
        return Err(sqlx::Error::Decode(
            format!(
                "a row image of {} cells for {} columns",
                cells.len(),
                info.schema.columns.len()
            )
            .into(),
        ));
    }
    // The key's text is what the triggers log as its key (`CAST(key AS TEXT)`): text beyond
    // ASCII and BLOBs come as their bytes in hex.
    let key = match &cells[info.key] {
        serde_json::Value::String(s) => RowKey(s.clone()),
        serde_json::Value::Object(map) => {
            let bytes = map
                .get("hex")
                .and_then(serde_json::Value::as_str)
                .and_then(|h| hex::decode(h).ok())
                .ok_or_else(|| {
                    sqlx::Error::Decode(
                        format!("a row image's key cell {map:?} has no bytes").into(),
                    )
                })?;
            let blob = text_at(r, 1)?.as_deref() == Some("blob");
            match String::from_utf8(bytes) {
                Ok(text) if !blob => RowKey(text),
                Ok(text) => {
                    return Ok(ReadRow::Unreadable(UnreadableKey::Bytes {
                        bytes: text.into_bytes(),
                        blob,
                    }))
                }
                Err(e) => {
                    return Ok(ReadRow::Unreadable(UnreadableKey::Bytes {
                        bytes: e.into_bytes(),
                        blob,
                    }))
                }
            }
        }
        serde_json::Value::Null => return Ok(ReadRow::Unreadable(UnreadableKey::Null)),
        other => RowKey(other.to_string()),
    };
    let cells = cells
        .into_iter()
        .zip(&info.schema.columns)
        .map(|(cell, col)| text_to_wire(col, cell))
        .collect();
    Ok(ReadRow::Row(key, cells))
}

/// Where a page read continues: after a key text a client gave or a row had, or after a key
/// that has no text, by its value.
enum After {
    Start,
    Param(Option<String>),
    Unreadable(UnreadableKey),
}

/// Rows of one page: the rows served, and how many were left out for keys without text.
#[derive(Debug, Default)]
pub struct Page {
    /// The rows, in key order, with their versions.
    pub rows: Vec<VersionedRow>,
    /// Rows left out because their key is not UTF-8 text.
    pub unreadable: u64,
}

/// One key-ordered page of rows after `after`, with their versions: `limit` rows unless the
/// table ends first. Rows whose key has no text are left out, logged and counted.
pub async fn page(
    db: &Db,
    info: &TableInfo,
    after: Option<Option<String>>,
    limit: usize,
) -> Result<Page, sqlx::Error> {
    let mut after = after.map_or(After::Start, After::Param);
    let mut out = Vec::new();
    let mut unreadable = 0;
    loop {
        let want = limit - out.len();
        let fetched = page_rows(db, info, &after, want).await?;
        let full = fetched.len() == want;
        for read in fetched {
            match read {
                ReadRow::Row(key, cells) => {
                    after = After::Param(
                        key_param(db, info, &key)
                            .map_err(|e| sqlx::Error::Decode(e.to_string().into()))?,
                    );
                    out.push(VersionedRow {
                        key,
                        version: 0,
                        cells,
                    });
                }
                ReadRow::Unreadable(key) => {
                    tracing::warn!(
                        table = %info.schema.name,
                        key = %key.lossy(),
                        "a row's key is not UTF-8 text, is bytes or is NULL; the row is left out of row pages"
                    );
                    unreadable += 1;
                    after = After::Unreadable(key);
                }
            }
        }
        if !full || out.len() == limit {
            break;
        }
    }
    // Versions in a second query by bound key texts: no join on a computed expression.
    for chunk in out.chunks_mut(500) {
        let sql = versions_sql(db, chunk.len());
        let mut q = sqlx::query(&sql).bind(info.id);
        for row in chunk.iter() {
            q = q.bind(row.key.0.clone());
        }
        let versions = q.fetch_all(&db.pool).await?;
        for v in &versions {
            let key = required_text_at(v, 0)?;
            let version = required_int_at(v, 1)?;
            if let Some(row) = chunk.iter_mut().find(|r| r.key.0 == key) {
                row.version = version;
            }
        }
    }
    Ok(Page {
        rows: out,
        unreadable,
    })
}

/// At most `limit` rows in key order after `after`.
async fn page_rows(
    db: &Db,
    info: &TableInfo,
    after: &After,
    limit: usize,
) -> Result<Vec<ReadRow>, sqlx::Error> {
    let key_name = info.key_sql();
    let mut sql = select_from(db, info);
    let mut bind = None;
    match after {
        After::Start => {}
        After::Param(p) => {
            sql.push_str(&format!(" WHERE {}", key_condition(db, info, ">", 1)));
            bind = Some(p.clone());
        }
        // Only SQLite holds such keys. NULL sorts first: the rest follow every NULL key.
        After::Unreadable(UnreadableKey::Null) => {
            sql.push_str(&format!(" WHERE {key_name} IS NOT NULL"));
        }
        // The bytes go as hex and become the value SQLite holds.
        After::Unreadable(UnreadableKey::Bytes { bytes, blob }) => {
            let value = if *blob {
                "unhex(?)"
            } else {
                "CAST(unhex(?) AS TEXT)"
            };
            sql.push_str(&format!(" WHERE {key_name} > {value}"));
            bind = Some(Some(hex::encode(bytes)));
        }
    }
    // Qualified, because the select list aliases each column to its text form under the same
    // name, and PostgreSQL would otherwise sort by that text (1, 10, 100, 2, ...).
    let table_name = info.table_sql();
    sql.push_str(&format!(" ORDER BY {table_name}.{key_name} LIMIT {limit}"));
    let mut q = sqlx::query(&sql);
    if let Some(value) = bind {
        q = q.bind(value);
    }
    let rows = q.fetch_all(&db.pool).await?;
    rows.iter().map(|r| row_from(db, info, r)).collect()
}

/// `SELECT row_key, version` of `count` keys of one table: the table id is parameter 1, the
/// key texts parameters 2 to `count + 1`. Each key is one index lookup on every backend (on
/// PostgreSQL through the key-first primary key, even without statistics).
pub fn versions_sql(db: &Db, count: usize) -> String {
    let marks: Vec<String> = (0..count).map(|i| db.ph(i + 2)).collect();
    format!(
        "SELECT row_key, version FROM sheetsync_row_versions WHERE table_id = {} AND row_key IN ({})",
        db.ph(1),
        marks.join(", ")
    )
}

/// `SELECT row_key, version, row_image` of `count` keys of one table from their latest change
/// log entries, upserts only (parameters as in [`versions_sql`]).
///
/// On MySQL and SQLite a join on the entry's id alone (a condition on the entry's table id
/// would let the planner walk every entry of the table through the feed index instead). On
/// PostgreSQL, once the tables have statistics, the planner turns that join into a hash join
/// over sequential scans of both tables, which grows with the log (26 ms at 60,000 entries
/// against 3 ms by the indexes); each key is looked up on its own there instead, through
/// `LATERAL` subqueries that cannot be flattened into a join, so both lookups stay index
/// scans whatever the statistics say.
pub fn logged_rows_sql(db: &Db, count: usize) -> String {
    if db.backend == Backend::Postgres {
        let keys: Vec<String> = (0..count).map(|i| format!("({})", db.ph(i + 2))).collect();
        return format!(
            "SELECT k.column1, v.version, c.row_image FROM (VALUES {}) AS k \
             CROSS JOIN LATERAL (SELECT version FROM sheetsync_row_versions \
             WHERE row_key = k.column1 AND table_id = {} LIMIT 1) AS v \
             CROSS JOIN LATERAL (SELECT row_image FROM sheetsync_changes \
             WHERE id = v.version AND op = 'U' LIMIT 1) AS c",
            keys.join(", "),
            db.ph(1)
        );
    }
    let marks: Vec<String> = (0..count).map(|i| db.ph(i + 2)).collect();
    format!(
        "SELECT v.row_key, v.version, c.row_image FROM sheetsync_row_versions v \
         JOIN sheetsync_changes c ON c.id = v.version \
         WHERE v.table_id = {} AND v.row_key IN ({}) AND c.op = 'U'",
        db.ph(1),
        marks.join(", ")
    )
}

/// The row with key `param` (already decoded), locked for update when `lock` is set.
pub async fn read_row(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    param: Option<String>,
    lock: bool,
) -> Result<Option<(RowKey, WireRow)>, sqlx::Error> {
    let mut sql = format!(
        "{} WHERE {}",
        select_from(db, info),
        key_condition(db, info, "=", 1)
    );
    if lock {
        sql.push_str(db.backend.for_update());
    }
    let row = sqlx::query(&sql).bind(param).fetch_optional(conn).await?;
    row.map(|r| row_from(db, info, &r)?.readable(info))
        .transpose()
}

/// The version of the row with key text `key` (0 if it never changed since it was enabled).
pub async fn version_of(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    key: &RowKey,
    lock: bool,
) -> Result<RowVersion, sqlx::Error> {
    Ok(logged_version(conn, db, info, key, lock)
        .await?
        .unwrap_or(0))
}

/// The version the change log recorded for the row with key text `key`, `None` when no
/// change to it was ever logged.
pub async fn logged_version(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    key: &RowKey,
    lock: bool,
) -> Result<Option<RowVersion>, sqlx::Error> {
    let mut sql = format!(
        "SELECT version FROM sheetsync_row_versions WHERE table_id = {} AND row_key = {}",
        db.ph(1),
        db.ph(2)
    );
    if lock {
        sql.push_str(db.backend.for_update());
    }
    let row = sqlx::query(&sql)
        .bind(info.id)
        .bind(key.0.clone())
        .fetch_optional(conn)
        .await?;
    match row {
        Some(r) => int_at(&r, 0),
        None => Ok(None),
    }
}

/// The row as it is now with its version, or `None` if it does not exist.
pub async fn current(
    conn: &mut AnyConnection,
    db: &Db,
    info: &TableInfo,
    param: Option<String>,
    lock: bool,
) -> Result<Option<VersionedRow>, sqlx::Error> {
    let Some((key, cells)) = read_row(conn, db, info, param, lock).await? else {
        return Ok(None);
    };
    let version = version_of(conn, db, info, &key, lock).await?;
    Ok(Some(VersionedRow {
        key,
        version,
        cells,
    }))
}

/// The row `key` as it was at `version`, from the log or, if that is the current version, from
/// the table; `None` when it is no longer kept.
pub async fn at_version(
    db: &Db,
    info: &TableInfo,
    key: &RowKey,
    version: RowVersion,
) -> Result<Option<VersionedRow>, sqlx::Error> {
    let sql = format!(
        "SELECT op, row_image FROM sheetsync_changes WHERE id = {} AND table_id = {} AND row_key = {}",
        db.ph(1),
        db.ph(2),
        db.ph(3)
    );
    let mut conn = db.pool.acquire().await?;
    let logged = sqlx::query(&sql)
        .bind(version)
        .bind(info.id)
        .bind(key.0.clone())
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(r) = logged {
        if text_at(&r, 0)?.as_deref().map(str::trim) != Some("U") {
            return Ok(None);
        }
        let image = required_text_at(&r, 1)?;
        let cells = image_to_wire(info, &image).map_err(|reason| sqlx::Error::ColumnDecode {
            index: "row_image".to_string(),
            source: format!(
                "change-log entry {version} of table {:?}: {reason}",
                info.schema.name
            )
            .into(),
        })?;
        return Ok(Some(VersionedRow {
            key: key.clone(),
            version,
            cells,
        }));
    }
    let Ok(param) = key_param(db, info, key) else {
        return Ok(None);
    };
    let now = current(&mut conn, db, info, param, false).await?;
    Ok(now.filter(|r| r.version == version))
}
