//! Diff and planner throughput on a large sheet: 100,000 rows × 20 columns, 1% of rows
//! edited in the sheet (and, for the planner, 1% changed in the database).
//!
//! Run: `cargo bench -p sheetsync-core -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use sheetsync_core::base::{Base, BaseRow};
use sheetsync_core::diff::diff;
use sheetsync_core::hash::digest_row;
use sheetsync_core::plan::{plan_sync, SyncInput};
use sheetsync_core::schema::{ColumnSchema, RowKey, TableSchema};
use sheetsync_core::sheet::{SheetCell, SheetSnapshot};
use sheetsync_core::value::{SqlType, Value};
use sheetsync_core::wire::{ChangeOp, RowChange};

#[path = "../tests/common/zone.rs"]
mod zone;

const ROWS: usize = 100_000;

fn column(name: String, sql_type: SqlType) -> ColumnSchema {
    ColumnSchema {
        name,
        sql_type,
        nullable: true,
        primary_key: false,
        generated: false,
        has_default: false,
    }
}

fn schema() -> TableSchema {
    let mut columns = vec![ColumnSchema {
        primary_key: true,
        nullable: false,
        ..column(
            "id".into(),
            SqlType::Int {
                bits: 64,
                unsigned: false,
            },
        )
    }];
    for i in 1..20 {
        let ty = match i % 6 {
            0 | 1 => SqlType::Text { max_chars: None },
            2 => SqlType::Int {
                bits: 32,
                unsigned: false,
            },
            3 => SqlType::Decimal {
                precision: 10,
                scale: 2,
            },
            4 => SqlType::Float { bits: 64 },
            _ => {
                if i % 2 == 0 {
                    SqlType::Bool
                } else {
                    SqlType::Date
                }
            }
        };
        columns.push(column(format!("c{i}"), ty));
    }
    TableSchema {
        name: "big".into(),
        columns,
        writable: true,
    }
}

fn value(ty: &SqlType, row: usize, col: usize) -> Value {
    let n = row * 31 + col * 7;
    match ty {
        SqlType::Text { .. } => Value::Text(format!("text {n} for row {row}")),
        SqlType::Int { .. } => Value::Int(n as i128),
        SqlType::Decimal { .. } => Value::Decimal(format!("{}.{:02}", n % 100_000, n % 100)),
        SqlType::Float { .. } => Value::Float(n as f64 / 8.0),
        SqlType::Bool => Value::Bool(n % 2 == 0),
        _ => Value::Date(
            NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new((n % 2000) as u64),
        ),
    }
}

fn setup() -> SyncInput {
    let schema = schema();
    let tz = &zone::zone("Europe/Paris");
    let mut base = Base::default();
    let mut rows = Vec::with_capacity(ROWS);
    for r in 0..ROWS {
        let values: Vec<Value> = schema
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| {
                if c == 0 {
                    Value::Int(r as i128 + 1)
                } else {
                    value(&col.sql_type, r, c)
                }
            })
            .collect();
        let (_, cells) = digest_row(&schema, &values, tz).expect("the row survives the sheet");
        base.rows.insert(
            RowKey((r + 1).to_string()),
            BaseRow::new(r as i64 + 1, cells),
        );
        let mut sheet_row: Vec<SheetCell> = schema
            .columns
            .iter()
            .zip(&values)
            .map(|(col, v)| SheetCell::from_value(v, col, tz))
            .collect();
        if r % 100 == 0 {
            sheet_row[1] = SheetCell::Text(format!("edited {r}").into());
        }
        rows.push(sheet_row);
    }
    let changes = (0..ROWS)
        .filter(|r| r % 100 == 50)
        .map(|r| {
            let mut cells: Vec<serde_json::Value> = schema
                .columns
                .iter()
                .enumerate()
                .map(|(c, col)| {
                    if c == 0 {
                        json!(r + 1)
                    } else {
                        value(&col.sql_type, r, c).to_wire()
                    }
                })
                .collect();
            cells[1] = json!(format!("db edit {r}"));
            RowChange {
                key: RowKey((r + 1).to_string()),
                version: ROWS as i64 + r as i64,
                op: ChangeOp::Upsert { cells },
                origin: None,
                changed_at_ms: 1,
            }
        })
        .collect();
    SyncInput {
        sheet: SheetSnapshot {
            headers: schema.columns.iter().map(|c| c.name.clone()).collect(),
            rows,
            first_row: 2,
            formulas: None,
            packed: None,
        },
        schema,
        time_zone: "Europe/Paris".into(),
        zone_offsets: zone::zone_table("Europe/Paris"),
        base: Some(base),
        changes,
        database_rows: Vec::new(),
        policies: Default::default(),
        edit_times: Default::default(),
        resolutions: Vec::new(),
        base_images: Default::default(),
        base_image_unavailable: Vec::new(),
        now_ms: 2,
        options: Default::default(),
    }
}

fn bench(c: &mut Criterion) {
    let input = setup();
    let tz = &input.zone().unwrap();
    let base = input.base.clone().unwrap();
    let mut group = c.benchmark_group("100k rows x 20 columns, 1% changed");
    group.sample_size(10);
    group.bench_function("diff", |b| {
        b.iter(|| diff(&input.schema, black_box(&input.sheet), &base, tz).unwrap())
    });
    group.bench_function("plan_sync", |b| {
        b.iter(|| plan_sync(black_box(&input)).unwrap())
    });
    group.finish();
    // Wall-clock figures suffer when the machine is shared; CPU time per run does not.
    let cpu_diff = cpu_ms_per_run(3, || {
        diff(&input.schema, &input.sheet, &base, tz).unwrap();
    });
    let cpu_plan = cpu_ms_per_run(3, || {
        plan_sync(&input).unwrap();
    });
    println!("cpu time per run: diff {cpu_diff:.0} ms, plan_sync {cpu_plan:.0} ms");
    let plan = plan_sync(&input).unwrap();
    println!(
        "plan: {} pushes, {} sheet runs, {} base updates",
        plan.push.len(),
        plan.sheet_edits.writes.len(),
        plan.base_updates.len()
    );
}

/// This process's user + system CPU time in milliseconds (Linux), or 0 elsewhere.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of the file (utime, stime), counted after the command name; 100 Hz.
    (ticks(11) + ticks(12)) * 10.0
}

fn cpu_ms_per_run(runs: usize, mut f: impl FnMut()) -> f64 {
    let start = cpu_ms();
    for _ in 0..runs {
        f();
    }
    (cpu_ms() - start) / runs as f64
}

criterion_group!(benches, bench);
criterion_main!(benches);
