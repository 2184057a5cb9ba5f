//! Switching a sheet between add-on mode and server mode: the add-on hands a sheet to the
//! server with its base (`POST /v1/bindings`) and takes it back with the server's
//! (`DELETE /v1/bindings/{id}`), with no full resync either way, and never while a batch is in
//! flight on the side that gives the sheet up.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{json, Value as J};
use sheetsync_core::base::{Base, BaseRow};
use sheetsync_core::policy::ConflictPolicy;
use sheetsync_core::round::{BindingState, InFlightBatch};
use sheetsync_core::schema::RowKey;
use sheetsync_core::wire::{ChangeOp, Cursor, RowChange};
use sheetsync_server::bindings::lease;
use sheetsync_server::bindings::state::{self, StoredState};
use sheetsync_server::bindings::{self, BindingError};

const SHEET_ID: &str = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms";
const TTL: i64 = 30_000;

fn base_of(rows: &[(&str, i64)]) -> Base {
    let mut base = Base::default();
    for (key, version) in rows {
        base.rows.insert(
            RowKey(key.to_string()),
            BaseRow::new(*version, vec![1, 2, 3, 4, 5, 6]),
        );
    }
    base
}

fn held_change() -> RowChange {
    RowChange {
        key: RowKey("8".into()),
        version: 13,
        op: ChangeOp::Upsert {
            cells: vec![json!(8), json!("Ann")],
        },
        origin: None,
        changed_at_ms: 99,
    }
}

/// What the add-on sends for its sheet `People`, synced up to cursor 41.
fn hand_over_body() -> J {
    json!({
        "spreadsheet": SHEET_ID,
        "sheet": "People",
        "table": "people",
        "policy": {"default": "latest-wins", "columns": {"score": "manual"}},
        "base": base_of(&[("7", 12), ("9", 3)]),
        "cursor": "41",
        "held": [held_change()],
        "pendingBatch": null,
    })
}

/// A batch the server sent and has not written back, as the round stores it.
fn server_batch(id: &str) -> InFlightBatch {
    serde_json::from_value(json!({
        "request": {"batch_id": id, "origin": "server", "changes": []},
        "push": [],
        "plannedFrom": {"timeZone": "UTC", "zoneOffsets": [], "headers": [], "firstRow": 2,
                        "rows": {}, "formulas": {}},
        "sheetEdits": {"writes": [], "deleteRows": [], "appends": [], "formats": []},
        "newRows": {"compared": [], "marks": [], "rows": []},
    }))
    .expect("a batch in flight")
}

async fn delete(ctx: &common::Ctx, id: i64, token: &str) -> (StatusCode, J) {
    common::call(
        &ctx.instance,
        "DELETE",
        &format!("/v1/bindings/{id}"),
        Some(token),
        None,
    )
    .await
}

/// Hands the sheet over and answers the new binding's id.
async fn hand_over(ctx: &common::Ctx, token: &str) -> i64 {
    let (status, body) = ctx
        .post("/v1/bindings", Some(token), hand_over_body())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("an id")
}

backend_tests! {
    async fn a_sheet_handed_to_the_server_keeps_its_base_cursor_and_held_changes(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let id = hand_over(&ctx, &token).await;

        let binding = bindings::get(&ctx.db, id).await.unwrap();
        assert_eq!((binding.spreadsheet_id.as_str(), binding.sheet_name.as_str()), (SHEET_ID, "People"));
        assert_eq!(binding.table, "people");
        assert_eq!(binding.policies.default, ConflictPolicy::LatestWins);
        assert_eq!(binding.policies.columns["score"], ConflictPolicy::Manual);
        assert!(!binding.paused);
        // The base carries over as it was: the server's first round is not a full resync.
        let stored = state::load(&ctx.db, id).await.unwrap();
        assert_eq!(stored.round.base, Some(base_of(&[("7", 12), ("9", 3)])));
        assert_eq!(stored.round.held_changes, vec![held_change()]);
        assert_eq!(stored.round.in_flight, None);
        assert_eq!(stored.cursor, Some(Cursor("41".into())));

        // A sheet never synced is handed over as such, and the server makes its first sync.
        let mut fresh = hand_over_body();
        fresh["sheet"] = json!("Fresh");
        fresh["base"] = J::Null;
        fresh["cursor"] = J::Null;
        fresh["held"] = json!([]);
        let (status, body) = ctx.post("/v1/bindings", Some(&token), fresh).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let stored = state::load(&ctx.db, body["id"].as_i64().unwrap()).await.unwrap();
        assert_eq!(stored, StoredState::default());
    }

    async fn a_sheet_with_a_batch_in_flight_or_already_bound_is_refused_with_409(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let mut busy = hand_over_body();
        busy["pendingBatch"] = json!("b-42");
        let (status, body) = ctx.post("/v1/bindings", Some(&token), busy).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"], "conflict");
        assert!(body["message"].as_str().unwrap().contains("b-42"), "{body}");
        assert!(bindings::list(&ctx.db).await.unwrap().is_empty(), "nothing is bound");

        let id = hand_over(&ctx, &token).await;
        let (status, body) = ctx.post("/v1/bindings", Some(&token), hand_over_body()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"], "conflict");
        assert!(body["message"].as_str().unwrap().contains(&format!("binding {id}")), "{body}");
        assert_eq!(bindings::list(&ctx.db).await.unwrap().len(), 1);
    }

    async fn a_custom_policy_or_a_bad_body_is_refused_naming_the_field(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let cases: Vec<(&str, J, &str)> = vec![
            ("policy.default", json!({"default": "custom", "columns": {}}), "resolveConflict"),
            ("policy.columns.score", json!({"default": "manual", "columns": {"score": "custom"}}), "resolveConflict"),
            ("policy", json!({"columns": {}}), "policy.default"),
            ("policy", json!({"default": "manual", "columns": {"nope": "manual"}}), "nope"),
        ];
        for (at, policy, says) in cases {
            let mut body = hand_over_body();
            body["policy"] = policy;
            let (status, answer) = ctx.post("/v1/bindings", Some(&token), body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{at}: {answer}");
            assert_eq!(answer["error"], "bad_request");
            let message = answer["message"].as_str().unwrap();
            assert!(message.starts_with(at) && message.contains(says), "{at}: {message}");
        }
        let mut missing = hand_over_body();
        missing.as_object_mut().unwrap().remove("cursor");
        let mut bad_base = hand_over_body();
        bad_base["base"] = json!({"7": [12, "!!"]});
        let mut no_cursor = hand_over_body();
        no_cursor["cursor"] = J::Null;
        let mut bad_id = hand_over_body();
        bad_id["spreadsheet"] = json!("https://docs.google.com/spreadsheets/d/x/edit");
        let mut extra = hand_over_body();
        extra["inFlight"] = json!(null);
        for (body, says) in [
            (missing, "cursor: the field is missing"),
            (bad_base, "base: "),
            (no_cursor, "base and cursor go together"),
            (bad_id, "spreadsheet: "),
            (extra, "unknown field \"inFlight\""),
        ] {
            let (status, answer) = ctx.post("/v1/bindings", Some(&token), body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{says}: {answer}");
            assert!(answer["message"].as_str().unwrap().contains(says), "{says}: {answer}");
        }
        let reader = ctx.token(&["people"], false).await;
        let (status, _) = ctx.post("/v1/bindings", Some(&reader), hand_over_body()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "handing over needs a write token");
        assert!(bindings::list(&ctx.db).await.unwrap().is_empty(), "nothing is bound");
    }

    async fn a_sheet_handed_back_answers_the_servers_state_and_the_binding_is_gone(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let id = hand_over(&ctx, &token).await;
        // The server syncs a round: its base and cursor move on.
        let owner = lease::acquire(&ctx.db, id, "instance-a", 1_000, TTL).await.unwrap().unwrap();
        let moved = StoredState {
            round: BindingState {
                base: Some(base_of(&[("7", 14), ("10", 1)])),
                held_changes: vec![],
                in_flight: None,
            },
            cursor: Some(Cursor("57".into())),
        };
        state::save(&ctx.db, &owner, &moved).await.unwrap();

        let reader = ctx.token(&["people"], false).await;
        let (status, _) = delete(&ctx, id, &reader).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "handing back needs a write token");

        let (status, body) = delete(&ctx, id, &token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["id"], id);
        assert_eq!(body["spreadsheet"], SHEET_ID);
        assert_eq!(body["sheet"], "People");
        assert_eq!(body["table"], "people");
        assert_eq!(body["policy"], json!({"default": "latest-wins", "columns": {"score": "manual"}}));
        assert_eq!(body["cursor"], "57");
        assert_eq!(body["held"], json!([]));
        let base: Base = serde_json::from_value(body["base"].clone()).unwrap();
        assert_eq!(base, base_of(&[("7", 14), ("10", 1)]));

        assert!(bindings::list(&ctx.db).await.unwrap().is_empty());
        assert!(matches!(state::load(&ctx.db, id).await, Err(BindingError::NoBinding(_))));
        let (status, body) = delete(&ctx, id, &token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        // The sheet can be handed over again at once.
        hand_over(&ctx, &token).await;
    }

    async fn a_hand_back_fences_the_lease_owner_and_waits_for_its_batch_in_flight(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        let id = hand_over(&ctx, &token).await;
        let owner = lease::acquire(&ctx.db, id, "instance-a", 1_000, TTL).await.unwrap().unwrap();
        let mut sending = state::load(&ctx.db, id).await.unwrap();
        sending.round.in_flight = Some(server_batch("srv-1"));
        state::save(&ctx.db, &owner, &sending).await.unwrap();

        // The owner's batch stays unanswered: the hand-back waits, then refuses, and leaves
        // the binding as it was.
        let started = Instant::now();
        let (status, body) = delete(&ctx, id, &token).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"], "conflict");
        assert!(body["message"].as_str().unwrap().contains("srv-1"), "{body}");
        assert!(started.elapsed() >= Duration::from_secs(2), "it waited for the round");
        assert_eq!(state::load(&ctx.db, id).await.unwrap(), sending);

        // The owner writes its answer back while a hand-back waits: the hand-back answers
        // the state with that batch settled.
        let settled = StoredState {
            round: BindingState {
                base: Some(base_of(&[("7", 15)])),
                held_changes: vec![held_change()],
                in_flight: None,
            },
            cursor: Some(Cursor("60".into())),
        };
        let db = ctx.db.clone();
        let finishing = {
            let owner = owner.clone();
            let settled = settled.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(500)).await;
                state::save(&db, &owner, &settled).await
            })
        };
        let (status, body) = delete(&ctx, id, &token).await;
        finishing.await.unwrap().unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["cursor"], "60");
        assert_eq!(body["held"], json!([held_change()]));

        // The owner, fenced off, saves nothing more.
        let late = state::save(&ctx.db, &owner, &sending).await;
        assert!(matches!(late, Err(BindingError::NoBinding(_))), "{late:?}");
        assert!(!lease::renew(&ctx.db, &mut owner.clone(), 2_000, TTL).await.unwrap());
        assert!(matches!(state::load(&ctx.db, id).await, Err(BindingError::NoBinding(_))));
    }
}
