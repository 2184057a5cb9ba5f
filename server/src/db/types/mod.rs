//! Maps the types the catalogs report to the core's [`SqlType`], or refuses a column whose
//! values could not be synced without loss, with a sentence naming the column and its type.
//! `sql` says how each kind is read and written in SQL; `cells` turns what the database
//! gave into the wire form.

pub mod cells;
pub mod sql;

use sheetsync_core::value::SqlType;

use super::Backend;

/// One raw catalog row, before mapping to a core type.
pub struct RawColumn {
    /// The column's name.
    pub name: String,
    /// The catalog's type name (lower case; upper case for SQLite's declared types).
    pub data_type: String,
    /// The full declared type, used to cast bound parameters.
    pub full_type: String,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// Whether the column is (part of) the primary key.
    pub primary_key: bool,
    /// Whether the database assigns the value.
    pub generated: bool,
    /// Whether the column has a `DEFAULT` that fills it when an insert leaves it out.
    pub has_default: bool,
    /// Length limit of a text column.
    pub max_chars: Option<u32>,
    /// Precision of a decimal column.
    pub precision: Option<u8>,
    /// Scale of a decimal column.
    pub scale: Option<u8>,
    /// Values of an enum column.
    pub enum_values: Vec<String>,
    /// Length limit in bytes of a binary column, or width of a bit column.
    pub max_bytes: Option<u32>,
    /// Whether the column holds JSON (MariaDB's `JSON` is `LONGTEXT` with a `json_valid` check).
    pub json: bool,
}

/// Parses MySQL's `enum('a','b''c')` into its values.
pub fn parse_enum_list(full_type: &str) -> Vec<String> {
    let inner = full_type
        .trim()
        .trim_start_matches("enum(")
        .trim_end_matches(')');
    let mut values = Vec::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut v = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    v.push('\'');
                }
                '\'' => break,
                '\\' => {
                    if let Some(n) = chars.next() {
                        v.push(n);
                    }
                }
                other => v.push(other),
            }
        }
        values.push(v);
    }
    values
}

/// `(precision, scale, max_chars)` from a declared SQLite type such as `DECIMAL(10,2)`.
pub fn sqlite_type_args(upper: &str) -> (Option<u8>, Option<u8>, Option<u32>) {
    let Some(open) = upper.find('(') else {
        return (None, None, None);
    };
    let args: Vec<&str> = upper[open + 1..]
        .trim_end_matches(')')
        .split(',')
        .map(str::trim)
        .collect();
    let first = args.first().and_then(|a| a.parse::<u32>().ok());
    let second = args.get(1).and_then(|a| a.parse::<u8>().ok());
    if upper.contains("CHAR") || upper.contains("TEXT") {
        (None, None, first)
    } else {
        (first.and_then(|p| u8::try_from(p).ok()), second, None)
    }
}

/// MySQL's spatial types, synced as well-known text with their SRID.
const MYSQL_SPATIAL: &[&str] = &[
    "geometry",
    "point",
    "linestring",
    "polygon",
    "multipoint",
    "multilinestring",
    "multipolygon",
    "geometrycollection",
];

/// Whether a MySQL column type (`COLUMN_TYPE`, any case) is spatial.
pub fn mysql_is_spatial(full_type: &str) -> bool {
    let t = full_type.trim();
    MYSQL_SPATIAL.iter().any(|s| t.eq_ignore_ascii_case(s))
}

/// Whether `full_type` (trimmed, any case) is `name` or `name(...)`. Checked for every bound
/// cell of a push, so it compares in place instead of lowercasing a copy.
fn mysql_type_is(full_type: &str, name: &str) -> bool {
    let t = full_type.trim().as_bytes();
    let n = name.as_bytes();
    t.len() >= n.len()
        && t[..n.len()].eq_ignore_ascii_case(n)
        && (t.len() == n.len() || t[n.len()] == b'(')
}

/// Whether a MySQL column type (`COLUMN_TYPE`, any case) holds bytes.
pub fn mysql_is_binary(full_type: &str) -> bool {
    [
        "binary",
        "varbinary",
        "tinyblob",
        "blob",
        "mediumblob",
        "longblob",
    ]
    .iter()
    .any(|p| mysql_type_is(full_type, p))
}

/// Whether a MySQL column type is `BIT(n)`.
pub fn mysql_is_bit(full_type: &str) -> bool {
    mysql_type_is(full_type, "bit")
}

/// Whether a SQLite declared type gives the column BLOB storage, which sheetsync reads as bytes.
pub fn sqlite_is_binary(declared: &str) -> bool {
    declared.to_ascii_uppercase().contains("BLOB")
}

/// Maps a catalog column to the core's type, or refuses it with a sentence that names the
/// column and its type.
pub fn check_type(backend: Backend, c: &RawColumn) -> Result<SqlType, String> {
    let refuse = |why: &str| {
        Err(format!(
            "column {:?} has type {}, which cannot be synced: {why}",
            c.name, c.full_type
        ))
    };
    let ty = map_type(backend, c);
    // SQLite has no base64 to spell a byte key's text in a trigger.
    let byte_key = matches!(ty, SqlType::Binary { .. }) && backend == Backend::Sqlite;
    if c.primary_key && (byte_key || matches!(ty, SqlType::Bits { .. } | SqlType::Geometry)) {
        return refuse("a row's key must be a number, text, date or time");
    }
    Ok(ty)
}

/// Maps a catalog column to the core's type; anything unknown is text, which always
/// round-trips because every cell is read and written as text.
pub fn map_type(backend: Backend, c: &RawColumn) -> SqlType {
    let t = c.data_type.as_str();
    if c.json {
        return SqlType::Json;
    }
    let full = c.full_type.to_ascii_lowercase();
    let int = |bits: u8| SqlType::Int {
        bits,
        unsigned: full.contains("unsigned"),
    };
    let decimal = || match (c.precision, c.scale) {
        (Some(precision), scale) if precision > 0 => SqlType::Decimal {
            precision,
            scale: scale.unwrap_or(0),
        },
        _ => SqlType::Text { max_chars: None },
    };
    match backend {
        Backend::MySql => match t {
            _ if MYSQL_SPATIAL.contains(&t) => SqlType::Geometry,
            _ if mysql_is_binary(&full) => SqlType::Binary {
                max_bytes: c.max_bytes,
            },
            "bit" => SqlType::Bits {
                width: c.max_bytes.unwrap_or(1),
                varying: false,
            },
            "tinyint" if full.starts_with("tinyint(1)") => SqlType::Bool,
            "tinyint" => int(8),
            "smallint" | "year" => int(16),
            "mediumint" => int(24),
            "int" | "integer" => int(32),
            "bigint" => int(64),
            "decimal" | "numeric" => decimal(),
            "float" => SqlType::Float { bits: 32 },
            "double" | "real" => SqlType::Float { bits: 64 },
            "date" => SqlType::Date,
            "datetime" => SqlType::DateTime,
            "timestamp" => SqlType::Timestamp,
            "time" => SqlType::Time,
            "json" => SqlType::Json,
            "enum" => SqlType::Enum {
                values: c.enum_values.clone(),
            },
            _ => SqlType::Text {
                max_chars: c.max_chars,
            },
        },
        Backend::Postgres => match t {
            "int2" => int(16),
            "int4" => int(32),
            "int8" => int(64),
            "numeric" => decimal(),
            "float4" => SqlType::Float { bits: 32 },
            "float8" => SqlType::Float { bits: 64 },
            "bool" => SqlType::Bool,
            "date" => SqlType::Date,
            "timestamp" => SqlType::DateTime,
            "timestamptz" => SqlType::Timestamp,
            "time" => SqlType::Time,
            "json" | "jsonb" => SqlType::Json,
            "enum" => SqlType::Enum {
                values: c.enum_values.clone(),
            },
            "bytea" => SqlType::Binary { max_bytes: None },
            "bit" | "varbit" => SqlType::Bits {
                width: c.max_bytes.unwrap_or(u32::MAX),
                varying: t == "varbit",
            },
            _ => SqlType::Text {
                max_chars: c.max_chars,
            },
        },
        Backend::Sqlite => {
            if sqlite_is_binary(t) {
                SqlType::Binary { max_bytes: None }
            } else if t.starts_with("BOOL") {
                SqlType::Bool
            } else if t.contains("INT") {
                int(64)
            } else if t.starts_with("DECIMAL") || t.starts_with("NUMERIC") {
                decimal()
            } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
                SqlType::Float { bits: 64 }
            } else if t.starts_with("DATETIME") || t.starts_with("TIMESTAMP") {
                SqlType::DateTime
            } else if t == "DATE" {
                SqlType::Date
            } else if t == "TIME" {
                SqlType::Time
            } else if t == "JSON" {
                SqlType::Json
            } else {
                SqlType::Text {
                    max_chars: c.max_chars,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mysql_byte_bit_and_spatial_types_are_told_in_any_case_with_or_without_a_length() {
        for t in [
            "binary(16)",
            "VARBINARY(8)",
            " blob ",
            "LongBlob",
            "tinyblob",
        ] {
            assert!(mysql_is_binary(t), "{t}");
        }
        for t in [
            "varchar(8)",
            "binaryx",
            "blobs",
            "bi",
            "",
            "char(16) binary",
        ] {
            assert!(!mysql_is_binary(t), "{t}");
        }
        assert!(mysql_is_bit("BIT(3)") && mysql_is_bit("bit"));
        assert!(!mysql_is_bit("bigint") && !mysql_is_bit("bits"));
        assert!(mysql_is_spatial("POINT") && mysql_is_spatial(" geometry "));
        assert!(!mysql_is_spatial("points") && !mysql_is_spatial("int"));
    }

    #[test]
    fn mysql_enum_lists_keep_quotes_and_commas() {
        assert_eq!(
            parse_enum_list("enum('a','b''c','d,e')"),
            vec!["a", "b'c", "d,e"]
        );
    }

    #[test]
    fn sqlite_declared_lengths_and_precisions_are_read() {
        assert_eq!(sqlite_type_args("VARCHAR(20)"), (None, None, Some(20)));
        assert_eq!(
            sqlite_type_args("DECIMAL(10, 2)"),
            (Some(10), Some(2), None)
        );
        assert_eq!(sqlite_type_args("TEXT"), (None, None, None));
    }
}
