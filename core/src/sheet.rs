//! What a sheet looks like to the core: cells as Apps Script's `getValues()` gives them, and a
//! snapshot of the bound range.
//!
//! The add-on turns every cell into a JS primitive before it crosses into the core (dates
//! cannot cross `google.script.run`), so a [`SheetCell`]'s serde form is exactly that
//! primitive: a number, a string (`""` is an empty cell), a boolean, `null` (also empty) or
//! `{"d": ms}` for a date cell, `ms` being the instant the cell's wall clock denotes in the
//! spreadsheet's time zone.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// The most characters a Sheets cell holds (counted as JavaScript counts them, in UTF-16
/// units); `setValues` refuses a longer string and fails the whole write.
pub const CELL_MAX_CHARS: usize = 50_000;

pub mod packed;

pub use packed::PackedRows;

/// A text cell's text. Most cells hold short text (codes, names, cities): a compact string keeps
/// up to 24 bytes (12 in WebAssembly) inside the cell itself, so a large sheet costs no
/// allocation for them and a diff reads them without following a pointer to the heap.
pub type CellText = compact_str::CompactString;

/// One cell of a sheet, as `getValues()` reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum SheetCell {
    /// An empty cell (`""` in Apps Script).
    Empty,
    /// A number.
    Number(f64),
    /// Text, byte for byte as the cell shows it (leading zeros kept).
    Text(CellText),
    /// A checkbox or `TRUE`/`FALSE`.
    Bool(bool),
    /// A date or date-time cell: milliseconds since the Unix epoch of the instant that the
    /// cell's wall clock denotes in the spreadsheet's time zone.
    Date(f64),
}

impl SheetCell {
    /// Whether the cell is empty.
    pub fn is_empty(&self) -> bool {
        match self {
            SheetCell::Empty => true,
            SheetCell::Text(s) => s.is_empty(),
            _ => false,
        }
    }

    /// The cell read in place, as every reader of cells takes it.
    #[inline(always)]
    pub fn view(&self) -> CellRef<'_> {
        match self {
            SheetCell::Empty => CellRef::Empty,
            SheetCell::Number(x) => CellRef::Number(*x),
            SheetCell::Text(s) => CellRef::Text(s),
            SheetCell::Bool(b) => CellRef::Bool(*b),
            SheetCell::Date(ms) => CellRef::Date(*ms),
        }
    }
}

/// A cell read in place: from a [`SheetCell`] or from [`PackedRows`], without a value of its
/// own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CellRef<'a> {
    /// An empty cell.
    Empty,
    /// A number.
    Number(f64),
    /// Text (an empty text may also be read as [`CellRef::Empty`]).
    Text(&'a str),
    /// A boolean.
    Bool(bool),
    /// A date cell's milliseconds (see [`SheetCell::Date`]).
    Date(f64),
}

impl CellRef<'_> {
    /// Whether the cell is empty.
    pub fn is_empty(&self) -> bool {
        match self {
            CellRef::Empty => true,
            CellRef::Text(s) => s.is_empty(),
            _ => false,
        }
    }

    /// The cell as a value of its own.
    pub fn to_owned(self) -> SheetCell {
        match self {
            CellRef::Empty => SheetCell::Empty,
            CellRef::Number(x) => SheetCell::Number(x),
            CellRef::Text(s) => SheetCell::Text(CellText::from(s)),
            CellRef::Bool(b) => SheetCell::Bool(b),
            CellRef::Date(ms) => SheetCell::Date(ms),
        }
    }
}

impl Serialize for CellRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            CellRef::Empty => serializer.serialize_str(""),
            CellRef::Number(x) => serializer.serialize_f64(*x),
            CellRef::Text(s) => serializer.serialize_str(s),
            CellRef::Bool(b) => serializer.serialize_bool(*b),
            CellRef::Date(ms) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("d", ms)?;
                map.end()
            }
        }
    }
}

impl Serialize for SheetCell {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.view().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SheetCell {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CellVisitor)
    }
}

/// Reads the JS primitive form directly, without going through an intermediate JSON tree,
/// because a large sheet has millions of cells.
struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = SheetCell;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sheet cell: a number, a string, a boolean, null or {\"d\": milliseconds}")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<SheetCell, E> {
        Ok(SheetCell::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<SheetCell, E> {
        Ok(SheetCell::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<SheetCell, E> {
        Ok(SheetCell::Number(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<SheetCell, E> {
        Ok(SheetCell::Number(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<SheetCell, E> {
        Ok(if v.is_empty() {
            SheetCell::Empty
        } else {
            SheetCell::Text(CellText::from(v))
        })
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<SheetCell, E> {
        Ok(if v.is_empty() {
            SheetCell::Empty
        } else {
            SheetCell::Text(CellText::from(v))
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<SheetCell, E> {
        Ok(SheetCell::Empty)
    }

    fn visit_none<E: de::Error>(self) -> Result<SheetCell, E> {
        Ok(SheetCell::Empty)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<SheetCell, D::Error> {
        d.deserialize_any(CellVisitor)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SheetCell, A::Error> {
        let mut ms: Option<f64> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key != "d" {
                return Err(de::Error::custom(format!(
                    "a date cell is {{\"d\": milliseconds}}, found the field {key:?}"
                )));
            }
            if ms.is_some() {
                return Err(de::Error::custom("a date cell has the field \"d\" twice"));
            }
            ms = Some(map.next_value()?);
        }
        match ms {
            Some(ms) if ms.is_finite() => Ok(SheetCell::Date(ms)),
            Some(_) => Err(de::Error::custom(
                "a date cell's milliseconds must be finite",
            )),
            None => Err(de::Error::custom(
                "a date cell is {\"d\": milliseconds}, the field \"d\" is missing",
            )),
        }
    }
}

/// The bound range of a sheet at one moment: the header row and the data rows below it.
///
/// The data rows are either `rows` or, for a large sheet carried into WebAssembly, `packed`
/// (`rows` then empty). Whoever reads a snapshot it did not build reads its rows through
/// [`SheetSnapshot::row_count`], [`SheetSnapshot::cell`] and [`SheetSnapshot::read_row`], which
/// answer the same for both.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SheetSnapshot {
    /// The header row; a header naming a table column maps that column.
    pub headers: Vec<String>,
    /// The data rows, each as wide as it is (short rows read as empty cells).
    pub rows: Vec<Vec<SheetCell>>,
    /// The 1-based sheet row number of `rows[0]` (2 when the header is row 1).
    #[serde(default = "default_first_row")]
    pub first_row: u32,
    /// Which cells hold formulas (`formulas[r][c]`, shaped like `rows`; missing means no
    /// formula). Formula cells are never written.
    #[serde(default)]
    pub formulas: Option<Vec<Vec<bool>>>,
    /// The data rows packed, in place of `rows` (never in the serde form, which always spells
    /// the rows out).
    #[serde(skip)]
    pub packed: Option<PackedRows>,
}

fn default_first_row() -> u32 {
    2
}

/// The serde form of a snapshot, its rows spelled out whichever way it holds them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotForm<'a> {
    headers: &'a [String],
    rows: RowsForm<'a>,
    first_row: u32,
    formulas: &'a Option<Vec<Vec<bool>>>,
}

struct RowsForm<'a>(&'a SheetSnapshot);

impl Serialize for RowsForm<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut rows = serializer.serialize_seq(Some(self.0.row_count()))?;
        let mut cells = Vec::new();
        for r in 0..self.0.row_count() {
            cells.clear();
            self.0.read_row(r, &mut cells);
            rows.serialize_element(&cells)?;
        }
        rows.end()
    }
}

impl Serialize for SheetSnapshot {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SnapshotForm {
            headers: &self.headers,
            rows: RowsForm(self),
            first_row: self.first_row,
            formulas: &self.formulas,
        }
        .serialize(serializer)
    }
}

/// Snapshots are equal when their rows read the same, however each holds them.
impl PartialEq for SheetSnapshot {
    fn eq(&self, other: &SheetSnapshot) -> bool {
        if self.headers != other.headers
            || self.first_row != other.first_row
            || self.formulas != other.formulas
            || self.row_count() != other.row_count()
        {
            return false;
        }
        let (mut mine, mut theirs) = (Vec::new(), Vec::new());
        (0..self.row_count()).all(|r| {
            mine.clear();
            theirs.clear();
            self.read_row(r, &mut mine);
            other.read_row(r, &mut theirs);
            mine == theirs
        })
    }
}

impl SheetSnapshot {
    /// The number of data rows.
    pub fn row_count(&self) -> usize {
        self.packed
            .as_ref()
            .map_or(self.rows.len(), PackedRows::len)
    }

    /// Appends data row `row`'s cells to `out`, as wide as the row is (nothing past the last).
    pub fn read_row<'a>(&'a self, row: usize, out: &mut Vec<CellRef<'a>>) {
        match &self.packed {
            Some(packed) => packed.read_row(row, out),
            None => {
                if let Some(cells) = self.rows.get(row) {
                    out.extend(cells.iter().map(SheetCell::view));
                }
            }
        }
    }

    /// The same snapshot with its rows packed (see [`PackedRows`]); refused as
    /// [`PackedRows::from_rows`] refuses.
    pub fn to_packed(&self) -> Result<SheetSnapshot, String> {
        let packed = match &self.packed {
            Some(packed) => packed.clone(),
            None => PackedRows::from_rows(&self.rows)?,
        };
        Ok(SheetSnapshot {
            headers: self.headers.clone(),
            rows: Vec::new(),
            first_row: self.first_row,
            formulas: self.formulas.clone(),
            packed: Some(packed),
        })
    }

    /// Data row `row`'s cells as values of their own.
    pub fn row_cells(&self, row: usize) -> Vec<SheetCell> {
        match &self.packed {
            Some(packed) => packed.row(row),
            None => self.rows.get(row).cloned().unwrap_or_default(),
        }
    }

    /// The cell at data row `row`, sheet column index `col` (0-based), empty when the row is
    /// short.
    pub fn cell(&self, row: usize, col: usize) -> CellRef<'_> {
        match &self.packed {
            Some(packed) => packed.cell(row, col),
            None => self
                .rows
                .get(row)
                .and_then(|r| r.get(col))
                .map_or(CellRef::Empty, SheetCell::view),
        }
    }

    /// Whether the cell at data row `row`, column `col` (0-based) holds a formula.
    pub fn is_formula(&self, row: usize, col: usize) -> bool {
        self.formulas
            .as_ref()
            .and_then(|f| f.get(row))
            .and_then(|r| r.get(col))
            .copied()
            .unwrap_or(false)
    }

    /// The 1-based sheet row number of data row `row`.
    pub fn sheet_row(&self, row: usize) -> u32 {
        self.first_row.saturating_add(row as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_js_primitive_forms_decode_to_their_cells() {
        let cells: Vec<SheetCell> =
            serde_json::from_str(r#"[1.5, 7, "00123", "", null, true, {"d": 86400000}]"#).unwrap();
        assert_eq!(
            cells,
            vec![
                SheetCell::Number(1.5),
                SheetCell::Number(7.0),
                SheetCell::Text("00123".into()),
                SheetCell::Empty,
                SheetCell::Empty,
                SheetCell::Bool(true),
                SheetCell::Date(86_400_000.0),
            ]
        );
    }

    #[test]
    fn cells_encode_back_to_the_same_primitives() {
        let cells = vec![
            SheetCell::Number(2.25),
            SheetCell::Text("x".into()),
            SheetCell::Empty,
            SheetCell::Bool(false),
            SheetCell::Date(5.0),
        ];
        let json = serde_json::to_string(&cells).unwrap();
        assert_eq!(json, r#"[2.25,"x","",false,{"d":5.0}]"#);
        let back: Vec<SheetCell> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cells);
    }

    #[test]
    fn a_malformed_date_cell_is_refused_with_a_reason() {
        let err = serde_json::from_str::<SheetCell>(r#"{"x": 1}"#).unwrap_err();
        assert!(err.to_string().contains("found the field \"x\""), "{err}");
        let err = serde_json::from_str::<SheetCell>(r#"{}"#).unwrap_err();
        assert!(err.to_string().contains("is missing"), "{err}");
        assert!(serde_json::from_str::<SheetCell>(r#"[1]"#).is_err());
    }

    #[test]
    fn a_packed_snapshot_reads_writes_and_compares_as_its_rows() {
        let snap = SheetSnapshot {
            headers: vec!["a".into(), "b".into()],
            rows: vec![
                vec![SheetCell::Number(1.0), SheetCell::Text("x".into())],
                vec![],
                vec![
                    SheetCell::Date(5.0),
                    SheetCell::Empty,
                    SheetCell::Bool(true),
                ],
            ],
            first_row: 3,
            formulas: Some(vec![vec![false, true]]),
            packed: None,
        };
        let packed = snap.to_packed().unwrap();
        assert!(packed.rows.is_empty());
        assert_eq!(packed.row_count(), 3);
        assert_eq!(packed, snap);
        assert_eq!(packed.cell(0, 1), CellRef::Text("x"));
        assert_eq!(packed.row_cells(2), snap.rows[2]);
        assert_eq!(
            serde_json::to_string(&packed).unwrap(),
            serde_json::to_string(&snap).unwrap()
        );
        let back: SheetSnapshot =
            serde_json::from_str(&serde_json::to_string(&packed).unwrap()).unwrap();
        assert_eq!(back.rows, snap.rows);
        let mut other = snap.clone();
        other.rows[1].push(SheetCell::Empty);
        assert_ne!(packed, other, "a row one cell wider is another row");
    }

    #[test]
    fn short_rows_read_as_empty_cells() {
        let snap = SheetSnapshot {
            headers: vec!["a".into(), "b".into()],
            rows: vec![vec![SheetCell::Number(1.0)]],
            first_row: 2,
            formulas: None,
            packed: None,
        };
        assert_eq!(snap.cell(0, 1), CellRef::Empty);
        assert_eq!(snap.cell(5, 0), CellRef::Empty);
        assert!(!snap.is_formula(0, 0));
        assert_eq!(snap.sheet_row(3), 5);
    }
}
