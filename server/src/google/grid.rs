//! Between the Sheets API's grids and the core's cells.
//!
//! The API reads a sheet as rows of JSON values (`UNFORMATTED_VALUE`, dates as serial
//! numbers: days since 1899-12-30 00:00 on the wall clock, the time as a fraction) and, with
//! `FORMULA` rendering, formulas as strings starting with `=` (a cell is a formula where that
//! string differs from its unformatted value). The core's
//! [`SheetSnapshot`] wants what Apps Script's `getValues()` gives: a date cell as the instant
//! its wall clock denotes in the spreadsheet's zone. Only cells in columns mapped to a date or
//! date-time column are read as dates: elsewhere a number is a number, as the column's number
//! format shows it.
//!
//! Writes go the other way: each [`CellRun`] becomes one A1 range of `RAW` values, a date as
//! its wall clock's serial number (the column's date format, from the plan's `formats`, makes
//! it show as a date).

use chrono::{DateTime, NaiveDateTime};
use serde_json::{json, Value as J};
use sheetsync_core::plan::CellRun;
use sheetsync_core::schema::TableSchema;
use sheetsync_core::sheet::{SheetCell, SheetSnapshot};
use sheetsync_core::value::SqlType;
use sheetsync_core::zone::ZoneOffsets;

use super::sheets::RangeValues;

/// 1899-12-30 00:00, serial number 0, in ms since the Unix epoch.
const SERIAL_EPOCH_MS: i64 = -2_209_161_600_000;
const DAY_MS: f64 = 86_400_000.0;

/// Which sheet columns (0-based, by header) hold a date or date-time table column.
pub fn date_columns(schema: &TableSchema, headers: &[String]) -> Vec<bool> {
    headers
        .iter()
        .map(|h| {
            schema.column(h).is_some_and(|(_, c)| {
                matches!(
                    c.sql_type,
                    SqlType::Date | SqlType::DateTime | SqlType::Timestamp
                )
            })
        })
        .collect()
}

/// The snapshot of a sheet read as `values` (unformatted, header row first) and `formulas`
/// (the same range rendered as `FORMULA`), whose header is sheet row 1.
pub fn snapshot_of(
    values: &[Vec<J>],
    formulas: &[Vec<J>],
    schema: &TableSchema,
    zone: &ZoneOffsets,
) -> Result<SheetSnapshot, String> {
    let headers: Vec<String> = match values.first() {
        Some(row) => row.iter().map(header_text).collect(),
        None => Vec::new(),
    };
    let dates = date_columns(schema, &headers);
    let mut rows = Vec::with_capacity(values.len().saturating_sub(1));
    for (r, row) in values.iter().enumerate().skip(1) {
        let cells = row
            .iter()
            .enumerate()
            .map(|(c, v)| {
                cell_of(v, dates.get(c).copied().unwrap_or(false), zone)
                    .map_err(|e| format!("cell {}{}: {e}", column_letters(c as u32 + 1), r + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(cells);
    }
    // A formula renders as `=…` under FORMULA and as its result otherwise; text that starts
    // with `=` (written RAW) renders the same both ways and is not a formula.
    let mask: Vec<Vec<bool>> = formulas
        .iter()
        .enumerate()
        .skip(1)
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, v)| {
                    v.as_str().is_some_and(|s| s.starts_with('='))
                        && values.get(r).and_then(|vr| vr.get(c)) != Some(v)
                })
                .collect()
        })
        .collect();
    Ok(SheetSnapshot {
        headers,
        rows,
        first_row: 2,
        formulas: mask.iter().any(|r| r.contains(&true)).then_some(mask),
        packed: None,
    })
}

fn header_text(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        J::Null => String::new(),
        other => other.to_string(),
    }
}

/// One unformatted value as a core cell (a number in a date column as a date).
pub fn cell_of(v: &J, date_column: bool, zone: &ZoneOffsets) -> Result<SheetCell, String> {
    Ok(match v {
        J::Null => SheetCell::Empty,
        J::String(s) if s.is_empty() => SheetCell::Empty,
        J::String(s) => SheetCell::Text(s.clone().into()),
        J::Bool(b) => SheetCell::Bool(*b),
        J::Number(n) => {
            let x = n.as_f64().ok_or("a number out of range")?;
            if date_column {
                SheetCell::Date(instant_of_serial(x, zone)? as f64)
            } else {
                SheetCell::Number(x)
            }
        }
        other => return Err(format!("{other} is not a cell value")),
    })
}

/// The instant (ms) a serial number's wall clock denotes in `zone`.
pub fn instant_of_serial(serial: f64, zone: &ZoneOffsets) -> Result<i64, String> {
    let wall_ms = (serial * DAY_MS).round() as i64 + SERIAL_EPOCH_MS;
    let wall: NaiveDateTime = DateTime::from_timestamp_millis(wall_ms)
        .ok_or_else(|| format!("serial date {serial} is out of range"))?
        .naive_utc();
    Ok(zone.instant_ms_of_wall_clock(wall))
}

/// The serial number of the wall clock at instant `ms` in `zone`.
pub fn serial_of_instant(ms: f64, zone: &ZoneOffsets) -> Result<f64, String> {
    let utc = DateTime::from_timestamp_millis(ms.round() as i64)
        .ok_or_else(|| format!("date {ms} ms is out of range"))?
        .naive_utc();
    let wall = zone
        .wall_clock(utc)
        .ok_or_else(|| format!("date {ms} ms is out of range"))?;
    Ok((wall.and_utc().timestamp_millis() - SERIAL_EPOCH_MS) as f64 / DAY_MS)
}

/// A1 letters of 1-based column `n` (1 → A, 27 → AA).
pub fn column_letters(mut n: u32) -> String {
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The sheet name quoted for A1 notation (`'People''s'`).
pub fn quoted_sheet(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

/// The `values.batchUpdate` data writing `runs` into sheet `sheet`.
pub fn range_values(
    sheet: &str,
    runs: &[CellRun],
    zone: &ZoneOffsets,
) -> Result<Vec<RangeValues>, String> {
    runs.iter()
        .map(|run| {
            let first = column_letters(run.column);
            let last = column_letters(run.column + run.values.len().max(1) as u32 - 1);
            let values = run
                .values
                .iter()
                .map(|cell| value_of(cell, zone))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(RangeValues {
                range: format!(
                    "{}!{first}{row}:{last}{row}",
                    quoted_sheet(sheet),
                    row = run.row
                ),
                values: vec![values],
            })
        })
        .collect()
}

/// One core cell as a `RAW` value.
fn value_of(cell: &SheetCell, zone: &ZoneOffsets) -> Result<J, String> {
    Ok(match cell {
        SheetCell::Empty => json!(""),
        SheetCell::Number(x) => json!(x),
        SheetCell::Text(s) => json!(s),
        SheetCell::Bool(b) => json!(b),
        SheetCell::Date(ms) => json!(serial_of_instant(*ms, zone)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sheetsync_core::schema::ColumnSchema;

    fn schema() -> TableSchema {
        let col = |name: &str, sql_type| ColumnSchema {
            name: name.into(),
            sql_type,
            nullable: true,
            primary_key: name == "id",
            generated: false,
            has_default: false,
        };
        TableSchema {
            name: "t".into(),
            writable: true,
            columns: vec![
                col(
                    "id",
                    SqlType::Int {
                        bits: 32,
                        unsigned: false,
                    },
                ),
                col("code", SqlType::Text { max_chars: None }),
                col("born", SqlType::Date),
            ],
        }
    }

    #[test]
    fn column_letters_follow_a1_notation() {
        let cases = [
            (1, "A"),
            (26, "Z"),
            (27, "AA"),
            (52, "AZ"),
            (702, "ZZ"),
            (703, "AAA"),
        ];
        for (n, letters) in cases {
            assert_eq!(column_letters(n), letters);
        }
        assert_eq!(quoted_sheet("Bob's"), "'Bob''s'");
    }

    #[test]
    fn a_serial_date_is_the_instant_its_wall_clock_denotes_in_the_zone() {
        let paris_winter = ZoneOffsets::fixed("Europe/Paris", 3600).unwrap();
        // 1970-01-02 00:00 wall clock = 1970-01-01 23:00 UTC.
        let ms = instant_of_serial(25570.0, &paris_winter).unwrap();
        assert_eq!(ms, 23 * 3_600_000);
        assert_eq!(
            serial_of_instant(ms as f64, &paris_winter).unwrap(),
            25570.0
        );
        // 1900-01-01 12:00 is 2.5, as Google documents.
        let utc = ZoneOffsets::utc();
        let noon = instant_of_serial(2.5, &utc).unwrap();
        assert_eq!(serial_of_instant(noon as f64, &utc).unwrap(), 2.5);
    }

    #[test]
    fn numbers_are_dates_only_in_date_columns_and_text_stays_text() {
        let values = vec![
            vec![json!("id"), json!("code"), json!("born"), json!("extra")],
            vec![json!(1), json!("007"), json!(25570), json!(25570)],
            vec![json!(2), json!("'x"), json!(""), json!(true)],
            vec![json!(3), json!("=not a formula")],
        ];
        let formulas = vec![
            vec![],
            vec![json!(1), json!("007"), json!(25570), json!("=A2*3")],
            vec![json!(2), json!("'x"), json!(""), json!(true)],
            vec![json!(3), json!("=not a formula")],
        ];
        let snap = snapshot_of(&values, &formulas, &schema(), &ZoneOffsets::utc()).unwrap();
        assert_eq!(snap.headers, vec!["id", "code", "born", "extra"]);
        assert_eq!(
            snap.rows[0],
            vec![
                SheetCell::Number(1.0),
                SheetCell::Text("007".into()),
                SheetCell::Date(86_400_000.0),
                SheetCell::Number(25570.0),
            ]
        );
        assert_eq!(snap.rows[1][1], SheetCell::Text("'x".into()));
        assert_eq!(snap.rows[1][2], SheetCell::Empty);
        assert!(snap.is_formula(0, 3) && !snap.is_formula(0, 2));
        assert!(
            !snap.is_formula(2, 1),
            "text written RAW that starts with = is text"
        );
        assert_eq!(snap.rows[2][1], SheetCell::Text("=not a formula".into()));
    }

    #[test]
    fn a_cell_that_is_not_a_value_is_named_by_its_a1_address() {
        let values = vec![vec![json!("id")], vec![json!({"x": 1})]];
        let err = snapshot_of(&values, &[], &schema(), &ZoneOffsets::utc()).unwrap_err();
        assert!(err.starts_with("cell A2:"), "{err}");
    }

    #[test]
    fn runs_become_a1_ranges_of_raw_values() {
        let runs = vec![CellRun {
            row: 7,
            column: 2,
            values: vec![
                SheetCell::Text("007".into()),
                SheetCell::Date(86_400_000.0),
                SheetCell::Bool(false),
                SheetCell::Empty,
            ],
        }];
        let data = range_values("Bob's", &runs, &ZoneOffsets::utc()).unwrap();
        assert_eq!(data[0].range, "'Bob''s'!B7:E7");
        assert_eq!(
            data[0].values,
            vec![vec![json!("007"), json!(25570.0), json!(false), json!("")]]
        );
    }
}
