//! Row hashing: how the core tells, without keeping old values, which cells of a row changed.
//!
//! Every cell is hashed over a canonical byte encoding of its value *as the sheet side reads
//! it back* (a database value is first written to a cell and read again), so a sheet row that
//! nobody touched always matches the hashes recorded when it was last synced.
//!
//! The encoding of one value is a tag byte and a payload, all integers little-endian:
//!
//! | tag | value       | payload                                                 |
//! |-----|-------------|---------------------------------------------------------|
//! | 0   | NULL        | none                                                    |
//! | 1   | boolean     | 1 byte, 0 or 1                                          |
//! | 2   | integer     | i128, 16 bytes                                          |
//! | 3   | float       | f64 bits, 8 bytes (`-0.0` as `0.0`)                     |
//! | 4   | text, enum  | u32 byte length, UTF-8 bytes                            |
//! | 5   | decimal     | u32 byte length, canonical decimal text                 |
//! | 6   | JSON        | u32 byte length, compact JSON with sorted keys          |
//! | 7   | date        | i32 days since 0001-01-01 (day 1)                       |
//! | 8   | date-time   | i64 seconds since the Unix epoch, u32 nanoseconds       |
//! | 9   | timestamp   | i64 seconds since the Unix epoch (UTC), u32 nanoseconds |
//! | 10  | time        | u32 seconds since midnight, u32 nanoseconds             |
//! | 11  | bytes       | u32 byte length, the bytes                              |
//! | 12  | bits        | u32 length, the `0`/`1` digits as ASCII                 |
//! | 13  | time span   | i64 signed nanoseconds (a time outside one day)         |
//! | 14  | off-calendar| 1 byte: 0 infinity, 1 -infinity, 2 zero date, 3 zero date-time |
//!
//! Every NaN float is encoded with the bits of `f64::NAN`.
//!
//! A cell hash is the low 32 bits of XXH3-64 (seed 0) of that encoding. The row hash is
//! XXH3-64 (seed 0) of the row's cell hashes, each as 4 little-endian bytes, in the table's
//! column order: it is derived from the cell hashes so that a base row stays self-consistent
//! whichever cells it was built from. Both are pure integer arithmetic, identical natively
//! and in WebAssembly.

use chrono::{Datelike, Timelike};
use xxhash_rust::xxh3::xxh3_64;

use crate::convert::{read_cell, write_cell, Canon};
use crate::schema::{CellError, ColumnSchema, TableSchema};
use crate::value::Value;
use crate::zone::ZoneOffsets;

/// Appends the canonical encoding of `value` to `out`.
pub(crate) fn encode(value: &Canon<'_>, out: &mut Vec<u8>) {
    match value {
        Canon::Null => out.push(0),
        Canon::Bool(b) => out.extend_from_slice(&[1, u8::from(*b)]),
        Canon::Int(i) => {
            out.push(2);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Canon::Float(x) => {
            out.push(3);
            let x = if *x == 0.0 {
                0.0f64
            } else if x.is_nan() {
                f64::NAN
            } else {
                *x
            };
            out.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        Canon::Binary(b) => {
            out.push(11);
            out.extend_from_slice(&(b.len() as u32).to_le_bytes());
            out.extend_from_slice(b);
        }
        Canon::Bits(s) => encode_str(12, s, out),
        Canon::TimeSpan(n) => {
            out.push(13);
            out.extend_from_slice(&n.to_le_bytes());
        }
        Canon::OffCalendar(o) => out.extend_from_slice(&[14, o.code()]),
        Canon::Text(s) => encode_str(4, s, out),
        Canon::Decimal(s) => encode_str(5, s, out),
        Canon::Json(s) => encode_str(6, s, out),
        Canon::Date(d) => {
            out.push(7);
            out.extend_from_slice(&d.num_days_from_ce().to_le_bytes());
        }
        Canon::DateTime(d) | Canon::Timestamp(d) => {
            out.push(if matches!(value, Canon::DateTime(_)) {
                8
            } else {
                9
            });
            let utc = d.and_utc();
            out.extend_from_slice(&utc.timestamp().to_le_bytes());
            out.extend_from_slice(&utc.timestamp_subsec_nanos().to_le_bytes());
        }
        Canon::Time(t) => {
            out.push(10);
            out.extend_from_slice(&t.num_seconds_from_midnight().to_le_bytes());
            out.extend_from_slice(&t.nanosecond().to_le_bytes());
        }
    }
}

fn encode_str(tag: u8, s: &str, out: &mut Vec<u8>) {
    out.push(tag);
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// The hash of one encoded cell.
pub(crate) fn cell_hash_of(value: &Canon<'_>, scratch: &mut Vec<u8>) -> u32 {
    scratch.clear();
    encode(value, scratch);
    xxh3_64(scratch) as u32
}

/// The hash of one value, as recorded in a base row.
pub fn cell_hash(value: &Value) -> u32 {
    cell_hash_of(&Canon::of(value), &mut Vec::with_capacity(32))
}

/// The row hash over a row's cell hashes (see the module guide).
pub fn row_hash(cells: &[u32]) -> u64 {
    // Encoded on the stack up to 64 columns: every base entry's row hash is checked when a
    // large base is read, and an allocation each cost as much as the hash.
    let mut stack = [0u8; 256];
    let mut heap = Vec::new();
    let bytes: &mut [u8] = match stack.get_mut(..cells.len() * 4) {
        Some(bytes) => bytes,
        None => {
            heap.resize(cells.len() * 4, 0);
            &mut heap
        }
    };
    for (out, c) in bytes.chunks_exact_mut(4).zip(cells) {
        out.copy_from_slice(&c.to_le_bytes());
    }
    xxh3_64(bytes)
}

/// A database value as the sheet will read it back after it is written into a cell: the form
/// both sides hash and compare. A value the sheet cannot give back (a double NaN, say) is an
/// error naming the column: hashing it as it came would make the row look edited, or equal
/// to a sheet that holds something else.
pub fn through_sheet(
    column: &ColumnSchema,
    value: &Value,
    tz: &ZoneOffsets,
) -> Result<Value, CellError> {
    let cell = write_cell(column, value, tz);
    read_cell(column, cell.view(), tz)
        .map(Canon::into_value)
        .map_err(|error| CellError {
            column: column.name.clone(),
            error,
        })
}

/// Normalizes a database row [`through_sheet`] and returns it with its cell hashes; the first
/// value the sheet cannot give back is the error.
pub fn digest_row(
    schema: &TableSchema,
    values: &[Value],
    tz: &ZoneOffsets,
) -> Result<(Vec<Value>, Vec<u32>), CellError> {
    let mut scratch = Vec::with_capacity(64);
    let normal = schema
        .columns
        .iter()
        .zip(values)
        .map(|(c, v)| through_sheet(c, v, tz))
        .collect::<Result<Vec<Value>, CellError>>()?;
    let hashes = normal
        .iter()
        .map(|v| cell_hash_of(&Canon::of(v), &mut scratch))
        .collect();
    Ok((normal, hashes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveTime};

    #[test]
    fn the_hashes_of_known_values_are_pinned() {
        // These figures are part of the stored base format: changing them makes every
        // existing base look edited.
        let vectors: Vec<(Value, u32)> = vec![
            (Value::Null, 0x074e_ecdb),
            (Value::Bool(true), 0xa768_65f3),
            (Value::Int(42), 0x73e9_36d9),
            (Value::Float(1.5), 0xf8b4_8dc4),
            (Value::Text("00123".into()), 0xd8d9_2ebc),
            (Value::Decimal("12.50".into()), 0xfac6_70d4),
            (Value::Json("{\"a\":1}".into()), 0xd173_0dee),
            (
                Value::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
                0x5f8c_12c6,
            ),
            (
                Value::Time(NaiveTime::from_hms_opt(8, 30, 15).unwrap()),
                0x9a67_eb48,
            ),
        ];
        let got: Vec<(Value, u32)> = vectors
            .iter()
            .map(|(v, _)| (v.clone(), cell_hash(v)))
            .collect();
        for ((v, want), (_, have)) in vectors.iter().zip(&got) {
            assert_eq!(*have, *want, "{v:?}: {have:#010x}");
        }
        assert_eq!(row_hash(&[1, 2, 3]), 0x6bbf_7429_332b_ea48);
        // Past the 64 columns encoded on the stack: the hash of the same bytes.
        let wide: Vec<u32> = (0..65).collect();
        let bytes: Vec<u8> = wide.iter().flat_map(|c| c.to_le_bytes()).collect();
        assert_eq!(row_hash(&wide), xxh3_64(&bytes));
        assert_eq!(row_hash(&wide[..64]), xxh3_64(&bytes[..256]));
    }

    #[test]
    fn the_hashes_of_the_later_kinds_are_pinned() {
        use crate::calendar::OffCalendar;
        let vectors: Vec<(Value, u32)> = vec![
            (Value::Binary(vec![0xff, 0x00]), 0x7334_f982),
            (Value::Bits("0101".into()), 0x45c0_6fb5),
            (Value::TimeSpan(-3_600_000_000_000), 0x93ce_2e90),
            (Value::OffCalendar(OffCalendar::Infinity), 0xaa3c_5f41),
            (Value::Float(f64::NAN), 0xe023_4960),
        ];
        let got: Vec<String> = vectors
            .iter()
            .map(|(v, _)| format!("{:#010x}", cell_hash(v)))
            .collect();
        for ((v, want), have) in vectors.iter().zip(&got) {
            assert_eq!(format!("{want:#010x}"), *have, "{v:?}");
        }
        // Every NaN is one value.
        assert_eq!(
            cell_hash(&Value::Float(f64::NAN)),
            cell_hash(&Value::Float(-f64::NAN))
        );
    }

    #[test]
    fn a_value_the_sheet_cannot_give_back_is_an_error_naming_its_column() {
        let column = ColumnSchema {
            name: "code".into(),
            sql_type: crate::value::SqlType::Text { max_chars: Some(3) },
            nullable: true,
            primary_key: false,
            generated: false,
            has_default: false,
        };
        let tz = ZoneOffsets::utc();
        // Longer than the column holds: the sheet would give back an error, not the text.
        let err = through_sheet(&column, &Value::Text("toolong".into()), &tz).unwrap_err();
        assert_eq!(err.column, "code");
        assert_eq!(
            through_sheet(&column, &Value::Text("abc".into()), &tz),
            Ok(Value::Text("abc".into()))
        );
        let schema = TableSchema {
            name: "t".into(),
            columns: vec![column],
            writable: false,
        };
        assert!(digest_row(&schema, &[Value::Text("toolong".into())], &tz).is_err());
    }

    #[test]
    fn text_and_decimal_with_the_same_characters_hash_differently() {
        assert_ne!(
            cell_hash(&Value::Text("1.50".into())),
            cell_hash(&Value::Decimal("1.50".into()))
        );
        assert_eq!(
            cell_hash(&Value::Float(0.0)),
            cell_hash(&Value::Float(-0.0))
        );
    }
}
