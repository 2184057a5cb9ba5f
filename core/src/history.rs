//! The row-history protocol's messages: what a row looked like over time, and the sheet
//! values conflict policies overrode, which only the add-on saw.
//!
//! The database's side of every conflict is already in the change log (each change's full
//! row image), so the server answers a row's history from there. A sheet value a policy
//! overrode never reached the database: the add-on reports it (from the plan's
//! [`crate::overridden::Override`]s) so that any client, and a person, can find it again.
//! Both are kept as long as the change log keeps its entries.

use serde::{Deserialize, Serialize};

use crate::policy::ConflictPolicy;
use crate::schema::RowKey;
use crate::wire::{RowChange, RowVersion};

/// One sheet value a conflict policy overrode, as the add-on reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportedOverride {
    /// Chosen by the client and unique within the table, so a report sent again (a lost
    /// answer) stores nothing twice.
    pub id: String,
    /// The row.
    pub key: RowKey,
    /// The column, or `None` when the sheet's whole row lost.
    pub column: Option<String>,
    /// The sheet's value that lost, in wire form (a whole row when `column` is `None`, `null`
    /// when the sheet's deletion of the row lost).
    pub value: serde_json::Value,
    /// The value kept instead, in the same form.
    pub winning_value: serde_json::Value,
    /// The policy that decided.
    pub policy: ConflictPolicy,
    /// When the sheet's edit was made (ms since the epoch), if the add-on recorded it.
    pub edited_at_ms: Option<i64>,
    /// Who made the edit, if the add-on knows.
    pub author: Option<String>,
    /// The database version the value lost to.
    pub database_version: RowVersion,
}

/// `POST /v1/tables/{table}/overrides`: sheet values conflict policies overrode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverrideReport {
    /// The reporting client's origin tag (the one its pushes carry).
    pub origin: String,
    /// The overridden values.
    pub overrides: Vec<ReportedOverride>,
}

/// The answer to an [`OverrideReport`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverrideReportResponse {
    /// How many were new; the others had been reported already.
    pub stored: usize,
}

/// A reported override as the server keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredOverride {
    /// What was reported.
    #[serde(flatten)]
    pub reported: ReportedOverride,
    /// The reporting client's origin tag.
    pub origin: String,
    /// When the server received it (ms since the epoch).
    pub reported_at_ms: i64,
}

/// `GET /v1/tables/{table}/rows/{key}/history`: a row's kept past, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowHistory {
    /// The row.
    pub key: RowKey,
    /// The change log's entries for the row (each a full image, or a deletion), newest
    /// first.
    pub changes: Vec<RowChange>,
    /// Sheet values conflict policies overrode, newest first.
    pub overrides: Vec<StoredOverride>,
}
