//! How each kind of column is read as text and written from a bound text parameter, per
//! backend. Bytes are read as hex (`HEX`, `encode(…, 'hex')`, `hex`) and written back through
//! `UNHEX`, `bytea`'s `\x` input or `unhex`, so no byte string is ever cast to a character set
//! (MySQL refuses that with "Invalid utf8mb4 character string" inside another application's
//! write). SQLite, being dynamically typed, is read through a JSON image of the whole row (see
//! [`sqlite_row_image`]), so a BLOB in any column and a REAL's every digit reach the server.

use sheetsync_core::calendar::span_text;
use sheetsync_core::value::{non_finite_text, SqlType, Value};

use super::{mysql_is_binary, mysql_is_bit, mysql_is_spatial, sqlite_is_binary};
use crate::db::Backend;

/// An expression giving column `col` (already qualified and quoted) as text in the form
/// [`super::cells`] reads.
pub fn read_expr(backend: Backend, col: &str, ty: &SqlType) -> String {
    match (backend, ty) {
        (Backend::MySql, SqlType::Binary { .. }) => format!("HEX({col})"),
        (Backend::MySql, SqlType::Bits { .. }) => format!("BIN({col})"),
        // ST_AsText writes each coordinate in its shortest exact form; the SRID goes in front.
        (Backend::MySql, SqlType::Geometry) => format!(
            "IF(ST_SRID({col}) = 0, ST_AsText({col}), \
             CONCAT('SRID=', ST_SRID({col}), ';', ST_AsText({col})))"
        ),
        // CONVERT_TZ gives NULL for the zero timestamp, which is a value, not NULL.
        (Backend::MySql, SqlType::Timestamp) => format!(
            "IF({col} = 0, '0000-00-00 00:00:00', \
             DATE_FORMAT(CONVERT_TZ({col}, @@session.time_zone, '+00:00'), '%Y-%m-%d %H:%i:%s.%f'))"
        ),
        (Backend::MySql, _) => format!("CAST({col} AS CHAR)"),
        (Backend::Postgres, SqlType::Binary { .. }) => format!("encode({col}, 'hex')"),
        (Backend::Postgres, SqlType::Timestamp) => format!(
            "CASE WHEN isfinite({col}) THEN \
             to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') \
             || CASE WHEN extract(year FROM {col} AT TIME ZONE 'UTC') < 0 THEN ' BC' ELSE '' END \
             ELSE ({col})::text END"
        ),
        (Backend::Postgres, _) => format!("({col})::text"),
        (Backend::Sqlite, _) => format!("CAST({col} AS TEXT)"),
    }
}

/// An expression giving key column `col` as the row's key text, which is the text of the key's
/// wire form, as clients compute it from the cell: bytes as base64 (without the line breaks
/// MySQL and PostgreSQL put every 76 characters), anything else as [`read_expr`] gives it.
/// SQLite may hold a BLOB in a key column of any other kind; it is logged as the BLOB itself,
/// which a text column keeps as bytes, so the log tells it apart from text with the same bytes
/// (a client can name neither it nor its row: a key from a client is always text).
pub fn key_expr(backend: Backend, col: &str, ty: &SqlType) -> String {
    match (backend, ty) {
        (Backend::Sqlite, _) => format!(
            "CASE typeof({col}) WHEN 'blob' THEN {col} ELSE {} END",
            read_expr(backend, col, ty)
        ),
        (Backend::MySql, SqlType::Binary { .. }) => {
            format!("REPLACE(TO_BASE64({col}), CHAR(10), '')")
        }
        (Backend::Postgres, SqlType::Binary { .. }) => {
            format!("replace(encode({col}, 'base64'), chr(10), '')")
        }
        _ => read_expr(backend, col, ty),
    }
}

/// A GLOB pattern that matches text holding any character outside ASCII 1–127.
const NON_ASCII: &str = "('*[^' || char(1) || '-' || char(127) || ']*')";

/// SQLite: one cell as JSON text. Bytes in a bytes column as a hex string; a BLOB in any other
/// column, and text beyond ASCII, as `{"hex": "…"}` (decided on by [`super::cells`]); a REAL with 17 significant
/// digits, which always read back as the same double; anything else as its text.
fn sqlite_cell(col: &str, ty: &SqlType) -> String {
    match ty {
        SqlType::Binary { .. } => {
            format!("CASE WHEN {col} IS NULL THEN 'null' ELSE '\"' || hex({col}) || '\"' END")
        }
        _ => {
            let real = if matches!(ty, SqlType::Float { .. }) {
                format!("WHEN 'real' THEN json_quote(printf('%!.17g', {col})) ")
            } else {
                String::new()
            };
            let bytes = format!("'{{\"hex\":\"' || hex({col}) || '\"}}'");
            // Text beyond ASCII goes as its bytes too: SQLite keeps whatever bytes a writer
            // bound as text, and invalid UTF-8 in the image would make it unreadable.
            format!(
                "CASE typeof({col}) WHEN 'null' THEN 'null' WHEN 'blob' THEN {bytes} {real}\
                 WHEN 'text' THEN CASE WHEN {col} GLOB {NON_ASCII} THEN {bytes} \
                 ELSE json_quote({col}) END \
                 ELSE json_quote(CAST({col} AS TEXT)) END"
            )
        }
    }
}

/// SQLite: the row as the text of a JSON array with one cell per column (see [`sqlite_cell`]),
/// built by concatenation so it is plain text whatever the cells hold. `prefix` qualifies
/// each column (`NEW.` in a trigger, empty in a query).
pub fn sqlite_row_image(prefix: &str, columns: &[(String, SqlType)]) -> String {
    let cells: Vec<String> = columns
        .iter()
        .map(|(quoted, ty)| sqlite_cell(&format!("{prefix}{quoted}"), ty))
        .collect();
    format!("('[' || {} || ']')", cells.join(" || ',' || "))
}

/// A placeholder for a text parameter written into a column of database type `db_type`.
pub fn param_expr(backend: Backend, n: usize, db_type: &str) -> String {
    match backend {
        // PostgreSQL does not convert text parameters implicitly; `bytea` reads `\x` hex.
        Backend::Postgres => format!("CAST(${n} AS {db_type})"),
        Backend::MySql if mysql_is_binary(db_type) => "UNHEX(?)".to_string(),
        // A string assigned to BIT is taken as its bytes, so the bits go through a number.
        Backend::MySql if mysql_is_bit(db_type) => "CAST(CONV(?, 2, 10) AS UNSIGNED)".to_string(),
        // `[SRID=<n>;]<WKT>`: the one parameter is named once and read twice. Text that is no
        // geometry makes ST_GeomFromText give NULL, which must not be stored: the empty bytes
        // in its place make MySQL refuse the row (error 1416).
        Backend::MySql if mysql_is_spatial(db_type) => "(SELECT IF(p.v IS NULL, NULL, \
             COALESCE(IF(p.v LIKE 'SRID=%', \
             ST_GeomFromText(SUBSTRING_INDEX(p.v, ';', -1), \
             CAST(SUBSTRING_INDEX(SUBSTRING(p.v, 6), ';', 1) AS UNSIGNED)), \
             ST_GeomFromText(p.v)), x'')) FROM (SELECT ? AS v) p)"
            .to_string(),
        Backend::Sqlite if sqlite_is_binary(db_type) => "unhex(?)".to_string(),
        Backend::MySql | Backend::Sqlite => "?".to_string(),
    }
}

/// The text a value of one of the kinds with backend-specific spellings is bound as, or
/// `None` to bind its wire text.
pub fn param_special(backend: Backend, value: &Value) -> Option<String> {
    Some(match value {
        Value::Binary(b) => match backend {
            Backend::Postgres => format!("\\x{}", hex::encode(b)),
            Backend::MySql | Backend::Sqlite => hex::encode(b),
        },
        Value::Float(x) if !x.is_finite() => match (backend, x.is_nan()) {
            // SQLite reads an overflowing literal as an infinite REAL; it has no NaN.
            (Backend::Sqlite, false) if *x > 0.0 => "9e999".to_string(),
            (Backend::Sqlite, false) => "-9e999".to_string(),
            _ => non_finite_text(*x).to_string(),
        },
        Value::TimeSpan(n) => span_text(*n),
        Value::OffCalendar(o) => o.as_str().to_string(),
        Value::Date(_) | Value::DateTime(_) if backend == Backend::Postgres => {
            postgres_era(value.to_wire().as_str()?)
        }
        Value::Timestamp(_) if backend == Backend::Postgres => {
            let wire = value.to_wire();
            let utc = wire.as_str()?.trim_end_matches('Z').replacen('T', " ", 1);
            postgres_era(&format!("{utc}+00"))
        }
        _ => return None,
    })
}

/// PostgreSQL reads years before 1 as `YYYY-… BC` and later years without a sign; the wire
/// form numbers years astronomically (year 0 is 1 BC) and signs those outside 0000–9999.
fn postgres_era(wire: &str) -> String {
    let (negative, unsigned) = match wire.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, wire.strip_prefix('+').unwrap_or(wire)),
    };
    let Some((year, rest)) = unsigned.split_once('-') else {
        return wire.to_string();
    };
    match year.parse::<i64>() {
        Ok(y) if negative || y == 0 => {
            let astronomical = if negative { -y } else { 0 };
            format!("{:04}-{rest} BC", 1 - astronomical)
        }
        _ => unsigned.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sheetsync_core::value::SqlType;

    #[test]
    fn postgres_gets_bc_years_and_unsigned_wide_years() {
        for (wire, bound) in [
            ("-0043-03-15", "0044-03-15 BC"),
            ("0000-01-01", "0001-01-01 BC"),
            ("+10000-01-01", "10000-01-01"),
            ("2024-02-29", "2024-02-29"),
        ] {
            let v = Value::from_wire(&SqlType::Date, &serde_json::json!(wire)).unwrap();
            assert_eq!(param_special(Backend::Postgres, &v).as_deref(), Some(bound));
        }
    }
}
