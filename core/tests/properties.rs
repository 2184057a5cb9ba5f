//! Laws of diff and merge, checked on random sheets; and bounded fuzzing of every decoder of
//! untrusted input (arbitrary JSON must give an error, never a panic).

mod common;

use common::{row, simple_schema, synced};
use proptest::prelude::*;
use serde_json::{json, Value as J};
use sheetsync_core::base::{Base, BaseRow};
use sheetsync_core::diff::diff;
use sheetsync_core::plan::{plan_sync, SyncInput, SyncPlan};
use sheetsync_core::policy::{ConflictPolicy, PolicySet, Resolution};
use sheetsync_core::problem::ProblemKind;
use sheetsync_core::push_outcome::PushOutcome;
use sheetsync_core::schema::{ColumnSchema, RowKey};
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::value::SqlType;
use sheetsync_core::wire::{
    ChangePage, ErrorBody, PushOp, PushRequest, PushResponse, RowChange, RowPage, TableList,
};
use sheetsync_core::zone::ZoneOffsets;

/// A row's editable cells: name, qty, note.
type Cells = (String, Option<i64>, String);

fn cells() -> impl Strategy<Value = Cells> {
    (
        "[a-z]{1,6}",
        proptest::option::of(0i64..50),
        "[0-9a-z]{0,4}",
    )
}

/// Random rows with distinct keys 1..=n.
fn table() -> impl Strategy<Value = Vec<Cells>> {
    proptest::collection::vec(cells(), 0..12)
}

fn sheet_rows(t: &[Cells]) -> Vec<Vec<SheetCell>> {
    t.iter()
        .enumerate()
        .map(|(i, (n, q, note))| row(i as i64 + 1, n, *q, note))
        .collect()
}

fn tz() -> &'static ZoneOffsets {
    static UTC: std::sync::OnceLock<ZoneOffsets> = std::sync::OnceLock::new();
    UTC.get_or_init(ZoneOffsets::utc)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn applying_a_diff_to_the_base_reproduces_the_sheet(
        before in table(),
        edits in proptest::collection::vec((any::<usize>(), cells(), any::<bool>()), 0..8),
        extra in proptest::collection::vec(cells(), 0..3),
    ) {
        let input = synced(sheet_rows(&before));
        let mut sheet = input.sheet.clone();
        for (i, c, delete) in &edits {
            if sheet.rows.is_empty() { break; }
            let r = i % sheet.rows.len();
            if *delete {
                sheet.rows.remove(r);
            } else {
                let id = match sheet.rows[r][0] { SheetCell::Number(x) => x as i64, _ => 0 };
                sheet.rows[r] = row(id, &c.0, c.1, &c.2);
            }
        }
        for (j, c) in extra.iter().enumerate() {
            sheet.rows.push(row(100 + j as i64, &c.0, c.1, &c.2));
        }
        let schema = simple_schema();
        let before = input.base.clone().unwrap();
        let mut base = before.clone();
        let cs = diff(&schema, &sheet, &before, tz()).unwrap();
        for u in &cs.updates {
            let key = u.row.key.clone().unwrap();
            let version = base.rows[&key].version;
            base.rows.insert(key, BaseRow::new(version, u.row.cells.clone()));
        }
        for r in &cs.inserts {
            base.rows.insert(r.key.clone().unwrap(), BaseRow::new(1, r.cells.clone()));
        }
        for k in &cs.deletes {
            base.rows.remove(k);
        }
        let again = diff(&schema, &sheet, &base, tz()).unwrap();
        prop_assert!(again.inserts.is_empty() && again.updates.is_empty() && again.deletes.is_empty(),
            "{again:?}");
        prop_assert_eq!(base.rows.len(), sheet.rows.len());
    }

    #[test]
    fn with_no_concurrent_change_the_merge_is_the_one_sided_change(
        before in table().prop_filter("a row", |t| !t.is_empty()),
        pick in any::<usize>(),
        change in cells(),
        on_sheet in any::<bool>(),
        policy in prop_oneof![Just(ConflictPolicy::DatabaseWins), Just(ConflictPolicy::SheetWins),
            Just(ConflictPolicy::Manual), Just(ConflictPolicy::LatestWins)],
    ) {
        let mut input = synced(sheet_rows(&before));
        input.policies = common::policy(policy);
        let r = pick % before.len();
        let id = r as i64 + 1;
        if on_sheet {
            input.sheet.rows[r] = row(id, &change.0, change.1, &change.2);
        } else {
            let note = (!change.2.is_empty()).then_some(change.2.as_str());
            input.changes = vec![common::db_upsert(id, &change.0, change.1, note, 5, 10)];
        }
        let plan = plan_sync(&input).unwrap();
        prop_assert!(plan.conflicts.is_empty());
        let mut sheet = input.sheet.clone();
        common::apply_sheet_edits(&mut sheet, &plan);
        prop_assert_eq!(&sheet.rows[r], &row(id, &change.0, change.1, &change.2));
        if on_sheet {
            prop_assert!(plan.sheet_edits.writes.is_empty());
            let pushed_something = before[r] != change;
            prop_assert_eq!(plan.push.len(), usize::from(pushed_something));
        } else {
            prop_assert!(plan.push.is_empty());
        }
    }

    #[test]
    fn database_wins_and_sheet_wins_do_what_they_say(
        before in cells(),
        sheet_side in cells(),
        db_side in cells(),
        sheet_wins in any::<bool>(),
    ) {
        let mut input = synced(vec![row(1, &before.0, before.1, &before.2)]);
        input.policies = common::policy(
            if sheet_wins { ConflictPolicy::SheetWins } else { ConflictPolicy::DatabaseWins },
        );
        input.sheet.rows[0] = row(1, &sheet_side.0, sheet_side.1, &sheet_side.2);
        let note = (!db_side.2.is_empty()).then_some(db_side.2.as_str());
        input.changes = vec![common::db_upsert(1, &db_side.0, db_side.1, note, 5, 10)];
        let plan = plan_sync(&input).unwrap();
        let mut sheet = input.sheet.clone();
        common::apply_sheet_edits(&mut sheet, &plan);
        let pushed: serde_json::Map<String, J> = match plan.push.first().map(|p| &p.change) {
            Some(PushOp::Update { cells, .. }) => cells.clone(),
            _ => Default::default(),
        };
        let before_row = row(1, &before.0, before.1, &before.2);
        let sheet_row = row(1, &sheet_side.0, sheet_side.1, &sheet_side.2);
        let db_row = row(1, &db_side.0, db_side.1, &db_side.2);
        let names = ["id", "name", "qty", "note"];
        for c in 1..4 {
            let sheet_changed = sheet_row[c] != before_row[c];
            let db_changed = db_row[c] != before_row[c];
            let winner = if sheet_changed && (sheet_wins || !db_changed) { &sheet_row[c] } else { &db_row[c] };
            prop_assert_eq!(&sheet.rows[0][c], winner, "column {}", names[c]);
            prop_assert_eq!(pushed.contains_key(names[c]), winner != &db_row[c], "column {}", names[c]);
        }
    }
}

fn arbitrary_json() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|x| serde_json::Number::from_f64(x).map_or(J::Null, J::Number)),
        ".{0,8}".prop_map(J::String),
        prop_oneof![
            Just("d"),
            Just("key"),
            Just("op"),
            Just("upsert"),
            Just("2024-01-01")
        ]
        .prop_map(|s| J::String(s.into())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("d".to_string()),
                    Just("key".to_string()),
                    Just("op".to_string()),
                    Just("version".to_string()),
                    Just("cells".to_string()),
                    "[a-z]{1,3}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| J::Object(m.into_iter().collect())),
        ]
    })
}

fn all_columns() -> Vec<ColumnSchema> {
    let types = vec![
        SqlType::Int {
            bits: 8,
            unsigned: true,
        },
        SqlType::Int {
            bits: 64,
            unsigned: false,
        },
        SqlType::Decimal {
            precision: 6,
            scale: 2,
        },
        SqlType::Float { bits: 64 },
        SqlType::Bool,
        SqlType::Text { max_chars: Some(3) },
        SqlType::Date,
        SqlType::DateTime,
        SqlType::Timestamp,
        SqlType::Time,
        SqlType::Json,
        SqlType::Enum {
            values: vec!["a".into()],
        },
    ];
    types
        .into_iter()
        .flat_map(|t| {
            [true, false].map(|nullable| ColumnSchema {
                name: "c".into(),
                sql_type: t.clone(),
                nullable,
                primary_key: false,
                generated: false,
                has_default: false,
            })
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_never_panics_a_decoder(j in arbitrary_json()) {
        let text = j.to_string();
        let _ = serde_json::from_str::<SheetCell>(&text);
        let _ = serde_json::from_str::<Vec<Vec<SheetCell>>>(&text);
        let _ = serde_json::from_str::<Base>(&text);
        let _ = serde_json::from_str::<RowChange>(&text);
        let _ = serde_json::from_str::<PushResponse>(&text);
        let _ = serde_json::from_str::<TableList>(&text);
        let _ = serde_json::from_str::<SyncInput>(&text);
        let _ = serde_json::from_str::<ChangePage>(&text);
        let _ = serde_json::from_str::<RowPage>(&text);
        let _ = serde_json::from_str::<PushRequest>(&text);
        let _ = serde_json::from_str::<ErrorBody>(&text);
        let _ = serde_json::from_str::<PolicySet>(&text);
        let _ = serde_json::from_str::<Vec<Resolution>>(&text);
        let _ = serde_json::from_str::<SyncPlan>(&text);
        let _ = serde_json::from_str::<PushOutcome>(&text);
        for col in all_columns() {
            let _ = col.decode(&j);
            if let Ok(cell) = serde_json::from_value::<SheetCell>(j.clone()) {
                if let Ok(v) = cell.to_value(&col, tz()) {
                    let _ = SheetCell::from_value(&v, &col, tz());
                }
            }
        }
    }

    #[test]
    fn arbitrary_cells_never_panic_a_conversion(
        x in any::<f64>(), ms in any::<f64>(), s in ".{0,12}", b in any::<bool>()
    ) {
        for col in all_columns() {
            for cell in [SheetCell::Number(x), SheetCell::Date(ms), SheetCell::Text(s.clone().into()), SheetCell::Bool(b), SheetCell::Empty] {
                if let Ok(v) = cell.to_value(&col, tz()) {
                    let back = SheetCell::from_value(&v, &col, tz());
                    let _ = back.to_value(&col, tz());
                }
            }
        }
    }

    #[test]
    fn a_base_entry_with_arbitrary_text_is_refused_or_read_never_panics(v in any::<i64>(), s in ".{0,40}") {
        let _ = BaseRow::decode(v, &s);
    }

    #[test]
    fn arbitrary_database_rows_in_a_plan_become_problems_not_panics(
        cells in prop_oneof![
            proptest::collection::vec(arbitrary_json(), 0..6),
            // Rows of the right width, so cell-level refusals are reached as well as shape ones.
            proptest::collection::vec(arbitrary_json(), 4..=4),
        ],
        version in 2i64..100,
    ) {
        let mut input = synced(vec![row(1, "a", Some(1), "")]);
        input.changes = vec![RowChange {
            key: RowKey("1".into()),
            version,
            op: sheetsync_core::wire::ChangeOp::Upsert { cells: cells.clone() },
            origin: None,
            changed_at_ms: 0,
        }];
        let plan = plan_sync(&input).unwrap();
        let unreadable = input.schema.decode_row(&cells).is_err();
        let problems: Vec<_> = plan
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::BadDatabaseRow)
            .collect();
        if unreadable {
            prop_assert_eq!(problems.len(), 1, "{:?}", plan.problems);
            prop_assert_eq!(problems[0].key.as_ref(), Some(&RowKey("1".into())));
            prop_assert!(problems[0].message.contains("cannot be read"), "{}", problems[0].message);
            // The unreadable row leaves the sheet and the database as they were.
            prop_assert!(plan.push.is_empty(), "{:?}", plan.push);
            prop_assert!(plan.sheet_edits.writes.is_empty() && plan.sheet_edits.delete_rows.is_empty());
            prop_assert!(!plan.base_updates.contains_key(&RowKey("1".into())));
        } else {
            prop_assert!(problems.is_empty(), "a readable row reported as unreadable: {:?}", problems);
        }
    }
}
