//! Server mode end to end: the server's loop against the Sheets API stand-in (a separate
//! process over HTTP), on MariaDB, PostgreSQL and SQLite. The test edits the sheet through
//! the API as a person's edits arrive, and the table with plain SQL as another application.
//! Here: rows and their types, formulas and unmapped columns, rejects and the mass-delete
//! guard, every policy. Instances and processes are in `server_mode_instances.rs`, manual
//! conflicts and forwarded pokes in `server_mode_conflicts.rs`, the harness in
//! `common/server_mode.rs`.

mod common;

use axum::http::StatusCode;
use common::server_mode::*;
use serde_json::{json, Value as J};
use sheetsync_core::policy::{ConflictPolicy, PolicySet};
use sheetsync_server::bindings::{self, NewBinding};
use sheetsync_server::db::now_ms;
use sheetsync_server::google::sheets::Render;
use sheetsync_server::server_mode::ServerMode;
use sqlx::Row;
use std::time::Duration;

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
            // A bare poke gives no edit time: a sheet edit counts as made when a round reads
            // it, so it is later than any database change that round meets.
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
            let before = now_ms();
            let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
            poke(&ctx, id, &token).await;
            let body = ok_round_after(&ctx, id, &token, before).await;
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
