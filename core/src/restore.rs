//! A whole row that lost a conflict, put back into the sheet by a person.
//!
//! A decided row conflict keeps the losing side's whole row (an [`crate::overridden::Override`]
//! with no column: the row in wire form, one cell per table column). Restoring it appends that
//! row to the sheet as a new row, written by the same per-column conversion the planner uses
//! for rows the database adds; the next sync then pushes it as an ordinary edit of the sheet.

use std::fmt;

use crate::convert::sheet_row_cells;
use crate::diff::{ColumnMap, DiffError};
use crate::hash::digest_row;
use crate::plan::overlong_cell;
use crate::schema::{RowKey, TableSchema};
use crate::sheet::SheetCell;
use crate::zone::ZoneOffsets;

/// Why a kept row cannot be written into the sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestoreError(pub String);

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RestoreError {}

/// The sheet row, as wide as `headers`, that shows `row` (a whole table row in wire form, in
/// table column order) under those headers in time zone `tz`. Columns no header names are
/// left out; cells under headers no column has are empty, and so is the key's cell when the
/// database assigns keys (the row comes back under a new one). Refused with a sentence when the
/// sheet has no key column, the row does not fit the table, or a cell could not be shown.
pub fn sheet_row_of(
    schema: &TableSchema,
    headers: &[String],
    tz: &ZoneOffsets,
    row: &[serde_json::Value],
) -> Result<Vec<SheetCell>, RestoreError> {
    let map = ColumnMap::new(schema, headers).map_err(|e| match e {
        DiffError::MissingKeyColumn(name) => RestoreError(format!(
            "the sheet has no \"{name}\" column to put the row back under"
        )),
        other => RestoreError(other.to_string()),
    })?;
    let values = schema
        .decode_row(row)
        .map_err(|e| RestoreError(format!("the kept row does not fit the table: {e}")))?;
    let key = RowKey::from_value(&values[map.key])
        .ok_or_else(|| RestoreError("the kept row has no key".into()))?;
    if let Some(problem) = overlong_cell(schema, &key, &values) {
        return Err(RestoreError(problem.message));
    }
    digest_row(schema, &values, tz)
        .map_err(|e| RestoreError(format!("row {key} cannot be shown in the sheet: {e}")))?;
    let mut cells = sheet_row_cells(schema, &map, &values, tz, headers.len());
    if schema.columns[map.key].generated {
        // The database assigns keys and takes none from a client: the row goes in as a new
        // row and gets a new key, written back by the sync. The old key is left out, so the
        // row is never taken for the row that key named (as the planner does when it inserts
        // again a row the database deleted).
        if let Some(sc) = map.sheet_col[map.key] {
            cells[sc] = SheetCell::Empty;
        }
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::ColumnSchema;
    use crate::value::SqlType;

    fn column(name: &str, sql_type: SqlType, key: bool) -> ColumnSchema {
        ColumnSchema {
            name: name.into(),
            sql_type,
            nullable: !key,
            primary_key: key,
            generated: false,
            has_default: false,
        }
    }

    fn people() -> TableSchema {
        TableSchema {
            name: "people".into(),
            writable: true,
            columns: vec![
                column(
                    "id",
                    SqlType::Int {
                        bits: 32,
                        unsigned: false,
                    },
                    true,
                ),
                column(
                    "name",
                    SqlType::Text {
                        max_chars: Some(40),
                    },
                    false,
                ),
                column("born", SqlType::Date, false),
            ],
        }
    }

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn a_row_is_written_under_its_headers_as_the_planner_appends_it() {
        let row = [json!(7), json!("Ada"), json!("1815-12-10")];
        let cells = sheet_row_of(
            &people(),
            &headers(&["name", "notes", "id", "born"]),
            &ZoneOffsets::utc(),
            &row,
        )
        .unwrap();
        assert_eq!(cells[0], SheetCell::Text("Ada".into()));
        assert_eq!(
            cells[1],
            SheetCell::Empty,
            "a header no column has stays empty"
        );
        assert_eq!(cells[2], SheetCell::Number(7.0));
        assert!(matches!(cells[3], SheetCell::Date(_)), "{:?}", cells[3]);
    }

    #[test]
    fn the_same_row_the_planner_would_append_from_the_database() {
        use crate::plan::{plan_sync, SyncInput};
        let schema = people();
        let row = vec![json!(7), json!("Ada"), json!(null)];
        let input: SyncInput = serde_json::from_value(json!({
            "schema": schema, "timeZone": "UTC", "zoneOffsets": [[0, 0]], "nowMs": 0,
            "sheet": {"headers": ["id", "name", "born"], "rows": [], "firstRow": 2, "formulas": null},
            "base": null, "databaseRows": [{"key": "7", "version": 1, "cells": row}],
        }))
        .unwrap();
        let plan = plan_sync(&input).unwrap();
        let restored = sheet_row_of(
            &schema,
            &headers(&["id", "name", "born"]),
            &ZoneOffsets::utc(),
            &row,
        )
        .unwrap();
        assert_eq!(plan.sheet_edits.appends, vec![restored]);
    }

    #[test]
    fn a_key_the_database_assigns_is_left_for_it_to_assign_again() {
        let mut schema = people();
        schema.columns[0].generated = true;
        let cells = sheet_row_of(
            &schema,
            &headers(&["id", "name", "born"]),
            &ZoneOffsets::utc(),
            &[json!(7), json!("Ada"), json!(null)],
        )
        .unwrap();
        assert_eq!(
            cells,
            vec![
                SheetCell::Empty,
                SheetCell::Text("Ada".into()),
                SheetCell::Empty
            ]
        );
    }

    #[test]
    fn a_sheet_without_the_key_column_is_refused() {
        let e = sheet_row_of(
            &people(),
            &headers(&["name"]),
            &ZoneOffsets::utc(),
            &[json!(7), json!("Ada"), json!(null)],
        )
        .unwrap_err();
        assert_eq!(
            e.0,
            "the sheet has no \"id\" column to put the row back under"
        );
    }

    #[test]
    fn a_row_that_does_not_fit_the_table_is_refused() {
        let e = sheet_row_of(
            &people(),
            &headers(&["id", "name", "born"]),
            &ZoneOffsets::utc(),
            &[json!(7), json!("Ada")],
        )
        .unwrap_err();
        assert!(
            e.0.starts_with("the kept row does not fit the table"),
            "{e}"
        );
        let e = sheet_row_of(
            &people(),
            &headers(&["id", "name", "born"]),
            &ZoneOffsets::utc(),
            &[json!("seven"), json!("Ada"), json!(null)],
        )
        .unwrap_err();
        assert!(e.0.contains("id"), "{e}");
    }

    #[test]
    fn a_value_too_long_for_a_cell_is_refused() {
        let mut schema = people();
        schema.columns[1].sql_type = SqlType::Text { max_chars: None };
        let long = "x".repeat(crate::sheet::CELL_MAX_CHARS + 1);
        let e = sheet_row_of(
            &schema,
            &headers(&["id", "name", "born"]),
            &ZoneOffsets::utc(),
            &[json!(7), json!(long), json!(null)],
        )
        .unwrap_err();
        assert!(e.0.contains("at most 50000"), "{e}");
    }
}
