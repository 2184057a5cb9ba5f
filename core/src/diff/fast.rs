//! Hashing the common sheet cells without building their values.
//!
//! A large sheet is mostly text, whole numbers, floats, booleans, decimal numbers and dates
//! that fit their columns. For those pairs of cell and column the canonical encoding (see
//! [`crate::hash`]) is written straight from the cell, skipping the typed value, its text and its
//! checks that cannot fail. Every other pair (empty cells, text in number or date columns, enums,
//! JSON, anything that might not fit) answers `None` and goes through
//! [`crate::convert::read_cell`], which stays the reference: for any cell the fast hash, when
//! there is one, equals the reference's.

use xxhash_rust::xxh3::xxh3_64;

use crate::schema::ColumnSchema;
use crate::sheet::{CellRef, SheetCell};
use crate::value::{SqlType, MAX_SAFE_INTEGER};
use crate::zone::ZoneOffsets;

/// The powers of ten a double holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Decimal numbers take the direct path up to this many units of their last place. Below it
/// a double's spacing is under a fifth of that place, so at most one number with the column's
/// scale reads as a given double, and the shortest text of the double is that number.
const MAX_DECIMAL_UNITS: f64 = 1e15;

/// The largest scale the direct decimal path handles (its units stay whole doubles).
const MAX_FAST_SCALE: u8 = 15;

/// Dates take the direct path within this many ms of the epoch (about ±31,000 years), far
/// inside what `chrono` holds, so the reference can never refuse them.
const MAX_FAST_DATE_MS: f64 = 1e15;

const DAY_MS: i64 = 86_400_000;

/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const EPOCH_DAYS_FROM_CE: i64 = 719_163;

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
    /// A decimal number of `scale` digits after the point, `precision` in all.
    Decimal { precision: u8, scale: u8 },
    /// A date, the wall-clock day of a date cell.
    Date,
    /// A date and time, the wall clock of a date cell.
    DateTime,
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
            SqlType::Decimal { precision, scale } if *scale <= MAX_FAST_SCALE => {
                FastKind::Decimal {
                    precision: *precision,
                    scale: *scale,
                }
            }
            SqlType::Date => FastKind::Date,
            SqlType::DateTime => FastKind::DateTime,
            _ => FastKind::None,
        }
    }
}

/// The longest encoding written into [`HashScratch::short`]; a longer text goes to its `long`.
const ENCODING: usize = 64;

/// Where cell encodings are written before they are hashed, kept by the diff for all its cells.
///
/// Nearly every encoding fits `short`, written by index: a vector's capacity checks and
/// growth path, or zeroing a fresh array per cell, cost as much as the hash itself.
pub(crate) struct HashScratch {
    short: [u8; ENCODING],
    /// Long texts, and the reference path's encodings.
    pub(crate) long: Vec<u8>,
}

impl HashScratch {
    pub(crate) fn new() -> HashScratch {
        HashScratch {
            short: [0; ENCODING],
            long: Vec::with_capacity(256),
        }
    }
}

/// The body of [`fast_cell_hash`] for a cell `$cell` (a reference) of the enum `$Cell`
/// ([`CellRef`] or [`SheetCell`], whose variants have the same names and payloads).
macro_rules! fast_hash_of {
    ($cell:expr, $Cell:ident, $kind:expr, $tz:expr, $scratch:expr) => {{
        let scratch: &mut HashScratch = $scratch;
        let tz: &ZoneOffsets = $tz;
        let buf = &mut scratch.short;
        let len = match ($kind, $cell) {
            (FastKind::Text { max_chars }, $Cell::Text(s)) if !s.is_empty() => {
                // Characters never outnumber bytes, so most texts are settled by their length.
                if s.len() > max_chars as usize && s.chars().count() > max_chars as usize {
                    return None;
                }
                let bytes = s.as_bytes();
                let target = match buf.get_mut(..5 + bytes.len()) {
                    Some(target) => target,
                    None => {
                        scratch.long.clear();
                        scratch.long.resize(5 + bytes.len(), 0);
                        scratch.long.as_mut_slice()
                    }
                };
                target[0] = 4;
                target[1..5].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
                target[5..].copy_from_slice(bytes);
                return Some(xxh3_64(target) as u32);
            }
            (FastKind::Int { lo, hi }, $Cell::Number(x)) => {
                // A double converts to i64 in one instruction (to i128 only through a library
                // call): it is whole exactly when it converts back to itself, and `lo..=hi` lies
                // within 2^53, which both types hold exactly.
                let n = *x as i64;
                if !(n as f64 == *x && n >= lo && n <= hi) {
                    return None;
                }
                buf[0] = 2;
                buf[1..17].copy_from_slice(&i128::from(n).to_le_bytes());
                17
            }
            (FastKind::Float, $Cell::Number(x)) if x.is_finite() => {
                let x = if *x == 0.0 { 0.0f64 } else { *x };
                buf[0] = 3;
                buf[1..9].copy_from_slice(&x.to_bits().to_le_bytes());
                9
            }
            (FastKind::Bool, $Cell::Bool(b)) => {
                buf[0] = 1;
                buf[1] = u8::from(*b);
                2
            }
            (FastKind::Decimal { precision, scale }, $Cell::Number(x)) => {
                encode_decimal(*x, precision, scale, buf)?
            }
            (FastKind::Date, $Cell::Date(ms)) => {
                let days = wall_ms(*ms, tz)?.div_euclid(DAY_MS) + EPOCH_DAYS_FROM_CE;
                buf[0] = 7;
                buf[1..5].copy_from_slice(&(days as i32).to_le_bytes());
                5
            }
            (FastKind::DateTime, $Cell::Date(ms)) => {
                let wall = wall_ms(*ms, tz)?;
                let nanos = (wall.rem_euclid(1000) * 1_000_000) as u32;
                buf[0] = 8;
                buf[1..9].copy_from_slice(&wall.div_euclid(1000).to_le_bytes());
                buf[9..13].copy_from_slice(&nanos.to_le_bytes());
                13
            }
            _ => return None,
        };
        Some(xxh3_64(&buf[..len]) as u32)
    }};
}

/// The cell hash of `cell` in a column of kind `kind`, when it is one of the direct cases.
///
/// Always inlined: called once per cell of a large sheet, a call costs about as much as the
/// hash of a short text.
#[inline(always)]
pub(super) fn fast_cell_hash(
    kind: FastKind,
    cell: CellRef<'_>,
    tz: &ZoneOffsets,
    scratch: &mut HashScratch,
) -> Option<u32> {
    fast_hash_of!(&cell, CellRef, kind, tz, scratch)
}

/// [`fast_cell_hash`] of an owned cell, read as it is rather than through its
/// [`SheetCell::view`]: a second dispatch on the cell's kind per cell cost a native diff more
/// mispredicted jumps than the view saves.
#[inline(always)]
pub(super) fn fast_owned_cell_hash(
    kind: FastKind,
    cell: &SheetCell,
    tz: &ZoneOffsets,
    scratch: &mut HashScratch,
) -> Option<u32> {
    fast_hash_of!(cell, SheetCell, kind, tz, scratch)
}

/// The wall clock (ms since the epoch, read as UTC) of a date cell, as the reference reads it:
/// the instant rounded to the millisecond, plus the zone's offset then.
#[inline]
fn wall_ms(ms: f64, tz: &ZoneOffsets) -> Option<i64> {
    if !ms.is_finite() || ms.abs() > MAX_FAST_DATE_MS {
        return None;
    }
    let utc = round_whole(ms) as i64;
    Some(utc + tz.offset_at(utc))
}

/// `x.round()`, without its library call when `x` is already whole (nearly every date's
/// milliseconds and decimal's units): a whole double converts to i64 and back unchanged. Only
/// doubles past 2^63 (or not finite) fail that check, and they take `round`.
#[inline]
fn round_whole(x: f64) -> f64 {
    let n = x as i64;
    if n as f64 == x {
        x
    } else {
        x.round()
    }
}

/// Writes the encoding of the decimal `x` reads as in a `DECIMAL(precision, scale)` column:
/// the canonical text of the shortest decimal that reads back as `x`. `None` when `x` has more
/// digits after the point than the scale, too many before it, or is too large for the direct
/// path; the reference then decides. Answers the encoding's length.
#[inline(always)]
fn encode_decimal(x: f64, precision: u8, scale: u8, out: &mut [u8; ENCODING]) -> Option<usize> {
    let pow = POW10[usize::from(scale)];
    let units = round_whole(x * pow);
    // Both operands are exact, so the quotient is the double nearest units / 10^scale: the
    // number with `scale` decimals reads back as `x` exactly when it equals `x`.
    if !units.is_finite() || units.abs() >= MAX_DECIMAL_UNITS || units / pow != x {
        return None;
    }
    let magnitude = (units as i64).unsigned_abs();
    let one = 10u64.pow(u32::from(scale));
    let (whole, fraction) = (magnitude / one, magnitude % one);
    let whole_digits = if whole == 0 { 0 } else { whole.ilog10() + 1 };
    if whole_digits + u32::from(scale) > u32::from(precision) {
        return None;
    }
    let mut digits = [0u8; 48];
    let mut at = digits.len();
    let mut push = |b: u8| {
        at -= 1;
        digits[at] = b;
    };
    let mut f = fraction;
    for _ in 0..scale {
        push(b'0' + (f % 10) as u8);
        f /= 10;
    }
    if scale > 0 {
        push(b'.');
    }
    let mut w = whole;
    loop {
        push(b'0' + (w % 10) as u8);
        w /= 10;
        if w == 0 {
            break;
        }
    }
    if units < 0.0 {
        push(b'-');
    }
    let text = &digits[at..];
    out[0] = 5;
    out[1..5].copy_from_slice(&(text.len() as u32).to_le_bytes());
    out[5..5 + text.len()].copy_from_slice(text);
    Some(5 + text.len())
}

#[cfg(test)]
#[path = "fast_tests.rs"]
mod tests;
