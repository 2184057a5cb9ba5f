//! A first sync copied a page of the table at a time, so a table of any size gets into the
//! sheet across a host's execution limits.
//!
//! Each page is planned on its own, its rows as the database side against the sheet and the
//! base so far. Every sheet row whose key is on another page then looks new (or deleted) to
//! that plan, so [`keep_page`] cuts the plan down to what concerns the page's keys: rows
//! written into or added to the sheet, the base, conflicts, and pushes of sheet values that
//! win over the database. The ordinary round after the last page settles the rest (rows
//! without a key, keys the table lacks) against the whole base.

use std::collections::BTreeSet;

use crate::plan::SyncPlan;
use crate::problem::ProblemKind;
use crate::schema::RowKey;
use crate::wire::PushOp;

/// Cuts the plan of one copy page down to the page's keys (`keys`) and counts it again.
pub fn keep_page(plan: &mut SyncPlan, keys: &BTreeSet<RowKey>) {
    plan.push.retain(|p| match &p.change {
        PushOp::Update { key, .. } | PushOp::Delete { key, .. } => keys.contains(key),
        // A row without a key is the ordinary round's to insert, once every page is in.
        PushOp::Insert { .. } => false,
    });
    plan.conflicts.retain(|c| keys.contains(&c.key));
    // Only a page can tell of its own unreadable database rows; every other problem is the
    // whole sheet's, reported by the round after the copy.
    plan.problems
        .retain(|p| matches!(p.kind, ProblemKind::BadDatabaseRow));
    // Rows of later pages look deleted from the database, never from the sheet.
    plan.mass_delete = None;
    let summary = &mut plan.summary;
    summary.inserted_in_database = 0;
    summary.updated_in_database = 0;
    summary.deleted_in_database = 0;
    for p in &plan.push {
        match p.change {
            PushOp::Update { .. } => summary.updated_in_database += 1,
            _ => summary.deleted_in_database += 1,
        }
    }
    summary.open_conflicts = plan.conflicts.len();
    summary.problems = plan.problems.len();
}
