//! Seeded convergence simulation: two sheets and direct SQL writers edit one table at random
//! and sync in random order under random policies, while pushes fail on their way (commits
//! that fail; answers lost after the commit, which is also what an execution killed between
//! the push and the write-back leaves; executions killed during the write-back, or after it
//! but before the base is saved) and
//! people insert, delete, sort and move rows between a push and its answer. A batch without
//! an answer is sent again with the same batch id; the in-memory server applies each batch
//! once and answers a repeat from its stored answer. After quiet rounds all three agree, and
//! throughout, every key the database assigned lands on the row it was pushed from or nowhere
//! (see `common::client` for the checks).
//!
//! Every run prints its seed; `SEED=<n> cargo test -p sheetsync-core --test convergence`
//! replays one. Every seed that ever failed is kept at the end of this file as a regression
//! test named after what it found.

mod common;

use std::collections::BTreeMap;

use common::{items_schema, Client, Fate, Figures, Rng, Server, Trip};
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

/// What the random steps can do. A seed replays the run it was found in only in the world it
/// was found in, so a regression seed names its world.
#[derive(Clone, Copy, Debug)]
struct World {
    /// Notes typed with a trailing space, which the database drops (as a `CHAR` column).
    trailing_spaces: bool,
    /// Executions also killed after the write-back, before the base is saved.
    kills_after_write_back: bool,
    /// A cell typed into a blank row comes with a name.
    typed_rows_have_a_name: bool,
}

/// The world the simulation runs in now.
const WORLD: World = World {
    trailing_spaces: true,
    kills_after_write_back: true,
    typed_rows_have_a_name: true,
};

/// The world before notes could end in a space.
const FIRST_WORLD: World = World {
    trailing_spaces: false,
    kills_after_write_back: false,
    typed_rows_have_a_name: false,
};

/// The world before executions were killed after the write-back.
const SECOND_WORLD: World = World {
    trailing_spaces: true,
    kills_after_write_back: false,
    typed_rows_have_a_name: false,
};

fn new_row(rng: &mut Rng) -> Vec<SheetCell> {
    vec![
        SheetCell::Empty,
        SheetCell::Text(random_name(rng).into()),
        SheetCell::Number(rng.below(50) as f64),
        SheetCell::Text("1.25".into()),
        SheetCell::Empty,
    ]
}

fn edit_sheet(client: &mut Client, rng: &mut Rng, now: i64, world: World) {
    let rows = client.sheet.rows.len();
    match rng.below(14) {
        0..=5 if rows > 0 => {
            let r = rng.below(rows);
            let c = 1 + rng.below(4);
            let cell = match c {
                1 => SheetCell::Text(random_name(rng).into()),
                2 => SheetCell::Number(rng.below(100) as f64),
                3 => SheetCell::Number((rng.below(10_000) as f64) / 100.0),
                _ if rng.chance(20) => SheetCell::Empty,
                // A third of the notes end in a space, which the database drops.
                _ => match rng.below(1000) {
                    n if world.trailing_spaces && n % 3 == 0 => {
                        SheetCell::Text(format!("0{n} ").into())
                    }
                    n => SheetCell::Text(format!("0{n}").into()),
                },
            };
            // A person fills a blank row by its name first, so a typed row is never a few
            // numbers that may equal by chance a row deleted elsewhere (the diff would take
            // that for a key cleared by hand and hold the row until the key is put back).
            let starts_a_row = world.typed_rows_have_a_name
                && client.sheet.rows[r].iter().all(SheetCell::is_empty);
            let name = starts_a_row.then(|| SheetCell::Text(random_name(rng).into()));
            let row = &mut client.sheet.rows[r];
            if row.len() <= c.max(1) {
                row.resize(c.max(1) + 1, SheetCell::Empty);
            }
            if let Some(name) = name {
                row[1] = name;
            }
            row[c] = cell;
            if let Some(SheetCell::Number(k)) = row.first() {
                client.edit_times.insert(RowKey(k.to_string()), now);
            }
        }
        6 | 7 => {
            let row = new_row(rng);
            client.append_row(row);
        }
        // A new row typed between others, or a blank row inserted: the rows below move down.
        8 => {
            let row = new_row(rng);
            client.insert_row(rng.below(rows + 1), row);
        }
        9 => client.insert_row(rng.below(rows + 1), vec![SheetCell::Empty; 5]),
        10 if rows > 0 => client.delete_row(rng.below(rows)),
        // Sorting or moving rows must change nothing in the database.
        11 => client.sort_by_column(1 + rng.below(2)),
        _ if rows > 1 => {
            let mut order: Vec<usize> = (0..rows).collect();
            order.swap(rng.below(rows), rng.below(rows));
            client.reorder_values(&order);
        }
        _ => {}
    }
}

/// What happens to a push during the random steps: most arrive, some fail on their way.
fn random_trip(rng: &mut Rng, world: World) -> Trip {
    match rng.below(10) {
        0 => Trip::Push(Fate::CommitFails),
        1 | 2 => Trip::Push(Fate::AnswerLost),
        3 if world.kills_after_write_back && rng.chance(25) => Trip::KilledAfterWriteBack,
        3 => Trip::KilledDuringWriteBack(rng.below(3)),
        _ => Trip::Push(Fate::Delivered),
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

/// Runs one scenario; returns a description of the divergence, if any, or what the faults
/// made the clients do.
fn run_scenario(seed: u64, steps: usize, world: World) -> Result<Figures, String> {
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
            0 | 1 => edit_sheet(&mut clients[0], &mut rng, now, world),
            2 => edit_sheet(&mut clients[1], &mut rng, now, world),
            3 => edit_database(&mut server, &mut rng),
            4 => {
                clients[0].answer_now = rng.chance(50);
                let trip = random_trip(&mut rng, world);
                clients[0].sync(&mut server, trip);
            }
            _ => {
                clients[1].answer_now = rng.chance(50);
                let trip = random_trip(&mut rng, world);
                clients[1].sync(&mut server, trip);
            }
        }
        server.clock += 1;
        for client in &clients {
            if let Some(v) = client.violations.first() {
                return Err(format!("{} at step {step}: {v}", client.name));
            }
        }
    }
    for round in 0..12 {
        let mut busy = false;
        for client in clients.iter_mut() {
            client.answer_now = true;
            busy |= finish_typing_new_rows(client);
            let r = client.sync(&mut server, Trip::Push(Fate::Delivered));
            busy |= r.pushed > 0
                || r.sheet_edits > 0
                || !client.pending.is_empty()
                || client.in_flight.is_some();
            if let Some(v) = client.violations.first() {
                return Err(format!("{} in quiet round {round}: {v}", client.name));
            }
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
            let mut figures = clients[0].figures;
            add(&mut figures, &clients[1].figures);
            return Ok(figures);
        }
    }
    Err("still busy after 12 quiet rounds".into())
}

/// A person finishes the rows they began typing without a name (in the worlds where typed
/// rows need not start with one): such a row waits, incomplete, until `name` (NOT NULL, no
/// default) has a value. Answers whether any row was finished.
fn finish_typing_new_rows(client: &mut Client) -> bool {
    let mut finished = false;
    for (r, row) in client.sheet.rows.iter_mut().enumerate() {
        let started = row.iter().any(|c| !c.is_empty());
        if started && row.get(1).is_none_or(SheetCell::is_empty) {
            if row.len() < 2 {
                row.resize(2, SheetCell::Empty);
            }
            row[1] = SheetCell::Text(format!("finished-{r}").into());
            finished = true;
        }
    }
    finished
}

fn add(sum: &mut Figures, f: &Figures) {
    sum.undelivered += f.undelivered;
    sum.replayed_answers += f.replayed_answers;
    sum.killed_write_backs += f.killed_write_backs;
    sum.keys_placed += f.keys_placed;
    sum.keys_not_placed += f.keys_not_placed;
    sum.not_placed_row_still_there += f.not_placed_row_still_there;
    sum.not_placed_though_marked += f.not_placed_though_marked;
}

fn steps() -> usize {
    std::env::var("SIM_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120)
}

/// Runs the scenario of `seed` in `world` and fails with what diverged.
fn converges_in(world: World, seed: u64) -> Figures {
    match run_scenario(seed, steps(), world) {
        Ok(figures) => figures,
        Err(e) => panic!("divergence with SEED={seed}: {e}"),
    }
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
    let mut total = Figures::default();
    for &seed in &seeds {
        println!("SEED={seed}");
        add(&mut total, &converges_in(WORLD, seed));
    }
    println!("{} seeds: {total:?}", seeds.len());
    // The faults were met, and answers were read after the sheet moved on.
    if seeds.len() >= 50 {
        assert!(
            total.undelivered > 0 && total.replayed_answers > 0,
            "{total:?}"
        );
        assert!(
            total.killed_write_backs > 0 && total.keys_placed > 0,
            "{total:?}"
        );
    }
}

// Seeds that failed once, each kept with what it found.

/// Found before a blank row being typed into got a name: a typed row of a few numbers equalled
/// a row deleted elsewhere, the diff took it for a key cleared by hand and held it for a person
/// (no data was lost). Typed rows now start with a name; this seed replays in today's world.
#[test]
fn seed_1592590814_typed_row_equal_by_chance_to_a_deleted_row() {
    converges_in(WORLD, 1592590814);
}

/// Also found with the rows written back by row number (the write-back then addressed a row
/// below the end of a shrunk sheet). A row the sheet kept after the database deleted it was inserted under a new key while it
/// still showed the old one, so the new key could never be placed and the row was inserted
/// again at every sync.
#[test]
fn seed_1592590336_row_brought_back_after_a_database_delete_inserted_at_every_sync() {
    converges_in(FIRST_WORLD, 1592590336);
}

// Found when answers were written back by row number: each of these wrote a key onto the
// wrong row, or wrote outside the sheet, or inserted a new row twice, once rows had moved
// between a push and the reading of its answer.

#[test]
fn seed_1592590386_new_row_inserted_twice_after_its_key_missed_it() {
    converges_in(FIRST_WORLD, 1592590386);
}

#[test]
fn seed_1592590438_key_written_onto_a_row_that_moved_into_the_pushed_rows_place() {
    converges_in(FIRST_WORLD, 1592590438);
}

#[test]
fn seed_1592590487_key_written_onto_a_row_that_moved_into_the_pushed_rows_place() {
    converges_in(FIRST_WORLD, 1592590487);
}

#[test]
fn seed_1592590536_key_written_onto_a_row_that_moved_into_the_pushed_rows_place() {
    converges_in(FIRST_WORLD, 1592590536);
}

#[test]
fn seed_1592590587_write_back_addressed_a_row_below_the_end_of_a_shrunk_sheet() {
    converges_in(FIRST_WORLD, 1592590587);
}

#[test]
fn seed_1592590636_key_written_onto_a_row_that_moved_into_the_pushed_rows_place() {
    converges_in(FIRST_WORLD, 1592590636);
}

#[test]
fn seed_1592590686_key_written_onto_a_row_that_moved_into_the_pushed_rows_place() {
    converges_in(FIRST_WORLD, 1592590686);
}

/// A row brought back after a database delete held nothing but its key; once the key was
/// cleared it was blank, and its key was placed on another blank row (which is as good).
#[test]
fn seed_3001720_blank_row_brought_back_placed_on_another_blank_row() {
    converges_in(FIRST_WORLD, 3001720);
}

/// The database stored an updated note without its trailing space; the answer was read after
/// rows moved, and the stored value was written at the row number the push was planned from.
#[test]
fn seed_1592590337_stored_value_of_an_updated_row_written_at_its_old_row_number() {
    converges_in(SECOND_WORLD, 1592590337);
}
