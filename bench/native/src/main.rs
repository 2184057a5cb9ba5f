//! Times the sheetsync core natively on the tables the Node benchmarks generate, so native,
//! WebAssembly and daff figures come from the very same input.
//!
//! ```text
//! sheetsync-bench-native base INPUT.json > BASE.json
//!     the base (key → version and hashes) of the sheet in INPUT.json, as if it had just synced
//! sheetsync-bench-native plan INPUT.json RUNS
//!     runs the planner RUNS times on INPUT.json (a SyncInput) and prints one JSON line of timings
//! ```
//!
//! Reading and parsing the input file is not timed: the figure is the planner itself, as the
//! server or a native host would call it on data already in memory.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use serde::Deserialize;
use sheetsync_core::base::{Base, BaseRow};
use sheetsync_core::diff::diff;
use sheetsync_core::hash::digest_row;
use sheetsync_core::plan::{plan_sync, SyncInput};
use sheetsync_core::schema::{RowKey, TableSchema};
use sheetsync_core::sheet::SheetSnapshot;
use sheetsync_core::zone::{ZoneOffsets, ZoneTransition};

/// The part of a planner input that building a base needs.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BaseSource {
    schema: TableSchema,
    time_zone: String,
    zone_offsets: Vec<ZoneTransition>,
    sheet: SheetSnapshot,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["base", input] => build_base(input),
        ["plan", input, runs] => runs
            .parse::<usize>()
            .map_err(|_| format!("RUNS must be a whole number, not {runs:?}"))
            .and_then(|runs| time_plan(input, runs)),
        _ => Err("usage: sheetsync-bench-native base INPUT.json | plan INPUT.json RUNS".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sheetsync-bench-native: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// Writes the base of a sheet whose every row is in sync at version = its row number.
fn build_base(input: &str) -> Result<(), String> {
    let source: BaseSource =
        serde_json::from_str(&read(input)?).map_err(|e| format!("{input}: {e}"))?;
    let tz = &ZoneOffsets::new(&source.time_zone, &source.zone_offsets)?;
    let key_index = source.schema.key_index().map_err(|e| e.to_string())?;
    let columns: Vec<usize> = source
        .schema
        .columns
        .iter()
        .map(|c| {
            source
                .sheet
                .headers
                .iter()
                .position(|h| *h == c.name)
                .ok_or_else(|| format!("the sheet has no column {:?}", c.name))
        })
        .collect::<Result<_, _>>()?;
    let mut rows = BTreeMap::new();
    for (r, _) in source.sheet.rows.iter().enumerate() {
        let values = source
            .schema
            .columns
            .iter()
            .zip(&columns)
            .map(|(column, &c)| source.sheet.cell(r, c).to_value(column, tz))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("sheet row {}: {e}", source.sheet.sheet_row(r)))?;
        let key = RowKey::from_value(&values[key_index])
            .ok_or_else(|| format!("sheet row {} has no key", source.sheet.sheet_row(r)))?;
        let (_, hashes) =
            digest_row(&source.schema, &values, tz).expect("the row survives the sheet");
        rows.insert(key, BaseRow::new(r as i64 + 1, hashes));
    }
    let base = Base { rows };
    println!(
        "{}",
        serde_json::to_string(&base).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// Runs the planner `runs` times on the input and prints the timings as one JSON line.
fn time_plan(input: &str, runs: usize) -> Result<(), String> {
    let parsed: SyncInput =
        serde_json::from_str(&read(input)?).map_err(|e| format!("{input}: {e}"))?;
    let mut times = Vec::with_capacity(runs);
    let mut summary = serde_json::Value::Null;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let plan = plan_sync(&parsed).map_err(|e| format!("the planner refused the input: {e}"))?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        let json = serde_json::to_value(&plan).map_err(|e| e.to_string())?;
        summary = json.get("summary").cloned().unwrap_or_default();
        drop(plan);
    }
    let diff_times = time_diff(&parsed, runs)?;
    println!(
        "{}",
        serde_json::json!({
            "runs": times.len(),
            "times": times,
            "medianMs": median(&times),
            "diffTimes": diff_times,
            "diffMedianMs": median(&diff_times),
            "summary": summary,
        })
    );
    Ok(())
}

/// Times the diff alone (sheet against base, no merge or sheet edits), `runs` times.
fn time_diff(input: &SyncInput, runs: usize) -> Result<Vec<f64>, String> {
    let tz = &input.zone().map_err(|e| e.to_string())?;
    let empty = Base::default();
    let base = input.base.as_ref().unwrap_or(&empty);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let changeset = diff(&input.schema, &input.sheet, base, tz)
            .map_err(|e| format!("the diff refused the input: {e}"))?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        drop(changeset);
    }
    Ok(times)
}

fn median(times: &[f64]) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let m = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[m]
    } else {
        (sorted[m - 1] + sorted[m]) / 2.0
    }
}
