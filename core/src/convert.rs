//! Conversion between sheet cells and column values, in the spreadsheet's time zone.
//!
//! The one rule behind every case: a value written into the sheet and read back gives the
//! same value, so an untouched row never looks edited. Where a value cannot survive a cell
//! exactly (integers beyond 2^53, decimals a double would round) it travels as text.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

use crate::bytes::{canonical_bits, from_base64, to_base64};
use crate::calendar::{time_text, OffCalendar};
use crate::decimal::{decimal_of_number, decimal_of_text};
use crate::diff::ColumnMap;
use crate::schema::{CellError, ColumnSchema, TableSchema};
use crate::sheet::{CellRef, SheetCell};
use crate::value::{
    canonical_decimal, check_int_range, date_value, datetime_value, geometry_text, non_finite_text,
    parse_float, time_value, SqlType, Value, ValueError, MAX_SAFE_INTEGER,
};
use crate::zone::ZoneOffsets;

/// A column value that borrows text from the cell it was read from, so reading a sheet does
/// not allocate for every text cell. It is [`Value`] in all but ownership.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Canon<'a> {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Decimal(Cow<'a, str>),
    Text(Cow<'a, str>),
    Json(Cow<'a, str>),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Timestamp(NaiveDateTime),
    Time(NaiveTime),
    Binary(Cow<'a, [u8]>),
    Bits(Cow<'a, str>),
    TimeSpan(i64),
    OffCalendar(OffCalendar),
}

impl<'a> Canon<'a> {
    pub(crate) fn of(value: &'a Value) -> Canon<'a> {
        match value {
            Value::Null => Canon::Null,
            Value::Bool(b) => Canon::Bool(*b),
            Value::Int(i) => Canon::Int(*i),
            Value::Float(x) => Canon::Float(*x),
            Value::Decimal(s) => Canon::Decimal(Cow::Borrowed(s)),
            Value::Text(s) => Canon::Text(Cow::Borrowed(s)),
            Value::Json(s) => Canon::Json(Cow::Borrowed(s)),
            Value::Date(d) => Canon::Date(*d),
            Value::DateTime(d) => Canon::DateTime(*d),
            Value::Timestamp(d) => Canon::Timestamp(*d),
            Value::Time(t) => Canon::Time(*t),
            Value::Binary(b) => Canon::Binary(Cow::Borrowed(b)),
            Value::Bits(s) => Canon::Bits(Cow::Borrowed(s)),
            Value::TimeSpan(n) => Canon::TimeSpan(*n),
            Value::OffCalendar(o) => Canon::OffCalendar(*o),
        }
    }

    /// The same value with nothing borrowed.
    pub(crate) fn into_static(self) -> Canon<'static> {
        match self {
            Canon::Decimal(s) => Canon::Decimal(Cow::Owned(s.into_owned())),
            Canon::Text(s) => Canon::Text(Cow::Owned(s.into_owned())),
            Canon::Json(s) => Canon::Json(Cow::Owned(s.into_owned())),
            Canon::Bits(s) => Canon::Bits(Cow::Owned(s.into_owned())),
            Canon::Binary(b) => Canon::Binary(Cow::Owned(b.into_owned())),
            Canon::Null => Canon::Null,
            Canon::Bool(b) => Canon::Bool(b),
            Canon::Int(i) => Canon::Int(i),
            Canon::Float(x) => Canon::Float(x),
            Canon::Date(d) => Canon::Date(d),
            Canon::DateTime(d) => Canon::DateTime(d),
            Canon::Timestamp(d) => Canon::Timestamp(d),
            Canon::Time(t) => Canon::Time(t),
            Canon::TimeSpan(n) => Canon::TimeSpan(n),
            Canon::OffCalendar(o) => Canon::OffCalendar(o),
        }
    }

    pub(crate) fn into_value(self) -> Value {
        match self {
            Canon::Null => Value::Null,
            Canon::Bool(b) => Value::Bool(b),
            Canon::Int(i) => Value::Int(i),
            Canon::Float(x) => Value::Float(x),
            Canon::Decimal(s) => Value::Decimal(s.into_owned()),
            Canon::Text(s) => Value::Text(s.into_owned()),
            Canon::Json(s) => Value::Json(s.into_owned()),
            Canon::Date(d) => Value::Date(d),
            Canon::DateTime(d) => Value::DateTime(d),
            Canon::Timestamp(d) => Value::Timestamp(d),
            Canon::Time(t) => Value::Time(t),
            Canon::Binary(b) => Value::Binary(b.into_owned()),
            Canon::Bits(s) => Value::Bits(s.into_owned()),
            Canon::TimeSpan(n) => Value::TimeSpan(n),
            Canon::OffCalendar(o) => Value::OffCalendar(o),
        }
    }
}

impl CellRef<'_> {
    /// The column value this cell holds, read in the spreadsheet's time zone `tz`.
    pub fn to_value(self, column: &ColumnSchema, tz: &ZoneOffsets) -> Result<Value, CellError> {
        read_cell(column, self, tz)
            .map(Canon::into_value)
            .map_err(|error| CellError {
                column: column.name.clone(),
                error,
            })
    }
}

impl SheetCell {
    /// The column value this cell holds, read in the spreadsheet's time zone `tz`.
    pub fn to_value(&self, column: &ColumnSchema, tz: &ZoneOffsets) -> Result<Value, CellError> {
        self.view().to_value(column, tz)
    }

    /// The cell that shows `value` of `column` in a sheet whose time zone is `tz`.
    pub fn from_value(value: &Value, column: &ColumnSchema, tz: &ZoneOffsets) -> SheetCell {
        write_cell(column, value, tz)
    }
}

pub(crate) fn read_cell<'a>(
    column: &ColumnSchema,
    cell: CellRef<'a>,
    tz: &ZoneOffsets,
) -> Result<Canon<'a>, ValueError> {
    if cell.is_empty() {
        return match &column.sql_type {
            // Where NULL is not allowed, an empty cell is the empty value the column holds.
            SqlType::Text { .. } if !column.nullable => Ok(Canon::Text(Cow::Borrowed(""))),
            SqlType::Binary { .. } if !column.nullable => Ok(Canon::Binary(Cow::Borrowed(&[]))),
            SqlType::Bits { varying: true, .. } if !column.nullable => {
                Ok(Canon::Bits(Cow::Borrowed("")))
            }
            _ if column.nullable || column.generated => Ok(Canon::Null),
            _ => Err(ValueError::NullNotAllowed),
        };
    }
    if matches!(cell, CellRef::Number(x) if !x.is_finite()) {
        return Err(ValueError::WrongType(format!(
            "{} is not a finite number",
            show(cell)
        )));
    }
    let wrong = |what: &str| ValueError::WrongType(format!("expected {what}, got {}", show(cell)));
    match &column.sql_type {
        SqlType::Int { bits, unsigned } => {
            let n = match &cell {
                CellRef::Number(x) if x.fract() == 0.0 && x.abs() <= MAX_SAFE_INTEGER as f64 => {
                    *x as i128
                }
                CellRef::Number(x) if x.fract() == 0.0 => {
                    return Err(ValueError::OutOfRange(format!(
                        "{x} is too large to hold exactly in a cell; type it as text"
                    )))
                }
                CellRef::Text(s) => s
                    .trim()
                    .parse::<i128>()
                    .map_err(|_| ValueError::WrongType(format!("{s:?} is not a whole number")))?,
                _ => return Err(wrong("a whole number")),
            };
            check_int_range(n, *bits, *unsigned)?;
            Ok(Canon::Int(n))
        }
        SqlType::Decimal { precision, scale } => {
            let text = match &cell {
                CellRef::Number(x) => decimal_of_number(*x, *precision, *scale)?,
                CellRef::Text(s) => decimal_of_text(s, *precision, *scale)?,
                _ => return Err(wrong("a decimal number")),
            };
            Ok(Canon::Decimal(Cow::Owned(text)))
        }
        SqlType::Float { .. } => match &cell {
            CellRef::Number(x) => Ok(Canon::Float(*x)),
            CellRef::Text(s) => parse_float(s).map(Canon::Float),
            _ => Err(wrong("a number")),
        },
        SqlType::Bool => match &cell {
            CellRef::Bool(b) => Ok(Canon::Bool(*b)),
            CellRef::Number(x) if *x == 0.0 || *x == 1.0 => Ok(Canon::Bool(*x == 1.0)),
            CellRef::Text(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Canon::Bool(true)),
            CellRef::Text(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Canon::Bool(false)),
            _ => Err(wrong("TRUE or FALSE")),
        },
        SqlType::Text { max_chars } => {
            let text = cell_text(cell, tz)?;
            if let Some(max) = max_chars {
                let len = text.chars().count();
                if len > *max as usize {
                    return Err(ValueError::TooLong(format!(
                        "{len} characters, the column holds at most {max}"
                    )));
                }
            }
            Ok(Canon::Text(text))
        }
        SqlType::Enum { values } => {
            let text = cell_text(cell, tz)?;
            if values.iter().any(|v| *v == *text) {
                Ok(Canon::Text(text))
            } else {
                Err(ValueError::NotInEnum(format!(
                    "{text:?} is not one of {}",
                    values.join(", ")
                )))
            }
        }
        SqlType::Geometry => match &cell {
            CellRef::Text(s) => geometry_text(s).map(|v| Canon::of(&v).into_static()),
            _ => Err(wrong("well-known text")),
        },
        SqlType::Binary { max_bytes } => match &cell {
            CellRef::Text(s) => Ok(Canon::Binary(Cow::Owned(from_base64(s, *max_bytes)?))),
            _ => Err(wrong("base64 text")),
        },
        SqlType::Bits { width, varying } => match &cell {
            CellRef::Text(s) => Ok(Canon::Bits(Cow::Owned(canonical_bits(
                s, *width, *varying,
            )?))),
            CellRef::Number(x) if x.fract() == 0.0 && *x >= 0.0 => Ok(Canon::Bits(Cow::Owned(
                canonical_bits(&format!("{x}"), *width, *varying)?,
            ))),
            _ => Err(wrong("a string of bits")),
        },
        SqlType::Json => {
            let doc: serde_json::Value = match &cell {
                CellRef::Text(s) => serde_json::from_str(s)
                    .map_err(|e| ValueError::BadJson(format!("not a JSON document: {e}")))?,
                CellRef::Number(x) => serde_json::Number::from_f64(*x)
                    .map(serde_json::Value::Number)
                    .ok_or_else(|| wrong("a JSON document"))?,
                CellRef::Bool(b) => serde_json::Value::Bool(*b),
                _ => return Err(wrong("a JSON document")),
            };
            Ok(Canon::Json(Cow::Owned(doc.to_string())))
        }
        SqlType::Time => match &cell {
            CellRef::Text(s) => time_value(s).map(|v| Canon::of(&v).into_static()),
            CellRef::Date(ms) => Ok(Canon::Time(wall_clock(*ms, tz)?.time())),
            CellRef::Number(x) if (0.0..1.0).contains(x) => {
                let secs = (x * 86_400.0).round() as u32;
                NaiveTime::from_num_seconds_from_midnight_opt(secs.min(86_399), 0)
                    .map(Canon::Time)
                    .ok_or_else(|| wrong("a time"))
            }
            _ => Err(wrong("a time")),
        },
        SqlType::Date => match &cell {
            CellRef::Date(ms) => Ok(Canon::Date(wall_clock(*ms, tz)?.date())),
            CellRef::Text(s) => date_value(s).map(|v| Canon::of(&v).into_static()),
            _ => Err(wrong("a date")),
        },
        SqlType::DateTime => match &cell {
            CellRef::Date(ms) => Ok(Canon::DateTime(wall_clock(*ms, tz)?)),
            CellRef::Text(s) => {
                datetime_value(s, Value::DateTime).map(|v| Canon::of(&v).into_static())
            }
            _ => Err(wrong("a date and time")),
        },
        SqlType::Timestamp => match &cell {
            CellRef::Date(ms) => Ok(Canon::Timestamp(utc_of_ms(*ms)?)),
            CellRef::Text(s) => match datetime_value(s, Value::DateTime)? {
                Value::DateTime(wall) => {
                    Ok(Canon::Timestamp(utc_of_ms(ms_of_wall_clock(wall, tz))?))
                }
                other => Ok(Canon::of(&other).into_static()),
            },
            _ => Err(wrong("a date and time")),
        },
    }
}

/// The text a cell shows in a text column: numbers in their shortest form, booleans as
/// `TRUE`/`FALSE`, dates in ISO form.
fn cell_text<'a>(cell: CellRef<'a>, tz: &ZoneOffsets) -> Result<Cow<'a, str>, ValueError> {
    Ok(match cell {
        CellRef::Empty => Cow::Borrowed(""),
        CellRef::Text(s) => Cow::Borrowed(s),
        CellRef::Number(x) => Cow::Owned(x.to_string()),
        CellRef::Bool(b) => Cow::Borrowed(if b { "TRUE" } else { "FALSE" }),
        CellRef::Date(ms) => {
            let wall = wall_clock(ms, tz)?;
            Cow::Owned(if wall.time() == NaiveTime::MIN {
                wall.format("%Y-%m-%d").to_string()
            } else {
                wall.format("%Y-%m-%d %H:%M:%S").to_string()
            })
        }
    })
}

fn show(cell: CellRef<'_>) -> String {
    match &cell {
        CellRef::Empty => "an empty cell".into(),
        CellRef::Number(x) => format!("the number {x}"),
        CellRef::Text(s) if s.chars().count() > 40 => {
            format!("the text {:?}…", s.chars().take(40).collect::<String>())
        }
        CellRef::Text(s) => format!("the text {s:?}"),
        CellRef::Bool(b) => format!("the boolean {}", if *b { "TRUE" } else { "FALSE" }),
        CellRef::Date(_) => "a date".into(),
    }
}

fn utc_of_ms(ms: f64) -> Result<NaiveDateTime, ValueError> {
    if !ms.is_finite() || ms.abs() > 8.64e15 {
        return Err(ValueError::BadDate(format!(
            "{ms} ms is not a representable date"
        )));
    }
    DateTime::from_timestamp_millis(ms.round() as i64)
        .map(|d| d.naive_utc())
        .ok_or_else(|| ValueError::BadDate(format!("{ms} ms is not a representable date")))
}

/// The wall clock in `tz` of the instant `ms`.
fn wall_clock(ms: f64, tz: &ZoneOffsets) -> Result<NaiveDateTime, ValueError> {
    let utc = utc_of_ms(ms)?;
    tz.wall_clock(utc)
        .ok_or_else(|| ValueError::BadDate(format!("{ms} ms is not a representable date")))
}

/// The instant at which `tz` shows the wall clock `wall`. A wall clock skipped by a
/// daylight-saving jump is read as the same clock time after the jump; a repeated one as its
/// first occurrence (see [`ZoneOffsets::instant_ms_of_wall_clock`]).
fn ms_of_wall_clock(wall: NaiveDateTime, tz: &ZoneOffsets) -> f64 {
    tz.instant_ms_of_wall_clock(wall) as f64
}

/// A table row as a new sheet row `width` cells wide: each column's value written into the
/// sheet column `map` gives it, the other cells empty. Rows the database adds and rows a
/// person restores are written by this one conversion.
pub(crate) fn sheet_row_cells(
    schema: &TableSchema,
    map: &ColumnMap,
    values: &[Value],
    tz: &ZoneOffsets,
    width: usize,
) -> Vec<SheetCell> {
    let mut cells = vec![SheetCell::Empty; width];
    for (c, col) in schema.columns.iter().enumerate() {
        if let Some(sc) = map.sheet_col[c] {
            cells[sc] = write_cell(col, &values[c], tz);
        }
    }
    cells
}

pub(crate) fn write_cell(column: &ColumnSchema, value: &Value, tz: &ZoneOffsets) -> SheetCell {
    match value {
        Value::Null => SheetCell::Empty,
        Value::Bool(b) => SheetCell::Bool(*b),
        Value::Int(i) if i.abs() <= MAX_SAFE_INTEGER => SheetCell::Number(*i as f64),
        Value::Int(i) => SheetCell::Text(i.to_string().into()),
        Value::Float(x) if !x.is_finite() => {
            SheetCell::Text(non_finite_text(*x).to_string().into())
        }
        Value::Float(x) => SheetCell::Number(*x),
        Value::Decimal(s) => match (&column.sql_type, s.parse::<f64>()) {
            (SqlType::Decimal { precision, scale }, Ok(x))
                if x.is_finite()
                    && canonical_decimal(&x.to_string(), *precision, *scale).as_deref()
                        == Ok(s.as_str()) =>
            {
                SheetCell::Number(x)
            }
            _ => SheetCell::Text(s.clone().into()),
        },
        Value::Text(s) | Value::Json(s) if s.is_empty() => SheetCell::Empty,
        Value::Text(s) | Value::Json(s) => SheetCell::Text(s.clone().into()),
        Value::Time(t) => SheetCell::Text(time_text(*t).into()),
        Value::Binary(b) if b.is_empty() => SheetCell::Empty,
        Value::Binary(b) => SheetCell::Text(to_base64(b).into()),
        Value::Bits(s) => SheetCell::Text(s.clone().into()),
        Value::TimeSpan(_) | Value::OffCalendar(_) => match value.to_wire() {
            serde_json::Value::String(s) => SheetCell::Text(s.into()),
            other => SheetCell::Text(other.to_string().into()),
        },
        Value::Date(d) => SheetCell::Date(ms_of_wall_clock(d.and_time(NaiveTime::MIN), tz)),
        Value::DateTime(d) => SheetCell::Date(ms_of_wall_clock(*d, tz)),
        Value::Timestamp(d) => SheetCell::Date(d.and_utc().timestamp_millis() as f64),
    }
}

/// The number format a column's cells should carry so the sheet shows (and keeps) values the
/// way the column means them, e.g. `"@"` (plain text) so that zip codes keep their leading
/// zeros. `None` leaves the sheet's automatic format.
pub fn number_format(column: &ColumnSchema) -> Option<String> {
    Some(match &column.sql_type {
        SqlType::Text { .. }
        | SqlType::Enum { .. }
        | SqlType::Json
        | SqlType::Time
        | SqlType::Binary { .. }
        | SqlType::Bits { .. }
        | SqlType::Geometry => "@".into(),
        SqlType::Int { .. } => "0".into(),
        SqlType::Decimal { scale: 0, .. } => "0".into(),
        SqlType::Decimal { scale, .. } => format!("0.{}", "0".repeat(usize::from(*scale))),
        SqlType::Date => "yyyy-mm-dd".into(),
        SqlType::DateTime | SqlType::Timestamp => "yyyy-mm-dd hh:mm:ss".into(),
        SqlType::Float { .. } | SqlType::Bool => return None,
    })
}
