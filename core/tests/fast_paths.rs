//! The diff's fast paths give exactly what the reference path gives.
//!
//! The diff hashes most cells straight from the sheet cell, skips rows whose hashes equal the
//! base's without reading their values, and reads values only for the rows that changed. The
//! reference is the slow, obvious way: every cell read into its column value
//! ([`SheetCell::to_value`]) and hashed as the base records it ([`cell_hash`]). For a column of
//! every type, nullable or not, in every time zone the end-to-end suite uses, each sheet cell of
//! a wide spread (numbers at every edge, text that looks like other types, booleans, dates across
//! daylight-saving changes and far from today, empty cells) is diffed against a base recorded
//! from each other readable cell, and the diff must say exactly what the reference says: the
//! same rows untouched, the same rows changed with the same values and hashes, the same cells
//! refused, and new rows read to the same values.

mod common;

use std::collections::BTreeMap;

use sheetsync_core::base::{Base, BaseRow};
use sheetsync_core::diff::diff;
use sheetsync_core::hash::cell_hash;
use sheetsync_core::problem::ProblemKind;
use sheetsync_core::schema::{ColumnSchema, RowKey, TableSchema};
use sheetsync_core::sheet::{SheetCell, SheetSnapshot};
use sheetsync_core::value::{SqlType, Value};
use sheetsync_core::zone::ZoneOffsets;

/// The zones the end-to-end suite runs its sheets in.
const ZONES: [&str; 6] = [
    "UTC",
    "Asia/Kolkata",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
];

/// Milliseconds of a UTC wall clock.
fn utc_ms(y: i32, m: u32, d: u32, h: u32, min: u32) -> f64 {
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis() as f64
}

/// The cells every column is tried with.
fn cells() -> Vec<SheetCell> {
    let mut cells = vec![
        SheetCell::Empty,
        SheetCell::Bool(true),
        SheetCell::Bool(false),
    ];
    for x in [
        0.0,
        -0.0,
        1.0,
        -1.0,
        42.0,
        127.0,
        128.0,
        -129.0,
        255.0,
        256.0,
        65_535.0,
        4_294_967_295.0,
        4_294_967_296.0,
        1.5,
        -2.25,
        0.1 + 0.2,
        12.345,
        12.35,
        123_456.789,
        1e-7,
        1e15,
        9_007_199_254_740_991.0,
        9_007_199_254_740_994.0,
        1e21,
        -1e21,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        45_000.25,
    ] {
        cells.push(SheetCell::Number(x));
    }
    for s in [
        "abc",
        "ab",
        "0042",
        "42",
        "-7",
        "1.50",
        "12.345",
        "1e3",
        "TRUE",
        "false",
        "red",
        " red ",
        "2024-03-31",
        "2024-03-31 02:30:00",
        "12:34:56",
        "{\"a\":1}",
        "[1, 2]",
        "héé 日本 😀",
        "0x1f",
        "10101010",
        "POINT(1 2)",
        "NaN",
        " ",
    ] {
        cells.push(SheetCell::Text(s.into()));
    }
    for ms in [
        0.0,
        1_700_000_000_123.0,
        1_700_000_000_000.5,
        // Around Europe's and New York's daylight-saving changes of 2024.
        utc_ms(2024, 3, 31, 0, 59),
        utc_ms(2024, 3, 31, 1, 0),
        utc_ms(2024, 10, 27, 0, 30),
        utc_ms(2024, 10, 27, 1, 30),
        utc_ms(2024, 3, 10, 7, 0),
        utc_ms(2024, 11, 3, 5, 30),
        // Local mean time and the oldest and newest instants the offset tables hold.
        utc_ms(1850, 1, 1, 0, 0),
        utc_ms(1899, 12, 30, 0, 0),
        utc_ms(1916, 5, 21, 2, 0),
        utc_ms(2099, 12, 31, 23, 59),
        // Beyond what the direct date path takes.
        1e15 + 1.0,
        -1e15 - 1.0,
    ] {
        cells.push(SheetCell::Date(ms));
    }
    cells
}

fn schema(sql_type: SqlType, nullable: bool) -> TableSchema {
    TableSchema {
        name: "t".into(),
        columns: vec![
            ColumnSchema {
                name: "id".into(),
                sql_type: SqlType::Int {
                    bits: 64,
                    unsigned: false,
                },
                nullable: false,
                primary_key: true,
                generated: false,
                has_default: false,
            },
            ColumnSchema {
                name: "c".into(),
                sql_type,
                nullable,
                primary_key: false,
                generated: false,
                has_default: false,
            },
        ],
        writable: true,
    }
}

/// What the reference path reads `cell` as in `column`: its value and hash, or `None` when the
/// cell does not fit.
fn reference(column: &ColumnSchema, cell: &SheetCell, tz: &ZoneOffsets) -> Option<(Value, u32)> {
    cell.to_value(column, tz).ok().map(|v| {
        let h = cell_hash(&v);
        (v, h)
    })
}

/// A value as compared here: a float column may hold NaN, which equals nothing, itself included.
fn same(value: &Value) -> String {
    format!("{value:?}")
}

/// Diffs every cell against a base recorded from every readable cell, plus every cell as a new
/// row, and checks each row's outcome against the reference. Answers how many rows took each
/// outcome (untouched, changed, refused, new), so a caller can see every branch was taken.
fn check(table: &TableSchema, tz: &ZoneOffsets) -> [usize; 4] {
    let id_col = &table.columns[0];
    let col = &table.columns[1];
    let all = cells();
    let readable: Vec<u32> = all
        .iter()
        .filter_map(|c| reference(col, c, tz).map(|(_, h)| h))
        .collect();
    let mut rows = Vec::new();
    let mut base = Base::default();
    // What the reference expects per key: `Some(changed)` of a synced row, `None` of a new one.
    let mut expected: BTreeMap<RowKey, (usize, Option<u32>)> = BTreeMap::new();
    let mut id = 0i64;
    for base_hash in &readable {
        for (ci, cell) in all.iter().enumerate() {
            id += 1;
            let key_cell = SheetCell::Number(id as f64);
            let (_, key_hash) = reference(id_col, &key_cell, tz).unwrap();
            base.rows.insert(
                RowKey(id.to_string()),
                BaseRow::new(1, vec![key_hash, *base_hash]),
            );
            rows.push(vec![key_cell, cell.clone()]);
            expected.insert(RowKey(id.to_string()), (ci, Some(*base_hash)));
        }
    }
    for (ci, cell) in all.iter().enumerate() {
        // A new row with an empty cell that cannot be NULL waits for its value (the planner's
        // rule, tested with it), so only cells that hold something are tried as new rows.
        if cell.is_empty() && !col.nullable {
            continue;
        }
        id += 1;
        rows.push(vec![SheetCell::Number(id as f64), cell.clone()]);
        expected.insert(RowKey(id.to_string()), (ci, None));
    }
    let sheet = SheetSnapshot {
        headers: vec!["id".into(), "c".into()],
        rows,
        first_row: 2,
        formulas: None,
        packed: None,
    };
    let cs = diff(table, &sheet, &base, tz).unwrap();
    assert!(cs.deletes.is_empty(), "{:?}", col.sql_type);
    // The same rows packed, as the add-on hands them over, give the same changeset (compared
    // as text: a NaN value equals no value, not even itself).
    let packed = sheet.to_packed().unwrap();
    assert_eq!(
        format!("{:?}", diff(table, &packed, &base, tz).unwrap()),
        format!("{cs:?}"),
        "packed rows, {:?} in {}",
        col.sql_type,
        tz.name()
    );

    let updates: BTreeMap<&RowKey, _> = cs
        .updates
        .iter()
        .map(|u| (u.row.key.as_ref().unwrap(), u))
        .collect();
    let inserts: BTreeMap<&RowKey, _> = cs
        .inserts
        .iter()
        .map(|r| (r.key.as_ref().unwrap(), r))
        .collect();
    let refused: BTreeMap<&RowKey, _> = cs
        .problems
        .iter()
        .map(|p| {
            assert_eq!(p.kind, ProblemKind::BadCell, "{p:?}");
            assert_eq!(p.column.as_deref(), Some("c"));
            (p.key.as_ref().unwrap(), p)
        })
        .collect();
    assert_eq!(
        refused.len(),
        cs.problems.len(),
        "one problem per refused row"
    );
    let mut counts = [0; 4];
    for (key, (ci, base_hash)) in &expected {
        let cell = &all[*ci];
        let what = format!(
            "{:?} cell {cell:?} in {}, key {key}",
            col.sql_type,
            tz.name()
        );
        let Some((value, hash)) = reference(col, cell, tz) else {
            assert!(refused.contains_key(key), "refused: {what}");
            assert!(cs.held.contains(key), "held: {what}");
            assert!(
                !updates.contains_key(key) && !inserts.contains_key(key),
                "{what}"
            );
            counts[2] += 1;
            continue;
        };
        assert!(
            !refused.contains_key(key) && !cs.held.contains(key),
            "{what}"
        );
        assert!(cs.located.contains_key(key), "located: {what}");
        match base_hash {
            Some(b) if *b == hash => {
                assert!(!updates.contains_key(key), "untouched: {what}");
                counts[0] += 1;
            }
            Some(_) => {
                let u = updates
                    .get(key)
                    .unwrap_or_else(|| panic!("changed: {what}"));
                assert_eq!(u.changed, vec![1], "{what}");
                assert_eq!(same(&u.row.values[1]), same(&value), "{what}");
                assert_eq!(u.row.cells[1], hash, "{what}");
                counts[1] += 1;
            }
            None => {
                let r = inserts.get(key).unwrap_or_else(|| panic!("new: {what}"));
                assert_eq!(same(&r.values[1]), same(&value), "{what}");
                assert_eq!(r.cells[1], hash, "{what}");
                counts[3] += 1;
            }
        }
    }
    assert_eq!(
        updates.len() + inserts.len(),
        counts[1] + counts[3],
        "no other row"
    );
    counts
}

#[test]
fn every_fast_path_agrees_with_reading_every_cell() {
    for zone in ZONES {
        let tz = common::zone(zone);
        for sql_type in common::every_column_type() {
            for nullable in [true, false] {
                let counts = check(&schema(sql_type.clone(), nullable), &tz);
                // Each column type saw untouched, changed and new rows; those that refuse
                // something (every type but text without a limit) saw refused ones too.
                assert!(
                    counts[0] > 0 && counts[1] > 0 && counts[3] > 0,
                    "{sql_type:?} in {zone}: {counts:?}"
                );
            }
        }
    }
}

/// The diff finds each row's base row by walking the base in step with the sheet, falling back
/// to a hashed lookup when the next base entry has another key. Whatever the sheet's order
/// (the base's text order, numeric order, reversed, shuffled), with keys the base lacks, keys
/// it has that the sheet lost, a duplicated key and blank rows in between, the diff must say
/// what looking each key up in the base's ordered map says: no row is paired with its
/// neighbour's base row.
#[test]
fn base_rows_are_found_in_any_sheet_order() {
    use common::{row, synced};
    use sheetsync_core::sheet::SheetCell;

    let rows: Vec<Vec<SheetCell>> = (1..=150)
        .map(|i| row(i, &format!("item {i}"), Some(i % 9), ""))
        .collect();
    let input = synced(rows.clone());
    let base = input.base.unwrap();
    // The sheet now: every 7th row edited, row 40 gone, row 151 new, row 12 twice.
    let mut now: Vec<Vec<SheetCell>> = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 39)
        .map(|(i, r)| {
            let mut r = r.clone();
            if i % 7 == 3 {
                r[1] = SheetCell::Text(format!("item {} changed", i + 1).into());
            }
            r
        })
        .collect();
    now.push(row(151, "new", Some(1), ""));
    now.push(row(12, "again", Some(2), ""));
    let text_order = {
        let mut r = now.clone();
        r.sort_by_key(|cells| match &cells[0] {
            SheetCell::Number(x) => x.to_string(),
            _ => String::new(),
        });
        r
    };
    let reversed: Vec<_> = now.iter().rev().cloned().collect();
    let shuffled: Vec<_> = (0..now.len())
        .map(|i| now[i * 61 % now.len()].clone())
        .collect();
    let mut with_blanks = now.clone();
    with_blanks.insert(5, vec![SheetCell::Empty; 4]);
    with_blanks.insert(50, vec![]);

    let tz = ZoneOffsets::utc();
    let changed: Vec<String> = (1..=150)
        .filter(|i| (i - 1) % 7 == 3 && *i != 40 && *i != 12)
        .map(|i| i.to_string())
        .collect();
    for (what, sheet_rows) in [
        ("numeric order", now),
        ("text order", text_order),
        ("reversed", reversed),
        ("shuffled", shuffled),
        ("with blank rows", with_blanks),
    ] {
        let sheet = SheetSnapshot {
            rows: sheet_rows,
            ..input.sheet.clone()
        };
        let cs = diff(&input.schema, &sheet, &base, &tz).unwrap();
        // The reference: each sheet row paired with its key's entry in the ordered map.
        for u in &cs.updates {
            let key = u.row.key.as_ref().unwrap();
            let b = &base.rows[key];
            let want: Vec<usize> = (0..4).filter(|&c| b.cells[c] != u.row.cells[c]).collect();
            assert_eq!(u.changed, want, "{what}: key {key}");
        }
        let mut updated: Vec<String> = cs
            .updates
            .iter()
            .map(|u| u.row.key.as_ref().unwrap().0.clone())
            .collect();
        updated.sort_by_key(|k| k.parse::<u32>().unwrap());
        assert_eq!(updated, changed, "{what}");
        let inserted: Vec<_> = cs.inserts.iter().map(|r| r.key.clone()).collect();
        assert_eq!(inserted, vec![Some(RowKey("151".into()))], "{what}");
        assert_eq!(cs.deletes, vec![RowKey("40".into())], "{what}");
        assert_eq!(
            cs.held.iter().cloned().collect::<Vec<_>>(),
            vec![RowKey("12".into())],
            "{what}"
        );
        // 149 base keys left and one new key, less the held one.
        assert_eq!(cs.located.len(), 149, "{what}");
        for (k, data_row) in cs.located.iter() {
            let cells = &sheet.rows[data_row];
            assert_eq!(cells[0], SheetCell::Number(k.0.parse().unwrap()), "{what}");
            assert_eq!(cs.located.get(k), Some(data_row), "{what}");
        }
        // A new key, a key gone, the held key and a key never seen.
        let new_row = cs.located.get(&RowKey("151".into())).unwrap();
        assert_eq!(
            sheet.rows[new_row][1],
            SheetCell::Text("new".into()),
            "{what}"
        );
        for absent in ["40", "12", "999", ""] {
            assert!(
                !cs.located.contains_key(&RowKey(absent.into())),
                "{what}: {absent}"
            );
        }
    }
}

#[test]
fn keys_read_directly_are_the_keys_and_hashes_their_values_give() {
    let tz = ZoneOffsets::utc();
    // -0 is the key "0", as its value is.
    let int_keys = [
        -0.0,
        7.0,
        -7.0,
        1e6,
        9_007_199_254_740_991.0,
        -9_007_199_254_740_991.0,
    ];
    let text_keys = ["a", "007", " spaced ", "é😀", "SKU-0000001"];
    let text_key = SqlType::Text {
        max_chars: Some(20),
    };
    for (what, key_type, keys) in [
        (
            "whole numbers",
            None,
            int_keys.map(SheetCell::Number).to_vec(),
        ),
        (
            "text",
            Some(text_key),
            text_keys.map(|k| SheetCell::Text(k.into())).to_vec(),
        ),
        (
            // Whole numbers in a text key column and text in a whole-number one take the
            // reference path; mixed in, they must not disturb the direct ones.
            "mixed",
            None,
            vec![SheetCell::Text("12".into()), SheetCell::Number(5.0)],
        ),
    ] {
        let mut table = schema(SqlType::Bool, true);
        if let Some(t) = key_type {
            table.columns[0].sql_type = t;
        }
        let sheet = SheetSnapshot {
            headers: vec!["id".into(), "c".into()],
            rows: keys
                .iter()
                .map(|k| vec![k.clone(), SheetCell::Empty])
                .collect(),
            first_row: 2,
            formulas: None,
            packed: None,
        };
        let base = Base::default();
        let cs = diff(&table, &sheet, &base, &tz).unwrap();
        assert!(cs.problems.is_empty(), "{what}: {:?}", cs.problems);
        assert_eq!(cs.inserts.len(), keys.len(), "{what}");
        for (row, cell) in cs.inserts.iter().zip(&keys) {
            let (value, hash) = reference(&table.columns[0], cell, &tz).unwrap();
            assert_eq!(row.key, RowKey::from_value(&value), "{what}: {cell:?}");
            assert_eq!(row.cells[0], hash, "{what}: {cell:?}");
            assert_eq!(
                cs.located.get(&row.key.clone().unwrap()),
                Some(row.data_row)
            );
        }
    }
}
