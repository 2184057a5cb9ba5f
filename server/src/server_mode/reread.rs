//! The re-read right before a round writes: the Sheets API has no compare-and-set, so the only
//! way not to overwrite a person's edit made since the round read the sheet is to read the rows
//! about to be written once more, as late as possible, and leave out those that changed
//! (`sheetsync_core::round::Round::leave_out_rows`). One `values.batchGet` for all of them.

use std::collections::BTreeSet;

use serde_json::Value as J;
use sheetsync_core::plan::SheetEdits;
use sheetsync_core::schema::TableSchema;
use sheetsync_core::sheet::{SheetCell, SheetSnapshot};
use sheetsync_core::zone::ZoneOffsets;

use super::sheet_io::{SheetError, SheetRef};
use crate::google::grid;
use crate::google::sheets::Render;

/// Past this many separate runs of rows, one range from the first row to the last is read
/// instead, so the request's address stays short.
const MAX_RANGES: usize = 50;

impl SheetRef<'_> {
    /// Which of the rows `edits` touch (1-based sheet rows) no longer hold what `snapshot`
    /// read: a row to be written, in a column the table maps (the write touches no other, so
    /// a formula or a note beside the data, volatile or not, holds nothing up); a row to be
    /// deleted, in any column, since the whole row goes.
    pub async fn changed_rows(
        &self,
        edits: &SheetEdits,
        snapshot: &SheetSnapshot,
        schema: &TableSchema,
        zone: &ZoneOffsets,
    ) -> Result<BTreeSet<u32>, SheetError> {
        let deleted: BTreeSet<u32> = edits.delete_rows.iter().copied().collect();
        let rows: BTreeSet<u32> = edits
            .writes
            .iter()
            .map(|w| w.row)
            .chain(deleted.iter().copied())
            .collect();
        if rows.is_empty() {
            return Ok(BTreeSet::new());
        }
        let spans = spans_of(&rows);
        let ranges: Vec<String> = spans
            .iter()
            .map(|(a, b)| format!("{}!{a}:{b}", grid::quoted_sheet(self.sheet)))
            .collect();
        let grids = self
            .sheets
            .batch_get(self.spreadsheet, &ranges, Render::Values)
            .await?;
        if grids.len() != spans.len() {
            return Err(SheetError::Cells {
                sheet: self.sheet.to_string(),
                reason: format!(
                    "values.batchGet answered {} ranges for the {} asked",
                    grids.len(),
                    spans.len()
                ),
            });
        }
        let dates = grid::date_columns(schema, &snapshot.headers);
        let mapped: Vec<bool> = snapshot
            .headers
            .iter()
            .map(|h| schema.column(h).is_some())
            .collect();
        let mut changed = BTreeSet::new();
        for ((start, end), grid) in spans.iter().zip(&grids) {
            for r in (*start..=*end).filter(|r| rows.contains(r)) {
                // The API leaves out trailing empty rows: a row it does not answer is empty.
                let now = grid
                    .get((r - start) as usize)
                    .map_or(&[][..], Vec::as_slice);
                let then = r
                    .checked_sub(snapshot.first_row)
                    .and_then(|i| snapshot.rows.get(i as usize))
                    .map_or(&[][..], Vec::as_slice);
                let columns = if deleted.contains(&r) {
                    Columns::All
                } else {
                    Columns::Mapped(&mapped)
                };
                if !same_row(now, then, columns, &dates, zone) {
                    changed.insert(r);
                }
            }
        }
        Ok(changed)
    }
}

/// Runs of consecutive rows, as (first, last); one run over all when there are too many.
fn spans_of(rows: &BTreeSet<u32>) -> Vec<(u32, u32)> {
    let mut spans: Vec<(u32, u32)> = Vec::new();
    for &r in rows {
        match spans.last_mut() {
            Some((_, last)) if *last + 1 == r => *last = r,
            _ => spans.push((r, r)),
        }
    }
    if spans.len() > MAX_RANGES {
        let (first, last) = (spans[0].0, spans[spans.len() - 1].1);
        spans = vec![(first, last)];
    }
    spans
}

/// The columns a comparison looks at.
#[derive(Clone, Copy)]
enum Columns<'m> {
    All,
    /// Those marked true (by 0-based sheet column); columns past the header are unmapped.
    Mapped(&'m [bool]),
}

/// Whether a row read now holds the cells read before in `columns` (trailing empty cells
/// aside). A value that cannot be read as a cell counts as changed.
fn same_row(
    now: &[J],
    then: &[SheetCell],
    columns: Columns<'_>,
    dates: &[bool],
    zone: &ZoneOffsets,
) -> bool {
    let width = now.len().max(then.len());
    let looked_at = |c: usize| match columns {
        Columns::All => true,
        Columns::Mapped(mapped) => mapped.get(c).copied().unwrap_or(false),
    };
    (0..width).filter(|&c| looked_at(c)).all(|c| {
        let before = then.get(c).cloned().unwrap_or(SheetCell::Empty);
        let after = match now.get(c) {
            None => SheetCell::Empty,
            Some(v) => match grid::cell_of(v, dates.get(c).copied().unwrap_or(false), zone) {
                Ok(cell) => cell,
                Err(_) => return false,
            },
        };
        after == before || (after.is_empty() && before.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_rows_are_read_as_one_range() {
        let rows: BTreeSet<u32> = [2, 3, 4, 7, 9, 10].into_iter().collect();
        assert_eq!(spans_of(&rows), vec![(2, 4), (7, 7), (9, 10)]);
    }

    #[test]
    fn too_many_runs_are_read_as_one() {
        let rows: BTreeSet<u32> = (0..=MAX_RANGES as u32).map(|i| 2 + 2 * i).collect();
        assert_eq!(spans_of(&rows), vec![(2, 2 + 2 * MAX_RANGES as u32)]);
    }

    #[test]
    fn trailing_empty_cells_do_not_count_as_a_change() {
        let zone = ZoneOffsets::utc();
        let then = vec![
            SheetCell::Number(1.0),
            SheetCell::Text("a".into()),
            SheetCell::Empty,
        ];
        let all = Columns::All;
        assert!(same_row(
            &[J::from(1), J::from("a")],
            &then,
            all,
            &[],
            &zone
        ));
        assert!(!same_row(
            &[J::from(1), J::from("b")],
            &then,
            all,
            &[],
            &zone
        ));
        assert!(!same_row(&[], &then, all, &[], &zone));
    }

    #[test]
    fn a_row_to_be_written_is_compared_in_its_mapped_columns_only() {
        let zone = ZoneOffsets::utc();
        let then = vec![SheetCell::Number(1.0), SheetCell::Number(0.25)];
        // Column B is not the table's (say =RAND()): its new value holds nothing up.
        let now = [J::from(1), J::from(0.75)];
        let mapped = [true, false];
        assert!(same_row(&now, &then, Columns::Mapped(&mapped), &[], &zone));
        assert!(!same_row(&now, &then, Columns::All, &[], &zone));
        let edited = [J::from(2), J::from(0.25)];
        assert!(!same_row(
            &edited,
            &then,
            Columns::Mapped(&mapped),
            &[],
            &zone
        ));
        // A value typed past the header is in no mapped column.
        let beside = [J::from(1), J::from(0.25), J::from("note")];
        assert!(same_row(
            &beside,
            &then,
            Columns::Mapped(&mapped),
            &[],
            &zone
        ));
    }
}
