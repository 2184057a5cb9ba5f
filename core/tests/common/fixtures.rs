//! Schemas, rows, feed entries and a seeded random generator.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::json;
use sheetsync_core::base::Base;
use sheetsync_core::plan::{PlanOptions, SyncInput};
use sheetsync_core::policy::PolicySet;
use sheetsync_core::schema::{ColumnSchema, RowKey, TableSchema};
use sheetsync_core::sheet::{SheetCell, SheetSnapshot};
use sheetsync_core::value::SqlType;
use sheetsync_core::wire::{ChangeOp, RowChange};
use sheetsync_core::zone::ZoneOffsets;

/// A small deterministic generator (SplitMix64), so a seed replays a run exactly.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

pub fn col(name: &str, sql_type: SqlType, nullable: bool) -> ColumnSchema {
    ColumnSchema {
        name: name.into(),
        sql_type,
        nullable,
        primary_key: false,
        generated: false,
        has_default: false,
    }
}

fn int_col(name: &str, nullable: bool) -> ColumnSchema {
    col(
        name,
        SqlType::Int {
            bits: 32,
            unsigned: false,
        },
        nullable,
    )
}

fn text_col(name: &str, nullable: bool) -> ColumnSchema {
    col(name, SqlType::Text { max_chars: None }, nullable)
}

/// The `id INT` key column, assigned by the database when `generated`.
fn id_col(generated: bool) -> ColumnSchema {
    ColumnSchema {
        primary_key: true,
        generated,
        ..int_col("id", false)
    }
}

/// `items(id INT auto-increment key, name TEXT NOT NULL, qty INT, price DECIMAL(8,2), note TEXT)`.
pub fn items_schema() -> TableSchema {
    TableSchema {
        name: "items".into(),
        writable: true,
        columns: vec![
            id_col(true),
            text_col("name", false),
            int_col("qty", true),
            col(
                "price",
                SqlType::Decimal {
                    precision: 8,
                    scale: 2,
                },
                true,
            ),
            text_col("note", true),
        ],
    }
}

/// `t(id INT key, name TEXT NOT NULL, qty INT, note TEXT)`, with keys typed by people.
pub fn simple_schema() -> TableSchema {
    TableSchema {
        name: "t".into(),
        writable: true,
        columns: vec![
            id_col(false),
            text_col("name", false),
            int_col("qty", true),
            text_col("note", true),
        ],
    }
}

/// A sheet row `id, name, qty, note` (qty `None` is an empty cell).
pub fn row(id: i64, name: &str, qty: Option<i64>, note: &str) -> Vec<SheetCell> {
    vec![
        SheetCell::Number(id as f64),
        if name.is_empty() {
            SheetCell::Empty
        } else {
            SheetCell::Text(name.into())
        },
        qty.map_or(SheetCell::Empty, |q| SheetCell::Number(q as f64)),
        if note.is_empty() {
            SheetCell::Empty
        } else {
            SheetCell::Text(note.into())
        },
    ]
}

pub fn snapshot(headers: &[&str], rows: Vec<Vec<SheetCell>>) -> SheetSnapshot {
    SheetSnapshot {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
        first_row: 2,
        formulas: None,
        packed: None,
    }
}

/// An input for `simple_schema` whose base is the given rows, all synced at version 1.
pub fn synced(rows: Vec<Vec<SheetCell>>) -> SyncInput {
    let schema = simple_schema();
    let sheet = snapshot(&["id", "name", "qty", "note"], rows);
    let tz = &ZoneOffsets::utc();
    let empty = Base::default();
    let cs = sheetsync_core::diff::diff(&schema, &sheet, &empty, tz).unwrap();
    let mut base = Base::default();
    for r in cs.inserts {
        base.rows.insert(
            r.key.clone().unwrap(),
            sheetsync_core::base::BaseRow::new(1, r.cells),
        );
    }
    SyncInput {
        schema,
        time_zone: "UTC".into(),
        zone_offsets: ZoneOffsets::utc().table(),
        sheet,
        base: Some(base),
        changes: Vec::new(),
        database_rows: Vec::new(),
        policies: PolicySet::default(),
        edit_times: BTreeMap::new(),
        resolutions: Vec::new(),
        base_images: BTreeMap::new(),
        base_image_unavailable: Vec::new(),
        now_ms: 1_000,
        options: PlanOptions::default(),
    }
}

/// A feed entry: row `id` is now `name, qty, note` at `version`, changed at `at_ms`.
pub fn db_upsert(
    id: i64,
    name: &str,
    qty: Option<i64>,
    note: Option<&str>,
    version: i64,
    at_ms: i64,
) -> RowChange {
    RowChange {
        key: RowKey(id.to_string()),
        version,
        op: ChangeOp::Upsert {
            cells: vec![json!(id), json!(name), json!(qty), json!(note)],
        },
        origin: None,
        changed_at_ms: at_ms,
    }
}

/// A feed entry: row `id` was deleted at `version`.
pub fn db_delete(id: i64, version: i64) -> RowChange {
    RowChange {
        key: RowKey(id.to_string()),
        version,
        op: ChangeOp::Delete,
        origin: None,
        changed_at_ms: 500,
    }
}
