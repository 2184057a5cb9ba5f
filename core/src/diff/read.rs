//! Reading sheet rows against the table: values, hashes and keys, without allocating for
//! rows that turn out unchanged.

use super::fast::{fast_cell_hash, fast_owned_cell_hash, FastKind, HashScratch};
use super::{Changeset, ColumnMap, SheetRow};
use crate::convert::{read_cell, Canon};
use crate::hash::cell_hash_of;
use crate::problem::{Problem, ProblemKind};
use crate::schema::{ColumnSchema, RowKey, TableSchema};
use crate::sheet::{CellRef, SheetCell, SheetSnapshot};
use crate::value::Value;
use crate::zone::ZoneOffsets;

/// A row as first read: its hashes only.
pub(super) struct ReadRow {
    pub(super) data_row: usize,
    pub(super) key: Option<RowKey>,
    pub(super) cells: Vec<u32>,
}

/// The table's columns as a diff reads them, worked out once per sheet.
pub(super) struct Columns<'s> {
    /// Per table column: its schema, its sheet column and how its cells hash directly.
    cols: Vec<(&'s ColumnSchema, Option<usize>, FastKind)>,
    /// Per table column: the hash of an empty cell, where it reads without error (the same for
    /// every row, so read once; a large sheet has many empty optional cells).
    empty_hashes: Vec<Option<u32>>,
    /// The sheet columns that map a table column (a row is blank when they all are).
    mapped: Vec<usize>,
    key: usize,
    null_hash: u32,
}

impl<'s> Columns<'s> {
    pub(super) fn new(schema: &'s TableSchema, map: &ColumnMap, tz: &ZoneOffsets) -> Columns<'s> {
        Columns {
            cols: schema
                .columns
                .iter()
                .zip(&map.sheet_col)
                .map(|(col, sc)| (col, *sc, FastKind::of(col)))
                .collect(),
            empty_hashes: schema
                .columns
                .iter()
                .map(|col| {
                    let read = read_cell(col, CellRef::Empty, tz).ok()?;
                    Some(cell_hash_of(&read, &mut Vec::new()))
                })
                .collect(),
            mapped: map.sheet_col.iter().flatten().copied().collect(),
            key: map.key,
            null_hash: cell_hash_of(&Canon::Null, &mut Vec::new()),
        }
    }
}

/// A data row's cells, however the sheet holds them; a cell past the row's end is empty.
pub(super) trait RowCells {
    fn cell(&self, sc: usize) -> CellRef<'_>;
    /// Whether cell `sc` is empty, without a view of it made first.
    fn is_empty_at(&self, sc: usize) -> bool;
    /// The direct hash of cell `sc` (see [`fast_cell_hash`]), read as the row holds it.
    fn fast_hash(
        &self,
        sc: usize,
        kind: FastKind,
        tz: &ZoneOffsets,
        scratch: &mut HashScratch,
    ) -> Option<u32>;
}

impl RowCells for [SheetCell] {
    #[inline(always)]
    fn cell(&self, sc: usize) -> CellRef<'_> {
        self.get(sc).map_or(CellRef::Empty, SheetCell::view)
    }

    #[inline(always)]
    fn is_empty_at(&self, sc: usize) -> bool {
        self.get(sc).is_none_or(SheetCell::is_empty)
    }

    #[inline(always)]
    fn fast_hash(
        &self,
        sc: usize,
        kind: FastKind,
        tz: &ZoneOffsets,
        scratch: &mut HashScratch,
    ) -> Option<u32> {
        static EMPTY: SheetCell = SheetCell::Empty;
        fast_owned_cell_hash(kind, self.get(sc).unwrap_or(&EMPTY), tz, scratch)
    }
}

impl RowCells for [CellRef<'_>] {
    #[inline(always)]
    fn cell(&self, sc: usize) -> CellRef<'_> {
        self.get(sc).copied().unwrap_or(CellRef::Empty)
    }

    #[inline(always)]
    fn is_empty_at(&self, sc: usize) -> bool {
        self.get(sc).is_none_or(CellRef::is_empty)
    }

    #[inline(always)]
    fn fast_hash(
        &self,
        sc: usize,
        kind: FastKind,
        tz: &ZoneOffsets,
        scratch: &mut HashScratch,
    ) -> Option<u32> {
        fast_cell_hash(kind, self.cell(sc), tz, scratch)
    }
}

/// Whether every mapped cell of `row` is empty.
pub(super) fn is_blank<R: RowCells + ?Sized>(row: &R, columns: &Columns<'_>) -> bool {
    columns.mapped.iter().all(|&sc| row.is_empty_at(sc))
}

/// Reads and hashes one row into `cells`, writes its key's text into `key` and answers
/// whether it has one (`Some(false)` for a row typed without a key); a row with a cell that does
/// not fit is reported and gives `None`.
///
/// The key goes into a buffer the caller keeps, not a `String` of its own: most rows are
/// untouched, and their key is only looked up, never kept.
///
/// Empty cells in columns that cannot be NULL are only collected into `blanks`: in a row the
/// base knows they are bad cells (see [`report_bad_cells`]), in a new row they are values
/// still to be typed, which the planner reports when it would insert the row.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_row<R: RowCells + ?Sized>(
    sheet: &SheetSnapshot,
    row: &R,
    columns: &Columns<'_>,
    data_row: usize,
    tz: &ZoneOffsets,
    scratch: &mut HashScratch,
    cells: &mut Vec<u32>,
    blanks: &mut Vec<crate::schema::CellError>,
    key: &mut String,
    out: &mut Changeset<'_>,
) -> Option<bool> {
    // One slot per column, each written below: by index, without a push's capacity check.
    cells.resize(columns.cols.len(), 0);
    key.clear();
    let mut has_key = false;
    let mut bad = Vec::new();
    let mut all_blank = true;
    for ((c, &(col, sheet_col, fast)), slot) in
        columns.cols.iter().enumerate().zip(cells.iter_mut())
    {
        let Some(sc) = sheet_col else {
            *slot = columns.null_hash;
            continue;
        };
        if c != columns.key || matches!(fast, FastKind::Int { .. } | FastKind::Text { .. }) {
            if let Some(hash) = row.fast_hash(sc, fast, tz, scratch) {
                if c == columns.key {
                    has_key = write_fast_key(row.cell(sc), key);
                }
                *slot = hash;
                continue;
            }
        }
        let cell = row.cell(sc);
        if c != columns.key && cell.is_empty() {
            if let Some(hash) = columns.empty_hashes[c] {
                *slot = hash;
                continue;
            }
        }
        let canon = match read_cell(col, cell, tz) {
            Ok(v) => v,
            Err(_) if col.generated => Canon::Null,
            Err(error) => {
                all_blank &= cell.is_empty();
                bad.push(crate::schema::CellError {
                    column: col.name.clone(),
                    error,
                });
                Canon::Null
            }
        };
        if c == columns.key {
            has_key = write_key(&canon, key);
        }
        *slot = cell_hash_of(&canon, &mut scratch.long);
    }
    if all_blank {
        // No cell holds a wrong value: at most some are still empty.
        *blanks = bad;
        return Some(has_key);
    }
    // A row with a cell that does not fit is reported whole, its empty cells too.
    let key = has_key.then(|| RowKey(key.clone()));
    report_bad_cells(sheet, data_row, key, bad, out);
    None
}

/// Reports each cell of `bad` as a problem of the sheet row and holds the row's key.
pub(super) fn report_bad_cells(
    sheet: &SheetSnapshot,
    data_row: usize,
    key: Option<RowKey>,
    bad: Vec<crate::schema::CellError>,
    out: &mut Changeset<'_>,
) {
    for e in bad {
        out.problems.push(Problem {
            kind: ProblemKind::BadCell,
            sheet_row: Some(sheet.sheet_row(data_row)),
            other_sheet_row: None,
            key: key.clone(),
            column: Some(e.column.clone()),
            message: e.to_string(),
        });
    }
    if let Some(k) = key {
        out.held.insert(k);
    }
}

/// Writes the row key of a key cell's value into `key` (empty), as [`RowKey::from_value`]
/// spells it; `false` for a NULL, which is no key.
fn write_key(value: &Canon<'_>, key: &mut String) -> bool {
    use std::fmt::Write;
    match value {
        Canon::Null => return false,
        Canon::Text(s) => key.push_str(s),
        Canon::Int(i) => match i64::try_from(*i) {
            Ok(small) => push_int(key, small),
            // Writing into a String cannot fail.
            Err(_) => write!(key, "{i}").expect("writing into a String"),
        },
        other => match RowKey::from_value(&other.clone().into_value()) {
            Some(k) => key.push_str(&k.0),
            None => return false,
        },
    }
    true
}

/// Writes the key of a whole-number or text key cell that took the direct hash (see
/// [`fast_cell_hash`]), as [`write_key`] spells its value: the number's digits, the text as it
/// is.
fn write_fast_key(cell: CellRef<'_>, key: &mut String) -> bool {
    match cell {
        // The direct path takes only whole numbers within 2^53, which an i64 holds exactly.
        CellRef::Number(x) => push_int(key, x as i64),
        CellRef::Text(s) => key.push_str(s),
        _ => return false,
    }
    true
}

/// Appends `n` in decimal, as `Display` spells it; through `itoa`, as the formatting
/// machinery costs a diff of a large sheet more than all its keys' other work.
fn push_int(key: &mut String, n: i64) {
    key.push_str(itoa::Buffer::new().format(n));
}

/// The row key of a key cell's value, as [`RowKey::from_value`] spells it.
fn key_of(value: &Canon<'_>) -> Option<RowKey> {
    let mut key = String::new();
    write_key(value, &mut key).then_some(RowKey(key))
}

pub(super) fn materialize(
    schema: &TableSchema,
    sheet: &SheetSnapshot,
    map: &ColumnMap,
    row: ReadRow,
    tz: &ZoneOffsets,
) -> SheetRow {
    let values = schema
        .columns
        .iter()
        .enumerate()
        .map(|(c, col)| match map.sheet_col[c] {
            None => Value::Null,
            Some(sc) => read_cell(col, sheet.cell(row.data_row, sc), tz)
                .map(Canon::into_value)
                .unwrap_or(Value::Null),
        })
        .collect();
    SheetRow {
        data_row: row.data_row,
        sheet_row: sheet.sheet_row(row.data_row),
        key: row.key,
        values,
        cells: row.cells,
    }
}

/// Reads one sheet row with its values and hashes (for a row that has a key).
pub(crate) fn read_sheet_row(
    schema: &TableSchema,
    sheet: &SheetSnapshot,
    map: &ColumnMap,
    data_row: usize,
    tz: &ZoneOffsets,
) -> SheetRow {
    let mut scratch = Vec::with_capacity(64);
    let mut cells = Vec::with_capacity(schema.columns.len());
    let mut values = Vec::with_capacity(schema.columns.len());
    for (c, col) in schema.columns.iter().enumerate() {
        let v = match map.sheet_col[c] {
            None => Canon::Null,
            Some(sc) => read_cell(col, sheet.cell(data_row, sc), tz).unwrap_or(Canon::Null),
        };
        cells.push(cell_hash_of(&v, &mut scratch));
        values.push(v.into_value());
    }
    let key = key_of(&Canon::of(&values[map.key]));
    SheetRow {
        data_row,
        sheet_row: sheet.sheet_row(data_row),
        key,
        values,
        cells,
    }
}
