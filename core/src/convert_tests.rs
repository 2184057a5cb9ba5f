//! The conversion rules between sheet cells and column values, one test each.

use chrono::{NaiveDate, NaiveTime};

use crate::convert::number_format;
use crate::schema::ColumnSchema;
use crate::sheet::SheetCell;
use crate::value::{SqlType, Value, ValueError};
use crate::zone::ZoneOffsets;
use crate::zone_tables::zone;

fn col(sql_type: SqlType, nullable: bool) -> ColumnSchema {
    ColumnSchema {
        name: "c".into(),
        sql_type,
        nullable,
        primary_key: false,
        generated: false,
        has_default: false,
    }
}

fn paris() -> &'static ZoneOffsets {
    static PARIS: std::sync::OnceLock<ZoneOffsets> = std::sync::OnceLock::new();
    PARIS.get_or_init(|| zone("Europe/Paris"))
}

fn int() -> SqlType {
    SqlType::Int {
        bits: 64,
        unsigned: false,
    }
}

fn text() -> SqlType {
    SqlType::Text { max_chars: None }
}

fn read(c: &ColumnSchema, cell: SheetCell) -> Result<Value, ValueError> {
    cell.to_value(c, paris()).map_err(|e| {
        assert_eq!(e.column, "c");
        e.error
    })
}

fn round_trips(c: &ColumnSchema, v: Value) -> SheetCell {
    let cell = SheetCell::from_value(&v, c, paris());
    assert_eq!(read(c, cell.clone()), Ok(v), "via {cell:?}");
    cell
}

#[test]
fn integers_are_numbers_up_to_2_pow_53_and_digit_text_beyond() {
    let c = col(int(), true);
    assert_eq!(round_trips(&c, Value::Int(42)), SheetCell::Number(42.0));
    let big = Value::Int(1i128 << 60);
    assert_eq!(
        round_trips(&c, big),
        SheetCell::Text("1152921504606846976".into())
    );
    assert!(matches!(
        read(&c, SheetCell::Number(1.5)),
        Err(ValueError::WrongType(_))
    ));
    assert!(matches!(
        read(&c, SheetCell::Text("abc".into())),
        Err(ValueError::WrongType(_))
    ));
}

#[test]
fn decimals_become_numbers_only_when_no_digit_is_lost() {
    let c = col(
        SqlType::Decimal {
            precision: 30,
            scale: 2,
        },
        true,
    );
    assert_eq!(
        round_trips(&c, Value::Decimal("12.50".into())),
        SheetCell::Number(12.5)
    );
    let long = Value::Decimal("1234567890123456789.25".into());
    assert_eq!(
        round_trips(&c, long),
        SheetCell::Text("1234567890123456789.25".into())
    );
    assert_eq!(
        read(&c, SheetCell::Number(0.1)),
        Ok(Value::Decimal("0.10".into()))
    );
    assert_eq!(
        read(&c, SheetCell::Text("7".into())),
        Ok(Value::Decimal("7.00".into()))
    );
    assert!(matches!(
        read(&c, SheetCell::Number(0.125)),
        Err(ValueError::TooManyDigits(_))
    ));
}

#[test]
fn floats_and_booleans_keep_their_kind() {
    let f = col(SqlType::Float { bits: 64 }, true);
    assert_eq!(round_trips(&f, Value::Float(0.1)), SheetCell::Number(0.1));
    let b = col(SqlType::Bool, true);
    assert_eq!(round_trips(&b, Value::Bool(true)), SheetCell::Bool(true));
    assert_eq!(
        read(&b, SheetCell::Text("FALSE".into())),
        Ok(Value::Bool(false))
    );
    assert_eq!(
        read(&b, SheetCell::Text("true".into())),
        Ok(Value::Bool(true))
    );
    assert!(read(&b, SheetCell::Text("yes".into())).is_err());
}

#[test]
fn text_keeps_leading_zeros_and_numbers_in_text_columns_become_their_shortest_text() {
    let c = col(text(), true);
    assert_eq!(
        round_trips(&c, Value::Text("00123".into())),
        SheetCell::Text("00123".into())
    );
    assert_eq!(
        read(&c, SheetCell::Number(5.0)),
        Ok(Value::Text("5".into()))
    );
    assert_eq!(
        read(&c, SheetCell::Number(0.1)),
        Ok(Value::Text("0.1".into()))
    );
    assert_eq!(
        read(&c, SheetCell::Bool(true)),
        Ok(Value::Text("TRUE".into()))
    );
    let short = col(SqlType::Text { max_chars: Some(2) }, true);
    assert!(matches!(
        read(&short, SheetCell::Text("abc".into())),
        Err(ValueError::TooLong(_))
    ));
}

#[test]
fn enums_accept_only_their_values() {
    let c = col(
        SqlType::Enum {
            values: vec!["red".into(), "green".into()],
        },
        true,
    );
    assert_eq!(
        round_trips(&c, Value::Text("red".into())),
        SheetCell::Text("red".into())
    );
    assert!(matches!(
        read(&c, SheetCell::Text("blue".into())),
        Err(ValueError::NotInEnum(_))
    ));
}

#[test]
fn json_is_text_in_canonical_form() {
    let c = col(SqlType::Json, true);
    assert_eq!(
        read(&c, SheetCell::Text("{ \"b\": 1, \"a\": [true] }".into())),
        Ok(Value::Json("{\"a\":[true],\"b\":1}".into()))
    );
    round_trips(&c, Value::Json("{\"a\":1}".into()));
    assert!(matches!(
        read(&c, SheetCell::Text("{".into())),
        Err(ValueError::BadJson(_))
    ));
}

#[test]
fn times_are_text_and_date_cells_give_their_time_of_day() {
    let c = col(SqlType::Time, true);
    let t = NaiveTime::from_hms_opt(8, 30, 15).unwrap();
    assert_eq!(
        round_trips(&c, Value::Time(t)),
        SheetCell::Text("08:30:15".into())
    );
    // 1899-12-30 08:30:15 in Paris (offset +00:09:21 then) as Apps Script gives a time cell.
    let wall = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap().and_time(t);
    let ms = wall.and_utc().timestamp_millis() as f64 - 561_000.0;
    assert_eq!(read(&c, SheetCell::Date(ms)), Ok(Value::Time(t)));
}

#[test]
fn dates_and_datetimes_are_wall_clock_in_the_spreadsheet_time_zone() {
    let d = col(SqlType::Date, true);
    let day = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
    // Midnight in Paris in summer is 22:00 UTC the day before.
    let midnight_ms = day
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis() as f64
        - 2.0 * 3_600_000.0;
    assert_eq!(
        round_trips(&d, Value::Date(day)),
        SheetCell::Date(midnight_ms)
    );
    let dt = col(SqlType::DateTime, true);
    let wall = day.and_hms_opt(13, 45, 0).unwrap();
    let cell = round_trips(&dt, Value::DateTime(wall));
    assert_eq!(cell, SheetCell::Date(midnight_ms + 13.75 * 3_600_000.0));
    assert_eq!(
        read(&dt, SheetCell::Text("2024-07-01 13:45:00".into())),
        Ok(Value::DateTime(wall))
    );
}

#[test]
fn timestamps_are_instants_shown_on_the_zone_wall_clock() {
    let c = col(SqlType::Timestamp, true);
    let utc = NaiveDate::from_ymd_opt(2024, 1, 15)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    let cell = round_trips(&c, Value::Timestamp(utc));
    assert_eq!(
        cell,
        SheetCell::Date(utc.and_utc().timestamp_millis() as f64)
    );
    // Typed as text, it is read as Paris wall clock (UTC+1 in January).
    assert_eq!(
        read(&c, SheetCell::Text("2024-01-15 13:00:00".into())),
        Ok(Value::Timestamp(utc))
    );
}

#[test]
fn empty_cells_are_null_where_allowed_and_empty_text_in_not_null_text_columns() {
    assert_eq!(read(&col(int(), true), SheetCell::Empty), Ok(Value::Null));
    assert_eq!(
        read(&col(text(), false), SheetCell::Empty),
        Ok(Value::Text(String::new()))
    );
    assert_eq!(read(&col(text(), true), SheetCell::Empty), Ok(Value::Null));
    assert_eq!(
        read(&col(int(), false), SheetCell::Empty),
        Err(ValueError::NullNotAllowed)
    );
    assert_eq!(
        SheetCell::from_value(&Value::Null, &col(int(), true), paris()),
        SheetCell::Empty
    );
}

#[test]
fn each_column_kind_gets_its_number_format() {
    let dec = |precision, scale| SqlType::Decimal { precision, scale };
    let cases: Vec<(SqlType, Option<&str>)> = vec![
        (int(), Some("0")),
        (dec(8, 0), Some("0")),
        (dec(8, 2), Some("0.00")),
        (dec(20, 5), Some("0.00000")),
        (SqlType::Float { bits: 64 }, None),
        (SqlType::Bool, None),
        (text(), Some("@")),
        (
            SqlType::Enum {
                values: vec!["a".into()],
            },
            Some("@"),
        ),
        (SqlType::Json, Some("@")),
        (SqlType::Time, Some("@")),
        (SqlType::Date, Some("yyyy-mm-dd")),
        (SqlType::DateTime, Some("yyyy-mm-dd hh:mm:ss")),
        (SqlType::Timestamp, Some("yyyy-mm-dd hh:mm:ss")),
    ];
    for (ty, format) in cases {
        assert_eq!(
            number_format(&col(ty.clone(), true)).as_deref(),
            format,
            "{ty:?}"
        );
    }
}

#[test]
fn a_date_beyond_what_the_zone_can_show_is_an_error_not_a_panic() {
    let c = col(SqlType::DateTime, true);
    let far = ZoneOffsets::fixed("Far/East", 86_399).unwrap();
    let last_ms = chrono::NaiveDateTime::MAX.and_utc().timestamp_millis() as f64;
    assert!(SheetCell::Date(last_ms).to_value(&c, &far).is_err());
}

#[test]
fn bytes_bits_non_finite_floats_and_out_of_day_times_survive_the_sheet() {
    let cases = [
        (
            SqlType::Binary { max_bytes: None },
            Value::Binary(vec![0xff, 0x00, 0x80]),
        ),
        (
            SqlType::Bits {
                width: 4,
                varying: false,
            },
            Value::Bits("0101".into()),
        ),
        (SqlType::Float { bits: 64 }, Value::Float(f64::INFINITY)),
        (
            SqlType::Decimal {
                precision: 10,
                scale: 2,
            },
            Value::Decimal("NaN".into()),
        ),
        (SqlType::Float { bits: 64 }, Value::Float(f64::NEG_INFINITY)),
        (SqlType::Time, Value::TimeSpan(-3_600_000_000_000)),
        (
            SqlType::Geometry,
            Value::Text("SRID=4326;POINT(0.30000000000000004 2)".into()),
        ),
        (
            SqlType::Date,
            Value::OffCalendar(crate::calendar::OffCalendar::ZeroDate),
        ),
        (
            SqlType::Timestamp,
            Value::OffCalendar(crate::calendar::OffCalendar::Infinity),
        ),
    ];
    for (ty, value) in cases {
        let c = col(ty.clone(), true);
        round_trips(&c, value.clone());
        assert_eq!(
            Value::from_wire(&ty, &value.to_wire()),
            Ok(value.clone()),
            "{ty:?}"
        );
    }
    let nan = col(SqlType::Float { bits: 64 }, true);
    let cell = SheetCell::from_value(&Value::Float(f64::NAN), &nan, paris());
    assert_eq!(cell, SheetCell::Text("NaN".into()));
    assert!(matches!(read(&nan, cell), Ok(Value::Float(x)) if x.is_nan()));
}
