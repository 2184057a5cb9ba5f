//! A sheet's rows packed into a few flat arrays, read in place.
//!
//! Millions of cells as [`SheetCell`] values cost a value (and for longer text a heap string)
//! per cell, built before planning and dropped after it. The add-on's loader already writes the
//! rows as flat arrays into the module's memory (`wasm/src/rows.rs`); [`PackedRows`] keeps those
//! arrays as they came and answers each cell as a [`CellRef`] borrowed from them.
//!
//! - `kinds`: one byte per cell, row after row: [`EMPTY`], [`NUMBER`], [`TEXT`], [`FALSE`],
//!   [`TRUE`] or [`DATE`];
//! - `numbers`: the value of each number cell and the milliseconds of each date cell, in cell
//!   order;
//! - `text`: every text cell's UTF-8 bytes, one after the other, split by each text's length.
//!
//! The cells read are exactly those the JS values give as [`SheetCell`]s: an empty text is an
//! empty cell.

use super::{CellRef, SheetCell};

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

/// Where a row's cells, numbers and texts start in the packed arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RowStart {
    cell: u32,
    number: u32,
    text: u32,
}

/// A sheet's data rows as flat arrays (see the module guide).
#[derive(Clone, Debug, PartialEq)]
pub struct PackedRows {
    kinds: Vec<u8>,
    numbers: Vec<f64>,
    text: String,
    /// Where each text ends in `text` (its start is the previous one's end).
    text_ends: Vec<u32>,
    /// One per row, and one past the last row.
    starts: Vec<RowStart>,
}

impl PackedRows {
    /// Packs rows of `widths` cells from the arrays of the module guide, `text_lengths` being
    /// each text's length in bytes. Every disagreement between the arrays is an error saying
    /// where; nothing is copied.
    pub fn new(
        widths: &[u32],
        kinds: Vec<u8>,
        numbers: Vec<f64>,
        text: Vec<u8>,
        text_lengths: Vec<u32>,
    ) -> Result<PackedRows, String> {
        let cells: u64 = widths.iter().map(|&w| u64::from(w)).sum();
        if cells != kinds.len() as u64 {
            return Err(format!(
                "the rows hold {cells} cells but {} cell kinds came",
                kinds.len()
            ));
        }
        if kinds.len() > u32::MAX as usize || text.len() > u32::MAX as usize {
            return Err("the rows exceed 4 GiB".into());
        }
        let text = String::from_utf8(text)
            .map_err(|e| format!("the text is not UTF-8 ({})", e.utf8_error()))?;
        let mut starts = Vec::with_capacity(widths.len() + 1);
        let mut at = RowStart {
            cell: 0,
            number: 0,
            text: 0,
        };
        let mut text_ends = text_lengths;
        let mut text_end: u64 = 0;
        for (r, &width) in widths.iter().enumerate() {
            starts.push(at);
            let row = &kinds[at.cell as usize..at.cell as usize + width as usize];
            for (c, &kind) in row.iter().enumerate() {
                let here = || format!("row {r}, cell {c}");
                match kind {
                    EMPTY | FALSE | TRUE => {}
                    NUMBER | DATE => {
                        let x = *numbers
                            .get(at.number as usize)
                            .ok_or_else(|| format!("{}: the numbers ran out", here()))?;
                        if kind == DATE && !x.is_finite() {
                            return Err(format!(
                                "{}: a date cell's milliseconds must be finite",
                                here()
                            ));
                        }
                        at.number += 1;
                    }
                    TEXT => {
                        let end = text_ends
                            .get_mut(at.text as usize)
                            .ok_or_else(|| format!("{}: the text lengths ran out", here()))?;
                        text_end += u64::from(*end);
                        if text_end > text.len() as u64 {
                            return Err(format!("{}: the text ran out", here()));
                        }
                        if !text.is_char_boundary(text_end as usize) {
                            return Err(format!(
                                "{}: a text of {} bytes ends inside a character",
                                here(),
                                *end
                            ));
                        }
                        // The length becomes the end, in place: no second array per text.
                        *end = text_end as u32;
                        at.text += 1;
                    }
                    other => return Err(format!("{}: unknown cell kind {other}", here())),
                }
            }
            at.cell += width;
        }
        starts.push(at);
        if at.number as usize != numbers.len()
            || at.text as usize != text_ends.len()
            || text_end != text.len() as u64
        {
            return Err("more numbers or text came than the cells use".into());
        }
        Ok(PackedRows {
            kinds,
            numbers,
            text,
            text_ends,
            starts,
        })
    }

    /// Packs rows of owned cells, as the loader packs the JS values they stand for. A date
    /// cell whose milliseconds are not finite is refused, as [`PackedRows::new`] refuses it.
    pub fn from_rows(rows: &[Vec<SheetCell>]) -> Result<PackedRows, String> {
        let mut widths = Vec::with_capacity(rows.len());
        let (mut kinds, mut numbers, mut text, mut lengths) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for row in rows {
            widths.push(row.len() as u32);
            for cell in row {
                kinds.push(match cell {
                    SheetCell::Empty => EMPTY,
                    SheetCell::Number(x) => {
                        numbers.push(*x);
                        NUMBER
                    }
                    SheetCell::Date(ms) => {
                        numbers.push(*ms);
                        DATE
                    }
                    SheetCell::Text(s) => {
                        text.extend_from_slice(s.as_bytes());
                        lengths.push(s.len() as u32);
                        TEXT
                    }
                    SheetCell::Bool(b) => {
                        if *b {
                            TRUE
                        } else {
                            FALSE
                        }
                    }
                });
            }
        }
        PackedRows::new(&widths, kinds, numbers, text, lengths)
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends row `row`'s cells to `out` (nothing for a row past the last).
    pub fn read_row<'a>(&'a self, row: usize, out: &mut Vec<CellRef<'a>>) {
        let (Some(from), Some(to)) = (self.starts.get(row), self.starts.get(row + 1)) else {
            return;
        };
        let (mut number, mut text) = (from.number as usize, from.text as usize);
        out.extend(
            self.kinds[from.cell as usize..to.cell as usize]
                .iter()
                .map(|&kind| {
                    let cell = self.cell_of(kind, number, text);
                    number += usize::from(matches!(kind, NUMBER | DATE));
                    text += usize::from(kind == TEXT);
                    cell
                }),
        );
    }

    /// The cell at row `row`, column `col` (0-based), empty past the row's end.
    pub fn cell(&self, row: usize, col: usize) -> CellRef<'_> {
        let (Some(from), Some(to)) = (self.starts.get(row), self.starts.get(row + 1)) else {
            return CellRef::Empty;
        };
        let kinds = &self.kinds[from.cell as usize..to.cell as usize];
        let Some(&kind) = kinds.get(col) else {
            return CellRef::Empty;
        };
        // The numbers and texts of the cells before it say where its own value is.
        let before = &kinds[..col];
        let count = |wanted: &[u8]| before.iter().filter(|k| wanted.contains(k)).count();
        self.cell_of(
            kind,
            from.number as usize + count(&[NUMBER, DATE]),
            from.text as usize + count(&[TEXT]),
        )
    }

    /// A cell of kind `kind` whose value, if it has one, is number `number` or text `text` (an
    /// empty text is an empty cell).
    #[inline(always)]
    fn cell_of(&self, kind: u8, number: usize, text: usize) -> CellRef<'_> {
        match kind {
            NUMBER => CellRef::Number(self.numbers[number]),
            DATE => CellRef::Date(self.numbers[number]),
            TEXT => {
                let start = if text == 0 {
                    0
                } else {
                    self.text_ends[text - 1]
                };
                match &self.text[start as usize..self.text_ends[text] as usize] {
                    "" => CellRef::Empty,
                    s => CellRef::Text(s),
                }
            }
            FALSE => CellRef::Bool(false),
            TRUE => CellRef::Bool(true),
            _ => CellRef::Empty,
        }
    }

    /// Row `row`'s cells as owned values.
    pub fn row(&self, row: usize) -> Vec<SheetCell> {
        let mut cells = Vec::new();
        self.read_row(row, &mut cells);
        cells.into_iter().map(CellRef::to_owned).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(
        widths: &[u32],
        kinds: &[u8],
        numbers: &[f64],
        text: &[u8],
        lengths: &[u32],
    ) -> Result<PackedRows, String> {
        PackedRows::new(
            widths,
            kinds.to_vec(),
            numbers.to_vec(),
            text.to_vec(),
            lengths.to_vec(),
        )
    }

    #[test]
    fn packed_rows_read_as_the_cells_they_describe() {
        let rows = pack(
            &[3, 0, 5],
            &[NUMBER, TEXT, EMPTY, TRUE, FALSE, DATE, TEXT, TEXT],
            &[1.5, 86_400_000.0],
            "abc日本😀x".as_bytes(),
            &[3, 11, 0],
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows.row(0),
            vec![
                SheetCell::Number(1.5),
                SheetCell::Text("abc".into()),
                SheetCell::Empty
            ]
        );
        assert_eq!(rows.row(1), vec![]);
        assert_eq!(
            rows.row(2),
            vec![
                SheetCell::Bool(true),
                SheetCell::Bool(false),
                SheetCell::Date(86_400_000.0),
                SheetCell::Text("日本😀x".into()),
                SheetCell::Empty,
            ]
        );
        for r in 0..rows.len() {
            for (c, cell) in rows.row(r).iter().enumerate() {
                assert_eq!(rows.cell(r, c), cell.view(), "row {r}, cell {c}");
            }
        }
        assert_eq!(rows.cell(2, 3), CellRef::Text("日本😀x"));
        let owned: Vec<Vec<SheetCell>> = (0..rows.len()).map(|r| rows.row(r)).collect();
        assert_eq!(PackedRows::from_rows(&owned).unwrap().row(2), owned[2]);
        assert!(PackedRows::from_rows(&[vec![SheetCell::Date(f64::NAN)]]).is_err());
        assert_eq!(rows.cell(2, 9), CellRef::Empty);
        assert_eq!(rows.cell(7, 0), CellRef::Empty);
        assert!(rows.row(7).is_empty());
    }

    #[test]
    fn arrays_that_disagree_are_refused_with_where() {
        let ok = pack(&[2], &[NUMBER, TEXT], &[1.0], b"ab", &[2]);
        assert!(ok.is_ok());
        // widths, kinds, numbers, text, text lengths, and what the error says.
        type Case<'a> = (&'a [u32], &'a [u8], &'a [f64], &'a [u8], &'a [u32], &'a str);
        let cases: [Case<'_>; 10] = [
            (&[3], &[NUMBER, TEXT], &[1.0], b"ab", &[2], "3 cells but 2"),
            (
                &[2],
                &[NUMBER, TEXT],
                &[],
                b"ab",
                &[2],
                "row 0, cell 0: the numbers ran out",
            ),
            (
                &[2],
                &[NUMBER, TEXT],
                &[1.0, 2.0],
                b"ab",
                &[2],
                "more numbers",
            ),
            (
                &[2],
                &[NUMBER, TEXT],
                &[1.0],
                b"abc",
                &[2],
                "more numbers or text",
            ),
            (&[2], &[NUMBER, TEXT], &[1.0], b"a\xff", &[2], "not UTF-8"),
            (
                &[2],
                &[NUMBER, TEXT],
                &[1.0],
                b"ab",
                &[3],
                "row 0, cell 1: the text ran out",
            ),
            (
                &[2],
                &[NUMBER, TEXT],
                &[1.0],
                b"ab",
                &[],
                "row 0, cell 1: the text lengths",
            ),
            (
                &[2],
                &[NUMBER, 9],
                &[1.0],
                b"",
                &[],
                "row 0, cell 1: unknown cell kind 9",
            ),
            (
                &[2],
                &[DATE, TEXT],
                &[f64::NAN],
                b"ab",
                &[2],
                "row 0, cell 0: a date",
            ),
            (
                &[2],
                &[NUMBER, TEXT],
                &[1.0],
                "😀".as_bytes(),
                &[1],
                "row 0, cell 1: a text of 1",
            ),
        ];
        for (widths, kinds, numbers, text, lengths, want) in cases {
            let err = pack(widths, kinds, numbers, text, lengths).unwrap_err();
            assert!(err.contains(want), "{err:?} should say {want:?}");
        }
    }
}
