//! Table and column schemas, as the server reads them from the database catalog.
//!
//! A bound sheet maps to one table with a single-column primary key. Columns are matched to
//! sheet headers by name, never by position. Row identity is the key's canonical text
//! ([`RowKey`]), so the same row is recognised whether the sheet shows `42` or the database
//! sends `42`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::value::{SqlType, Value, ValueError};

/// One column of a synced table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSchema {
    /// The column's name, which is also the sheet header that maps to it.
    pub name: String,
    /// The column's SQL type.
    pub sql_type: SqlType,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// Whether this is the table's primary key.
    #[serde(default)]
    pub primary_key: bool,
    /// Whether the database owns the value (auto-increment, generated): the sheet never
    /// writes it, the database's value is written back into the sheet.
    #[serde(default)]
    pub generated: bool,
    /// Whether the database fills the column when an insert leaves it out (a `DEFAULT`
    /// clause). A new sheet row may leave such a column empty; a NOT NULL column without a
    /// default must be filled before the row is added (see [`ColumnSchema::required_for_insert`]).
    ///
    /// A server older than this field does not send it, and absent reads as `false`: the
    /// add-on then waits for a value in every NOT NULL column. That is the side that makes
    /// nothing up: a row may wait for a value the database could have supplied, but no
    /// empty cell is ever sent as `''` or taken for the database's default.
    #[serde(default)]
    pub has_default: bool,
}

/// A synced table: its name, columns (in the order rows carry their cells) and key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSchema {
    /// The table's name in the database.
    pub name: String,
    /// The columns, in the order rows on the wire carry their cells.
    pub columns: Vec<ColumnSchema>,
    /// Whether the token that read this schema may write to the table.
    #[serde(default)]
    pub writable: bool,
}

/// The identity of a row: the canonical text of its primary-key value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RowKey(pub String);

impl fmt::Display for RowKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lets maps keyed by `RowKey` be searched with a borrowed `&str`: the diff reads each row's
/// key into one buffer and only makes a `RowKey` for the rows that keep it. A `RowKey` hashes
/// and compares exactly as its text does.
impl std::borrow::Borrow<str> for RowKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl RowKey {
    /// The key of a row whose key column holds `value`, or `None` for NULL.
    pub fn from_value(value: &Value) -> Option<RowKey> {
        match value.to_wire() {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(RowKey(s)),
            other => Some(RowKey(other.to_string())),
        }
    }
}

/// A value that does not fit its column, with the column named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellError {
    /// The column the value was meant for.
    pub column: String,
    /// What was wrong with it.
    pub error: ValueError,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {:?}: {}", self.column, self.error)
    }
}

impl std::error::Error for CellError {}

/// Why a schema cannot be synced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaError {
    /// The table has no primary key, or one of several columns.
    NoSingleColumnKey(String),
    /// A row carried a different number of cells than the table has columns.
    WrongCellCount {
        /// Columns the schema has.
        expected: usize,
        /// Cells the row carried.
        got: usize,
    },
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaError::NoSingleColumnKey(t) => {
                write!(
                    f,
                    "table {t:?} needs a single-column primary key to be synced"
                )
            }
            SchemaError::WrongCellCount { expected, got } => {
                write!(f, "a row has {got} cells, the table has {expected} columns")
            }
        }
    }
}

impl std::error::Error for SchemaError {}

impl ColumnSchema {
    /// Decodes a wire value for this column, refusing NULL in a NOT NULL column.
    pub fn decode(&self, json: &serde_json::Value) -> Result<Value, CellError> {
        let fail = |error| CellError {
            column: self.name.clone(),
            error,
        };
        let value = Value::from_wire(&self.sql_type, json).map_err(fail)?;
        if value == Value::Null && !self.nullable && !self.generated {
            return Err(fail(ValueError::NullNotAllowed));
        }
        Ok(value)
    }

    /// Whether a new row must give this column a value before it is inserted: NULL is not
    /// allowed, the database has no default for it and does not assign it.
    pub fn required_for_insert(&self) -> bool {
        !self.nullable && !self.generated && !self.has_default
    }
}

impl TableSchema {
    /// The index of the primary-key column.
    pub fn key_index(&self) -> Result<usize, SchemaError> {
        let mut keys = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.primary_key);
        match (keys.next(), keys.next()) {
            (Some((i, _)), None) => Ok(i),
            _ => Err(SchemaError::NoSingleColumnKey(self.name.clone())),
        }
    }

    /// The column called `name`, if any.
    pub fn column(&self, name: &str) -> Option<(usize, &ColumnSchema)> {
        self.columns
            .iter()
            .enumerate()
            .find(|(_, c)| c.name == name)
    }

    /// Decodes a full row from the wire (cells in column order).
    pub fn decode_row(&self, cells: &[serde_json::Value]) -> Result<Vec<Value>, RowDecodeError> {
        if cells.len() != self.columns.len() {
            return Err(RowDecodeError::Shape(SchemaError::WrongCellCount {
                expected: self.columns.len(),
                got: cells.len(),
            }));
        }
        self.columns
            .iter()
            .zip(cells)
            .map(|(c, j)| c.decode(j).map_err(RowDecodeError::Cell))
            .collect()
    }

    /// Encodes a full row for the wire.
    pub fn encode_row(values: &[Value]) -> Vec<serde_json::Value> {
        values.iter().map(Value::to_wire).collect()
    }
}

/// Why a wire row could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowDecodeError {
    /// The row's shape does not match the schema.
    Shape(SchemaError),
    /// One cell does not fit its column.
    Cell(CellError),
}

impl fmt::Display for RowDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowDecodeError::Shape(e) => e.fmt(f),
            RowDecodeError::Cell(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RowDecodeError {}
