//! Diff: what changed in the sheet since the base.
//!
//! Columns are matched by header name, so reordering or inserting columns changes nothing;
//! headers that name no table column are ignored. Rows are matched by key, so sorting and
//! moving rows changes nothing. Each row is hashed cell by cell (see [`crate::hash`]) and
//! compared with its base row; only rows that differ are turned into values.
//!
//! **Edited keys.** A key cell overwritten in a synced row would read as "one row deleted,
//! another inserted". The rule: when a base key has vanished from the sheet and exactly one
//! new row (with a new key, or with no key) has exactly the vanished row's other cells, and
//! no other vanished row has those cells, the key was edited. That is reported as a problem
//! and neither the delete nor the insert is pushed until the key is put back. (To really
//! replace a row by an identical one under another key, change one more cell too.)
//!
//! **Empty cells that cannot be NULL.** In a synced row they are bad cells, reported and held.
//! In a new row they are values not typed yet: the row is read as usual and the planner
//! decides whether it is complete enough to insert.

mod base_walk;
mod edited;
mod fast;
mod located;
mod read;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use xxhash_rust::xxh3::Xxh3DefaultBuilder;

use base_walk::BaseWalk;
use edited::find_edited_keys;
pub use located::Located;
pub(crate) use read::read_sheet_row;
use read::{is_blank, materialize, read_row, report_bad_cells, Columns, ReadRow};

use crate::base::Base;
use crate::problem::{Problem, ProblemKind};
use crate::schema::{RowKey, TableSchema};
use crate::sheet::SheetSnapshot;
use crate::value::Value;
use crate::zone::ZoneOffsets;

/// Where each table column sits in the sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnMap {
    /// For each table column (in table order), its 0-based sheet column, or `None` when no
    /// header names it.
    pub sheet_col: Vec<Option<usize>>,
    /// The index of the key column in the table.
    pub key: usize,
}

impl ColumnMap {
    /// Matches table columns to headers by name; the first header with a name wins.
    pub fn new(schema: &TableSchema, headers: &[String]) -> Result<ColumnMap, DiffError> {
        let key = schema
            .key_index()
            .map_err(|e| DiffError::Schema(e.to_string()))?;
        let sheet_col: Vec<Option<usize>> = schema
            .columns
            .iter()
            .map(|c| headers.iter().position(|h| h.trim() == c.name))
            .collect();
        if sheet_col[key].is_none() {
            return Err(DiffError::MissingKeyColumn(
                schema.columns[key].name.clone(),
            ));
        }
        Ok(ColumnMap { sheet_col, key })
    }
}

/// Why a sheet cannot be diffed at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffError {
    /// The table cannot be synced (no single-column key).
    Schema(String),
    /// No header names the key column, so no row can be identified.
    MissingKeyColumn(String),
}

impl std::fmt::Display for DiffError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiffError::Schema(m) => f.write_str(m),
            DiffError::MissingKeyColumn(c) => write!(
                f,
                "the sheet has no header {c:?} for the key column, so rows cannot be matched"
            ),
        }
    }
}

impl std::error::Error for DiffError {}

/// One sheet row read against the table: its values and their hashes.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetRow {
    /// The row's index in the snapshot's `rows`.
    pub data_row: usize,
    /// The 1-based sheet row number.
    pub sheet_row: u32,
    /// The key, or `None` for a row typed without one.
    pub key: Option<RowKey>,
    /// One value per table column (NULL for a column the sheet lacks).
    pub values: Vec<Value>,
    /// One hash per table column.
    pub cells: Vec<u32>,
}

/// A synced row whose cells differ from the base.
#[derive(Clone, Debug, PartialEq)]
pub struct RowUpdate {
    /// The row as the sheet has it now.
    pub row: SheetRow,
    /// The table columns (indices) whose cells changed; never the database's own columns.
    pub changed: Vec<usize>,
}

/// Sheet rows by key (a fast hash map; see [`Located`] for the rows whose key the base knows).
pub type KeyIndex = HashMap<RowKey, usize, Xxh3DefaultBuilder>;

/// Everything that changed in the sheet since the base (whose keys it borrows).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changeset<'b> {
    /// New rows: without a key, or with a key the base does not know.
    pub inserts: Vec<SheetRow>,
    /// Synced rows with changed cells.
    pub updates: Vec<RowUpdate>,
    /// Base keys no longer in the sheet.
    pub deletes: Vec<RowKey>,
    /// Every usable keyed row: key → index in the snapshot's `rows`.
    pub located: Located<'b>,
    /// Keys that must not be synced this time (duplicates, bad cells, edited keys).
    pub held: BTreeSet<RowKey>,
    /// What a person must fix.
    pub problems: Vec<Problem>,
}

/// Whether two rows' cell hashes are the same. Slice equality compares them as bytes through
/// `memcmp`, which is vectorized natively but runs a byte at a time in WebAssembly; there they
/// are compared as numbers instead.
#[inline]
fn same_hashes(a: &[u32], b: &[u32]) -> bool {
    if cfg!(target_arch = "wasm32") {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
    } else {
        a == b
    }
}

/// Diffs `sheet` against `base` for the table `schema`, reading cells in time zone `tz`.
pub fn diff<'b>(
    schema: &TableSchema,
    sheet: &SheetSnapshot,
    base: &'b Base,
    tz: &ZoneOffsets,
) -> Result<Changeset<'b>, DiffError> {
    let map = ColumnMap::new(schema, &sheet.headers)?;
    let mut out = Changeset::default();
    for (c, col) in schema.columns.iter().enumerate() {
        if map.sheet_col[c].is_none() {
            out.problems.push(Problem {
                kind: ProblemKind::MissingColumn,
                sheet_row: None,
                other_sheet_row: None,
                key: None,
                column: Some(col.name.clone()),
                message: format!(
                    "the sheet has no header {:?}; that column is neither read nor written",
                    col.name
                ),
            });
        }
    }

    let sheet_owns_all = schema
        .columns
        .iter()
        .zip(&map.sheet_col)
        .all(|(c, sc)| sc.is_some() && !c.generated);
    let columns = Columns::new(schema, &map, tz);
    let mut scratch = fast::HashScratch::new();
    let mut cells = Vec::with_capacity(schema.columns.len());
    let mut blanks = Vec::new();
    let mut candidates: Vec<ReadRow> = Vec::new();
    // The key of the row being read; owned only by the rows that keep it.
    let mut key = String::new();
    // The columns whose cells the sheet owns: only they can differ from the base.
    let owned: Vec<usize> = (0..schema.columns.len())
        .filter(|&c| map.sheet_col[c].is_some() && !schema.columns[c].generated)
        .collect();
    let mut duplicates: BTreeMap<RowKey, Vec<usize>> = BTreeMap::new();
    // Base rows found in step with the sheet, not by a walk down the ordered map's string
    // comparisons; each row located by its base entry's position (no owned key per row).
    let mut located = Located::new(BaseWalk::new(base));
    let base_has_empty_key = base.rows.contains_key(&RowKey(String::new()));
    // Distinct sheet keys that the base knows.
    let mut seen_in_base = 0;
    // The cells of a packed row being read, borrowed from the packed arrays.
    let mut packed_row = Vec::with_capacity(sheet.headers.len());
    for data_row in 0..sheet.row_count() {
        // Each way the sheet holds its rows gets its own copy of the reading (owned rows are
        // read in place, without a view of each cell made first).
        macro_rules! read {
            ($row:expr) => {{
                let row = $row;
                if is_blank(row, &columns) {
                    continue;
                }
                read_row(
                    sheet,
                    row,
                    &columns,
                    data_row,
                    tz,
                    &mut scratch,
                    &mut cells,
                    &mut blanks,
                    &mut key,
                    &mut out,
                )
            }};
        }
        let read = match &sheet.packed {
            None => read!(sheet.rows[data_row].as_slice()),
            Some(packed) => {
                packed_row.clear();
                packed.read_row(data_row, &mut packed_row);
                read!(packed_row.as_slice())
            }
        };
        let Some(has_key) = read else { continue };
        // An empty key cell of a text key reads as '': that is a key only where the base has
        // a row with it; otherwise the row has no key yet (and waits for one as a new row).
        let has_key = has_key && (!key.is_empty() || base_has_empty_key);
        // An empty cell that cannot be NULL is a bad cell in a synced row; in a new row it is
        // a value still to be typed (the planner waits for it).
        if !blanks.is_empty() && has_key && located.base_has(&key) {
            let owned = Some(RowKey(key.clone()));
            report_bad_cells(
                sheet,
                data_row,
                owned,
                std::mem::take(&mut blanks),
                &mut out,
            );
            continue;
        }
        if !has_key {
            candidates.push(ReadRow {
                data_row,
                key: None,
                cells: cells.clone(),
            });
            continue;
        }
        let found = located.find(&key);
        let first = match found {
            Some((at, _)) => located.at_base(at),
            None => located.new_keys().get(key.as_str()).copied(),
        };
        if let Some(first) = first {
            duplicates
                .entry(RowKey(key.clone()))
                .or_insert_with(|| vec![first])
                .push(data_row);
            continue;
        }
        match found {
            Some((at, _)) => located.set_at_base(at, data_row),
            None => {
                located.new_keys().insert(RowKey(key.clone()), data_row);
            }
        }
        let base_row = found.map(|(_, row)| row);
        // Most rows are untouched: their cells equal the base's on every column the sheet
        // speaks for, settled without keeping anything.
        let untouched = base_row.is_some_and(|b| {
            if sheet_owns_all {
                same_hashes(&b.cells, &cells)
            } else {
                owned.iter().all(|&c| b.cells.get(c) == Some(&cells[c]))
            }
        });
        seen_in_base += usize::from(base_row.is_some());
        if untouched {
            continue;
        }
        match base_row {
            None => candidates.push(ReadRow {
                data_row,
                key: Some(RowKey(key.clone())),
                cells: cells.clone(),
            }),
            Some(b) => {
                let changed: Vec<usize> = owned
                    .iter()
                    .copied()
                    .filter(|&c| b.cells.get(c) != Some(&cells[c]))
                    .collect();
                if !changed.is_empty() {
                    let read = ReadRow {
                        data_row,
                        key: Some(RowKey(key.clone())),
                        cells: cells.clone(),
                    };
                    let row = materialize(schema, sheet, &map, read, tz);
                    out.updates.push(RowUpdate { row, changed });
                }
            }
        }
    }
    for (key, rows) in &duplicates {
        for pair in rows.windows(2) {
            out.problems.push(Problem {
                kind: ProblemKind::DuplicateKey,
                sheet_row: Some(sheet.sheet_row(pair[1])),
                other_sheet_row: Some(sheet.sheet_row(pair[0])),
                key: Some(key.clone()),
                column: Some(schema.columns[map.key].name.clone()),
                message: format!(
                    "rows {} and {} both have the key {key}; neither is synced until one changes",
                    sheet.sheet_row(pair[0]),
                    sheet.sheet_row(pair[1])
                ),
            });
        }
        out.held.insert(key.clone());
    }
    // Rows classified before their key turned out duplicated (or bad elsewhere) are held.
    let held = &out.held;
    out.updates
        .retain(|u| u.row.key.as_ref().is_none_or(|k| !held.contains(k)));
    candidates.retain(|r| r.key.as_ref().is_none_or(|k| !held.contains(k)));

    // When every base key was seen in the sheet, nothing vanished and the base need not be
    // walked.
    let vanished: Vec<&RowKey> = if seen_in_base == base.rows.len() {
        Vec::new()
    } else {
        base.rows
            .keys()
            .filter(|k| !located.contains_key(k) && !out.held.contains(*k))
            .collect()
    };
    let edited = find_edited_keys(&map, base, &vanished, &candidates);
    out.located = located;
    for key in &out.held {
        out.located.remove(key);
    }
    for (ci, old_key) in &edited {
        let row = &candidates[*ci];
        out.held.insert((*old_key).clone());
        if let Some(new_key) = &row.key {
            out.held.insert(new_key.clone());
            out.located.remove(new_key);
        }
        out.located.remove(old_key);
        let shown = row
            .key
            .as_ref()
            .map_or("nothing".to_string(), |k| k.to_string());
        out.problems.push(Problem {
            kind: ProblemKind::KeyEdited,
            sheet_row: Some(sheet.sheet_row(row.data_row)),
            other_sheet_row: None,
            key: Some((*old_key).clone()),
            column: Some(schema.columns[map.key].name.clone()),
            message: format!(
                "the key {old_key} was changed to {shown}; put the key back (keys identify rows)"
            ),
        });
    }
    let edited_rows: BTreeSet<usize> = edited.iter().map(|(ci, _)| *ci).collect();
    for (ci, row) in candidates.into_iter().enumerate() {
        if !edited_rows.contains(&ci) {
            out.inserts.push(materialize(schema, sheet, &map, row, tz));
        }
    }
    out.deletes = vanished
        .into_iter()
        .filter(|k| !out.held.contains(*k))
        .cloned()
        .collect();
    out.problems.sort_by_key(|p| (p.sheet_row, p.kind));
    Ok(out)
}
