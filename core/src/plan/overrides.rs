//! The planner's record of decided conflicts' losing values ([`crate::overridden`]).

use super::emit::wire_row;
use super::output::SyncPlan;
use super::rows::Planner;
use super::DbRow;
use crate::convert::write_cell;
use crate::merge::ConflictKind;
use crate::overridden::{Override, Side};
use crate::policy::ConflictPolicy;
use crate::schema::RowKey;
use crate::value::Value;

/// A row conflict's two sides: the whole row each holds, `None` where it deleted the row.
pub(super) struct RowSidesLost<'a> {
    pub sheet: Option<&'a [Value]>,
    pub database: Option<&'a [Value]>,
}

impl Planner<'_> {
    /// Records that cell `c` of `key` lost `losing` on `side` to `winning`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn overridden_cell(
        &self,
        plan: &mut SyncPlan,
        key: &RowKey,
        sheet_row: u32,
        kind: ConflictKind,
        (c, side, policy): (usize, Side, ConflictPolicy),
        losing: &Value,
        winning: &Value,
        d: &DbRow,
    ) {
        let col = &self.input.schema.columns[c];
        plan.overrides.push(Override {
            column: Some(col.name.clone()),
            losing_value: losing.to_wire(),
            losing_cell: Some(write_cell(col, losing, self.tz)),
            winning_value: winning.to_wire(),
            ..self.overridden(key, Some(sheet_row), kind, side, policy, d)
        });
    }

    /// Records that the row conflict on `key` was decided against `losing_side`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn overridden_row(
        &self,
        plan: &mut SyncPlan,
        key: &RowKey,
        sheet_row: Option<u32>,
        kind: ConflictKind,
        losing_side: Side,
        rows: RowSidesLost<'_>,
        d: &DbRow,
    ) {
        let wire = |r: Option<&[Value]>| r.map_or(serde_json::Value::Null, wire_row);
        let (losing, winning) = match losing_side {
            Side::Sheet => (rows.sheet, rows.database),
            Side::Database => (rows.database, rows.sheet),
        };
        let policy = self.input.policies.for_rows();
        plan.overrides.push(Override {
            losing_value: wire(losing),
            winning_value: wire(winning),
            ..self.overridden(key, sheet_row, kind, losing_side, policy, d)
        });
    }

    fn overridden(
        &self,
        key: &RowKey,
        sheet_row: Option<u32>,
        kind: ConflictKind,
        losing_side: Side,
        policy: ConflictPolicy,
        d: &DbRow,
    ) -> Override {
        let (losing_time_ms, losing_origin) = match losing_side {
            Side::Sheet => (self.input.edit_times.get(key).copied(), None),
            Side::Database => (d.time_ms, d.change.origin.clone()),
        };
        Override {
            key: key.clone(),
            sheet_row,
            column: None,
            kind,
            policy,
            losing_side,
            losing_value: serde_json::Value::Null,
            losing_cell: None,
            winning_value: serde_json::Value::Null,
            losing_time_ms,
            losing_origin,
            database_version: d.version,
        }
    }
}
