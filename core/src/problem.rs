//! Problems: things a person must fix in the sheet, reported per row and never fatal to the
//! rest of a sync.

use serde::{Deserialize, Serialize};

use crate::schema::RowKey;

/// What kind of problem a row has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A mapped table column has no header in the sheet; it is neither read nor written.
    MissingColumn,
    /// Two sheet rows carry the same key; neither is synced until one is changed.
    DuplicateKey,
    /// A key cell was changed (or cleared) in a row that was synced: that would delete one
    /// row and create another, so nothing is done until the key is put back.
    KeyEdited,
    /// A cell does not fit its column; the row is not synced until it is fixed.
    BadCell,
    /// The database refused the row when it was pushed; the edit stays in the sheet.
    Rejected,
    /// A row from the database could not be read against the table's schema.
    BadDatabaseRow,
    /// A person's answer to a conflict could not be used (it names a column the table does
    /// not have, or gives a value that does not fit the column); the conflict stays open.
    BadAnswer,
    /// The database added a row the sheet pushed, but the sheet row could not be found with
    /// certainty when the answer came, so its key was written nowhere.
    NewRowNotPlaced,
    /// A row typed into the sheet still lacks a value that the table requires (a NOT NULL
    /// column the database neither assigns nor has a default for). Nothing about it reaches
    /// the database until it is complete; it is a row still being typed, not an error, and
    /// holds up no other row.
    IncompleteRow,
}

/// One problem, located as precisely as known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// The 1-based sheet row, when the problem is in one.
    pub sheet_row: Option<u32>,
    /// Another sheet row involved (the first row with the same key, for a duplicate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_sheet_row: Option<u32>,
    /// The row's key, when it has one.
    pub key: Option<RowKey>,
    /// The column at fault, when known.
    pub column: Option<String>,
    /// A sentence for the person who will fix it.
    pub message: String,
}

impl Problem {
    /// A database row that cannot be read, or cannot be shown in the sheet: held back and
    /// reported under its key, and under `column` when one column is at fault.
    pub fn bad_database_row(key: &RowKey, column: Option<String>, message: String) -> Problem {
        Problem {
            kind: ProblemKind::BadDatabaseRow,
            sheet_row: None,
            other_sheet_row: None,
            key: Some(key.clone()),
            column,
            message,
        }
    }
}
