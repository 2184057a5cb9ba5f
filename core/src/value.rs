//! The database-side value model and its JSON wire form.
//!
//! A [`Value`] is what one SQL column holds for one row, already checked against the column's
//! [`SqlType`]. On the wire a value is plain JSON whose meaning comes from the column type, so
//! rows travel as compact arrays: integers and floats as numbers, exact decimals, dates, times
//! and JSON documents as strings (never through a lossy double), booleans as booleans, NULL as
//! `null`. Decoding is schema-directed and is the one place untrusted cell data is validated.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::bytes::{canonical_bits, from_base64, to_base64};
use crate::calendar::{
    date_text, datetime_text, parse_span, parse_wide_date, span_text, time_of_span, time_text,
    OffCalendar,
};

/// Integers whose magnitude exceeds this travel as strings, because JavaScript numbers (and
/// sheet cells) hold integers exactly only up to 2^53.
pub const MAX_SAFE_INTEGER: i128 = (1i128 << 53) - 1;

/// The SQL type of a column, as the server read it from the database catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SqlType {
    /// A whole number of `bits` bits (8, 16, 24, 32 or 64), signed or not.
    Int {
        /// Storage width in bits.
        bits: u8,
        /// Whether negative values are refused and the range doubles.
        unsigned: bool,
    },
    /// An exact decimal with `precision` digits in all, `scale` of them after the point.
    Decimal {
        /// Total number of significant digits.
        precision: u8,
        /// Digits after the decimal point.
        scale: u8,
    },
    /// A binary floating-point number (32 or 64 bits).
    Float {
        /// Storage width in bits.
        bits: u8,
    },
    /// A boolean (`BOOLEAN`, MySQL `TINYINT(1)`).
    Bool,
    /// Text, optionally limited to `max_chars` characters.
    Text {
        /// The column's length limit in characters, if it has one.
        max_chars: Option<u32>,
    },
    /// A calendar date.
    Date,
    /// A wall-clock date and time with no zone (`DATETIME`, `timestamp without time zone`).
    DateTime,
    /// An instant (`TIMESTAMP` in MySQL, `timestamptz`); travels as UTC.
    Timestamp,
    /// A time of day.
    Time,
    /// A JSON document.
    Json,
    /// One of a fixed list of strings.
    Enum {
        /// The allowed values, in declaration order.
        values: Vec<String>,
    },
    /// Bytes (`BINARY`, `VARBINARY`, `BLOB`, `bytea`); travels as base64 (see [`crate::bytes`]).
    Binary {
        /// The column's length limit in bytes, if it has one.
        max_bytes: Option<u32>,
    },
    /// A string of bits (`BIT(n)`, `bit varying(n)`); travels as text of `0` and `1`.
    Bits {
        /// The number of bits (the most a varying column holds).
        width: u32,
        /// Whether values may be shorter than `width`.
        #[serde(default)]
        varying: bool,
    },
    /// A spatial value (MySQL's `GEOMETRY`, `POINT`, …) as text: well-known text (WKT),
    /// prefixed `SRID=<n>;` when its spatial reference system is not 0 (`SRID=4326;POINT(1 2)`).
    /// The database checks it; the core keeps it as text.
    Geometry,
}

/// One checked column value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// SQL NULL, distinct from an empty string.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (wide enough for `BIGINT UNSIGNED`).
    Int(i128),
    /// An exact decimal in canonical text form for its column: optional `-`, no leading zeros,
    /// exactly `scale` fraction digits (e.g. `"-12.50"` for `DECIMAL(8,2)`).
    Decimal(String),
    /// A float.
    Float(f64),
    /// Text (also enum values), kept byte for byte, leading zeros and all.
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// A wall-clock date and time.
    DateTime(NaiveDateTime),
    /// An instant, as its UTC wall clock.
    Timestamp(NaiveDateTime),
    /// A time of day.
    Time(NaiveTime),
    /// A JSON document in canonical compact form (object keys sorted).
    Json(String),
    /// Bytes.
    Binary(Vec<u8>),
    /// Bits, as the canonical string of `0` and `1` for the column.
    Bits(String),
    /// A time outside one day (`838:59:59`, `-01:00:00`, `24:00:00`), in signed nanoseconds;
    /// times within `00:00:00`..`24:00:00` are always [`Value::Time`].
    TimeSpan(i64),
    /// A date, date-time or timestamp that is no day of the calendar (`infinity`, the zero date).
    OffCalendar(OffCalendar),
}

/// Why a value does not fit its column. The message names what was wrong; callers add where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
pub enum ValueError {
    /// NULL (or an empty cell) in a NOT NULL column.
    NullNotAllowed,
    /// The value is of the wrong kind for the column (text in an INT column, say).
    WrongType(String),
    /// A number outside the column's range.
    OutOfRange(String),
    /// A decimal with more digits than `DECIMAL(p,s)` holds.
    TooManyDigits(String),
    /// Text longer than the column allows.
    TooLong(String),
    /// A string that is not one of the enum's values.
    NotInEnum(String),
    /// A date, datetime or time that does not parse or does not exist.
    BadDate(String),
    /// Text that is not a JSON document.
    BadJson(String),
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueError::NullNotAllowed => {
                f.write_str("a value is required (the column is NOT NULL)")
            }
            ValueError::WrongType(m)
            | ValueError::OutOfRange(m)
            | ValueError::TooManyDigits(m)
            | ValueError::TooLong(m)
            | ValueError::NotInEnum(m)
            | ValueError::BadDate(m)
            | ValueError::BadJson(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ValueError {}

const DATE_FMT: &str = "%Y-%m-%d";
const DATETIME_FMT: &str = "%Y-%m-%d %H:%M:%S%.f";
const TIME_FMT: &str = "%H:%M:%S%.f";

impl Value {
    /// The JSON wire form of this value (see the module guide).
    pub fn to_wire(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) if i.abs() <= MAX_SAFE_INTEGER => J::from(*i as i64),
            Value::Int(i) => J::String(i.to_string()),
            Value::Float(x) => match serde_json::Number::from_f64(*x) {
                Some(n) => J::Number(n),
                None => J::String(non_finite_text(*x).to_string()),
            },
            Value::Decimal(s) | Value::Text(s) | Value::Json(s) | Value::Bits(s) => {
                J::String(s.clone())
            }
            Value::Binary(b) => J::String(to_base64(b)),
            Value::Date(d) => J::String(date_text(*d)),
            Value::DateTime(d) => J::String(datetime_text(*d, ' ')),
            Value::Timestamp(d) => J::String(format!("{}Z", datetime_text(*d, 'T'))),
            Value::Time(t) => J::String(time_text(*t)),
            Value::TimeSpan(n) => J::String(span_text(*n)),
            Value::OffCalendar(o) => J::String(o.as_str().to_string()),
        }
    }

    /// Decodes and checks a wire value for a column of type `ty`. NULL decodes to
    /// [`Value::Null`]; whether the column accepts it is the schema's concern.
    pub fn from_wire(ty: &SqlType, json: &serde_json::Value) -> Result<Value, ValueError> {
        use serde_json::Value as J;
        if json.is_null() {
            return Ok(Value::Null);
        }
        match ty {
            SqlType::Int { bits, unsigned } => {
                let n = match json {
                    J::Number(n) => number_to_int(n)?,
                    J::String(s) => parse_int(s)?,
                    J::Bool(b) => i128::from(*b),
                    other => return Err(wrong("a whole number", other)),
                };
                check_int_range(n, *bits, *unsigned)?;
                Ok(Value::Int(n))
            }
            SqlType::Decimal { precision, scale } => {
                let text = match json {
                    J::Number(n) => n.to_string(),
                    J::String(s) => s.trim().to_string(),
                    other => return Err(wrong("a decimal number", other)),
                };
                canonical_decimal(&text, *precision, *scale).map(Value::Decimal)
            }
            SqlType::Float { .. } => match json {
                J::Number(n) => n
                    .as_f64()
                    .map(Value::Float)
                    .ok_or_else(|| ValueError::WrongType(format!("{n} is not a number"))),
                J::String(s) => parse_float(s).map(Value::Float),
                other => Err(wrong("a number", other)),
            },
            SqlType::Bool => match json {
                J::Bool(b) => Ok(Value::Bool(*b)),
                J::Number(n) if n.as_i64() == Some(0) => Ok(Value::Bool(false)),
                J::Number(n) if n.as_i64() == Some(1) => Ok(Value::Bool(true)),
                J::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" => Ok(Value::Bool(true)),
                    "false" | "0" => Ok(Value::Bool(false)),
                    _ => Err(ValueError::WrongType(format!("{s:?} is not TRUE or FALSE"))),
                },
                other => Err(wrong("TRUE or FALSE", other)),
            },
            SqlType::Geometry => geometry_text(expect_str(json, "well-known text")?),
            SqlType::Text { max_chars } => {
                let s = scalar_text(json)?;
                check_length(&s, *max_chars)?;
                Ok(Value::Text(s))
            }
            SqlType::Enum { values } => {
                let s = scalar_text(json)?;
                if values.iter().any(|v| v == &s) {
                    Ok(Value::Text(s))
                } else {
                    Err(ValueError::NotInEnum(format!(
                        "{s:?} is not one of {}",
                        values
                            .iter()
                            .map(|v| format!("{v:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
            }
            SqlType::Date => date_value(expect_str(json, "a date")?),
            SqlType::DateTime => {
                datetime_value(expect_str(json, "a date and time")?, Value::DateTime)
            }
            SqlType::Timestamp => {
                datetime_value(expect_str(json, "a date and time")?, Value::Timestamp)
            }
            SqlType::Time => time_value(expect_str(json, "a time")?),
            SqlType::Binary { max_bytes } => {
                from_base64(expect_str(json, "base64 text")?, *max_bytes).map(Value::Binary)
            }
            SqlType::Bits { width, varying } => {
                canonical_bits(&scalar_text(json)?, *width, *varying).map(Value::Bits)
            }
            SqlType::Json => {
                let doc: serde_json::Value = match json {
                    J::String(s) => serde_json::from_str(s)
                        .map_err(|e| ValueError::BadJson(format!("not a JSON document: {e}")))?,
                    other => other.clone(),
                };
                Ok(Value::Json(doc.to_string()))
            }
        }
    }
}

/// A geometry's text, checked only as far as its `SRID=<n>;` prefix (the database reads the
/// rest).
pub fn geometry_text(s: &str) -> Result<Value, ValueError> {
    if let Some(rest) = s.trim_start().strip_prefix("SRID=") {
        let srid = rest.split_once(';').map(|(n, _)| n);
        if !srid.is_some_and(|n| {
            !n.is_empty() && n.len() <= 10 && n.bytes().all(|b| b.is_ascii_digit())
        }) {
            return Err(ValueError::WrongType(format!(
                "{s:?} is not SRID=<number>;<well-known text>"
            )));
        }
    }
    Ok(Value::Text(s.to_string()))
}

/// The wire text of a float that JSON numbers cannot carry.
pub fn non_finite_text(x: f64) -> &'static str {
    if x.is_nan() {
        "NaN"
    } else if x > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

/// Reads a float from text: decimal notation, or `NaN`, `Infinity`, `-Infinity` (any case,
/// also `inf`).
pub fn parse_float(s: &str) -> Result<f64, ValueError> {
    s.trim()
        .parse::<f64>()
        .map_err(|_| ValueError::WrongType(format!("{s:?} is not a number")))
}

/// A date column's value from its text: a date (any year), `infinity`, `-infinity` or the
/// zero date.
pub fn date_value(s: &str) -> Result<Value, ValueError> {
    match parse_date(s) {
        Ok(d) => Ok(Value::Date(d)),
        Err(e) => OffCalendar::parse(s, false)
            .map(Value::OffCalendar)
            .ok_or(e),
    }
}

/// A date-and-time column's value from its text (see [`date_value`]).
pub fn datetime_value(s: &str, make: fn(NaiveDateTime) -> Value) -> Result<Value, ValueError> {
    match parse_datetime(s) {
        Ok(d) => Ok(make(d)),
        Err(e) => OffCalendar::parse(s, true).map(Value::OffCalendar).ok_or(e),
    }
}

/// A time column's value from its text: a time of day, or a span beyond one day.
pub fn time_value(s: &str) -> Result<Value, ValueError> {
    match parse_time(s) {
        Ok(t) => Ok(Value::Time(t)),
        Err(e) => {
            let nanos = parse_span(s).ok_or(e)?;
            Ok(time_of_span(nanos).map_or(Value::TimeSpan(nanos), Value::Time))
        }
    }
}

fn wrong(expected: &str, got: &serde_json::Value) -> ValueError {
    let shown = got.to_string();
    let shown = if shown.chars().count() > 40 {
        format!("{}…", shown.chars().take(40).collect::<String>())
    } else {
        shown
    };
    ValueError::WrongType(format!("expected {expected}, got {shown}"))
}

fn expect_str<'a>(json: &'a serde_json::Value, expected: &str) -> Result<&'a str, ValueError> {
    json.as_str().ok_or_else(|| wrong(expected, json))
}

fn scalar_text(json: &serde_json::Value) -> Result<String, ValueError> {
    match json {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(if *b { "TRUE" } else { "FALSE" }.to_string()),
        other => Err(wrong("text", other)),
    }
}

fn number_to_int(n: &serde_json::Number) -> Result<i128, ValueError> {
    if let Some(i) = n.as_i64() {
        return Ok(i128::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Ok(i128::from(u));
    }
    let x = n.as_f64().unwrap_or(f64::NAN);
    if x.fract() == 0.0 && x.abs() <= MAX_SAFE_INTEGER as f64 {
        Ok(x as i128)
    } else {
        Err(ValueError::WrongType(format!("{n} is not a whole number")))
    }
}

fn parse_int(s: &str) -> Result<i128, ValueError> {
    let t = s.trim();
    t.parse::<i128>()
        .map_err(|_| ValueError::WrongType(format!("{s:?} is not a whole number")))
}

/// Checks `n` against the range of an integer column of `bits` bits.
pub fn check_int_range(n: i128, bits: u8, unsigned: bool) -> Result<(), ValueError> {
    let bits = u32::from(bits.clamp(8, 64));
    let (lo, hi) = if unsigned {
        (0, (1i128 << bits) - 1)
    } else {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    };
    if n < lo || n > hi {
        return Err(ValueError::OutOfRange(format!(
            "{n} is outside the column's range {lo}..={hi}"
        )));
    }
    Ok(())
}

fn check_length(s: &str, max_chars: Option<u32>) -> Result<(), ValueError> {
    if let Some(max) = max_chars {
        let len = s.chars().count();
        if len > max as usize {
            return Err(ValueError::TooLong(format!(
                "{len} characters, the column holds at most {max}"
            )));
        }
    }
    Ok(())
}

/// Brings decimal text (`"12.5"`, `"-0.125"`, `"1e3"`) to the canonical form for
/// `DECIMAL(precision, scale)`, refusing values that need more digits than the column holds.
/// Works on the digits themselves, so no precision is ever lost to a double.
pub fn canonical_decimal(text: &str, precision: u8, scale: u8) -> Result<String, ValueError> {
    let bad = || ValueError::WrongType(format!("{text:?} is not a decimal number"));
    let t = text.trim();
    // PostgreSQL's numeric holds these; a database without them refuses them on write.
    if let Some(special) = ["NaN", "Infinity", "-Infinity"]
        .into_iter()
        .find(|s| t.eq_ignore_ascii_case(s))
    {
        return Ok(special.to_string());
    }
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i32>().map_err(|_| bad())?),
        None => (t, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty()
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
        || exponent.unsigned_abs() > 400
    {
        return Err(bad());
    }
    // All digits with the decimal point `point` places from the left.
    let mut digits: Vec<u8> = int_part.bytes().chain(frac_part.bytes()).collect();
    let mut point = int_part.len() as i64 + i64::from(exponent);
    while point <= 0 {
        digits.insert(0, b'0');
        point += 1;
    }
    while (digits.len() as i64) < point {
        digits.push(b'0');
    }
    let point = point as usize;
    let (whole, frac) = digits.split_at(point);
    let scale = usize::from(scale);
    if frac.len() > scale && frac[scale..].iter().any(|&d| d != b'0') {
        return Err(ValueError::TooManyDigits(format!(
            "{text} has more than {scale} digits after the point"
        )));
    }
    let whole: String = {
        let w = String::from_utf8_lossy(whole);
        let w = w.trim_start_matches('0');
        if w.is_empty() { "0" } else { w }.to_string()
    };
    let mut frac: String = String::from_utf8_lossy(&frac[..frac.len().min(scale)]).into_owned();
    while frac.len() < scale {
        frac.push('0');
    }
    let int_digits = if whole == "0" { 0 } else { whole.len() };
    if int_digits + scale > usize::from(precision) {
        return Err(ValueError::TooManyDigits(format!(
            "{text} needs {} digits before the point, DECIMAL({precision},{scale}) holds {}",
            int_digits,
            usize::from(precision).saturating_sub(scale)
        )));
    }
    let is_zero = whole == "0" && frac.bytes().all(|b| b == b'0');
    let sign = if negative && !is_zero { "-" } else { "" };
    Ok(if scale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    })
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, ValueError> {
    NaiveDate::parse_from_str(s.trim(), DATE_FMT)
        .ok()
        .or_else(|| parse_wide_date(s))
        .ok_or_else(|| ValueError::BadDate(format!("{s:?} is not a date (YYYY-MM-DD)")))
}

/// Parses `YYYY-MM-DD HH:MM:SS[.fff]`, also with a `T` separator and a trailing `Z`.
pub fn parse_datetime(s: &str) -> Result<NaiveDateTime, ValueError> {
    let t = s.trim().trim_end_matches('Z').replacen('T', " ", 1);
    NaiveDateTime::parse_from_str(&t, DATETIME_FMT)
        .or_else(|_| NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M"))
        .or_else(|_| parse_date(&t).map(|d| d.and_time(NaiveTime::MIN)))
        .or_else(|_| wide_datetime(&t).ok_or(()))
        .map_err(|_| {
            ValueError::BadDate(format!(
                "{s:?} is not a date and time (YYYY-MM-DD HH:MM:SS)"
            ))
        })
}

/// `<wide date> HH:MM[:SS[.fff]]`, for years outside 0000–9999.
fn wide_datetime(t: &str) -> Option<NaiveDateTime> {
    let (date, time) = t.split_once(' ')?;
    Some(parse_wide_date(date)?.and_time(parse_time(time).ok()?))
}

/// Parses `HH:MM[:SS[.fff]]`.
pub fn parse_time(s: &str) -> Result<NaiveTime, ValueError> {
    let t = s.trim();
    NaiveTime::parse_from_str(t, TIME_FMT)
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
        .map_err(|_| ValueError::BadDate(format!("{s:?} is not a time (HH:MM:SS)")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dec(p: u8, s: u8) -> SqlType {
        SqlType::Decimal {
            precision: p,
            scale: s,
        }
    }

    #[test]
    fn decimals_keep_every_digit_without_a_double() {
        let v = Value::from_wire(&dec(30, 10), &json!("12345678901234567890.0123456789")).unwrap();
        assert_eq!(v, Value::Decimal("12345678901234567890.0123456789".into()));
    }

    #[test]
    fn decimals_are_padded_to_the_column_scale() {
        assert_eq!(canonical_decimal("12.5", 8, 2).unwrap(), "12.50");
        assert_eq!(canonical_decimal("-0.00", 8, 2).unwrap(), "0.00");
        assert_eq!(canonical_decimal("1e3", 8, 0).unwrap(), "1000");
        assert_eq!(canonical_decimal("007.10", 8, 2).unwrap(), "7.10");
    }

    #[test]
    fn a_decimal_with_more_digits_than_the_column_holds_is_refused() {
        assert!(matches!(
            canonical_decimal("1.234", 8, 2),
            Err(ValueError::TooManyDigits(_))
        ));
        assert!(matches!(
            canonical_decimal("1234567", 8, 2),
            Err(ValueError::TooManyDigits(_))
        ));
    }

    #[test]
    fn text_in_an_int_column_is_refused_with_a_reason() {
        let err = Value::from_wire(
            &SqlType::Int {
                bits: 32,
                unsigned: false,
            },
            &json!("abc"),
        );
        assert_eq!(
            err.unwrap_err().to_string(),
            "\"abc\" is not a whole number"
        );
    }

    #[test]
    fn integers_out_of_range_are_refused() {
        let ty = SqlType::Int {
            bits: 8,
            unsigned: true,
        };
        assert!(Value::from_wire(&ty, &json!(255)).is_ok());
        assert!(matches!(
            Value::from_wire(&ty, &json!(256)),
            Err(ValueError::OutOfRange(_))
        ));
        assert!(matches!(
            Value::from_wire(&ty, &json!(-1)),
            Err(ValueError::OutOfRange(_))
        ));
    }

    #[test]
    fn big_integers_travel_as_strings() {
        let ty = SqlType::Int {
            bits: 64,
            unsigned: true,
        };
        let v = Value::from_wire(&ty, &json!("18446744073709551615")).unwrap();
        assert_eq!(v.to_wire(), json!("18446744073709551615"));
        assert_eq!(Value::Int(42).to_wire(), json!(42));
    }

    #[test]
    fn enum_values_outside_the_list_are_refused() {
        let ty = SqlType::Enum {
            values: vec!["red".into(), "green".into()],
        };
        assert!(Value::from_wire(&ty, &json!("red")).is_ok());
        assert!(matches!(
            Value::from_wire(&ty, &json!("blue")),
            Err(ValueError::NotInEnum(_))
        ));
    }

    #[test]
    fn text_longer_than_the_column_is_refused() {
        let ty = SqlType::Text { max_chars: Some(3) };
        assert!(Value::from_wire(&ty, &json!("héé")).is_ok());
        assert!(matches!(
            Value::from_wire(&ty, &json!("four")),
            Err(ValueError::TooLong(_))
        ));
    }

    #[test]
    fn dates_times_and_json_round_trip_through_the_wire_form() {
        for (ty, text) in [
            (SqlType::Date, json!("2024-02-29")),
            (SqlType::DateTime, json!("2024-02-29 13:45:00")),
            (SqlType::Time, json!("08:30:15")),
            (SqlType::Json, json!("{\"a\":1,\"b\":[true]}")),
        ] {
            let v = Value::from_wire(&ty, &text).unwrap();
            assert_eq!(v.to_wire(), text, "{ty:?}");
        }
        assert!(matches!(
            Value::from_wire(&SqlType::Date, &json!("2023-02-29")),
            Err(ValueError::BadDate(_))
        ));
    }
}
