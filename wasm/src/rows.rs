//! A sheet's rows as flat arrays: how a large sheet crosses into the module.
//!
//! JSON text costs twice for millions of cells: the engine writes it, the module parses it back
//! cell by cell. Instead the loader (see `scripts/build-addon-bundle.mjs`) walks the rows once
//! into five arrays, written straight into the module's memory (see [`crate::stage`]):
//!
//! - `widths`: each row's number of cells;
//! - `kinds`: one byte per cell, row after row: [`EMPTY`], [`NUMBER`], [`TEXT`], [`FALSE`],
//!   [`TRUE`] or [`DATE`];
//! - `numbers`: the value of each number cell and the milliseconds of each date cell, in cell
//!   order;
//! - `text`: every text cell's UTF-8 bytes, one after the other;
//! - `text_lengths`: each text cell's length in bytes.
//!
//! The cells built are exactly those the JSON path gives for the same row values. The base, the
//! other large part of an input, crosses the same way ([`FlatBase`]).

use std::collections::BTreeMap;

use sheetsync_core::base::{Base, BaseRow};
use sheetsync_core::schema::RowKey;
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::value::MAX_SAFE_INTEGER;
use sheetsync_core::wire::RowVersion;

use crate::error::BindingError;

/// An empty cell (`""`, `null`).
pub const EMPTY: u8 = 0;
/// A number, from `numbers`.
pub const NUMBER: u8 = 1;
/// Text, from `text`.
pub const TEXT: u8 = 2;
/// The boolean `false`.
pub const FALSE: u8 = 3;
/// The boolean `true`.
pub const TRUE: u8 = 4;
/// A date cell, its milliseconds from `numbers`.
pub const DATE: u8 = 5;

/// The flat arrays of one sheet's rows, as the loader sends them.
pub struct FlatRows<'a> {
    /// Each row's number of cells.
    pub widths: &'a [u32],
    /// One kind per cell.
    pub kinds: &'a [u8],
    /// Number and date cells' values.
    pub numbers: &'a [f64],
    /// The text cells' UTF-8 bytes.
    pub text: &'a [u8],
    /// Each text cell's length in bytes.
    pub text_lengths: &'a [u32],
}

const WHAT: &str = "planSync sheet rows";

/// Rebuilds the rows; any disagreement between the arrays is an error saying where.
pub fn decode_rows(flat: &FlatRows<'_>) -> Result<Vec<Vec<SheetCell>>, BindingError> {
    let cells: usize = flat.widths.iter().map(|&w| w as usize).sum();
    if cells != flat.kinds.len() {
        return Err(BindingError::new(
            WHAT,
            format!(
                "the rows hold {cells} cells but {} cell kinds came",
                flat.kinds.len()
            ),
        ));
    }
    let text = std::str::from_utf8(flat.text)
        .map_err(|e| BindingError::new(WHAT, format!("the text is not UTF-8 ({e})")))?;
    let mut texts = TextCursor {
        rest: text,
        lengths: flat.text_lengths.iter(),
    };
    let mut numbers = flat.numbers.iter().copied();
    let mut kinds = flat.kinds.iter().copied();
    let mut rows = Vec::with_capacity(flat.widths.len());
    for (r, &width) in flat.widths.iter().enumerate() {
        let mut row = Vec::with_capacity(width as usize);
        for c in 0..width as usize {
            let at = || format!("row {r}, cell {c}");
            let kind = kinds.next().unwrap_or(EMPTY);
            row.push(match kind {
                EMPTY => SheetCell::Empty,
                NUMBER | DATE => {
                    let x = numbers.next().ok_or_else(|| {
                        BindingError::new(WHAT, format!("{}: the numbers ran out", at()))
                    })?;
                    if kind == NUMBER {
                        SheetCell::Number(x)
                    } else if x.is_finite() {
                        SheetCell::Date(x)
                    } else {
                        return Err(BindingError::new(
                            WHAT,
                            format!("{}: a date cell's milliseconds must be finite", at()),
                        ));
                    }
                }
                TEXT => {
                    let s = texts
                        .next()
                        .map_err(|e| BindingError::new(WHAT, format!("{}: {e}", at())))?;
                    if s.is_empty() {
                        SheetCell::Empty
                    } else {
                        SheetCell::Text(s.to_owned().into())
                    }
                }
                FALSE => SheetCell::Bool(false),
                TRUE => SheetCell::Bool(true),
                other => {
                    return Err(BindingError::new(
                        WHAT,
                        format!("{}: unknown cell kind {other}", at()),
                    ))
                }
            });
        }
        rows.push(row);
    }
    if numbers.next().is_some() || !texts.done() {
        return Err(BindingError::new(
            WHAT,
            "more numbers or text came than the cells use",
        ));
    }
    Ok(rows)
}

/// A base (see `sheetsync_core::base`) as flat arrays: for entry `i`, its key and its stored
/// base64 hashes are the next two texts of `text` (lengths `lengths[2i]`, `lengths[2i + 1]`,
/// UTF-8 bytes) and its version is `versions[i]`.
pub struct FlatBase<'a> {
    /// Each entry's version (whole numbers).
    pub versions: &'a [f64],
    /// Keys and hashes, one after the other.
    pub text: &'a [u8],
    /// Their lengths in bytes.
    pub lengths: &'a [u32],
}

const BASE: &str = "planSync base";

/// Rebuilds the base, checking every entry as the JSON path does.
pub fn decode_base(flat: &FlatBase<'_>) -> Result<Base, BindingError> {
    if flat.lengths.len() != flat.versions.len() * 2 {
        return Err(BindingError::new(
            BASE,
            format!(
                "{} entries but {} texts came",
                flat.versions.len(),
                flat.lengths.len()
            ),
        ));
    }
    let text = std::str::from_utf8(flat.text)
        .map_err(|e| BindingError::new(BASE, format!("the text is not UTF-8 ({e})")))?;
    let mut texts = TextCursor {
        rest: text,
        lengths: flat.lengths.iter(),
    };
    // Gathered first and built in one go: sorting once and building the ordered map from sorted
    // entries costs less than an insert (a walk of string comparisons) per entry. An entry
    // whose key came before is replaced by it, as inserting them one by one would.
    let mut rows = Vec::with_capacity(flat.versions.len());
    for (i, &version) in flat.versions.iter().enumerate() {
        let key = texts
            .next()
            .map_err(|e| BindingError::new(BASE, format!("entry {i}: {e}")))?;
        let hashes = texts
            .next()
            .map_err(|e| BindingError::new(BASE, format!("entry {key:?}: {e}")))?;
        if version.fract() != 0.0 || version.abs() > MAX_SAFE_INTEGER as f64 {
            return Err(BindingError::new(
                BASE,
                format!("entry {key:?}: the version {version} is not a whole number"),
            ));
        }
        let row = BaseRow::decode(version as RowVersion, hashes)
            .map_err(|e| BindingError::new(BASE, format!("entry {key:?}: {e}")))?;
        rows.push((RowKey(key.to_owned()), row));
    }
    if !texts.done() {
        return Err(BindingError::new(
            BASE,
            "more text came than the entries use",
        ));
    }
    Ok(Base {
        rows: BTreeMap::from_iter(rows),
    })
}

/// Splits the joined text by byte lengths.
struct TextCursor<'a> {
    rest: &'a str,
    lengths: std::slice::Iter<'a, u32>,
}

impl<'a> TextCursor<'a> {
    fn next(&mut self) -> Result<&'a str, String> {
        let bytes = *self.lengths.next().ok_or("the text lengths ran out")? as usize;
        if bytes > self.rest.len() {
            return Err("the text ran out".into());
        }
        if !self.rest.is_char_boundary(bytes) {
            return Err(format!("a text of {bytes} bytes ends inside a character"));
        }
        let (s, rest) = self.rest.split_at(bytes);
        self.rest = rest;
        Ok(s)
    }

    fn done(&mut self) -> bool {
        self.rest.is_empty() && self.lengths.next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_rows_decode_to_the_cells_they_describe() {
        let flat = FlatRows {
            widths: &[3, 0, 4],
            kinds: &[NUMBER, TEXT, EMPTY, TRUE, FALSE, DATE, TEXT],
            numbers: &[1.5, 86_400_000.0],
            text: "abc日本😀x".as_bytes(),
            text_lengths: &[3, 11],
        };
        let rows = decode_rows(&flat).unwrap();
        assert_eq!(
            rows,
            vec![
                vec![
                    SheetCell::Number(1.5),
                    SheetCell::Text("abc".into()),
                    SheetCell::Empty
                ],
                vec![],
                vec![
                    SheetCell::Bool(true),
                    SheetCell::Bool(false),
                    SheetCell::Date(86_400_000.0),
                    SheetCell::Text("日本😀x".into()),
                ],
            ]
        );
    }

    #[test]
    fn arrays_that_disagree_are_refused_with_where() {
        let base = FlatRows {
            widths: &[2],
            kinds: &[NUMBER, TEXT],
            numbers: &[1.0],
            text: b"ab",
            text_lengths: &[2],
        };
        assert!(decode_rows(&base).is_ok());
        let cases = [
            FlatRows {
                widths: &[3],
                ..base
            },
            FlatRows {
                numbers: &[],
                ..base
            },
            FlatRows {
                numbers: &[1.0, 2.0],
                ..base
            },
            FlatRows {
                text: b"abc",
                ..base
            },
            FlatRows {
                text: b"a\xff",
                ..base
            },
            FlatRows {
                text_lengths: &[3],
                ..base
            },
            FlatRows {
                text_lengths: &[],
                ..base
            },
            FlatRows {
                kinds: &[NUMBER, 9],
                ..base
            },
            FlatRows {
                kinds: &[DATE, TEXT],
                numbers: &[f64::NAN],
                ..base
            },
        ];
        for flat in &cases {
            let err = decode_rows(flat).unwrap_err();
            assert_eq!(err.at, WHAT);
        }
        let err = decode_rows(&FlatRows {
            text: "😀".as_bytes(),
            text_lengths: &[1],
            ..base
        })
        .unwrap_err();
        assert!(err.problem.contains("row 0, cell 1"), "{err}");
    }

    #[test]
    fn a_flat_base_decodes_to_the_base_its_json_gives() {
        let mut want = Base::default();
        want.rows
            .insert(RowKey("7".into()), BaseRow::new(12, vec![1, 2, 3]));
        want.rows
            .insert(RowKey("é".into()), BaseRow::new(3, vec![4]));
        let h7 = want.rows[&RowKey("7".into())].encode_hashes();
        let he = want.rows[&RowKey("é".into())].encode_hashes();
        let text = format!("7{h7}é{he}");
        let lengths = [1, h7.len() as u32, 2, he.len() as u32];
        let flat = FlatBase {
            versions: &[12.0, 3.0],
            text: text.as_bytes(),
            lengths: &lengths,
        };
        assert_eq!(decode_base(&flat).unwrap(), want);
        let json: Base = serde_json::from_str(&serde_json::to_string(&want).unwrap()).unwrap();
        assert_eq!(json, want);

        let bad_version = FlatBase {
            versions: &[12.5, 3.0],
            ..flat
        };
        assert!(decode_base(&bad_version)
            .unwrap_err()
            .problem
            .contains("whole number"));
        let short = FlatBase {
            versions: &[12.0],
            ..flat
        };
        assert!(decode_base(&short).is_err());
        // Keys out of order and a key twice: the same map as inserting entries one by one.
        let h3 = BaseRow::new(9, vec![5]).encode_hashes();
        let text = format!("é{he}7{h7}10{h3}7{h3}");
        let lengths = [
            2,
            he.len() as u32,
            1,
            h7.len() as u32,
            2,
            h3.len() as u32,
            1,
            h3.len() as u32,
        ];
        let mixed = FlatBase {
            versions: &[3.0, 12.0, 9.0, 9.0],
            text: text.as_bytes(),
            lengths: &lengths,
        };
        let mut one_by_one = BTreeMap::new();
        one_by_one.insert(RowKey("é".into()), BaseRow::new(3, vec![4]));
        one_by_one.insert(RowKey("7".into()), BaseRow::new(12, vec![1, 2, 3]));
        one_by_one.insert(RowKey("10".into()), BaseRow::new(9, vec![5]));
        one_by_one.insert(RowKey("7".into()), BaseRow::new(9, vec![5]));
        assert_eq!(decode_base(&mixed).unwrap().rows, one_by_one);

        let corrupt = format!("7{}é{he}", h7.replace('A', "B"));
        let corrupt = FlatBase {
            text: corrupt.as_bytes(),
            ..flat
        };
        assert!(decode_base(&corrupt)
            .unwrap_err()
            .problem
            .contains("entry \"7\""));
    }
}
