//! Reading rows: key-ordered snapshot pages, one row with its version (optionally locked for a
//! compare-and-set), and a row's image at an earlier version.

use sheetsync_core::schema::{CellError, RowKey};
use sheetsync_core::value::Value;
use sheetsync_core::wire::{RowVersion, VersionedRow, WireRow};
use sqlx::AnyConnection;

use crate::db::catalog::TableInfo;
use crate::db::{int_at, text_at, Db};
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

/// `SELECT <every column as text> FROM <table>`, the start of every row read.
pub fn select_from(db: &Db, info: &TableInfo) -> String {
    let b = db.backend;
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

/// Turns a row of cell texts into its key text and wire cells.
pub fn row_from(info: &TableInfo, r: &sqlx::any::AnyRow) -> Result<(RowKey, WireRow), sqlx::Error> {
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
    Ok((key, cells))
}

/// One key-ordered page of rows after `after`, with their versions, and whether it is full.
pub async fn page(
    db: &Db,
    info: &TableInfo,
    after: Option<Option<String>>,
    limit: usize,
) -> Result<Vec<VersionedRow>, sqlx::Error> {
    let key_name = info.key_sql();
    let mut sql = select_from(db, info);
    if after.is_some() {
        sql.push_str(&format!(" WHERE {}", key_condition(db, info, ">", 1)));
    }
    // Qualified, because the select list aliases each column to its text form under the same
    // name, and PostgreSQL would otherwise sort by that text (1, 10, 100, 2, ...).
    let table_name = info.table_sql();
    sql.push_str(&format!(" ORDER BY {table_name}.{key_name} LIMIT {limit}"));
    let mut q = sqlx::query(&sql);
    if let Some(a) = after {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&db.pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let (key, cells) = row_from(info, r)?;
        out.push(VersionedRow {
            key,
            version: 0,
            cells,
        });
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
            let key = text_at(v, 0)?.unwrap_or_default();
            let version = int_at(v, 1)?.unwrap_or_default();
            if let Some(row) = chunk.iter_mut().find(|r| r.key.0 == key) {
                row.version = version;
            }
        }
    }
    Ok(out)
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
    row.map(|r| row_from(info, &r)).transpose()
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
        let image = text_at(&r, 1)?.unwrap_or_default();
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
