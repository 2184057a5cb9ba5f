//! Reading a bound sheet into the core's snapshot and writing a round's edits with the fewest
//! calls: one `spreadsheets.batchUpdate` for the rows deleted and inserted (and the columns'
//! number formats when rows are added), then one `values.batchUpdate` (`RAW`) for every cell
//! run, addressed in the sheet as it is once the rows have moved.

use serde_json::{json, Value as J};
use sheetsync_core::plan::{CellRun, ColumnFormat, SheetEdits};
use sheetsync_core::schema::TableSchema;
use sheetsync_core::sheet::{SheetCell, SheetSnapshot};
use sheetsync_core::zone::ZoneOffsets;

use crate::google::grid;
use crate::google::sheets::{Render, SheetsClient};
use crate::google::GoogleError;

/// Where a round reads and writes: the spreadsheet, the sheet's tab name and id.
#[derive(Clone, Debug)]
pub struct SheetRef<'a> {
    /// The Sheets client.
    pub sheets: &'a SheetsClient,
    /// The spreadsheet's id.
    pub spreadsheet: &'a str,
    /// The tab name.
    pub sheet: &'a str,
    /// The tab's id.
    pub sheet_id: i64,
}

/// Why reading or writing the sheet failed.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// Google refused or could not be reached.
    #[error(transparent)]
    Google(#[from] GoogleError),
    /// A cell or an edit that cannot be carried between the API and the core.
    #[error("sheet {sheet:?}: {reason}")]
    Cells {
        /// The tab name.
        sheet: String,
        /// What and where.
        reason: String,
    },
}

/// How many edits a write made, for the status and the API-call figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Cells written.
    pub cells: usize,
    /// Rows deleted.
    pub rows_deleted: usize,
    /// Rows added.
    pub rows_added: usize,
}

impl Written {
    /// All of them, as the status counts sheet writes.
    pub fn total(&self) -> usize {
        self.cells + self.rows_deleted + self.rows_added
    }
}

impl SheetRef<'_> {
    fn cells_error(&self, reason: String) -> SheetError {
        SheetError::Cells {
            sheet: self.sheet.to_string(),
            reason,
        }
    }

    /// The whole sheet as a snapshot: its values (typed, dates as serial numbers read as
    /// dates in date columns) and which cells are formulas. Two reads.
    pub async fn read(
        &self,
        schema: &TableSchema,
        zone: &ZoneOffsets,
    ) -> Result<SheetSnapshot, SheetError> {
        let range = vec![grid::quoted_sheet(self.sheet)];
        let values = self
            .sheets
            .batch_get(self.spreadsheet, &range, Render::Values)
            .await?;
        let formulas = self
            .sheets
            .batch_get(self.spreadsheet, &range, Render::Formulas)
            .await?;
        let (values, formulas) = (self.first(values)?, self.first(formulas)?);
        grid::snapshot_of(&values, &formulas, schema, zone).map_err(|e| self.cells_error(e))
    }

    /// Writes the table's column names as the header row of an empty sheet, so the first
    /// round has columns to map. One write.
    pub async fn write_headers(&self, schema: &TableSchema) -> Result<Vec<String>, SheetError> {
        let headers: Vec<String> = schema.columns.iter().map(|c| c.name.clone()).collect();
        let run = CellRun {
            row: 1,
            column: 1,
            values: headers
                .iter()
                .map(|h| SheetCell::Text(h.clone().into()))
                .collect(),
        };
        self.write_runs(&[run], &ZoneOffsets::utc()).await?;
        Ok(headers)
    }

    /// Carries out `edits` planned against `snapshot`: rows deleted, blank rows inserted right
    /// below the data for the rows added and, when rows are added, the columns' number formats
    /// in one structural call, then every cell in one values call. The added rows are written
    /// into rows inserted for them, never into rows below the data, which a person may have
    /// typed into since the sheet was read (those move down).
    pub async fn write_edits(
        &self,
        edits: &SheetEdits,
        snapshot: &SheetSnapshot,
        zone: &ZoneOffsets,
    ) -> Result<Written, SheetError> {
        let mut deleted = edits.delete_rows.clone();
        deleted.sort_unstable_by(|a, b| b.cmp(a));
        deleted.dedup();
        // Writes are addressed in the sheet as planned; deletions move the rows below up.
        let moved = |row: u32| row - deleted.iter().filter(|&&d| d < row).count() as u32;
        let mut runs: Vec<CellRun> = edits
            .writes
            .iter()
            .filter(|w| !deleted.contains(&w.row))
            .map(|w| CellRun {
                row: moved(w.row),
                ..w.clone()
            })
            .collect();
        let last_row = snapshot.first_row - 1 + snapshot.rows.len() as u32 - deleted.len() as u32;
        for (i, cells) in edits.appends.iter().enumerate() {
            runs.push(CellRun {
                row: last_row + 1 + i as u32,
                column: 1,
                values: cells.clone(),
            });
        }
        let mut requests: Vec<J> = deleted
            .iter()
            .map(|&row| {
                json!({"deleteDimension": {"range": {
                    "sheetId": self.sheet_id, "dimension": "ROWS",
                    "startIndex": row - 1, "endIndex": row,
                }}})
            })
            .collect();
        if !edits.appends.is_empty() {
            requests.push(json!({"insertDimension": {
                "range": {
                    "sheetId": self.sheet_id, "dimension": "ROWS",
                    "startIndex": last_row, "endIndex": last_row + edits.appends.len() as u32,
                },
                // Data rows above give the new rows their look; the header row does not.
                "inheritFromBefore": last_row >= snapshot.first_row,
            }}));
            requests.extend(edits.formats.iter().map(|f| self.format_request(f)));
        }
        if !requests.is_empty() {
            self.sheets.batch_update(self.spreadsheet, requests).await?;
        }
        let cells = self.write_runs(&runs, zone).await?;
        Ok(Written {
            cells,
            rows_deleted: deleted.len(),
            rows_added: edits.appends.len(),
        })
    }

    /// Writes `runs` in one `values.batchUpdate` (none when empty); returns the cells written.
    pub async fn write_runs(
        &self,
        runs: &[CellRun],
        zone: &ZoneOffsets,
    ) -> Result<usize, SheetError> {
        if runs.is_empty() {
            return Ok(0);
        }
        let data = grid::range_values(self.sheet, runs, zone).map_err(|e| self.cells_error(e))?;
        self.sheets
            .batch_update_values(self.spreadsheet, &data)
            .await?;
        Ok(runs.iter().map(|r| r.values.len()).sum())
    }

    /// The one range asked for (`batch_get` answers as many as asked, or fails).
    fn first(&self, grids: Vec<Vec<Vec<J>>>) -> Result<Vec<Vec<J>>, SheetError> {
        grids
            .into_iter()
            .next()
            .ok_or_else(|| self.cells_error("values.batchGet answered no range".into()))
    }

    /// A `repeatCell` giving column `f.column`'s data rows the number format `f.format`.
    fn format_request(&self, f: &ColumnFormat) -> J {
        let kind = if f.format == "@" {
            "TEXT"
        } else if f.format.contains("hh") {
            "DATE_TIME"
        } else if f.format.contains("yy") {
            "DATE"
        } else {
            "NUMBER"
        };
        json!({"repeatCell": {
            "range": {
                "sheetId": self.sheet_id, "startRowIndex": 1,
                "startColumnIndex": f.column - 1, "endColumnIndex": f.column,
            },
            "cell": {"userEnteredFormat": {"numberFormat": {"type": kind, "pattern": f.format}}},
            "fields": "userEnteredFormat.numberFormat",
        }})
    }
}
