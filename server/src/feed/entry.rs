//! One change-log entry as the feed serves it. An entry the server cannot encode (an
//! operation it does not know, a row image that is not one cell per column, bytes that are not
//! UTF-8 text) is served as [`ChangeOp::Unreadable`] with the reason, and logged: it never
//! fails the page, so every later change still reaches the clients.
//!
//! The columns that hold text are read as bytes on SQLite, which stores whatever bytes a
//! writer gives it; a text value that is not UTF-8 would otherwise fail the whole query. A key
//! that is not UTF-8 text, or that SQLite holds as a BLOB, names no row a client could write:
//! its entry is unreadable, and its key spelled with U+FFFD for the bytes that are not UTF-8.

use sheetsync_core::schema::RowKey;
use sheetsync_core::wire::{ChangeOp, RowChange, WireRow};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::text_to_wire;
use crate::db::catalog::TableInfo;
use crate::db::{int_at, text_at, Backend};

/// The select list of a feed read: `seq, id, row_key, op, row_image, origin, changed_at_ms`,
/// and on SQLite the key's storage class.
pub fn columns(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "seq, id, CAST(row_key AS BLOB), CAST(op AS BLOB), CAST(row_image AS BLOB), \
             CAST(origin AS BLOB), changed_at_ms, typeof(row_key)"
        }
        Backend::MySql | Backend::Postgres => {
            "seq, id, row_key, op, row_image, origin, changed_at_ms"
        }
    }
}

/// A text column of an entry: `Err` holds its bytes when they are not UTF-8.
type Field = Result<Option<String>, Vec<u8>>;

fn field(row: &AnyRow, idx: usize) -> Result<Field, sqlx::Error> {
    if let Ok(text) = row.try_get::<Option<String>, _>(idx) {
        return Ok(Ok(text));
    }
    match row.try_get::<Option<Vec<u8>>, _>(idx)? {
        None => Ok(Ok(None)),
        Some(bytes) => Ok(String::from_utf8(bytes)
            .map(Some)
            .map_err(|e| e.into_bytes())),
    }
}

/// Decodes one row of a feed read (see [`columns`]) into its feed position and change.
pub fn decode(
    backend: Backend,
    info: &TableInfo,
    row: &AnyRow,
) -> Result<(i64, RowChange), sqlx::Error> {
    let seq = int_at(row, 0)?.ok_or_else(|| missing("seq"))?;
    let version = int_at(row, 1)?.ok_or_else(|| missing("id"))?;
    let changed_at_ms = int_at(row, 6)?.ok_or_else(|| missing("changed_at_ms"))?;
    let (key, op, image, origin) = (
        field(row, 2)?,
        field(row, 3)?,
        field(row, 4)?,
        field(row, 5)?,
    );
    // SQLite logs a BLOB key as bytes (see `types::sql::key_expr`): no client can name it.
    let blob_key = backend == Backend::Sqlite && text_at(row, 7)?.as_deref() == Some("blob");
    let (key, key_problem) = match key {
        Ok(Some(k)) if blob_key => (k, Some("the row's key is bytes, not text".to_string())),
        Err(bytes) if blob_key => (
            String::from_utf8_lossy(&bytes).into_owned(),
            Some("the row's key is bytes, not text".to_string()),
        ),
        Ok(Some(k)) => (k, None),
        Ok(None) => (String::new(), Some("the entry has no key".to_string())),
        // The nearest truthful spelling of the key, so the client can tell which row it is.
        Err(bytes) => (
            String::from_utf8_lossy(&bytes).into_owned(),
            Some("the row's key is not UTF-8 text".to_string()),
        ),
    };
    let (origin, origin_problem) = match origin {
        Ok(o) => (o, None),
        Err(_) => (None, Some("the origin tag is not UTF-8 text".to_string())),
    };
    let op = match key_problem.or(origin_problem) {
        Some(reason) => ChangeOp::Unreadable { reason },
        None => operation(info, op, image),
    };
    if let ChangeOp::Unreadable { reason } = &op {
        tracing::warn!(
            table = %info.schema.name,
            entry = version,
            key = %key,
            reason = %reason,
            "a change-log entry cannot be encoded; it is served as unreadable"
        );
    }
    Ok((
        seq,
        RowChange {
            key: RowKey(key),
            version,
            op,
            origin,
            changed_at_ms,
        },
    ))
}

fn operation(info: &TableInfo, op: Field, image: Field) -> ChangeOp {
    let unreadable = |reason: String| ChangeOp::Unreadable { reason };
    match op {
        Ok(Some(op)) if op.trim() == "D" => ChangeOp::Delete,
        Ok(Some(op)) if op.trim() == "U" => match image {
            Ok(Some(image)) => match image_to_wire(info, &image) {
                Ok(cells) => ChangeOp::Upsert { cells },
                Err(reason) => unreadable(reason),
            },
            Ok(None) => unreadable("the entry has no row image".to_string()),
            Err(_) => unreadable("the row image is not UTF-8 text".to_string()),
        },
        Ok(Some(op)) => unreadable(format!(
            "the entry's operation {op:?} is not one the server knows"
        )),
        Ok(None) => unreadable("the entry has no operation".to_string()),
        Err(_) => unreadable("the entry's operation is not UTF-8 text".to_string()),
    }
}

/// A stored row image (a JSON array of cell texts in column order) as wire cells, through the
/// core's decoder so the feed speaks exactly the wire form the rows endpoint does; or why it
/// cannot be.
pub fn image_to_wire(info: &TableInfo, image: &str) -> Result<WireRow, String> {
    let cells: Vec<serde_json::Value> = serde_json::from_str(image)
        .map_err(|e| format!("the row image is not a JSON array of cells: {e}"))?;
    let want = info.schema.columns.len();
    if cells.len() != want {
        return Err(format!(
            "the row image has {} cells, and the table has {want} columns",
            cells.len()
        ));
    }
    Ok(cells
        .into_iter()
        .zip(&info.schema.columns)
        .map(|(cell, col)| text_to_wire(col, cell))
        .collect())
}

fn missing(column: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: format!("the change log's {column} is NULL").into(),
    }
}
