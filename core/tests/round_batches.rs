//! The pieces of a round a host that pushes in several batches and copies a first sync page
//! by page drives one at a time: a copy page's plan cut to its keys, a record per pushed
//! batch whose answer is read from the record alone (through JSON, as a host stores it), base
//! updates on the stored base, and batches saved by the earlier add-on.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use serde_json::json;
use sheetsync_core::base::{Base, BaseRow};
use sheetsync_core::plan::SyncInput;
use sheetsync_core::policy::{ConflictPolicy, PolicySet};
use sheetsync_core::problem::{Problem, ProblemKind};
use sheetsync_core::round::{keep_page, upgrade_saved_batch, InFlightBatch, SavedBatchV1};
use sheetsync_core::schema::RowKey;
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::wire::{PushOp, PushResponse, PushResult};
use sheetsync_core::zone::ZoneOffsets;

fn text(s: &str) -> SheetCell {
    SheetCell::Text(s.into())
}

/// Apple (1), pear (2) and plum (3) synced; qty is settled by a person.
fn fruit_with_manual_qty() -> SyncInput {
    let mut input = synced(vec![
        row(1, "apple", Some(3), ""),
        row(2, "pear", Some(5), "ripe"),
        row(3, "plum", Some(7), ""),
    ]);
    input.policies = PolicySet {
        default: ConflictPolicy::DatabaseWins,
        columns: [("qty".to_string(), ConflictPolicy::Manual)].into(),
    };
    input
}

/// Through JSON and back, as a host stores a batch.
fn stored(batch: &InFlightBatch) -> InFlightBatch {
    serde_json::from_str(&serde_json::to_string(batch).unwrap()).unwrap()
}

fn applied(key: &str, version: i64, cells: serde_json::Value) -> PushResult {
    PushResult::Applied {
        key: RowKey(key.into()),
        version,
        row: Some(serde_json::from_value(cells).unwrap()),
    }
}

#[test]
fn a_copy_page_keeps_only_its_own_keys_and_counts_them_again() {
    let mut input = fruit_with_manual_qty();
    // Apple's qty changed on both sides (held), pear's note in the sheet, plum deleted from
    // the sheet, and a new row.
    input.sheet.rows[0][2] = SheetCell::Number(4.0);
    input.sheet.rows[1][3] = text("soft");
    input.sheet.rows.remove(2);
    input.sheet.rows.push(row(4, "fig", Some(1), ""));
    input.changes = vec![db_upsert(1, "apple", Some(9), None, 2, 500)];
    let mut plan = plan(&input);
    assert_eq!(plan.conflicts.len(), 1);
    assert_eq!(plan.push.len(), 3, "{:?}", plan.push);
    plan.problems.push(Problem::bad_database_row(
        &key("1"),
        None,
        "unreadable".into(),
    ));
    let mut other = Problem::bad_database_row(&key("9"), None, "x".into());
    other.kind = ProblemKind::Rejected;
    plan.problems.push(other);

    // A page holding apple and pear: plum's deletion and the new row are the round's after.
    let keys: BTreeSet<RowKey> = [key("1"), key("2")].into();
    keep_page(&mut plan, &keys);

    let pushed: Vec<&PushOp> = plan.push.iter().map(|p| &p.change).collect();
    assert!(
        matches!(pushed[..], [PushOp::Update { key: ref k, .. }] if k == &key("2")),
        "{pushed:?}"
    );
    assert_eq!(plan.conflicts.len(), 1, "apple's conflict is the page's");
    assert_eq!(plan.problems.len(), 1);
    assert_eq!(plan.problems[0].kind, ProblemKind::BadDatabaseRow);
    assert_eq!(plan.mass_delete, None);
    let s = &plan.summary;
    assert_eq!(
        (
            s.updated_in_database,
            s.inserted_in_database,
            s.deleted_in_database
        ),
        (1, 0, 0)
    );
    assert_eq!((s.open_conflicts, s.problems), (1, 1));

    // A page of other keys keeps none of it.
    let mut none = self::plan(&input);
    keep_page(&mut none, &[key("7")].into());
    assert!(none.push.is_empty() && none.conflicts.is_empty());
    assert_eq!(none.summary.open_conflicts, 0);
}

#[test]
fn each_batch_of_a_plan_reads_its_own_answer_from_its_record_alone() {
    let mut input = fruit_with_manual_qty();
    // Apple: qty on both sides (held) and the note in the sheet; plum's note in the sheet;
    // and a new row, pushed in a batch of its own.
    input.sheet.rows[0][2] = SheetCell::Number(4.0);
    input.sheet.rows[0][3] = text("crisp");
    input.sheet.rows[2][3] = text("dark");
    input.sheet.rows.push(row(4, "fig", Some(1), ""));
    input.changes = vec![db_upsert(1, "apple", Some(9), None, 2, 500)];
    let plan = plan(&input);
    assert_eq!(plan.push.len(), 3, "{:?}", plan.push);
    assert_eq!(plan.conflicts.len(), 1);

    let batches: Vec<InFlightBatch> = (0..3)
        .map(|i| {
            InFlightBatch::record_part(&input, &plan, i..i + 1, &format!("b{i}"), "host").unwrap()
        })
        .map(|b| stored(&b))
        .collect();
    let apple = batches
        .iter()
        .find(|b| matches!(&b.push[0].change, PushOp::Update { key: k, .. } if k == &key("1")))
        .unwrap();
    let plum = batches
        .iter()
        .find(|b| matches!(&b.push[0].change, PushOp::Update { key: k, .. } if k == &key("3")))
        .unwrap();
    let fig = batches
        .iter()
        .find(|b| matches!(b.push[0].change, PushOp::Insert { .. }))
        .unwrap();
    assert_eq!(
        apple.held.conflicts.len(),
        1,
        "apple's batch holds its conflict"
    );
    assert!(plum.held.conflicts.is_empty() && fig.held.conflicts.is_empty());
    assert_eq!(fig.new_rows.rows.len(), 1, "the new row is recorded");
    assert_eq!(
        apple.planned_from.rows.len(),
        1,
        "one row kept, not the sheet"
    );

    // Apple's note applies; qty stays held and apple comes back as a change.
    let answer = PushResponse {
        batch_id: apple.batch_id().into(),
        results: vec![applied("1", 3, json!([1, "apple", 9, "crisp"]))],
        replayed: false,
    };
    let outcome = apple
        .read_answer(&input.schema, &answer, None, 10_000)
        .unwrap();
    assert!(
        outcome.pending_changes.iter().any(|c| c.key == key("1")),
        "the held row comes back: {:?}",
        outcome.pending_changes
    );
    assert!(
        outcome.writes.iter().all(|w| w.column != 2),
        "qty is not written over: {:?}",
        outcome.writes
    );

    // The new row joins the base.
    let answer = PushResponse {
        batch_id: fig.batch_id().into(),
        results: vec![applied("4", 1, json!([4, "fig", 1, null]))],
        replayed: false,
    };
    let outcome = fig
        .read_answer(&input.schema, &answer, None, 10_000)
        .unwrap();
    assert_eq!(outcome.applied, 1);
    assert!(outcome.base_updates.contains_key(&key("4")));

    // Another batch's answer is refused.
    let err = plum
        .read_answer(&input.schema, &answer, None, 10_000)
        .unwrap_err();
    assert!(err.to_string().contains("in flight"), "{err}");
}

#[test]
fn base_updates_apply_to_the_stored_base() {
    let apple = BaseRow::new(1, vec![1, 2]);
    let pear = BaseRow::new(4, vec![3, 4]);
    let mut base = Base::default();
    base.rows.insert(key("1"), apple.clone());
    base.rows.insert(key("2"), pear.clone());
    let text = serde_json::to_string(&base).unwrap();
    let updates: BTreeMap<RowKey, Option<BaseRow>> = [
        (key("1"), None),
        (key("2"), Some(BaseRow::new(5, vec![3, 9]))),
        (key("3"), Some(BaseRow::new(1, vec![7]))),
    ]
    .into();

    let after = Base::apply_to_stored(&text, &updates).unwrap();
    let mut expected = base.clone();
    expected.apply(&updates);
    assert_eq!(serde_json::from_str::<Base>(&after).unwrap(), expected);
    assert!(!after.contains("\"1\""), "apple is gone: {after}");

    let first = Base::apply_to_stored("", &updates).unwrap();
    assert_eq!(serde_json::from_str::<Base>(&first).unwrap().rows.len(), 2);
    assert!(Base::apply_to_stored("{\"1\":", &updates).is_err());
}

/// A batch as the earlier add-on saved it in its hidden sheet: the new row "fig" and an
/// update of plum, planned from a sheet whose row 3 (plum) the plan deleted above nothing.
fn old_saved_batch(with_new_rows: bool) -> serde_json::Value {
    let mut saved = json!({
        "batchId": "b-old",
        "table": "items",
        "request": {
            "batch_id": "b-old",
            "origin": "o-1",
            "changes": [
                {"op": "update", "key": "3", "expected_version": 1, "cells": {"note": "dark"}},
                {"op": "insert", "cells": {"name": "fig", "qty": 1}}
            ]
        },
        "recovery": {
            "timeZone": "UTC",
            "headers": ["id", "name", "qty", "note"],
            "firstRow": 2,
            "rows": {"2": [3, "plum", 7, "dark"], "3": ["", "fig", 1, ""]},
            "formulas": {"2": [], "3": []},
            "push": [
                {"change": {"op": "update", "key": "3", "expected_version": 1, "cells": {"note": "dark"}},
                 "sheetRow": 4, "sheetHash": null},
                {"change": {"op": "insert", "cells": {"name": "fig", "qty": 1}},
                 "sheetRow": 5, "sheetHash": null}
            ],
            "sheetEdits": {"writes": [], "deleteRows": [], "appends": [], "formats": []}
        }
    });
    if with_new_rows {
        saved["newRows"] = json!({
            "compared": [1, 2, 3],
            "marks": [{"marker": "b-old/1", "sheetRow": 5}],
            "rows": [{"index": 1, "marker": "b-old/1", "offset": 0,
                      "cells": [null, null, null], "pushedKey": null}]
        });
    }
    saved
}

#[test]
fn a_batch_saved_by_the_earlier_add_on_is_sent_again_and_its_answer_applied_once() {
    let schema = simple_schema();
    for with_new_rows in [true, false] {
        let saved: SavedBatchV1 = serde_json::from_value(old_saved_batch(with_new_rows)).unwrap();
        let batch =
            upgrade_saved_batch(saved, ZoneOffsets::utc().table(), &schema, 10_000).unwrap();
        let batch = stored(&batch);
        assert_eq!(
            batch.batch_id(),
            "b-old",
            "the same id, so the server applies it once"
        );
        assert_eq!(batch.request.changes.len(), 2, "nothing dropped");
        assert!(batch.planned_from.formulas.is_empty());
        assert_eq!(batch.new_rows.rows.len(), 1, "the new row has a record");
        assert_eq!(batch.new_rows.rows[0].index, 1);

        // The server answers from its record of the first delivery.
        let answer = PushResponse {
            batch_id: "b-old".into(),
            results: vec![
                applied("3", 2, json!([3, "plum", 7, "dark"])),
                applied("1000", 1, json!([1000, "fig", 1, null])),
            ],
            replayed: true,
        };
        let outcome = batch.read_answer(&schema, &answer, None, 10_000).unwrap();
        assert_eq!(outcome.applied, 2);
        assert_eq!(
            outcome.base_updates.keys().cloned().collect::<Vec<_>>(),
            vec![key("1000"), key("3")]
        );
        assert!(
            outcome
                .writes
                .iter()
                .any(|w| w.row == 5 && w.values[0] == SheetCell::Number(1000.0)),
            "fig's key is written back once: {:?}",
            outcome.writes
        );
    }
    let mut missing = old_saved_batch(true);
    missing["recovery"].as_object_mut().unwrap().remove("push");
    let saved: SavedBatchV1 = serde_json::from_value(missing).unwrap();
    let err = upgrade_saved_batch(saved, ZoneOffsets::utc().table(), &schema, 0).unwrap_err();
    assert!(
        err.to_string().contains("without its planned changes"),
        "{err}"
    );
}
