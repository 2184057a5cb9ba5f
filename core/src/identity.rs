//! Identity of the rows a sheet adds, from the push until their database keys are written back.
//!
//! A new sheet row has no key until the database assigns one, and the answer that carries the
//! key may be read long after the push: an execution killed before the answer was handled, an
//! answer lost on the way, a push that never committed and is sent again. Meanwhile people
//! insert, delete and sort rows, so the row number the row was pushed from names another row.
//! The key must reach exactly the row the person typed, or no row at all.
//!
//! The model:
//!
//! - When a batch is sent, [`new_rows_of`] records each new row's *pushed content* (the cell
//!   hash of every mapped column but the key) and groups the batch's new rows into runs of
//!   neighbouring sheet rows. The host attaches one *mark* to the first row of each run,
//!   something that moves with the row when rows are inserted or deleted above it (developer
//!   metadata in Google Sheets). The record is kept with the batch until its answer is read.
//! - When the answer is read, the host says where each mark is now and hands over the sheet
//!   as it is now. [`place_new_rows`] decides, for each assigned key, where it goes:
//!   1. the row at the mark (plus the row's offset in its run) if its key cell still holds what
//!      it held when pushed (empty, for a row typed without a key) or exactly the assigned key,
//!      and its content is still what was pushed (or, cell by cell, what the database stored,
//!      when an earlier write-back began);
//!   2. else the only row that already holds the key;
//!   3. else the only row whose key cell holds what it held when pushed (usually nothing) and
//!      whose content is what was pushed (or stored);
//!   4. else nowhere. Two candidate rows are as good as none: nothing is ever guessed.
//!
//!   Rules 2 and 3 look at the whole sheet, so they apply only when the host passed it
//!   whole; a host may first pass just the rows around its marks and, when some key is not
//!   placed, the whole sheet.
//! - [`crate::push_outcome::apply_placed_push_results`] writes each key where it was placed.
//!   A key placed nowhere gets no base entry (so its row is never taken for one the sheet
//!   deleted) and a [`ProblemKind::NewRowNotPlaced`](crate::problem::ProblemKind) naming the
//!   values and the key; the stored row comes to the sheet with the next pull, like any row
//!   another writer added.
//!
//! Sorting moves values but not marks: rule 1 then fails on content and rule 3 finds the row.
//!
//! Rows that have a key need no mark: when a batch is read again by a later execution,
//! [`place_keyed_rows`] sends the write-back of each applied update to the only row holding
//! its key, or nowhere.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::convert::read_cell;
use crate::diff::ColumnMap;
use crate::hash::{cell_hash_of, digest_row, row_hash};
use crate::plan::{PlanError, SyncInput, SyncPlan};
use crate::push_outcome::{deleted_above, planned_sheet_cells};
use crate::schema::{ColumnSchema, RowKey};
use crate::sheet::{CellRef, SheetSnapshot};
use crate::wire::{PushOp, PushResponse, PushResult};
use crate::zone::ZoneOffsets;

/// The new rows of one sent batch, recorded to place their keys when the answer comes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingNewRows {
    /// The table columns (by index) whose content identifies a row: every mapped column but
    /// the key, in table order.
    pub compared: Vec<usize>,
    /// The marks to attach before the batch is sent: one per run of neighbouring new rows.
    pub marks: Vec<NewRowMark>,
    /// Each new row of the batch.
    pub rows: Vec<NewRow>,
}

/// A mark the host attaches to a sheet row, something that moves with the row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRowMark {
    /// The mark's id, unique across batches (the batch id and the run's first push index).
    pub marker: String,
    /// The 1-based sheet row to attach it to, in the sheet as it is when the batch is sent
    /// (after the plan's own row deletions).
    pub sheet_row: u32,
}

/// One new row of a batch, as it was pushed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRow {
    /// The row's position in the batch (the index of its result in the answer).
    pub index: usize,
    /// The mark of the row's run.
    pub marker: String,
    /// How many rows below the marked row this row was.
    pub offset: u32,
    /// The cell hash of each `compared` column as pushed; `None` where the cell could not be
    /// read, which no row matches.
    pub cells: Vec<Option<u32>>,
    /// What the row's key cell held when pushed: `None` for a row typed without a key, or a
    /// key the database no longer has (a row a `sheet-wins` edit brings back, under a new
    /// key). Rows still holding it are candidates; rows holding another key are not.
    #[serde(default)]
    pub pushed_key: Option<RowKey>,
}

/// Where the key of one applied new row goes (or, from [`place_keyed_rows`], the write-back of
/// one applied update).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRowPlace {
    /// The row's position in the batch.
    pub index: usize,
    /// The key the database assigned.
    pub key: RowKey,
    /// The 1-based sheet row, in the sheet as the host passed it; `None`: nowhere.
    pub sheet_row: Option<u32>,
}

/// Where the host found its marks, and how much of the sheet it passed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarksNow {
    /// Each mark still in the sheet, by marker, at its 1-based sheet row now. A mark whose
    /// row was deleted is absent.
    pub rows: BTreeMap<String, u32>,
    /// Whether the sheet passed is the whole sheet (rules 2 and 3 need it).
    pub whole_sheet: bool,
}

/// Records the new rows of the batch `plan.push`, made from `input`, under `batch_id`.
pub fn new_rows_of(
    input: &SyncInput,
    plan: &SyncPlan,
    batch_id: &str,
) -> Result<PendingNewRows, PlanError> {
    let tz = &input.zone()?;
    let map = ColumnMap::new(&input.schema, &input.sheet.headers)?;
    let compared = compared_columns(&map);
    let planned_cells = planned_sheet_cells(plan);
    let mut scratch = Vec::with_capacity(64);
    let mut out = PendingNewRows {
        compared: compared.clone(),
        ..Default::default()
    };
    let mut run: Option<(String, u32, u32)> = None; // marker, marked row, last row
    for (index, planned) in plan.push.iter().enumerate() {
        let (PushOp::Insert { .. }, Some(sheet_row)) = (&planned.change, planned.sheet_row) else {
            continue;
        };
        let Some(data_row) = sheet_row.checked_sub(input.sheet.first_row) else {
            continue;
        };
        let cell_at = |sc: usize| {
            planned_cells
                .get(&(sheet_row, sc))
                .map(|cell| cell.view())
                .unwrap_or_else(|| input.sheet.cell(data_row as usize, sc))
        };
        // A row whose key cell cannot be read is never planned as an insert; were one, it
        // would get no record, and so no place.
        let Ok(pushed_key) = map.sheet_col[map.key].map_or(Ok(None), |sc| {
            key_in(&input.schema.columns[map.key], cell_at(sc), tz)
        }) else {
            continue;
        };
        let sent_row = sheet_row - deleted_above(plan, sheet_row);
        let (marker, offset) = match &mut run {
            Some((marker, first, last)) if *last + 1 == sent_row => {
                *last = sent_row;
                (marker.clone(), sent_row - *first)
            }
            _ => {
                let marker = format!("{batch_id}/{index}");
                out.marks.push(NewRowMark {
                    marker: marker.clone(),
                    sheet_row: sent_row,
                });
                run = Some((marker.clone(), sent_row, sent_row));
                (marker, 0)
            }
        };
        let cells = compared
            .iter()
            .map(|&c| {
                let sc = map.sheet_col[c]?;
                read_cell(&input.schema.columns[c], cell_at(sc), tz)
                    .ok()
                    .map(|v| cell_hash_of(&v, &mut scratch))
            })
            .collect();
        out.rows.push(NewRow {
            index,
            marker,
            offset,
            cells,
            pushed_key,
        });
    }
    Ok(out)
}

/// Decides where the key of each applied new row of `pending` goes, in `now.sheet` (the sheet
/// as it is now, whole or the rows around the marks), given where the marks are now.
pub fn place_new_rows(
    now: &SyncInput,
    pending: &PendingNewRows,
    marks: &MarksNow,
    response: &PushResponse,
) -> Result<Vec<NewRowPlace>, PlanError> {
    let tz = &now.zone()?;
    let map = ColumnMap::new(&now.schema, &now.sheet.headers)?;
    let look = Looker {
        now,
        map: &map,
        tz,
        compared: &pending.compared,
    };
    let mut wanted = Vec::new();
    for row in &pending.rows {
        let Some(PushResult::Applied {
            key,
            row: Some(cells),
            ..
        }) = response.results.get(row.index)
        else {
            continue;
        };
        let Ok(values) = now.schema.decode_row(cells) else {
            continue; // reported as a bad database row when the answer is applied
        };
        let Ok((_, hashes)) = digest_row(&now.schema, &values, tz) else {
            continue; // a value the sheet cannot show: reported when the answer is applied
        };
        let stored: Vec<Option<u32>> = pending
            .compared
            .iter()
            .map(|&c| hashes.get(c).copied())
            .collect();
        wanted.push((row, key.clone(), stored));
    }
    let mut placed: BTreeMap<usize, u32> = BTreeMap::new();
    let mut claimed: HashSet<u32> = HashSet::new();
    // 1. The marked row, if it is still the row that was pushed.
    for (row, key, stored) in &wanted {
        let Some(&mark) = marks.rows.get(&row.marker) else {
            continue;
        };
        let at = mark + row.offset;
        if !claimed.contains(&at) && look.fits(at, row.pushed_key.as_ref(), key, &row.cells, stored)
        {
            placed.insert(row.index, at);
            claimed.insert(at);
        }
    }
    if marks.whole_sheet && placed.len() < wanted.len() {
        let rows = look.all_rows();
        // 2. The only row that already holds the key.
        for (row, key, _) in &wanted {
            if placed.contains_key(&row.index) {
                continue;
            }
            if let [only] = rows.holding(key)[..] {
                if !claimed.contains(&only) {
                    placed.insert(row.index, only);
                    claimed.insert(only);
                }
            }
        }
        // 3. The only row still holding the key it was pushed with (usually none) whose
        //    content is what was pushed (or stored).
        for (row, _, stored) in &wanted {
            if placed.contains_key(&row.index) {
                continue;
            }
            let candidates: Vec<u32> = [content_hash(&row.cells), content_hash(stored)]
                .into_iter()
                .flatten()
                .flat_map(|h| rows.holding_with(row.pushed_key.as_ref(), h))
                .collect::<std::collections::BTreeSet<u32>>()
                .into_iter()
                .filter(|r| !claimed.contains(r))
                .collect();
            if let [only] = candidates[..] {
                placed.insert(row.index, only);
                claimed.insert(only);
            }
        }
    }
    Ok(wanted
        .into_iter()
        .map(|(row, key, _)| NewRowPlace {
            index: row.index,
            key,
            sheet_row: placed.get(&row.index).copied(),
        })
        .collect())
}

/// Where the write-back of each applied update of `plan.push` goes when its answer is read
/// after the sheet may have changed (a batch sent again by a later execution): the only row
/// of `now.sheet`, which must be the whole sheet, that holds the row's key; else nowhere, and
/// the next sync compares that row again. A row that holds its key needs no mark.
pub fn place_keyed_rows(
    now: &SyncInput,
    plan: &SyncPlan,
    response: &PushResponse,
) -> Result<Vec<NewRowPlace>, PlanError> {
    let tz = &now.zone()?;
    let map = ColumnMap::new(&now.schema, &now.sheet.headers)?;
    let look = Looker {
        now,
        map: &map,
        tz,
        compared: &[],
    };
    let mut places = Vec::new();
    let mut rows = None;
    for (index, (planned, result)) in plan.push.iter().zip(&response.results).enumerate() {
        let (
            PushOp::Update { .. },
            PushResult::Applied {
                key, row: Some(_), ..
            },
        ) = (&planned.change, result)
        else {
            continue;
        };
        let rows = rows.get_or_insert_with(|| look.all_rows());
        let holding = rows.holding(key);
        places.push(NewRowPlace {
            index,
            key: key.clone(),
            sheet_row: match holding[..] {
                [only] => Some(only),
                _ => None,
            },
        });
    }
    Ok(places)
}

/// The columns whose content identifies a new row: every mapped column but the key.
fn compared_columns(map: &ColumnMap) -> Vec<usize> {
    (0..map.sheet_col.len())
        .filter(|&c| c != map.key && map.sheet_col[c].is_some())
        .collect()
}

/// The key a key cell holds: `Ok(None)` when empty, `Err` when it cannot be read.
fn key_in(
    column: &ColumnSchema,
    cell: CellRef<'_>,
    tz: &ZoneOffsets,
) -> Result<Option<RowKey>, ()> {
    if cell.is_empty() {
        return Ok(None);
    }
    let value = read_cell(column, cell, tz).map_err(|_| ())?;
    Ok(RowKey::from_value(&value.into_value()))
}

/// One hash over a row's compared cells; `None` when one of them is unreadable.
fn content_hash(cells: &[Option<u32>]) -> Option<u64> {
    let cells: Option<Vec<u32>> = cells.iter().copied().collect();
    Some(row_hash(&cells?))
}

/// Reads rows of the sheet as it is now.
struct Looker<'a> {
    now: &'a SyncInput,
    map: &'a ColumnMap,
    tz: &'a ZoneOffsets,
    compared: &'a [usize],
}

impl Looker<'_> {
    fn sheet(&self) -> &SheetSnapshot {
        &self.now.sheet
    }

    /// The key the row at data index `data_row` holds, `Ok(None)` for none, `Err` when its
    /// key cell cannot be read.
    fn key_at(&self, data_row: usize) -> Result<Option<RowKey>, ()> {
        let Some(sc) = self.map.sheet_col[self.map.key] else {
            return Err(());
        };
        key_in(
            &self.now.schema.columns[self.map.key],
            self.sheet().cell(data_row, sc),
            self.tz,
        )
    }

    /// The hashes of the compared cells of data row `data_row`.
    fn cells_at(&self, data_row: usize) -> Vec<Option<u32>> {
        let mut scratch = Vec::with_capacity(64);
        self.compared
            .iter()
            .map(|&c| {
                let sc = self.map.sheet_col[c]?;
                read_cell(
                    &self.now.schema.columns[c],
                    self.sheet().cell(data_row, sc),
                    self.tz,
                )
                .ok()
                .map(|v| cell_hash_of(&v, &mut scratch))
            })
            .collect()
    }

    fn data_row(&self, sheet_row: u32) -> Option<usize> {
        let i = sheet_row.checked_sub(self.sheet().first_row)? as usize;
        (i < self.sheet().row_count()).then_some(i)
    }

    /// Whether sheet row `at` holds the key it was pushed with (`was`) or the assigned `key`,
    /// and, cell by cell, what was pushed or what was stored.
    fn fits(
        &self,
        at: u32,
        was: Option<&RowKey>,
        key: &RowKey,
        pushed: &[Option<u32>],
        stored: &[Option<u32>],
    ) -> bool {
        let Some(i) = self.data_row(at) else {
            return false;
        };
        match self.key_at(i) {
            Ok(now) if now.as_ref() == was || now.as_ref() == Some(key) => {}
            _ => return false,
        }
        let now = self.cells_at(i);
        now.iter()
            .zip(pushed)
            .zip(stored)
            .all(|((n, p), s)| n.is_some() && (n == p || n == s))
    }

    /// Every row of the sheet passed, indexed by the key it holds, and by that key (or none)
    /// and its content.
    fn all_rows(&self) -> RowIndex {
        let mut index = RowIndex::default();
        for i in 0..self.sheet().row_count() {
            let at = self.sheet().sheet_row(i);
            let Ok(key) = self.key_at(i) else { continue };
            if let Some(k) = &key {
                index.by_key.entry(k.clone()).or_default().push(at);
            }
            if let Some(h) = content_hash(&self.cells_at(i)) {
                index.by_content.entry((key, h)).or_default().push(at);
            }
        }
        index
    }
}

#[derive(Default)]
struct RowIndex {
    by_key: HashMap<RowKey, Vec<u32>>,
    by_content: HashMap<(Option<RowKey>, u64), Vec<u32>>,
}

impl RowIndex {
    fn holding(&self, key: &RowKey) -> Vec<u32> {
        self.by_key.get(key).cloned().unwrap_or_default()
    }

    fn holding_with(&self, key: Option<&RowKey>, content: u64) -> Vec<u32> {
        self.by_content
            .get(&(key.cloned(), content))
            .cloned()
            .unwrap_or_default()
    }
}
