//! Seeded convergence simulation: two sheets and direct SQL writers edit one table at random
//! and sync in random order under random policies; after a quiet round all three agree.
//!
//! Every run prints its seed; `SEED=<n> cargo test -p sheetsync-core --test convergence`
//! replays one. Seeds that ever failed are kept below as regression tests.

mod common;

use std::collections::BTreeMap;

use common::{items_schema, Client, Rng, Server};
use serde_json::json;
use sheetsync_core::hash::through_sheet;
use sheetsync_core::policy::{ConflictPolicy, PolicySet};
use sheetsync_core::schema::RowKey;
use sheetsync_core::sheet::SheetCell;
use sheetsync_core::value::Value;

fn random_policies(rng: &mut Rng) -> PolicySet {
    let all = [
        ConflictPolicy::DatabaseWins,
        ConflictPolicy::SheetWins,
        ConflictPolicy::LatestWins,
        ConflictPolicy::Manual,
        ConflictPolicy::Custom,
    ];
    let mut p = PolicySet {
        default: all[rng.below(all.len())],
        columns: BTreeMap::new(),
    };
    if rng.chance(50) {
        p.columns.insert("qty".into(), ConflictPolicy::NumericDelta);
    }
    if rng.chance(30) {
        p.columns.insert("note".into(), all[rng.below(all.len())]);
    }
    p
}

fn random_name(rng: &mut Rng) -> String {
    format!("n{:x}", rng.next() % 0xffff_ffff)
}

fn edit_sheet(client: &mut Client, rng: &mut Rng, now: i64) {
    let rows = client.sheet.rows.len();
    match rng.below(10) {
        0..=5 if rows > 0 => {
            let r = rng.below(rows);
            let c = 1 + rng.below(4);
            let cell = match c {
                1 => SheetCell::Text(random_name(rng)),
                2 => SheetCell::Number(rng.below(100) as f64),
                3 => SheetCell::Number((rng.below(10_000) as f64) / 100.0),
                _ if rng.chance(20) => SheetCell::Empty,
                _ => SheetCell::Text(format!("0{}", rng.below(1000))),
            };
            let row = &mut client.sheet.rows[r];
            if row.len() <= c {
                row.resize(c + 1, SheetCell::Empty);
            }
            row[c] = cell;
            if let Some(SheetCell::Number(k)) = row.first() {
                client.edit_times.insert(RowKey(k.to_string()), now);
            }
        }
        6 | 7 => client.sheet.rows.push(vec![
            SheetCell::Empty,
            SheetCell::Text(random_name(rng)),
            SheetCell::Number(rng.below(50) as f64),
            SheetCell::Text("1.25".into()),
            SheetCell::Empty,
        ]),
        8 if rows > 0 => {
            client.sheet.rows.remove(rng.below(rows));
        }
        _ if rows > 1 => {
            // Sorting or moving rows must change nothing.
            let a = rng.below(rows);
            let b = rng.below(rows);
            client.sheet.rows.swap(a, b);
        }
        _ => {}
    }
}

fn edit_database(server: &mut Server, rng: &mut Rng) {
    let keys: Vec<RowKey> = server.rows.keys().cloned().collect();
    match rng.below(10) {
        0..=5 if !keys.is_empty() => {
            let key = &keys[rng.below(keys.len())];
            let mut row = server.rows[key].1.clone();
            match 1 + rng.below(4) {
                1 => row[1] = json!(random_name(rng)),
                2 => row[2] = json!(rng.below(100)),
                3 => row[3] = json!(format!("{}.{:02}", rng.below(100), rng.below(100))),
                _ => row[4] = json!(format!("0{}", rng.below(1000))),
            }
            server.sql_upsert(key, row);
        }
        6 | 7 => {
            server.next_id += 1;
            let id = server.next_id;
            let row = vec![
                json!(id),
                json!(random_name(rng)),
                json!(rng.below(9)),
                json!(null),
                json!(null),
            ];
            server.sql_upsert(&RowKey(id.to_string()), row);
        }
        8 if !keys.is_empty() => server.sql_delete(&keys[rng.below(keys.len())]),
        _ => {}
    }
}

fn normalized_server(server: &Server) -> BTreeMap<RowKey, Vec<Value>> {
    let schema = items_schema();
    let tz = &common::zone("Europe/Paris");
    server
        .table()
        .into_iter()
        .map(|(k, vals)| {
            let v = schema
                .columns
                .iter()
                .zip(&vals)
                .map(|(c, v)| through_sheet(c, v, tz).expect("the value survives the sheet"))
                .collect();
            (k, v)
        })
        .collect()
}

/// Runs one scenario; returns a description of the divergence, if any.
fn run_scenario(seed: u64, steps: usize) -> Result<(), String> {
    let mut rng = Rng(seed);
    let mut server = Server::new(items_schema());
    for _ in 0..rng.below(6) {
        edit_database(&mut server, &mut rng);
    }
    let mut clients = vec![
        Client::new("sheet-a", items_schema(), random_policies(&mut rng)),
        Client::new("sheet-b", items_schema(), random_policies(&mut rng)),
    ];
    clients[1].answer_sheet = rng.chance(50);
    for step in 0..steps {
        let now = server.clock;
        match rng.below(6) {
            0 | 1 => edit_sheet(&mut clients[0], &mut rng, now),
            2 => edit_sheet(&mut clients[1], &mut rng, now),
            3 => edit_database(&mut server, &mut rng),
            4 => {
                clients[0].answer_now = rng.chance(50);
                clients[0].sync(&mut server);
            }
            _ => {
                clients[1].answer_now = rng.chance(50);
                clients[1].sync(&mut server);
            }
        }
        server.clock += 1;
        let _ = step;
    }
    for round in 0..12 {
        let mut busy = false;
        for client in clients.iter_mut() {
            client.answer_now = true;
            let r = client.sync(&mut server);
            busy |= r.pushed > 0 || r.sheet_edits > 0 || !client.pending.is_empty();
            if r.problems > 0 {
                return Err(format!(
                    "{} reported problems in round {round}",
                    client.name
                ));
            }
        }
        if !busy {
            let db = normalized_server(&server);
            for client in &clients {
                let sheet = client.table();
                if sheet != db {
                    return Err(format!(
                        "{} differs from the database:\nsheet {sheet:?}\ndb    {db:?}",
                        client.name
                    ));
                }
            }
            if std::env::var("SIM_VERBOSE").is_ok() {
                println!(
                    "seed {seed}: {} rows, {} log entries, quiet after {round} rounds",
                    db.len(),
                    server.log.len()
                );
            }
            return Ok(());
        }
    }
    Err("still busy after 12 quiet rounds".into())
}

#[test]
fn two_sheets_and_sql_writers_converge_after_a_quiet_round() {
    let seeds: Vec<u64> = match std::env::var("SEED") {
        Ok(s) => vec![s.parse().expect("SEED must be a number")],
        Err(_) => {
            let base = std::env::var("SEED_BASE")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0x5eed_0000u64);
            let count = std::env::var("SIM_SEEDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(200u64);
            (0..count).map(|i| base + i).collect()
        }
    };
    for seed in seeds {
        println!("SEED={seed}");
        let steps = std::env::var("SIM_STEPS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(120);
        if let Err(e) = run_scenario(seed, steps) {
            panic!("divergence with SEED={seed}: {e}");
        }
    }
}
