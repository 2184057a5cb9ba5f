//! Server mode never overwrites a person's edit made while a round runs, on MariaDB,
//! PostgreSQL and SQLite. The stand-in applies the person's edit right after the round's read
//! of the sheet (its two `values.batchGet`s), before the round writes: the race every time.

mod common;

use common::server_mode::*;
use common::Ctx;
use serde_json::{json, Value as J};
use sheetsync_core::policy::ConflictPolicy;
use sheetsync_server::server_mode::ServerMode;
use sqlx::Row;
use url::Url;

/// The reads a round makes of the sheet: its values, then its formulas.
const ROUND_READS: u32 = 2;

/// Arms the stand-in to type `values` into `range` (RAW) right after the round's read.
async fn edit_after_read(standin: &common::standin::StandIn, range: &str, values: J) {
    let url = Url::parse(&format!("{}/__standin/edit-after-read", standin.url)).unwrap();
    let body = json!({
        "spreadsheetId": SPREADSHEET,
        "range": format!("'{SHEET}'!{range}"),
        "values": values,
        "afterReads": ROUND_READS,
        "valueInputOption": "RAW",
    });
    post_json_ok(&url, &[], &body).await;
}

/// Waits until the armed edit was applied (asking reads nothing of the sheet).
async fn edit_applied(standin: &common::standin::StandIn) {
    let url = Url::parse(&format!("{}/__standin/edit-after-read", standin.url)).unwrap();
    eventually(
        "the person's edit applied after the round's read",
        || async {
            let answer = sheetsync_server::google::http::send("GET", &url, &[], None)
                .await
                .unwrap();
            let state: J = serde_json::from_slice(&answer.body).unwrap();
            assert_eq!(state["failed"], json!([]), "{state}");
            (state["applied"] == json!(1)).then_some(())
        },
    )
    .await;
}

/// Row `key`'s overrides in its history, as text, to look for the sheet's values kept.
async fn overrides_of(ctx: &Ctx, key: &str, token: &str) -> String {
    let (status, history) = ctx
        .get(
            &format!("/v1/tables/people/rows/{key}/history"),
            Some(token),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::OK, "{history}");
    history["overrides"].to_string()
}

/// Ann's name and email in the table.
async fn ann_name_and_email(ctx: &Ctx) -> (String, Option<String>) {
    let r = sqlx::query("SELECT name, email FROM people WHERE id = 1")
        .fetch_one(&ctx.outside)
        .await
        .unwrap();
    (r.try_get(0).unwrap(), r.try_get(1).unwrap())
}

backend_tests! {
    async fn an_edit_of_the_cell_the_database_changed_is_a_conflict_not_overwritten(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (_id, token) = synced(&ctx, &standin, ConflictPolicy::DatabaseWins).await;
        let ann = row_of(&person.values().await, "1");
        edit_after_read(&standin, &format!("B{ann}"), json!([["SheetAnn"]])).await;
        ctx.sql("UPDATE people SET name = 'DbAnn' WHERE id = 1").await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        edit_applied(&standin).await;

        // The default policy decides the conflict for the database, and keeps the person's
        // value in the row's history: it is decided, never silently written over.
        eventually("the person's value kept in Ann's history", || async {
            overrides_of(&ctx, "1", &token).await.contains("SheetAnn").then_some(())
        }).await;
        eventually("the sheet agrees with the table", || async {
            (by_id(&person.values().await)["1"]["name"] == json!("DbAnn")).then_some(())
        }).await;
        assert_eq!(ann_in_table(&ctx).await.0, "DbAnn");
        mode.shutdown().await;
    }

    async fn an_edit_of_another_cell_of_the_row_and_the_database_s_change_both_stay(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::DatabaseWins).await;
        let ann = row_of(&person.values().await, "1");
        edit_after_read(&standin, &format!("C{ann}"), json!([["ann@sheet.example"]])).await;
        ctx.sql("UPDATE people SET name = 'DbAnn' WHERE id = 1").await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        edit_applied(&standin).await;
        poke(&ctx, id, &token).await;

        eventually("both changes in the table", || async {
            (ann_name_and_email(&ctx).await == ("DbAnn".into(), Some("ann@sheet.example".into())))
                .then_some(())
        }).await;
        eventually("both changes in the sheet", || async {
            let v = person.values().await;
            let ann = &by_id(&v)["1"];
            (ann["name"] == json!("DbAnn") && ann["email"] == json!("ann@sheet.example"))
                .then_some(())
        }).await;
        assert!(!overrides_of(&ctx, "1", &token).await.contains("ann@sheet"), "no conflict");
        mode.shutdown().await;
    }

    async fn a_row_typed_below_the_data_meanwhile_is_not_overwritten_by_a_new_database_row(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, token) = synced(&ctx, &standin, ConflictPolicy::DatabaseWins).await;
        let below = person.values().await.len() + 1;
        edit_after_read(
            &standin,
            &format!("A{below}:F{below}"),
            json!([["", "Dee", "", 1, 2.5, true]]),
        ).await;
        ctx.sql("INSERT INTO people (name, active) VALUES ('Cy', TRUE)").await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        edit_applied(&standin).await;
        eventually("Cy in the sheet", || async {
            by_id(&person.values().await).contains_key("3").then_some(())
        }).await;
        poke(&ctx, id, &token).await;

        eventually("Dee in the table", || async {
            (count_named(&ctx, "Dee").await == 1).then_some(())
        }).await;
        let v = sheet_has_ids(&person, &["1", "2", "3", "4"]).await;
        let rows = by_id(&v);
        assert_eq!(rows["3"]["name"], json!("Cy"));
        assert_eq!(rows["4"]["name"], json!("Dee"));
        assert_eq!(count_named(&ctx, "Cy").await, 1);
        assert_eq!(names(&ctx).await.len(), 4);
        mode.shutdown().await;
    }

    async fn a_database_delete_of_a_row_a_person_just_edited_is_not_applied_blindly(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (_id, token) = synced(&ctx, &standin, ConflictPolicy::DatabaseWins).await;
        let bob = row_of(&person.values().await, "2");
        edit_after_read(&standin, &format!("B{bob}"), json!([["Bobby"]])).await;
        ctx.sql("DELETE FROM people WHERE id = 2").await;
        let mode = ServerMode::start(&ctx.instance.state, settings(&standin, "one")).unwrap();
        edit_applied(&standin).await;

        // The edit against the delete is a row conflict the policy decides: the database's
        // delete wins, and the person's row is kept in the row's history.
        eventually("the person's row kept in Bob's history", || async {
            overrides_of(&ctx, "2", &token).await.contains("Bobby").then_some(())
        }).await;
        sheet_has_ids(&person, &["1"]).await;
        assert_eq!(names(&ctx).await, vec![(1, "Ann".to_string())]);
        mode.shutdown().await;
    }
}
