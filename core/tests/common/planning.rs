//! Shorthands for planner tests: keys, a synced three-row table, uniform policies and the
//! updates a plan pushes.
#![allow(dead_code)]

use sheetsync_core::plan::{plan_sync, SyncInput, SyncPlan};
use sheetsync_core::policy::{ConflictPolicy, PolicySet};
use sheetsync_core::schema::RowKey;
use sheetsync_core::wire::PushOp;

use super::{row, synced};

pub fn key(k: &str) -> RowKey {
    RowKey(k.into())
}

/// Three synced rows: apple (qty 3), pear (qty 5, "ripe") and plum (qty 7).
pub fn fruit() -> SyncInput {
    synced(vec![
        row(1, "apple", Some(3), ""),
        row(2, "pear", Some(5), "ripe"),
        row(3, "plum", Some(7), ""),
    ])
}

/// `p` for every column and for rows.
pub fn policy(p: ConflictPolicy) -> PolicySet {
    PolicySet {
        default: p,
        columns: Default::default(),
    }
}

pub fn plan(input: &SyncInput) -> SyncPlan {
    plan_sync(input).unwrap()
}

/// The plan's updates as `(key, expected version, cells)`.
pub fn update_cells(plan: &SyncPlan) -> Vec<(String, i64, serde_json::Value)> {
    plan.push
        .iter()
        .filter_map(|p| match &p.change {
            PushOp::Update {
                key,
                expected_version,
                cells,
            } => Some((
                key.0.clone(),
                *expected_version,
                serde_json::Value::Object(cells.clone()),
            )),
            _ => None,
        })
        .collect()
}
