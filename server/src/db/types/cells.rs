//! From the text a database gave for one cell to the cell's wire form.
//!
//! The read expressions of [`super::sql`] give bytes as hex, PostgreSQL gives years before 1
//! as `… BC`, and SQLite may give a BLOB where the column's type says otherwise. A BLOB in a
//! column of another kind is served as its text when it is valid UTF-8, and otherwise in the
//! documented degraded form `{"base64": "…"}`: the value is kept whole and visible, and a
//! client that sends it back is refused for that column alone.

use serde_json::{json, Value as J};
use sheetsync_core::bytes::to_base64;
use sheetsync_core::schema::ColumnSchema;
use sheetsync_core::value::{SqlType, Value};

/// The wire form of one cell's database text; text the decoder refuses is passed through.
pub fn to_wire(col: &ColumnSchema, cell: J) -> J {
    match cell {
        J::Null => J::Null,
        J::Object(map) => match map.get("hex").and_then(J::as_str).map(hex::decode) {
            Some(Ok(bytes)) => blob_to_wire(col, bytes),
            _ => J::Object(map),
        },
        J::String(text) => text_to_wire(col, text),
        other => other,
    }
}

/// Whether a wire cell is in the degraded form: no kind's wire form is an object.
pub fn is_degraded(cell: &J) -> bool {
    matches!(cell, J::Object(map) if map.contains_key("base64"))
}

/// How many of `cells` are in the degraded form.
pub fn degraded_in(cells: &[J]) -> u64 {
    cells.iter().filter(|c| is_degraded(c)).count() as u64
}

/// A BLOB that SQLite holds in a column of any kind.
fn blob_to_wire(col: &ColumnSchema, bytes: Vec<u8>) -> J {
    if let SqlType::Binary { .. } = col.sql_type {
        return J::String(to_base64(&bytes));
    }
    match String::from_utf8(bytes) {
        Ok(text) => text_to_wire(col, text),
        Err(e) => {
            tracing::warn!(column = %col.name, bytes = e.as_bytes().len(), "a cell holds bytes its column's kind cannot carry; served as {{\"base64\": …}}");
            json!({ "base64": to_base64(e.as_bytes()) })
        }
    }
}

fn text_to_wire(col: &ColumnSchema, text: String) -> J {
    let decoded = match &col.sql_type {
        SqlType::Binary { .. } => match hex::decode(text.trim()) {
            Ok(bytes) => Ok(Value::Binary(bytes)),
            Err(_) => return J::String(text),
        },
        SqlType::Date | SqlType::DateTime | SqlType::Timestamp => {
            Value::from_wire(&col.sql_type, &J::String(astronomical_year(&text)))
        }
        ty => Value::from_wire(ty, &J::String(text.clone())),
    };
    match decoded {
        Ok(v) => v.to_wire(),
        Err(_) => J::String(text),
    }
}

/// PostgreSQL's `0044-03-15 BC` as the wire form's astronomical `-0043-03-15`.
fn astronomical_year(text: &str) -> String {
    let Some(rest) = text.strip_suffix(" BC") else {
        return text.to_string();
    };
    let Some((year, tail)) = rest.split_once('-') else {
        return text.to_string();
    };
    match year.parse::<i64>() {
        Ok(y) if y >= 1 => match 1 - y {
            0 => format!("0000-{tail}"),
            a => format!("-{:04}-{tail}", -a),
        },
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(sql_type: SqlType) -> ColumnSchema {
        ColumnSchema {
            name: "c".into(),
            sql_type,
            nullable: true,
            primary_key: false,
            generated: false,
            has_default: false,
        }
    }

    #[test]
    fn bytes_arrive_as_hex_and_leave_as_base64() {
        let c = col(SqlType::Binary { max_bytes: None });
        assert_eq!(to_wire(&c, json!("FF00")), json!("/wA="));
        assert_eq!(to_wire(&c, json!("")), json!(""));
    }

    #[test]
    fn a_blob_in_a_text_column_is_its_text_or_the_degraded_form() {
        let c = col(SqlType::Text { max_chars: None });
        assert_eq!(to_wire(&c, json!({"hex": "6869"})), json!("hi"));
        assert_eq!(to_wire(&c, json!({"hex": "FF"})), json!({"base64": "/w=="}));
        assert!(is_degraded(&to_wire(&c, json!({"hex": "FF"}))));
        assert!(!is_degraded(&to_wire(&c, json!({"hex": "6869"}))));
    }

    #[test]
    fn bc_dates_get_astronomical_years() {
        let c = col(SqlType::Date);
        assert_eq!(to_wire(&c, json!("0044-03-15 BC")), json!("-0043-03-15"));
        assert_eq!(to_wire(&c, json!("0001-01-01 BC")), json!("0000-01-01"));
        let t = col(SqlType::Timestamp);
        assert_eq!(
            to_wire(&t, json!("0044-03-15 12:00:00.000000 BC")),
            json!("-0043-03-15T12:00:00Z")
        );
    }
}
