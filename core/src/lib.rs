//! # sheetsync-core
//!
//! The pure heart of sheetsync: everything that decides *what* to sync, with no I/O, no clocks
//! and no randomness. The add-on runs it as WebAssembly and the server links it natively, so
//! both sides agree by construction.
//!
//! ## The model
//!
//! A bound sheet mirrors one table. Columns are matched by header name and rows by key, so
//! moving either changes nothing. For each key the add-on keeps a [`base::BaseRow`]: the
//! row's version and the hashes of the cells both sides last agreed on, never the values.
//!
//! One sync step is [`plan::plan_sync`]: it reads a [`plan::SyncInput`] (the sheet as it is
//! now, the base, the database's changes since last time, the conflict policies) and returns
//! a [`plan::SyncPlan`] (row changes to push with compare-and-set versions, minimal sheet
//! edits, base updates, conflicts held for a person, problems to fix). The host carries it
//! out and hands the server's answer to [`push_outcome::apply_push_results`], which yields the
//! remaining base updates and write-backs. Nothing here reads a clock: the host passes
//! `nowMs`. Inputs and outputs are plain serde data (camelCase for what JS builds), and
//! every map in them is ordered, so a plan is the same bytes natively and in WebAssembly.
//!
//! - [`sheet`], [`convert`]: sheet cells and their mapping to column values; a snapshot holds
//!   its rows as cells or packed into flat arrays ([`sheet::PackedRows`], as the add-on hands a
//!   large sheet over), read alike.
//! - [`hash`]: the stable row and cell hashes; [`base`]: their stored form.
//! - [`diff`]: what changed in the sheet; [`merge`] and [`policy`]: three-way merge and who
//!   wins a conflict; [`overridden`]: the values a decided conflict discarded, reported in
//!   the plan so a host keeps them and a person can restore one; [`plan`]: the planner;
//!   [`push_outcome`]: push results; [`restore`]: a whole row that lost, as the sheet row
//!   that puts it back; [`problem`]: what a person must fix, per sheet row;
//!   [`identity`]: where a new row's assigned key goes when the answer comes after the sheet
//!   changed; [`round`]: the whole round as a state machine a host keeps between rounds
//!   (base, held changes, the batch in flight), which can leave out rows a person edited
//!   after the host read them.
//! - [`value`], [`schema`], [`wire`]: the value model, table schema and protocol messages;
//!   [`history`]: the row-history route's messages.
//! - [`zone`]: the spreadsheet's time zone, as the UTC offset table the host passes in.
//!
//! ## A sync loop
//!
//! A sheet and a database (here a map of versioned rows) both edit one table; each round plans,
//! carries the plan out, pushes with compare-and-set and reads the answer, until a round has
//! nothing to do and both sides hold the same rows:
//!
//! ```
//! use std::collections::BTreeMap;
//! use serde_json::{json, Value as J};
//! use sheetsync_core::base::Base;
//! use sheetsync_core::plan::{plan_sync, SyncInput};
//! use sheetsync_core::push_outcome::apply_push_results;
//! use sheetsync_core::schema::{ColumnSchema, RowKey, TableSchema};
//! use sheetsync_core::sheet::{SheetCell, SheetSnapshot};
//! use sheetsync_core::value::SqlType;
//! use sheetsync_core::wire::{ChangeOp, PushOp, PushResponse, PushResult, RowChange};
//!
//! let column = |name: &str, sql_type, key: bool| ColumnSchema {
//!     name: name.into(), sql_type, nullable: !key, primary_key: key, generated: false, has_default: false,
//! };
//! let int = SqlType::Int { bits: 32, unsigned: false };
//! let schema = TableSchema {
//!     name: "items".into(),
//!     writable: true,
//!     columns: vec![column("id", int.clone(), true), column("qty", int, false)],
//! };
//! // The database: key -> (version, cells), and its change log (version = log position).
//! let mut rows: BTreeMap<String, (i64, Vec<J>)> = BTreeMap::new();
//! let mut log: Vec<RowChange> = Vec::new();
//! let write = |rows: &mut BTreeMap<_, _>, log: &mut Vec<RowChange>, cells: Vec<J>| {
//!     let key = cells[0].to_string();
//!     let version = log.len() as i64 + 1;
//!     rows.insert(key.clone(), (version, cells.clone()));
//!     log.push(RowChange { key: RowKey(key), version, origin: None, changed_at_ms: 0,
//!                          op: ChangeOp::Upsert { cells } });
//!     version
//! };
//! write(&mut rows, &mut log, vec![json!(2), json!(20)]); // another application inserts row 2
//!
//! // The sheet already holds row 1, and has never been synced.
//! let mut sheet = SheetSnapshot {
//!     headers: vec!["id".into(), "qty".into()],
//!     rows: vec![vec![SheetCell::Number(1.0), SheetCell::Number(10.0)]],
//!     first_row: 2,
//!     formulas: None,
//!     packed: None,
//! };
//! let (mut base, mut cursor, mut pending) = (None::<Base>, 0, Vec::new());
//! for round in 0.. {
//!     assert!(round < 5, "converges in a few rounds");
//!     if round == 1 {
//!         // Concurrent edits: a person changes row 2 in the sheet, SQL changes row 1.
//!         sheet.rows[1][1] = SheetCell::Number(21.0);
//!         write(&mut rows, &mut log, vec![json!(1), json!(11)]);
//!     }
//!     let mut input: SyncInput = serde_json::from_value(json!({
//!         "schema": schema, "timeZone": "UTC", "zoneOffsets": [[0, 0]], "sheet": sheet, "base": base, "nowMs": 0,
//!     })).unwrap();
//!     if base.is_none() {
//!         input.database_rows = rows.iter().map(|(k, (v, c))| serde_json::from_value(
//!             json!({"key": k, "version": v, "cells": c})).unwrap()).collect();
//!     } else {
//!         input.changes = std::mem::take(&mut pending);
//!         input.changes.extend(log[cursor..].iter().cloned());
//!     }
//!     cursor = log.len();
//!     let plan = plan_sync(&input).unwrap();
//!     // The "server": compare-and-set on each row's version.
//!     let results = plan.push.iter().map(|p| {
//!         let (key, expected, cells) = match &p.change {
//!             PushOp::Insert { cells } => (cells["id"].to_string(), None, cells),
//!             PushOp::Update { key, expected_version, cells } =>
//!                 (key.0.clone(), Some(*expected_version), cells),
//!             PushOp::Delete { .. } => unreachable!("nothing is deleted here"),
//!         };
//!         let current = rows.get(&key).map(|(v, _)| *v);
//!         assert_eq!(current, expected, "no conflicts in this example");
//!         let mut row = rows.get(&key).map_or(vec![J::Null, J::Null], |r| r.1.clone());
//!         for (i, name) in ["id", "qty"].iter().enumerate() {
//!             if let Some(v) = cells.get(*name) { row[i] = v.clone(); }
//!         }
//!         let version = write(&mut rows, &mut log, row.clone());
//!         PushResult::Applied { key: RowKey(key), version, row: Some(row) }
//!     }).collect();
//!     let response = PushResponse { batch_id: format!("b{round}"), results, replayed: false };
//!     let outcome = apply_push_results(&input, &plan, &response).unwrap();
//!     // Carry the plan out: sheet writes, row deletions, appends; then the base.
//!     for run in plan.sheet_edits.writes.iter().chain(&outcome.writes) {
//!         let r = (run.row - sheet.first_row) as usize;
//!         for (i, cell) in run.values.iter().enumerate() {
//!             sheet.rows[r][run.column as usize - 1 + i] = cell.clone();
//!         }
//!     }
//!     sheet.rows.extend(plan.sheet_edits.appends.iter().cloned());
//!     let b = base.get_or_insert_with(Default::default);
//!     b.apply(&plan.base_updates);
//!     b.apply(&outcome.base_updates);
//!     pending = plan.pending_changes;
//!     pending.extend(outcome.pending_changes);
//!     let quiet = plan.push.is_empty() && plan.sheet_edits.writes.is_empty()
//!         && plan.sheet_edits.appends.is_empty() && round > 1;
//!     if quiet { break; }
//! }
//! // The sheet's edit of row 2 reached the database, SQL's edit of row 1 reached the sheet.
//! assert_eq!(rows["1"].1, vec![json!(1), json!(11)]);
//! assert_eq!(rows["2"].1, vec![json!(2), json!(21)]);
//! sheet.rows.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
//! assert_eq!(sheet.rows, vec![
//!     vec![SheetCell::Number(1.0), SheetCell::Number(11.0)],
//!     vec![SheetCell::Number(2.0), SheetCell::Number(21.0)],
//! ]);
//! ```

pub mod base;
pub mod bytes;
pub mod calendar;
pub mod convert;
mod decimal;
pub mod diff;
pub mod hash;
pub mod history;
pub mod identity;
pub mod merge;
pub mod overridden;
pub mod plan;
pub mod policy;
pub mod problem;
pub mod push_outcome;
pub mod restore;
pub mod round;
pub mod schema;
pub mod sheet;
pub mod value;
pub mod wire;
pub mod zone;

#[cfg(test)]
mod convert_tests;
// The test tables are built by the integration tests' helper, which names this crate.
#[cfg(test)]
extern crate self as sheetsync_core;
#[cfg(test)]
#[path = "../tests/common/zone.rs"]
mod zone_tables;
