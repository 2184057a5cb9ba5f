//! The direct hashes against the reference: for every cell the fast path takes, the hash of
//! `read_cell`'s value; every cell the reference refuses, left to the reference.

use proptest::prelude::*;

use super::*;
use crate::convert::read_cell;
use crate::hash::cell_hash_of;
use crate::schema::ColumnSchema;
use crate::sheet::SheetCell;
use crate::zone_tables::zone;

fn column(sql_type: SqlType) -> ColumnSchema {
    ColumnSchema {
        name: "c".into(),
        sql_type,
        nullable: true,
        primary_key: false,
        generated: false,
        has_default: false,
    }
}

fn decimal(precision: u8, scale: u8) -> ColumnSchema {
    column(SqlType::Decimal { precision, scale })
}

/// Checks the fast hash of `cell` against the reference; tells whether the fast path took it.
fn agrees(col: &ColumnSchema, cell: &SheetCell, tz: &ZoneOffsets) -> bool {
    let kind = FastKind::of(col);
    let fast = fast_cell_hash(kind, cell.view(), tz, &mut HashScratch::new());
    // The owned cell, read as it is, takes the same path to the same hash.
    let owned = fast_owned_cell_hash(kind, cell, tz, &mut HashScratch::new());
    assert_eq!(fast, owned, "{col:?} {cell:?} in {}", tz.name());
    let Some(fast) = fast else {
        return false;
    };
    let reference = read_cell(col, cell.view(), tz).unwrap_or_else(|e| {
        panic!(
            "{col:?} {cell:?} in {}: fast path took a refused cell: {e}",
            tz.name()
        )
    });
    assert_eq!(
        fast,
        cell_hash_of(&reference, &mut Vec::new()),
        "{col:?} {cell:?} in {}",
        tz.name()
    );
    true
}

#[test]
fn the_fast_hash_equals_the_reference_or_steps_aside() {
    let columns = [
        column(SqlType::Text { max_chars: None }),
        column(SqlType::Text { max_chars: Some(3) }),
        column(SqlType::Int {
            bits: 8,
            unsigned: false,
        }),
        column(SqlType::Int {
            bits: 8,
            unsigned: true,
        }),
        column(SqlType::Int {
            bits: 64,
            unsigned: false,
        }),
        column(SqlType::Int {
            bits: 64,
            unsigned: true,
        }),
        column(SqlType::Float { bits: 64 }),
        column(SqlType::Bool),
        decimal(10, 2),
        column(SqlType::Date),
        column(SqlType::DateTime),
        column(SqlType::Time),
    ];
    let cells = [
        SheetCell::Empty,
        SheetCell::Text(String::new().into()),
        SheetCell::Text("abc".into()),
        SheetCell::Text("abcd".into()),
        SheetCell::Text("éèê".into()),
        SheetCell::Text("éèêë".into()),
        SheetCell::Text(" 42 ".into()),
        SheetCell::Text("true".into()),
        SheetCell::Text("12.50".into()),
        SheetCell::Text("2024-02-29".into()),
        // Around the longest text encoded on the stack (59 bytes) and past it.
        SheetCell::Text("x".repeat(58).into()),
        SheetCell::Text("x".repeat(59).into()),
        SheetCell::Text("x".repeat(60).into()),
        SheetCell::Text("é".repeat(30).into()),
        SheetCell::Text("y".repeat(300).into()),
        SheetCell::Number(0.0),
        SheetCell::Number(-0.0),
        SheetCell::Number(1.5),
        SheetCell::Number(127.0),
        SheetCell::Number(128.0),
        SheetCell::Number(-128.0),
        SheetCell::Number(-129.0),
        SheetCell::Number(255.0),
        SheetCell::Number(-1.0),
        SheetCell::Number(9_007_199_254_740_991.0),
        SheetCell::Number(9_007_199_254_740_992.0),
        SheetCell::Number(-9_007_199_254_740_991.0),
        SheetCell::Number(f64::NAN),
        SheetCell::Number(f64::INFINITY),
        SheetCell::Bool(true),
        SheetCell::Bool(false),
        SheetCell::Date(86_400_000.0),
        SheetCell::Date(f64::NAN),
    ];
    let utc = ZoneOffsets::utc();
    let mut fast_hits = 0;
    for col in &columns {
        for cell in &cells {
            fast_hits += usize::from(agrees(col, cell, &utc));
        }
    }
    assert!(fast_hits > 25, "{fast_hits}");
}

/// Numbers a sheet holds in decimal columns: cents, rounding edges, sums that are not what
/// they print as, scales and magnitudes at and beyond the columns' limits.
fn decimal_numbers() -> Vec<f64> {
    let mut xs = vec![
        0.0,
        -0.0,
        0.1 + 0.2,
        1.005,
        2.675,
        0.005,
        0.015,
        -0.005,
        0.125,
        1e-7,
        5e-324,
        123_456.789,
        99_999_999.99,
        99_999_999.994,
        99_999_999.995,
        100_000_000.0,
        -99_999_999.99,
        999_999_999_999.99,
        1e15,
        1e15 - 1.0,
        1e16,
        9_007_199_254_740_993.0,
        1.797_693_134_862_315_7e308,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    for units in [
        1i64,
        5,
        9,
        10,
        99,
        100,
        101,
        12_345,
        99_999,
        1_000_000,
        123_456_789,
        9_999_999_999,
    ] {
        for pow in &POW10[..=6] {
            for sign in [1.0, -1.0] {
                let x = sign * units as f64 / pow;
                xs.extend([x, x + f64::EPSILON * x.abs(), x - 1e-9]);
            }
        }
    }
    xs
}

fn decimal_columns() -> Vec<ColumnSchema> {
    [
        (10, 2),
        (10, 0),
        (5, 0),
        (3, 3),
        (4, 1),
        (18, 4),
        (15, 15),
        (16, 15),
        (30, 10),
        (65, 30),
    ]
    .into_iter()
    .map(|(p, s)| decimal(p, s))
    .collect()
}

#[test]
fn decimal_numbers_hash_as_the_reference_reads_them() {
    let utc = ZoneOffsets::utc();
    let mut fast_hits = 0;
    for col in &decimal_columns() {
        for x in decimal_numbers() {
            fast_hits += usize::from(agrees(col, &SheetCell::Number(x), &utc));
        }
    }
    assert!(fast_hits > 900, "{fast_hits}");
}

proptest! {
    #[test]
    fn cents_and_other_decimals_hash_as_the_reference_reads_them(
        units in -10_000_000_000_000i64..10_000_000_000_000,
        divisor in 0usize..8,
        p in 1u8..40,
        s in 0u8..20,
    ) {
        let col = decimal(p, s.min(p));
        agrees(&col, &SheetCell::Number(units as f64 / POW10[divisor]), &ZoneOffsets::utc());
    }

    #[test]
    fn any_number_hashes_as_the_reference_reads_it(x in any::<f64>(), p in 1u8..40, s in 0u8..20) {
        agrees(&decimal(p, s.min(p)), &SheetCell::Number(x), &ZoneOffsets::utc());
    }
}

/// Instants around every change of `tz`'s offset, and through the centuries on both sides of
/// 1970, with fractions of a millisecond that round either way.
fn instants_around(tz: &ZoneOffsets) -> Vec<f64> {
    const DAY: f64 = 86_400_000.0;
    let mut ms = vec![];
    for (start, _) in tz.table() {
        let t = start as f64;
        for d in [
            -DAY,
            -3_600_001.0,
            -1000.0,
            -1.0,
            -0.5,
            -0.4,
            0.0,
            0.5,
            0.6,
            1.0,
            999.5,
            3_600_000.0,
            1_800_000.0,
            DAY,
        ] {
            ms.push(t + d);
        }
    }
    let mut t = -6e12;
    while t < 6e12 {
        ms.extend([t, t + 0.5, -t - 0.5, t + 12_345.678]);
        t += 7.77e9;
    }
    ms.extend([
        -8.64e15,
        8.64e15,
        -1e15,
        1e15,
        1e15 + 1.0,
        -1e15 - 1.0,
        9e15,
        f64::NAN,
        f64::INFINITY,
    ]);
    ms
}

#[test]
fn date_cells_hash_as_the_reference_reads_them_in_real_zones() {
    let zones = [
        ZoneOffsets::utc(),
        ZoneOffsets::fixed("+05:30", 19_800).unwrap(),
        ZoneOffsets::fixed("-09:59:59", -35_999).unwrap(),
        zone("Europe/Paris"),
        zone("America/New_York"),
        zone("Australia/Lord_Howe"),
        zone("Asia/Kathmandu"),
        zone("Pacific/Apia"),
    ];
    let columns = [column(SqlType::Date), column(SqlType::DateTime)];
    for tz in &zones {
        let mut fast_hits = 0;
        let instants = instants_around(tz);
        for col in &columns {
            for &ms in &instants {
                fast_hits += usize::from(agrees(col, &SheetCell::Date(ms), tz));
            }
        }
        assert!(
            fast_hits + 20 > 2 * instants.len(),
            "{}: {fast_hits} of {}",
            tz.name(),
            2 * instants.len()
        );
    }
}
