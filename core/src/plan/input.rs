//! What the host hands the planner: everything it knows, as plain data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::base::Base;
use crate::policy::{PolicySet, Resolution};
use crate::schema::{RowKey, TableSchema};
use crate::sheet::SheetSnapshot;
use crate::wire::{ChangeOp, RowChange, VersionedRow};
use crate::zone::{ZoneOffsets, ZoneTransition};

use super::PlanError;

/// One planning step's input. JS builds it, so field names are camelCase; the wire types
/// inside (`changes`, `databaseRows`, `baseImages`) keep the protocol's own spelling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncInput {
    /// The table, as the server described it.
    pub schema: TableSchema,
    /// The spreadsheet's IANA time zone (`"Europe/Paris"`), named in messages.
    pub time_zone: String,
    /// The zone's UTC offsets over time, `[[utcMs, offsetSeconds], ...]` sorted by instant,
    /// for date cells (see [`crate::zone`]).
    pub zone_offsets: Vec<ZoneTransition>,
    /// The bound range as it is now.
    pub sheet: SheetSnapshot,
    /// What was last synced; `None` before the first sync.
    #[serde(default)]
    pub base: Option<Base>,
    /// Database changes since the last sync, oldest first, including those handed back as
    /// `pendingChanges` by the previous plan or push outcome. A change whose version is not
    /// newer than the base's is already known (an echo of this client's own push) and does
    /// nothing.
    #[serde(default)]
    pub changes: Vec<RowChange>,
    /// The table's rows, for the first sync (with `base` absent): the snapshot to bind to.
    #[serde(default)]
    pub database_rows: Vec<VersionedRow>,
    /// The binding's conflict policies.
    #[serde(default)]
    pub policies: PolicySet,
    /// When the sheet's rows were last edited (ms since the epoch), as the add-on's onEdit
    /// trigger recorded them.
    #[serde(default)]
    pub edit_times: BTreeMap<RowKey, i64>,
    /// Answers to conflicts that a previous plan held.
    #[serde(default)]
    pub resolutions: Vec<Resolution>,
    /// Rows at their base version, fetched because a previous plan asked (`needBaseImages`).
    #[serde(default)]
    pub base_images: BTreeMap<RowKey, VersionedRow>,
    /// Keys whose base image was asked for but is gone from the server's log: their
    /// `numeric-delta` cells fall back to the row policy.
    #[serde(default)]
    pub base_image_unavailable: Vec<RowKey>,
    /// The host's clock (ms since the epoch): the edit time of rows without a recorded one.
    pub now_ms: i64,
    /// Safety switches.
    #[serde(default)]
    pub options: PlanOptions,
}

impl SyncInput {
    /// The spreadsheet's time zone, its offset table checked.
    pub fn zone(&self) -> Result<ZoneOffsets, PlanError> {
        ZoneOffsets::new(&self.time_zone, &self.zone_offsets).map_err(PlanError::BadTimeZone)
    }

    /// Every database change a plan is made from, in the order received: a first round's
    /// table rows (as changes made at time 0), then the changes since the cursor.
    pub fn database_changes(&self) -> impl Iterator<Item = RowChange> + '_ {
        let rows = self.database_rows.iter().map(|r| RowChange {
            key: r.key.clone(),
            version: r.version,
            op: ChangeOp::Upsert {
                cells: r.cells.clone(),
            },
            origin: None,
            changed_at_ms: 0,
        });
        rows.chain(self.changes.iter().cloned())
    }
}

/// Safety switches for one plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlanOptions {
    /// The share of the base's rows that the sheet may delete from the database in one sync
    /// without a person confirming.
    pub mass_delete_share: f64,
    /// The guard applies only to bases with at least this many rows.
    pub mass_delete_min_rows: usize,
    /// A person confirmed a large deletion.
    pub confirm_mass_delete: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            mass_delete_share: 0.5,
            mass_delete_min_rows: 5,
            confirm_mass_delete: false,
        }
    }
}
