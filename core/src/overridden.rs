//! Values a conflict policy overrode: what lost, to what, and when.
//!
//! A policy decides what wins now, never what is forgotten. Whenever a decided conflict
//! throws a value away (the sheet's under `database-wins`, the database's under `sheet-wins`,
//! either under `latest-wins`, a custom rule or a person's answer) the plan reports it as an
//! [`Override`], so every host keeps the same history from one decision. A `numeric-delta`
//! merge keeps both sides' deltas and overrides nothing; its fallback to the row policy does.

use serde::{Deserialize, Serialize};

use crate::merge::ConflictKind;
use crate::policy::ConflictPolicy;
use crate::schema::RowKey;
use crate::sheet::SheetCell;
use crate::wire::RowVersion;

/// Which side of the sync a value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// The spreadsheet.
    Sheet,
    /// The database.
    Database,
}

/// One value a decided conflict discarded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Override {
    /// The row.
    pub key: RowKey,
    /// Its 1-based sheet row when planned, if the sheet has it.
    pub sheet_row: Option<u32>,
    /// The column, or `None` when a whole row lost (a row conflict).
    pub column: Option<String>,
    /// What conflicted.
    pub kind: ConflictKind,
    /// The policy that decided (`manual` or `custom` when an answer decided).
    pub policy: ConflictPolicy,
    /// The side whose value lost.
    pub losing_side: Side,
    /// The value that lost, in wire form (a whole row for a row conflict, `null` for a
    /// deletion that lost).
    pub losing_value: serde_json::Value,
    /// The losing cell as the sheet shows it, for a host that restores it into the cell (a
    /// cell override only).
    pub losing_cell: Option<SheetCell>,
    /// The value kept, in the same form.
    pub winning_value: serde_json::Value,
    /// When the losing side made its change (ms since the epoch), where known: the sheet's
    /// recorded edit time, or the database's change time.
    pub losing_time_ms: Option<i64>,
    /// The origin tag of the client that wrote the losing database change, when it was one
    /// (`None` for the sheet's side and for other applications' writes).
    pub losing_origin: Option<String>,
    /// The database version the conflict was decided against.
    pub database_version: RowVersion,
}
