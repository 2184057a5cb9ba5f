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
//! The planner reads the cells from these arrays as they are ([`PackedRows`]): no value is
//! built per cell, and the cells read are exactly those the JSON path gives for the same row
//! values. The base, the other large part of an input, crosses the same way ([`FlatBase`]).

use std::collections::BTreeMap;

use sheetsync_core::base::{Base, BaseRow};
use sheetsync_core::schema::RowKey;
pub use sheetsync_core::sheet::packed::{DATE, EMPTY, FALSE, NUMBER, TEXT, TRUE};
use sheetsync_core::sheet::PackedRows;
use sheetsync_core::value::MAX_SAFE_INTEGER;
use sheetsync_core::wire::RowVersion;

use crate::error::BindingError;

/// The flat arrays of one sheet's rows, as the loader sends them.
pub struct FlatRows {
    /// Each row's number of cells.
    pub widths: Vec<u32>,
    /// One kind per cell.
    pub kinds: Vec<u8>,
    /// Number and date cells' values.
    pub numbers: Vec<f64>,
    /// The text cells' UTF-8 bytes.
    pub text: Vec<u8>,
    /// Each text cell's length in bytes.
    pub text_lengths: Vec<u32>,
}

const WHAT: &str = "planSync sheet rows";

/// Packs the rows for the planner, keeping the arrays; any disagreement between them is an
/// error saying where.
pub fn pack_rows(flat: FlatRows) -> Result<PackedRows, BindingError> {
    PackedRows::new(
        &flat.widths,
        flat.kinds,
        flat.numbers,
        flat.text,
        flat.text_lengths,
    )
    .map_err(|e| BindingError::new(WHAT, e))
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
    use sheetsync_core::sheet::SheetCell;

    #[test]
    fn flat_rows_pack_to_the_cells_they_describe_and_refuse_disagreeing_arrays() {
        let flat = |widths: &[u32], kinds: &[u8], numbers: &[f64], text: &[u8], lengths: &[u32]| {
            FlatRows {
                widths: widths.to_vec(),
                kinds: kinds.to_vec(),
                numbers: numbers.to_vec(),
                text: text.to_vec(),
                text_lengths: lengths.to_vec(),
            }
        };
        let rows = pack_rows(flat(
            &[3, 0, 2],
            &[NUMBER, TEXT, EMPTY, TRUE, DATE],
            &[1.5, 86_400_000.0],
            "日本".as_bytes(),
            &[6],
        ))
        .unwrap();
        assert_eq!(
            (rows.len(), rows.row(0), rows.row(2)),
            (
                3,
                vec![
                    SheetCell::Number(1.5),
                    SheetCell::Text("日本".into()),
                    SheetCell::Empty
                ],
                vec![SheetCell::Bool(true), SheetCell::Date(86_400_000.0)]
            )
        );
        let err =
            pack_rows(flat(&[2], &[NUMBER, TEXT], &[1.0], "😀".as_bytes(), &[1])).unwrap_err();
        assert_eq!(err.at, WHAT);
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
