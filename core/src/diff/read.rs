//! Reading sheet rows against the table: values, hashes and keys, without allocating for
//! rows that turn out unchanged.

use super::{Changeset, ColumnMap, SheetRow};
use crate::convert::{read_cell, Canon};
use crate::hash::cell_hash_of;
use crate::problem::{Problem, ProblemKind};
use crate::schema::{RowKey, TableSchema};
use crate::sheet::SheetSnapshot;
use crate::value::Value;
use crate::zone::ZoneOffsets;

/// A row as first read: its hashes only.
pub(super) struct ReadRow {
    pub(super) data_row: usize,
    pub(super) key: Option<RowKey>,
    pub(super) cells: Vec<u32>,
}

pub(super) fn is_blank(sheet: &SheetSnapshot, map: &ColumnMap, data_row: usize) -> bool {
    map.sheet_col
        .iter()
        .flatten()
        .all(|&sc| sheet.cell(data_row, sc).is_empty())
}

/// Reads and hashes one row into `cells` and gives its key (`Some(None)` for a row without
/// one); a row with a cell that does not fit is reported and gives `None`.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_row(
    schema: &TableSchema,
    sheet: &SheetSnapshot,
    map: &ColumnMap,
    data_row: usize,
    tz: &ZoneOffsets,
    scratch: &mut Vec<u8>,
    cells: &mut Vec<u32>,
    out: &mut Changeset,
) -> Option<Option<RowKey>> {
    cells.clear();
    let mut key = None;
    let mut bad = Vec::new();
    for (c, col) in schema.columns.iter().enumerate() {
        let canon = match map.sheet_col[c] {
            None => Canon::Null,
            Some(sc) => match read_cell(col, sheet.cell(data_row, sc), tz) {
                Ok(v) => v,
                Err(_) if col.generated => Canon::Null,
                Err(error) => {
                    bad.push(crate::schema::CellError {
                        column: col.name.clone(),
                        error,
                    });
                    Canon::Null
                }
            },
        };
        if c == map.key {
            key = key_of(&canon);
        }
        cells.push(cell_hash_of(&canon, scratch));
    }
    if bad.is_empty() {
        return Some(key);
    }
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
    None
}

/// The row key of a key cell's value, as [`RowKey::from_value`] spells it.
fn key_of(value: &Canon<'_>) -> Option<RowKey> {
    match value {
        Canon::Null => None,
        Canon::Text(s) => Some(RowKey(s.to_string())),
        Canon::Int(i) => Some(RowKey(i.to_string())),
        other => RowKey::from_value(&other.clone().into_value()),
    }
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
