//! The server protocol's message types (version [`PROTOCOL_VERSION`]), shared by the server and
//! the add-on so both sides agree by construction. `docs/protocol.md` is the prose contract.
//!
//! Rows travel as arrays of wire values in the table's column order (see [`crate::value`]);
//! pushed cells travel as objects keyed by column name, because a push may carry only the
//! cells that changed. Everything that comes from the network is decoded against the schema
//! before use: these types only give it shape.

use serde::{Deserialize, Serialize};

use crate::schema::{RowKey, TableSchema};

/// The protocol version this crate speaks; it is the first path segment (`/v1/...`).
pub const PROTOCOL_VERSION: u32 = 1;

/// The version of one row: the id of the change-log entry that last wrote it. It only grows
/// for a given row, because changes to one row are serialized by its row lock.
pub type RowVersion = i64;

/// A position in a table's change feed. Opaque to clients: pass back what the server gave.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(pub String);

/// A row's cells on the wire, in the table's column order.
pub type WireRow = Vec<serde_json::Value>;

/// Cells keyed by column name, as a push carries them.
pub type WireCells = serde_json::Map<String, serde_json::Value>;

/// `GET /v1/tables`: the tables the caller's token may sync.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableList {
    /// Protocol version of the server.
    pub protocol: u32,
    /// One entry per table the token can read.
    pub tables: Vec<TableSchema>,
}

/// A row with the version it is at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionedRow {
    /// The row's key.
    pub key: RowKey,
    /// The version the cells are at.
    pub version: RowVersion,
    /// The cells, in column order.
    pub cells: WireRow,
}

/// `GET /v1/tables/{table}/rows?after={key}&limit={n}`: one key-ordered page of a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowPage {
    /// Rows with keys after the requested one, in key order.
    pub rows: Vec<VersionedRow>,
    /// The key to ask for the next page after, or `None` on the last page.
    pub next_after: Option<RowKey>,
    /// A feed position the page is consistent with: reading changes from here (from the
    /// first page's cursor, for a multi-page read) misses nothing written since.
    pub cursor: Cursor,
}

/// What happened to a row in one change-feed entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ChangeOp {
    /// The row was inserted or updated; this is its full new image.
    Upsert {
        /// The new cells, in column order.
        cells: WireRow,
    },
    /// The row was deleted.
    Delete,
    /// The server holds this change but cannot encode it (a corrupt log entry, an unknown
    /// operation, bytes that are not text). The row's new state is unknown: a client shows the
    /// row as a problem and neither deletes nor overwrites it; later changes still follow.
    Unreadable {
        /// Why the change cannot be read, for the person and the server's log.
        reason: String,
    },
}

/// One entry of the change feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowChange {
    /// The changed row's key.
    pub key: RowKey,
    /// The row's version after this change.
    pub version: RowVersion,
    /// What happened.
    #[serde(flatten)]
    pub op: ChangeOp,
    /// The origin tag of the client the server wrote for, or `None` for any other writer.
    pub origin: Option<String>,
    /// When the database recorded the change, in milliseconds since the Unix epoch (UTC).
    pub changed_at_ms: i64,
}

/// `GET /v1/tables/{table}/changes?cursor={c}&limit={n}&wait={s}`: changes after a cursor in
/// commit order. An empty page after `wait` seconds means nothing changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangePage {
    /// The changes, oldest first.
    pub changes: Vec<RowChange>,
    /// Where to continue from.
    pub cursor: Cursor,
    /// Whether more changes are ready right away.
    pub more: bool,
}

/// One row change in a push.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PushOp {
    /// Insert a new row. Columns left out take the database's default; a key column left out
    /// (or NULL) is assigned by the database. Inserting a key that exists is a conflict.
    Insert {
        /// The new row's cells.
        cells: WireCells,
    },
    /// Change some cells of a row, only if it is still at `expected_version`.
    Update {
        /// The row to change.
        key: RowKey,
        /// The version the change was based on.
        expected_version: RowVersion,
        /// The cells that changed, and only those.
        cells: WireCells,
    },
    /// Delete a row, only if it is still at `expected_version`.
    Delete {
        /// The row to delete.
        key: RowKey,
        /// The version the deletion was based on.
        expected_version: RowVersion,
    },
}

/// `POST /v1/tables/{table}/push`: a batch of row changes, applied in one transaction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// Chosen by the client, unique per batch; a retried batch with the same id applies
    /// nothing twice and gets the first answer again.
    pub batch_id: String,
    /// The client's origin tag; the feed marks the changes this push makes with it.
    pub origin: String,
    /// The changes, answered one result each, in the same order.
    pub changes: Vec<PushOp>,
}

/// Why the database refused a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// A value of the wrong type, out of range, too long or not allowed by an enum.
    BadValue,
    /// NULL in a NOT NULL column.
    NotNull,
    /// A duplicate value in a unique column.
    Unique,
    /// A foreign key that does not exist.
    ForeignKey,
    /// A check constraint failed.
    Check,
    /// A column the table does not have, or one the database owns.
    UnknownColumn,
    /// Anything else the database refused.
    Other,
}

/// The outcome of one change in a push.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum PushResult {
    /// The change was written. For an insert or update, `row` is the row as stored (with the
    /// key and defaults the database assigned); for a delete it is `None`.
    Applied {
        /// The row's key.
        key: RowKey,
        /// The row's new version.
        version: RowVersion,
        /// The stored row, unless deleted.
        row: Option<WireRow>,
    },
    /// The row was not at the expected version (or, for an insert, already exists). Nothing
    /// was written; `current` is the row now, or `None` if it no longer exists.
    Conflict {
        /// The row's key.
        key: RowKey,
        /// The row as it is now.
        current: Option<VersionedRow>,
    },
    /// The database refused the row; nothing was written for it.
    Rejected {
        /// The row's key, if it had one.
        key: Option<RowKey>,
        /// The column at fault, if known.
        column: Option<String>,
        /// The kind of refusal.
        code: RejectCode,
        /// A sentence for the person who typed the value.
        reason: String,
    },
}

/// The answer to a push.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// The batch this answers.
    pub batch_id: String,
    /// One result per change, in request order.
    pub results: Vec<PushResult>,
    /// Whether this is the stored answer to an earlier delivery of the same batch.
    pub replayed: bool,
}

/// `POST /v1/tables/{table}/keys/order`, both ways: the request's keys, and the answer's
/// same keys in the table's key order (the database's `ORDER BY` on the key column, under its
/// collation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyOrder {
    /// Row keys, as the feed names them.
    pub keys: Vec<RowKey>,
}

/// The body of every error response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable machine-readable code (`unauthorized`, `cursor_expired`, ...).
    pub error: String,
    /// A sentence for people.
    pub message: String,
}
