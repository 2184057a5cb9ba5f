//! Hashing the common sheet cells without building their values.
//!
//! A large sheet is mostly text, whole numbers, floats and booleans that fit their columns.
//! For those pairs of cell and column the canonical encoding (see [`crate::hash`]) is written
//! straight from the cell, skipping the typed value and its checks that cannot fail. Every other
//! pair (empty cells, dates, decimals, enums, JSON, anything that might not fit) answers `None`
//! and goes through [`crate::convert::read_cell`], which stays the reference: for any cell the
//! fast hash, when there is one, equals the reference's.

use xxhash_rust::xxh3::xxh3_64;

use crate::schema::ColumnSchema;
use crate::sheet::SheetCell;
use crate::value::{SqlType, MAX_SAFE_INTEGER};

/// How a column's cells can be hashed directly, decided once per column.
#[derive(Clone, Copy, Debug)]
pub(super) enum FastKind {
    /// Text with this many characters at most (`u32::MAX`: no limit).
    Text { max_chars: u32 },
    /// A whole number between `lo` and `hi`.
    Int { lo: i64, hi: i64 },
    /// A floating-point number.
    Float,
    /// A boolean.
    Bool,
    /// Anything else: always the reference path.
    None,
}

impl FastKind {
    pub(super) fn of(column: &ColumnSchema) -> FastKind {
        match &column.sql_type {
            SqlType::Text { max_chars } => FastKind::Text {
                max_chars: max_chars.unwrap_or(u32::MAX),
            },
            SqlType::Int { bits, unsigned } => {
                let bits = u32::from((*bits).clamp(8, 64));
                let (lo, hi) = if *unsigned {
                    (0i128, (1i128 << bits) - 1)
                } else {
                    (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
                };
                // Only cells within 2^53 take this path, so clamping there loses nothing.
                FastKind::Int {
                    lo: lo.max(-MAX_SAFE_INTEGER) as i64,
                    hi: hi.min(MAX_SAFE_INTEGER) as i64,
                }
            }
            SqlType::Float { .. } => FastKind::Float,
            SqlType::Bool => FastKind::Bool,
            _ => FastKind::None,
        }
    }
}

/// The cell hash of `cell` in a column of kind `kind`, when it is one of the direct cases.
#[inline]
pub(super) fn fast_cell_hash(
    kind: FastKind,
    cell: &SheetCell,
    scratch: &mut Vec<u8>,
) -> Option<u32> {
    scratch.clear();
    match (kind, cell) {
        (FastKind::Text { max_chars }, SheetCell::Text(s)) if !s.is_empty() => {
            // Characters never outnumber bytes, so most texts are settled by their length.
            if s.len() > max_chars as usize && s.chars().count() > max_chars as usize {
                return None;
            }
            scratch.push(4);
            scratch.extend_from_slice(&(s.len() as u32).to_le_bytes());
            scratch.extend_from_slice(s.as_bytes());
        }
        (FastKind::Int { lo, hi }, SheetCell::Number(x)) => {
            if !(x.fract() == 0.0 && *x >= lo as f64 && *x <= hi as f64) {
                return None;
            }
            scratch.push(2);
            scratch.extend_from_slice(&(*x as i128).to_le_bytes());
        }
        (FastKind::Float, SheetCell::Number(x)) if x.is_finite() => {
            let x = if *x == 0.0 { 0.0f64 } else { *x };
            scratch.push(3);
            scratch.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        (FastKind::Bool, SheetCell::Bool(b)) => scratch.extend_from_slice(&[1, u8::from(*b)]),
        _ => return None,
    }
    Some(xxh3_64(scratch) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::read_cell;
    use crate::hash::cell_hash_of;
    use crate::schema::ColumnSchema;

    fn column(sql_type: SqlType) -> ColumnSchema {
        ColumnSchema {
            name: "c".into(),
            sql_type,
            nullable: true,
            primary_key: false,
            generated: false,
        }
    }

    /// Every fast hash equals the reference (read the value, encode it, hash it), and the
    /// fast path steps aside for every cell the reference refuses.
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
            column(SqlType::Decimal {
                precision: 10,
                scale: 2,
            }),
            column(SqlType::Date),
        ];
        let cells = [
            SheetCell::Empty,
            SheetCell::Text(String::new()),
            SheetCell::Text("abc".into()),
            SheetCell::Text("abcd".into()),
            SheetCell::Text("éèê".into()),
            SheetCell::Text("éèêë".into()),
            SheetCell::Text(" 42 ".into()),
            SheetCell::Text("true".into()),
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
        ];
        let mut scratch = Vec::new();
        let mut fast_hits = 0;
        for col in &columns {
            let kind = FastKind::of(col);
            for cell in &cells {
                let Some(fast) = fast_cell_hash(kind, cell, &mut scratch) else {
                    continue;
                };
                fast_hits += 1;
                let reference = read_cell(col, cell, &crate::zone::ZoneOffsets::utc())
                    .unwrap_or_else(|e| {
                        panic!("{col:?} {cell:?}: fast path took a refused cell: {e}")
                    });
                assert_eq!(
                    fast,
                    cell_hash_of(&reference, &mut Vec::new()),
                    "{col:?} {cell:?}"
                );
            }
        }
        assert!(fast_hits > 20, "{fast_hits}");
    }
}
