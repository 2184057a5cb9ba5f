//! Server mode end to end: the server's loop against the Sheets API stand-in (a separate
//! process over HTTP), on MariaDB, PostgreSQL and SQLite. The test edits the sheet through
//! the API as a person's edits arrive, and the table with plain SQL as another application.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use common::standin::StandIn;
use common::Ctx;
use serde_json::{json, Value as J};
use sheetsync_core::policy::{ConflictPolicy, PolicySet};
use sheetsync_server::bindings::{self, NewBinding};
use sheetsync_server::db::now_ms;
use sheetsync_server::google::auth::TokenSource;
use sheetsync_server::google::backoff::Backoff;
use sheetsync_server::google::budget::{Budgets, QuotaLimits};
use sheetsync_server::google::key::ServiceAccountKey;
use sheetsync_server::google::sheets::{RangeValues, Render, SheetsClient};
use sheetsync_server::server_mode::{ServerMode, Settings, Step};
use sqlx::Row;
use url::Url;

const SHEET: &str = "People";
const SPREADSHEET: &str = "s1";

/// Quotas no test reaches.
fn roomy() -> QuotaLimits {
    QuotaLimits {
        reads_per_project: 100_000,
        reads_per_user: 100_000,
        writes_per_project: 100_000,
        writes_per_user: 100_000,
        window: Duration::from_secs(60),
    }
}

fn quick_backoff() -> Backoff {
    Backoff {
        first: Duration::from_millis(20),
        ceiling: Duration::from_millis(100),
        retries: 3,
        jitter: Duration::ZERO,
    }
}

/// Settings for a test: pokes and the feed wake the loop (the safety poll is a minute
/// away), short leases and retries.
fn settings(standin: &StandIn, instance: &str) -> Settings {
    let mut s = Settings::new(standin.key_file.clone());
    s.api_url = Url::parse(&standin.url).unwrap();
    s.safety_poll = Duration::from_secs(60);
    s.coalesce = Duration::from_millis(30);
    s.lease = Duration::from_millis(1500);
    s.instance = instance.into();
    s.retry_first = Duration::from_millis(100);
    s.retry_ceiling = Duration::from_millis(400);
    s.api_backoff = quick_backoff();
    s.quota = roomy();
    s
}

/// A person at the sheet (and the test's eyes): a client of its own on the stand-in.
struct Person {
    sheets: SheetsClient,
}

impl Person {
    fn new(standin: &StandIn) -> Person {
        let key = ServiceAccountKey::load(&standin.key_file).unwrap();
        Person {
            sheets: SheetsClient::new(
                Url::parse(&standin.url).unwrap(),
                TokenSource::new(key),
                quick_backoff(),
                Arc::new(Budgets::new(roomy())),
            ),
        }
    }

    /// The sheet's values, rows of typed cells (header first).
    async fn values(&self) -> Vec<Vec<J>> {
        self.read(Render::Values).await
    }

    async fn read(&self, render: Render) -> Vec<Vec<J>> {
        let mut grids = self
            .sheets
            .batch_get(SPREADSHEET, &[format!("'{SHEET}'")], render)
            .await
            .unwrap();
        grids.remove(0)
    }

    /// Types `values` into the sheet from A1-range `range` (RAW, as a person's plain values).
    async fn write(&self, range: &str, values: Vec<Vec<J>>) {
        self.sheets
            .batch_update_values(
                SPREADSHEET,
                &[RangeValues {
                    range: format!("'{SHEET}'!{range}"),
                    values,
                }],
            )
            .await
            .unwrap();
    }

    /// Types formulas (USER_ENTERED) into `range`.
    async fn type_formulas(&self, standin: &StandIn, range: &str, values: Vec<Vec<J>>) {
        let key = ServiceAccountKey::load(&standin.key_file).unwrap();
        let token = TokenSource::new(key).token().await.unwrap();
        let url = Url::parse(&format!(
            "{}/v4/spreadsheets/{SPREADSHEET}/values:batchUpdate",
            standin.url
        ))
        .unwrap();
        let body = json!({"valueInputOption": "USER_ENTERED", "data": [
            {"range": format!("'{SHEET}'!{range}"), "values": values}
        ]});
        let answer = sheetsync_server::google::http::send(
            "POST",
            &url,
            &[("authorization", &format!("Bearer {token}"))],
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await
        .unwrap();
        assert_eq!(
            answer.status,
            200,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
    }

    /// Deletes 1-based sheet rows `from..=to`.
    async fn delete_rows(&self, from: u32, to: u32) {
        let props = self
            .sheets
            .sheet_properties(SPREADSHEET, SHEET)
            .await
            .unwrap();
        self.sheets
            .batch_update(
                SPREADSHEET,
                vec![json!({"deleteDimension": {"range": {
                    "sheetId": props.sheet_id, "dimension": "ROWS",
                    "startIndex": from - 1, "endIndex": to,
                }}})],
            )
            .await
            .unwrap();
    }

    /// Sorts the data rows by column `column` (0-based), as a person sorting the sheet.
    async fn sort_rows_by(&self, column: usize, descending: bool) {
        let values = self.values().await;
        let width = values[0].len();
        let mut rows: Vec<Vec<J>> = values[1..].to_vec();
        for r in &mut rows {
            r.resize(width, json!(""));
        }
        rows.sort_by(|a, b| {
            let o = a[column].to_string().cmp(&b[column].to_string());
            if descending {
                o.reverse()
            } else {
                o
            }
        });
        let last = rows.len() + 1;
        let end = sheetsync_server::google::grid::column_letters(width as u32);
        self.write(&format!("A2:{end}{last}"), rows).await;
    }
}

/// The sheet's data rows keyed by column `id`, each as `header → value`, for comparisons that
/// ignore row order.
fn by_id(values: &[Vec<J>]) -> std::collections::BTreeMap<String, serde_json::Map<String, J>> {
    let headers: Vec<String> = values[0]
        .iter()
        .map(|h| h.as_str().unwrap_or_default().to_string())
        .collect();
    values[1..]
        .iter()
        .filter(|r| r.iter().any(|v| v != &json!("")))
        .map(|r| {
            let mut m = serde_json::Map::new();
            for (i, h) in headers.iter().enumerate() {
                m.insert(h.clone(), r.get(i).cloned().unwrap_or(json!("")));
            }
            (id_text(&m["id"]), m)
        })
        .collect()
}

fn id_text(v: &J) -> String {
    match v {
        J::Number(n) => n.as_f64().map(|f| (f as i64).to_string()).unwrap(),
        J::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Waits (up to 20 s) until `check` holds, then returns what it saw.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("waited 20 s for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `SELECT id, name FROM people ORDER BY id` as text pairs.
async fn names(ctx: &Ctx) -> Vec<(i64, String)> {
    let rows = sqlx::query("SELECT id, name FROM people ORDER BY id")
        .fetch_all(&ctx.outside)
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get::<i64, _>(0).unwrap(),
                r.try_get::<String, _>(1).unwrap(),
            )
        })
        .collect()
}

/// The people table with Ann (id 1) and Bob (id 2), bound to sheet People of the stand-in's s1 under
/// `policy`, and a write token.
async fn bound(ctx: &Ctx, policy: ConflictPolicy) -> (i64, String) {
    ctx.people().await;
    ctx.sql(
        "INSERT INTO people (name, email, team_id, score, active) VALUES \
         ('Ann', 'ann@example.com', 1, 1.50, TRUE), ('Bob', NULL, 2, NULL, FALSE)",
    )
    .await;
    let id = bindings::create(
        &ctx.db,
        &NewBinding {
            spreadsheet_id: SPREADSHEET.into(),
            sheet_name: SHEET.into(),
            table: "people".into(),
            policies: PolicySet {
                default: policy,
                columns: Default::default(),
            },
        },
    )
    .await
    .unwrap();
    (id, ctx.token(&["people"], true).await)
}

fn standin() -> StandIn {
    StandIn::start(&[
        "--spreadsheet-id",
        SPREADSHEET,
        "--sheet",
        SHEET,
        "--time-zone",
        "Europe/Berlin",
        // The test reads the sheet every 50 ms while it waits.
        "--reads-per-minute-per-user",
        "100000",
        "--reads-per-minute-per-project",
        "100000",
        "--writes-per-minute-per-user",
        "100000",
        "--writes-per-minute-per-project",
        "100000",
    ])
}

/// Waits until the sheet holds the table's rows `ids`.
async fn sheet_has_ids(person: &Person, ids: &[&str]) -> Vec<Vec<J>> {
    let want: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    eventually(&format!("the sheet holds ids {ids:?}"), || async {
        let v = person.values().await;
        (!v.is_empty() && by_id(&v).keys().cloned().collect::<Vec<_>>() == want).then_some(v)
    })
    .await
}

async fn poke(ctx: &Ctx, id: i64, token: &str) {
    let (status, body) = ctx
        .post(&format!("/v1/bindings/{id}/poke"), Some(token), json!({}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

backend_tests! {
    async fn rows_flow_both_ways_with_their_types(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = bound(&ctx, ConflictPolicy::LatestWins).await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();

        // First round: the empty sheet gets the header and both rows, typed.
        let v = sheet_has_ids(&person, &["1", "2"]).await;
        assert_eq!(v[0], vec![json!("id"), json!("name"), json!("email"), json!("team_id"), json!("score"), json!("active")]);
        let rows = by_id(&v);
        assert_eq!(rows["1"]["name"], json!("Ann"));
        assert_eq!(rows["1"]["active"], json!(true));
        assert_eq!(rows["2"]["active"], json!(false));
        assert_eq!(rows["1"]["score"], json!(1.5));

        // Database → sheet: an update, an insert and a delete by another application.
        ctx.sql("UPDATE people SET name = 'Annie' WHERE id = 1").await;
        ctx.sql("INSERT INTO people (name, active) VALUES ('007', TRUE)").await;
        ctx.sql("DELETE FROM people WHERE id = 2").await;
        let v = sheet_has_ids(&person, &["1", "3"]).await;
        let rows = by_id(&v);
        assert_eq!(rows["1"]["name"], json!("Annie"));
        assert_eq!(rows["3"]["name"], json!("007"), "text with leading zeros stays text");

        // Sheet → database: a person edits a name and adds a row without a key, then pokes.
        let n = v.len();
        let row_of_1 = v.iter().position(|r| id_text(&r[0]) == "1").unwrap() + 1;
        person.write(&format!("B{row_of_1}"), vec![vec![json!("Ann B")]]).await;
        person.write(&format!("A{}:F{}", n + 1, n + 1), vec![vec![json!(""), json!("Cy"), json!(""), json!(1), json!(2.25), json!(true)]]).await;
        poke(&ctx, id, &token).await;
        let got = eventually("Cy and Ann B in the table", || async {
            let n = names(&ctx).await;
            (n.len() == 3 && n.iter().any(|(_, s)| s == "Cy") && n[0].1 == "Ann B").then_some(n)
        }).await;
        let cy = got.iter().find(|(_, s)| s == "Cy").unwrap().0.to_string();
        // The new row's key is written back into its id cell.
        let v = sheet_has_ids(&person, &["1", "3", cy.as_str()]).await;
        assert_eq!(by_id(&v)[&cy]["score"], json!(2.25));

        // Sheet → database: a person deletes a row.
        let row_of_3 = v.iter().position(|r| id_text(&r[0]) == "3").unwrap() as u32 + 1;
        person.delete_rows(row_of_3, row_of_3).await;
        poke(&ctx, id, &token).await;
        eventually("row 3 deleted from the table", || async {
            let n = names(&ctx).await;
            (!n.iter().any(|(i, _)| *i == 3)).then_some(())
        }).await;

        // The status route shows the last round.
        let (status, body) = ctx.get(&format!("/v1/bindings/{id}"), Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["owner"], json!("one"));
        assert_eq!(body["table"], json!("people"));
        assert_eq!(body["lastRound"]["ok"], json!(true), "{body}");
        assert_eq!(body["rejects"], json!([]));
        mode.shutdown().await;
        let (_, body) = ctx.get(&format!("/v1/bindings/{id}"), Some(&token)).await;
        assert_eq!(body["owner"], J::Null, "shutdown releases the lease");
    }
}

/// Binds as [`bound`], runs a first round to the sheet, and stops the loop (releasing its
/// lease), so a test can change both sides between rounds.
async fn synced(ctx: &Ctx, standin: &StandIn, policy: ConflictPolicy) -> (i64, String) {
    let (id, token) = bound(ctx, policy).await;
    let mode = ServerMode::start(&ctx.instance.state, settings(standin, "first")).unwrap();
    sheet_has_ids(&Person::new(standin), &["1", "2"]).await;
    mode.shutdown().await;
    (id, token)
}

/// The 1-based sheet row holding id `id`.
fn row_of(values: &[Vec<J>], id: &str) -> usize {
    values
        .iter()
        .position(|r| r.first().map(id_text).as_deref() == Some(id))
        .unwrap()
        + 1
}

/// Ann's name and score in the table.
async fn ann_in_table(ctx: &Ctx) -> (String, f64) {
    let text = match ctx.kind {
        common::Kind::MySql => "CHAR",
        _ => "TEXT",
    };
    let r = sqlx::query(&format!(
        "SELECT name, CAST(score AS {text}) FROM people WHERE id = 1"
    ))
    .fetch_one(&ctx.outside)
    .await
    .unwrap();
    let score: String = r.try_get(1).unwrap();
    (r.try_get(0).unwrap(), score.trim().parse().unwrap())
}

async fn status(ctx: &Ctx, id: i64, token: &str) -> J {
    let (status, body) = ctx.get(&format!("/v1/bindings/{id}"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

backend_tests! {
    async fn formulas_and_unmapped_columns_stay_and_sorted_rows_keep_their_identity(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        // A person adds an unmapped column with a note and a formula, then sorts the rows.
        person.write("G1:G3", vec![vec![json!("note")], vec![json!("keep me")], vec![json!("")]]).await;
        let v = person.values().await;
        let bob = row_of(&v, "2");
        person.type_formulas(&standin, &format!("G{bob}"), vec![vec![json!("=A2*10")]]).await;
        person.sort_rows_by(1, true).await; // Bob above Ann
        let before = person.read(Render::Formulas).await;
        assert_eq!(row_of(&before, "2"), 2, "sorted: {before:?}");

        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        ctx.sql("UPDATE people SET name = 'Annie' WHERE id = 1").await;
        ctx.sql("UPDATE people SET name = 'Bobby' WHERE id = 2").await;
        let v = eventually("both names in the sheet", || async {
            let v = person.values().await;
            let r = by_id(&v);
            (r["1"]["name"] == json!("Annie") && r["2"]["name"] == json!("Bobby")).then_some(v)
        }).await;
        // Each name landed in its own row wherever the sort put it; nothing else changed.
        let after = person.read(Render::Formulas).await;
        assert_eq!(row_of(&after, "2"), 2);
        for (r, row) in after.iter().enumerate().skip(1) {
            assert_eq!(row.get(6), before[r].get(6), "column G of row {} untouched", r + 1);
        }
        assert_eq!(v.len(), 3, "no row added");
        assert_eq!(names(&ctx).await, vec![(1, "Annie".to_string()), (2, "Bobby".to_string())]);
        // Sorting changed nothing in the database.
        poke(&ctx, id, &token).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(names(&ctx).await, vec![(1, "Annie".to_string()), (2, "Bobby".to_string())]);
        mode.shutdown().await;
    }

    async fn rejected_rows_are_reported_and_the_mass_delete_guard_holds(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        for name in ["Cy", "Dee", "Eve", "Fay"] {
            ctx.sql(&format!("INSERT INTO people (name, active) VALUES ('{name}', TRUE)")).await;
        }
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        let v = sheet_has_ids(&person, &["1", "2", "3", "4", "5", "6"]).await;

        // A name the column cannot hold: the database refuses the row, the status says so.
        let ann = row_of(&v, "1");
        person.write(&format!("B{ann}"), vec![vec![json!("a name far longer than twenty characters")]]).await;
        poke(&ctx, id, &token).await;
        let body = eventually("a reject for row 1", || async {
            let b = status(&ctx, id, &token).await;
            (b["rejects"].as_array().is_some_and(|r| !r.is_empty())).then_some(b)
        }).await;
        assert_eq!(body["rejects"][0]["key"], json!("1"), "{body}");
        assert!(body["rejects"][0]["message"].as_str().unwrap().len() > 5, "{body}");
        assert_eq!(names(&ctx).await[0].1, "Ann");

        // Deleting four of six rows in the sheet is held, not applied.
        person.write(&format!("B{ann}"), vec![vec![json!("Ann")]]).await;
        person.delete_rows(3, 6).await;
        poke(&ctx, id, &token).await;
        let body = eventually("the mass delete held", || async {
            let b = status(&ctx, id, &token).await;
            (b["massDeleteHeld"] == json!(4)).then_some(b)
        }).await;
        assert_eq!(body["lastRound"]["ok"], json!(true));
        assert_eq!(names(&ctx).await.len(), 6, "no row deleted");
        mode.shutdown().await;
    }

    async fn every_policy_settles_a_cell_changed_on_both_sides(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        // Each policy gets its own binding round: the sheet says one thing, the table another.
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::DatabaseWins).await;
        let cases = [
            (ConflictPolicy::DatabaseWins, "Db", 1.0),
            (ConflictPolicy::SheetWins, "Sheet", 10.0),
            // The API gives no edit times: a sheet edit counts as made when a round reads it,
            // so it is later than any database change that round meets.
            (ConflictPolicy::LatestWins, "Sheet", 10.0),
            (ConflictPolicy::NumericDelta, "", 0.0),
            (ConflictPolicy::Manual, "", 0.0),
        ];
        let mut score = 1.5;
        for (i, (policy, winner, want_delta)) in cases.into_iter().enumerate() {
            sqlx::query(&format!("UPDATE sheetsync_bindings SET policies = {} WHERE id = {}", ctx.db.ph(1), ctx.db.ph(2)))
                .bind(serde_json::to_string(&PolicySet { default: policy, columns: Default::default() }).unwrap())
                .bind(id)
                .execute(&ctx.outside)
                .await
                .unwrap();
            let v = person.values().await;
            let ann = row_of(&v, "1");
            // The sheet first, then the database: the database's change is the latest.
            person.write(&format!("B{ann}"), vec![vec![json!(format!("Sheet{i}"))]]).await;
            person.write(&format!("E{ann}"), vec![vec![json!(score + 10.0)]]).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            ctx.sql(&format!("UPDATE people SET name = 'Db{i}', score = {} WHERE id = 1", score + 1.0)).await;
            let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
            poke(&ctx, id, &token).await;
            let body = eventually(&format!("a round under {policy:?}"), || async {
                let b = status(&ctx, id, &token).await;
                (b["lastRound"]["ok"] == json!(true)).then_some(b)
            }).await;
            let (name, db_score) = ann_in_table(&ctx).await;
            match policy {
                ConflictPolicy::Manual => {
                    assert_eq!(body["conflicts"].as_u64().unwrap(), 2, "{policy:?}: {body}");
                    assert_eq!(name, format!("Db{i}"), "a manual conflict changes nothing");
                    // Settle it by hand for the next case: the sheet takes the database's values.
                    ctx.sql("UPDATE sheetsync_bindings SET policies = '{\"default\":\"database-wins\",\"columns\":{}}'").await;
                    poke(&ctx, id, &token).await;
                    eventually("the conflict settled", || async {
                        (status(&ctx, id, &token).await["conflicts"] == json!(0)).then_some(())
                    }).await;
                }
                ConflictPolicy::NumericDelta => {
                    // Both deltas apply to the number: base + (sheet − base) + (db − base).
                    assert_eq!(db_score, score + 11.0, "{policy:?}");
                }
                _ => {
                    assert!(name.starts_with(winner), "{policy:?}: {name}");
                    assert_eq!(db_score, score + want_delta, "{policy:?}");
                }
            }
            if policy == ConflictPolicy::DatabaseWins {
                // The sheet's values that lost are kept in the row's history.
                let (status, history) = ctx.get("/v1/tables/people/rows/1/history", Some(&token)).await;
                assert_eq!(status, StatusCode::OK, "{history}");
                let lost: Vec<(J, J, J)> = history["overrides"].as_array().unwrap().iter()
                    .map(|o| (o["column"].clone(), o["value"].clone(), o["policy"].clone()))
                    .collect();
                assert!(lost.contains(&(json!("name"), json!(format!("Sheet{i}")), json!("database-wins"))), "{history}");
                // A decimal travels as its text.
                assert!(lost.contains(&(json!("score"), json!(format!("{:.2}", score + 10.0)), json!("database-wins"))), "{history}");
            }
            // The sheet ends equal to the table.
            let want = name.clone();
            eventually(&format!("the sheet agrees under {policy:?}"), || async {
                let v = person.values().await;
                (by_id(&v)["1"]["name"] == json!(want)).then_some(())
            }).await;
            mode.shutdown().await;
            score = db_score;
        }
    }
}

/// The table's rows named `name`.
async fn count_named(ctx: &Ctx, name: &str) -> usize {
    names(ctx).await.iter().filter(|(_, n)| n == name).count()
}

backend_tests! {
    async fn a_server_stopped_between_any_two_steps_loses_and_doubles_nothing(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        let steps = [Step::SheetEdited, Step::StateSaved, Step::BatchSent, Step::AnswerWritten];
        for (i, step) in steps.into_iter().enumerate() {
            // A new row in the sheet and a change in the table, for one round to carry.
            let v = person.values().await;
            let n = v.len() + 1;
            let new_name = format!("New{i}");
            person.write(&format!("A{n}:F{n}"), vec![vec![json!(""), json!(new_name), json!(""), json!(""), json!(""), json!(true)]]).await;
            ctx.sql(&format!("UPDATE people SET name = 'Bob{i}' WHERE id = 2")).await;

            // The first instance stops right after `step`, as if killed there: it saves
            // nothing more and releases nothing.
            let mut s = settings(&standin, &format!("killed{i}"));
            s.stop_at = Some(step);
            let killed = ServerMode::start(&ctx.instance.state, s).unwrap();
            eventually(&format!("the round stopped after {step:?}"), || async {
                killed.halted().then_some(())
            }).await;

            // Another instance takes the lease once it expires and finishes the work.
            let next = ServerMode::start(&ctx.instance.state, settings(&standin, &format!("next{i}"))).unwrap();
            poke(&ctx, id, &token).await;
            let v = eventually(&format!("after {step:?}: the new row keyed in the sheet, Bob{i} there"), || async {
                let v = person.values().await;
                let rows = by_id(&v);
                let keyed = rows.values().any(|r| r["name"] == json!(new_name));
                let bob = rows.get("2").is_some_and(|r| r["name"] == json!(format!("Bob{i}")));
                (keyed && bob && !rows.contains_key("")).then_some(v)
            }).await;
            assert_eq!(count_named(&ctx, &new_name).await, 1, "after {step:?}: the new row reached the table once");
            let in_sheet = by_id(&v).values().filter(|r| r["name"] == json!(new_name)).count();
            assert_eq!(in_sheet, 1, "after {step:?}: one row in the sheet");
            assert_eq!(names(&ctx).await.len(), v.len() - 1, "after {step:?}: sheet and table hold the same rows");
            next.shutdown().await;
            drop(killed);
        }
    }

    async fn two_instances_hand_a_binding_over_and_take_it_over(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        let second = ctx.second_instance().await;
        let one = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        eventually("instance one owns the binding", || async {
            (status(&ctx, id, &token).await["owner"] == json!("one")).then_some(())
        }).await;
        let two = ServerMode::start(&second.state, settings(&standin, "two")).unwrap();
        ctx.sql("UPDATE people SET name = 'Ann1' WHERE id = 1").await;
        eventually("Ann1 in the sheet", || async {
            (by_id(&person.values().await)["1"]["name"] == json!("Ann1")).then_some(())
        }).await;
        assert_eq!(status(&ctx, id, &token).await["owner"], json!("one"), "one owner at a time");

        // Handover: instance one shuts down and releases; two takes the binding at once.
        one.shutdown().await;
        eventually("instance two owns the binding", || async {
            (status(&ctx, id, &token).await["owner"] == json!("two")).then_some(())
        }).await;
        ctx.sql("UPDATE people SET name = 'Ann2' WHERE id = 1").await;
        eventually("Ann2 in the sheet through instance two", || async {
            (by_id(&person.values().await)["1"]["name"] == json!("Ann2")).then_some(())
        }).await;

        // Takeover: instance two stops renewing mid-round (as if killed); one takes the
        // expired lease and carries on.
        two.shutdown().await;
        let mut s = settings(&standin, "two-again");
        s.stop_at = Some(Step::StateSaved);
        let stalled = ServerMode::start(&second.state, s).unwrap();
        let v = person.values().await;
        let n = v.len() + 1;
        person.write(&format!("A{n}:F{n}"), vec![vec![json!(""), json!("Gus"), json!(""), json!(""), json!(""), json!(true)]]).await;
        second.state.bindings.poke(id);
        eventually("the stalled instance stopped", || async { stalled.halted().then_some(()) }).await;
        let one = ServerMode::start(&ctx.instance.state, settings(&standin, "one-again")).unwrap();
        eventually("Gus keyed in the sheet by instance one", || async {
            let rows = by_id(&person.values().await);
            (rows.values().any(|r| r["name"] == json!("Gus")) && !rows.contains_key("")).then_some(())
        }).await;
        assert_eq!(count_named(&ctx, "Gus").await, 1);
        assert_eq!(status(&ctx, id, &token).await["owner"], json!("one-again"));
        one.shutdown().await;
    }

    async fn paused_bindings_stop_and_pokes_say_so(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        bindings::set_paused(&ctx.db, id, true).await.unwrap();
        let (status_code, body) = ctx.post(&format!("/v1/bindings/{id}/poke"), Some(&token), json!({})).await;
        assert_eq!(status_code, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"], json!("paused"));
        let (status_code, _) = ctx.post("/v1/bindings/999/poke", Some(&token), json!({})).await;
        assert_eq!(status_code, StatusCode::NOT_FOUND);
        eventually("the paused binding has no owner", || async {
            (status(&ctx, id, &token).await["owner"] == J::Null).then_some(())
        }).await;
        ctx.sql("UPDATE people SET name = 'Paused' WHERE id = 1").await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(by_id(&person.values().await)["1"]["name"], json!("Ann"), "nothing syncs while paused");
        bindings::set_paused(&ctx.db, id, false).await.unwrap();
        eventually("resumed: the change reaches the sheet", || async {
            (by_id(&person.values().await)["1"]["name"] == json!("Paused")).then_some(())
        }).await;
        let read_only = ctx.token(&["people"], false).await;
        let (status_code, _) = ctx.post(&format!("/v1/bindings/{id}/poke"), Some(&read_only), json!({})).await;
        assert_eq!(status_code, StatusCode::FORBIDDEN, "a poke needs a write token");
        mode.shutdown().await;
    }
}

backend_tests! {
    async fn serve_with_a_google_key_syncs_its_bindings(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = bound(&ctx, ConflictPolicy::LatestWins).await;
        let port = common::process::free_port();
        let log = common::bin::temp_path("serve-server-mode.log");
        let out = std::fs::File::create(&log).unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_sheetsync-server"))
            .args(["--database-url", &ctx.url, "serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--google-key", standin.key_file.to_str().unwrap(), "--google-api-url", &standin.url])
            .args(["--safety-poll-seconds", "1", "--coalesce-ms", "50", "--lease-seconds", "3"])
            .args(["--instance-name", "proc"])
            .env("RUST_LOG", "sheetsync_server=info")
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("start the server");
        let child = common::process::Killed(child);
        // Waited for without blocking a worker thread: the test's own instance may hold the
        // feed's row lock mid-stamp, and the new process's first stamp waits for it.
        let up = tokio::time::Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(up.elapsed() < Duration::from_secs(60), "the server did not listen: {}", std::fs::read_to_string(&log).unwrap());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // The first round fills the sheet; a database change follows at once.
        sheet_has_ids(&person, &["1", "2"]).await;
        ctx.sql("UPDATE people SET name = 'Proc' WHERE id = 2").await;
        eventually("Proc in the sheet", || async {
            (by_id(&person.values().await)["2"]["name"] == json!("Proc")).then_some(())
        }).await;
        // A sheet edit with no poke arrives by the safety poll.
        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "1")), vec![vec![json!("Polled")]]).await;
        eventually("Polled in the table", || async {
            (names(&ctx).await[0].1 == "Polled").then_some(())
        }).await;

        // The status route of the process itself.
        let url = Url::parse(&format!("http://127.0.0.1:{port}/v1/bindings/{id}")).unwrap();
        let answer = sheetsync_server::google::http::send("GET", &url, &[("authorization", &format!("Bearer {token}"))], None)
            .await
            .unwrap();
        let body: J = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(body["owner"], json!("proc"), "{body}");
        assert_eq!(body["lastRound"]["ok"], json!(true), "{body}");

        // SIGTERM: the process stops its tasks and releases the lease.
        let pid = child.0.id().to_string();
        assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        eventually("the lease released", || async {
            let b = bindings::get(&ctx.db, id).await.unwrap();
            b.lease.is_none().then_some(())
        }).await;
        drop(child);
        let log_text = std::fs::read_to_string(&log).unwrap();
        assert!(log_text.contains("server mode: syncing bindings"), "{log_text}");
        assert!(!log_text.contains("PRIVATE KEY"), "the key is never logged");
    }
}

/// The server's zone tables equal the add-on's (addon/Zone.js run by node on its own zone
/// data) for the zones the suites use.
#[test]
fn zone_tables_match_the_add_ons() {
    let zones = [
        "Europe/Berlin",
        "America/New_York",
        "Asia/Tokyo",
        "Europe/Paris",
        "Asia/Kolkata",
        "Pacific/Apia",
        "Australia/Lord_Howe",
        "UTC",
    ];
    let zone_js = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../addon/Zone.js");
    let script = format!(
        "const vm = require('node:vm'); const ctx = {{}}; vm.createContext(ctx); \
         vm.runInContext(require('node:fs').readFileSync({:?}, 'utf8'), ctx); \
         const out = {{}}; for (const z of {}) out[z] = vm.runInContext('zoneComputeOffsets_(' + JSON.stringify(z) + ')', ctx); \
         process.stdout.write(JSON.stringify(out));",
        zone_js.display().to_string(),
        serde_json::to_string(&zones).unwrap()
    );
    let out = std::process::Command::new("node")
        .args(["-e", &script])
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tables: std::collections::BTreeMap<String, Vec<(i64, i32)>> =
        serde_json::from_slice(&out.stdout).unwrap();
    for zone in zones {
        let ours = sheetsync_server::server_mode::zone::offset_table(zone).unwrap();
        let theirs = &tables[zone];
        assert_eq!(ours.len(), theirs.len(), "{zone}: entries");
        assert_eq!(&ours, theirs, "{zone}");
    }
}

/// Sheets API calls server mode made so far: (reads, writes), from its quota budgets.
fn calls(ctx: &Ctx) -> (u64, u64) {
    let text = ctx
        .instance
        .state
        .metrics
        .google_quota
        .get()
        .unwrap()
        .render();
    let used = |kind: &str| {
        text.lines()
            .find(|l| {
                l.starts_with(&format!(
                    "sheetsync_google_quota_used{{kind=\"{kind}\",scope=\"project\"}}"
                ))
            })
            .and_then(|l| l.rsplit(' ').next())
            .unwrap()
            .parse()
            .unwrap()
    };
    (used("read"), used("write"))
}

/// Waits until a round ends after `since` (ms), and returns the calls made meanwhile.
async fn round_calls(
    ctx: &Ctx,
    id: i64,
    token: &str,
    before: (u64, u64),
    since: i64,
) -> (u64, u64) {
    eventually("a round after the change", || async {
        let b = status(ctx, id, token).await;
        (b["lastRound"]["atMs"].as_i64().unwrap_or(0) > since
            && b["lastRound"]["ok"] == json!(true))
        .then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = calls(ctx);
    (after.0 - before.0, after.1 - before.1)
}

backend_tests! {
    async fn each_kind_of_round_makes_the_fewest_api_calls(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::LatestWins).await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        // The task's first round: the sheet's properties, then a round with nothing to do.
        eventually("the first round", || async {
            (status(&ctx, id, &token).await["lastRound"]["ok"] == json!(true)).then_some(())
        }).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = || sheetsync_server::db::now_ms();

        let (b, t) = (calls(&ctx), now());
        ctx.sql("UPDATE people SET name = 'Upd' WHERE id = 1").await;
        let db_update = round_calls(&ctx, id, &token, b, t).await;

        let (b, t) = (calls(&ctx), now());
        ctx.sql("INSERT INTO people (name, active) VALUES ('Ins', TRUE)").await;
        let db_insert = round_calls(&ctx, id, &token, b, t).await;

        let (b, t) = (calls(&ctx), now());
        ctx.sql("DELETE FROM people WHERE id = 3").await;
        let db_delete = round_calls(&ctx, id, &token, b, t).await;

        let (b, t) = (calls(&ctx), now());
        poke(&ctx, id, &token).await;
        let idle_poke = round_calls(&ctx, id, &token, b, t).await;

        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "2")), vec![vec![json!("Edited")]]).await;
        let (b, t) = (calls(&ctx), now());
        poke(&ctx, id, &token).await;
        let sheet_update = round_calls(&ctx, id, &token, b, t).await;

        let n = person.values().await.len() + 1;
        person.write(&format!("A{n}:F{n}"), vec![vec![json!(""), json!("Row"), json!(""), json!(""), json!(""), json!(true)]]).await;
        let (b, t) = (calls(&ctx), now());
        poke(&ctx, id, &token).await;
        let sheet_insert = round_calls(&ctx, id, &token, b, t).await;

        eprintln!("API calls (reads, writes): database update {db_update:?}, insert {db_insert:?}, \
                   delete {db_delete:?}; poke with no edit {idle_poke:?}; sheet update {sheet_update:?}, \
                   new sheet row {sheet_insert:?}");
        assert_eq!(db_update, (2, 1));
        assert_eq!(db_insert, (3, 2));
        assert_eq!(db_delete, (2, 1));
        assert_eq!(idle_poke, (2, 0));
        assert_eq!(sheet_update, (4, 0));
        assert_eq!(sheet_insert, (4, 1));
        mode.shutdown().await;
    }
}

backend_tests! {
    async fn dates_are_dates_in_date_columns_and_text_stays_text(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let flag = if ctx.kind == common::Kind::MySql { "TINYINT(1)" } else { "BOOLEAN" };
        ctx.sql(&format!(
            "CREATE TABLE events (id INT PRIMARY KEY, day DATE NULL, code VARCHAR(20) NULL, \
             n INT NULL, flag {flag} NULL)"
        )).await;
        ctx.sql("INSERT INTO events (id, day, code, n, flag) VALUES (1, '2026-03-29', '007', 5, TRUE)").await;
        ctx.enable("events").await;
        let id = bindings::create(&ctx.db, &NewBinding {
            spreadsheet_id: SPREADSHEET.into(),
            sheet_name: SHEET.into(),
            table: "events".into(),
            policies: PolicySet::default(),
        }).await.unwrap();
        let token = ctx.token(&["events"], true).await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        let v = sheet_has_ids(&person, &["1"]).await;
        // The date is its serial number (2026-03-29 is day 46110), the text is text.
        assert_eq!(v[1], vec![json!(1), json!(46110), json!("007"), json!(5), json!(true)]);

        // A person types the next day, a '-prefixed text and another number.
        person.write("B2:D2", vec![vec![json!(46111), json!("'0042"), json!(6)]]).await;
        poke(&ctx, id, &token).await;
        let text = if ctx.kind == common::Kind::MySql { "CHAR" } else { "TEXT" };
        let sql = format!("SELECT CAST(day AS {text}), code, n FROM events WHERE id = 1");
        let got = eventually("the sheet's values in the table", || async {
            let r = sqlx::query(&sql).fetch_one(&ctx.outside).await.unwrap();
            let day: String = r.try_get(0).unwrap();
            let code: String = r.try_get(1).unwrap();
            let n: i64 = r.try_get::<i32, _>(2).map(i64::from).or_else(|_| r.try_get::<i64, _>(2)).unwrap();
            (code != "007").then_some((day, code, n))
        }).await;
        assert_eq!(got, ("2026-03-30".to_string(), "'0042".to_string(), 6));
        mode.shutdown().await;
    }
}

/// The conflicts `GET /v1/bindings/{id}/conflicts` lists on `instance`.
async fn conflicts_on(instance: &sheetsync_server::Instance, id: i64, token: &str) -> Vec<J> {
    let (code, body) = common::call(
        instance,
        "GET",
        &format!("/v1/bindings/{id}/conflicts"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    body["conflicts"].as_array().unwrap().clone()
}

/// Posts answers to binding `id`'s conflicts on `instance`.
async fn answer_on(
    instance: &sheetsync_server::Instance,
    id: i64,
    token: &str,
    answers: J,
) -> (StatusCode, J) {
    common::call(
        instance,
        "POST",
        &format!("/v1/bindings/{id}/conflicts"),
        Some(token),
        Some(json!({ "answers": answers })),
    )
    .await
}

/// Ann's name changed to `sheet` in the sheet and to `database` in the table, and the round
/// that holds the conflict run: returns the one conflict listed.
async fn ann_in_conflict(
    ctx: &Ctx,
    person: &Person,
    id: i64,
    token: &str,
    sheet: &str,
    database: &str,
) -> J {
    let v = person.values().await;
    person
        .write(&format!("B{}", row_of(&v, "1")), vec![vec![json!(sheet)]])
        .await;
    ctx.sql(&format!(
        "UPDATE people SET name = '{database}' WHERE id = 1"
    ))
    .await;
    poke(ctx, id, token).await;
    let mut held = eventually(
        &format!("the conflict {sheet} / {database} held"),
        || async {
            let c = conflicts_on(&ctx.instance, id, token).await;
            (c.len() == 1
                && c[0]["sheetValue"] == json!(sheet)
                && c[0]["databaseValue"] == json!(database))
            .then_some(c)
        },
    )
    .await;
    held.remove(0)
}

backend_tests! {
    async fn manual_conflicts_are_listed_and_settled_through_the_protocol(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::Manual).await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();

        // Listed with both sides, the base and since when; counted in the status.
        let before = now_ms();
        let c = ann_in_conflict(&ctx, &person, id, &token, "SheetAnn", "DbAnn").await;
        assert_eq!(c["key"], json!("1"), "{c}");
        assert_eq!(c["column"], json!("name"), "{c}");
        assert_eq!(c["baseValue"], json!("Ann"), "{c}");
        assert_eq!(c["answered"], J::Null, "{c}");
        let since = c["sinceMs"].as_i64().unwrap();
        assert!(since >= before - 1000 && since <= now_ms(), "{c}");
        assert_eq!(status(&ctx, id, &token).await["conflicts"], json!(1));
        assert_eq!(ann_in_table(&ctx).await.0, "DbAnn", "held: nothing written");

        // An answer to a conflict not held is refused, and stores nothing.
        let (code, body) = answer_on(&ctx.instance, id, &token, json!([{"key": "2", "column": "name", "choose": "sheet"}])).await;
        assert_eq!(code, StatusCode::CONFLICT, "{body}");
        assert!(body["message"].as_str().unwrap().contains("no conflict"), "{body}");
        let (code, body) = answer_on(&ctx.instance, id, &token, json!([{"key": "1", "column": "name", "choose": {"value": "x"}}])).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");

        // Keep the sheet's value: the table takes it and the sheet stays.
        let (code, body) = answer_on(&ctx.instance, id, &token, json!([{"key": "1", "column": "name", "choose": "sheet"}])).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["via"], json!("this instance"), "{body}");
        eventually("the sheet's value in the table", || async {
            (ann_in_table(&ctx).await.0 == "SheetAnn").then_some(())
        }).await;
        eventually("no conflict held", || async {
            conflicts_on(&ctx.instance, id, &token).await.is_empty().then_some(())
        }).await;
        assert_eq!(by_id(&person.values().await)["1"]["name"], json!("SheetAnn"));
        assert_eq!(status(&ctx, id, &token).await["conflicts"], json!(0));
        // The same answer again is stale now: refused.
        let (code, body) = answer_on(&ctx.instance, id, &token, json!([{"key": "1", "column": "name", "choose": "sheet"}])).await;
        assert_eq!(code, StatusCode::CONFLICT, "{body}");

        // Keep the database's value: the sheet gets it.
        ann_in_conflict(&ctx, &person, id, &token, "SheetAnn2", "DbAnn2").await;
        let (code, body) = answer_on(&ctx.instance, id, &token, json!([{"key": "1", "column": "name", "choose": "database"}])).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{body}");
        eventually("the database's value in the sheet", || async {
            (by_id(&person.values().await)["1"]["name"] == json!("DbAnn2")).then_some(())
        }).await;
        eventually("no conflict held", || async {
            conflicts_on(&ctx.instance, id, &token).await.is_empty().then_some(())
        }).await;
        assert_eq!(ann_in_table(&ctx).await.0, "DbAnn2");
        let left: i64 = sqlx::query("SELECT COUNT(*) FROM sheetsync_binding_answers")
            .fetch_one(&ctx.outside).await.unwrap().try_get(0).unwrap();
        assert_eq!(left, 0, "answers applied are deleted");
        mode.shutdown().await;
    }

    async fn an_answer_to_a_conflict_that_changed_since_is_dropped_not_applied(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::Manual).await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        ann_in_conflict(&ctx, &person, id, &token, "SheetAnn", "DbAnn").await;
        mode.shutdown().await;

        // Answered while no instance runs the binding; then the table changes again.
        let (code, body) = answer_on(&ctx.instance, id, &token, json!([{"key": "1", "column": "name", "choose": "sheet"}])).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["via"], json!("owner"), "{body}");
        assert_eq!(conflicts_on(&ctx.instance, id, &token).await[0]["answered"], json!("sheet"));
        ctx.sql("UPDATE people SET name = 'DbAnn2' WHERE id = 1").await;

        // The next round meets a different conflict: the answer is dropped, the new one held.
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        let c = eventually("the changed conflict held", || async {
            let c = conflicts_on(&ctx.instance, id, &token).await;
            (c.len() == 1 && c[0]["databaseValue"] == json!("DbAnn2")).then_some(c)
        }).await;
        assert_eq!(c[0]["answered"], J::Null, "{c:?}");
        assert_eq!(ann_in_table(&ctx).await.0, "DbAnn2", "the answer was not applied");
        assert_eq!(by_id(&person.values().await)["1"]["name"], json!("SheetAnn"));
        let left: i64 = sqlx::query("SELECT COUNT(*) FROM sheetsync_binding_answers")
            .fetch_one(&ctx.outside).await.unwrap().try_get(0).unwrap();
        assert_eq!(left, 0, "the dropped answer is deleted with the round's state");
        mode.shutdown().await;
    }

    async fn pokes_and_answers_reaching_another_instance_wake_the_owner(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::Manual).await;
        // The owner never reads the sheet by itself while the test runs: only a poke
        // forwarded from the other instance can explain a sheet edit reaching the table.
        let mut s = settings(&standin, "owner");
        s.safety_poll = Duration::from_secs(3600);
        let mode = ServerMode::start(&ctx.instance.state, s).unwrap();
        let other = ctx.second_instance().await;
        eventually("the owner's first round", || async {
            (status(&ctx, id, &token).await["lastRound"]["ok"] == json!(true)).then_some(())
        }).await;

        // A poke to the instance that does not run the binding.
        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "1")), vec![vec![json!("Poked")]]).await;
        let (code, body) = common::call(&other, "POST", &format!("/v1/bindings/{id}/poke"), Some(&token), Some(json!({}))).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["woken"], json!(true), "{body}");
        assert_eq!(body["via"], json!("owner"), "{body}");
        eventually("the poked edit in the table", || async {
            (ann_in_table(&ctx).await.0 == "Poked").then_some(())
        }).await;

        // A conflict (the table's change wakes the owner), answered on the other instance.
        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "1")), vec![vec![json!("SheetSide")]]).await;
        ctx.sql("UPDATE people SET name = 'DbSide' WHERE id = 1").await;
        eventually("the conflict held, listed by the other instance", || async {
            let c = conflicts_on(&other, id, &token).await;
            (c.len() == 1 && c[0]["sheetValue"] == json!("SheetSide")).then_some(())
        }).await;
        let (code, body) = answer_on(&other, id, &token, json!([{"key": "1", "column": "name", "choose": "sheet"}])).await;
        assert_eq!(code, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["via"], json!("owner"), "{body}");
        eventually("the answer applied by the owner", || async {
            (ann_in_table(&ctx).await.0 == "SheetSide").then_some(())
        }).await;
        assert_eq!(status(&ctx, id, &token).await["owner"], json!("owner"));
        mode.shutdown().await;
    }
}
