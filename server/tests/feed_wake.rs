//! Who a change wakes, and when: a long-poll is woken by its own table's changes only, and a
//! push's change reaches a waiting client without waiting for the sequencer's tick.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sheetsync_server::db::Db;
use sheetsync_server::{feed, Instance, Options};

backend_tests! {
    async fn a_change_to_another_table_does_not_wake_a_tables_waiters(ctx) {
        ctx.people().await;
        ctx.enable("teams").await;
        let token = ctx.token(&["people"], false).await;
        let start = ctx.cursor_now(&token, "people").await;
        let clock = ctx.instance.state.clock.clone();
        let people = ctx.instance.state.catalog.get("people").await.expect("people is synced");
        let waiter = {
            let (ctx, token) = (ctx.clone(), token.clone());
            tokio::spawn(async move { ctx.changes(&token, "people", &start, 20).await })
        };
        let mut woken = clock.subscribe_table(people.id);
        woken.borrow_and_update();
        let any = clock.subscribe();
        let before = clock.last();
        ctx.sql("UPDATE teams SET name = 'green' WHERE id = 1").await;
        // A run of the sequencer made here waits for any run under way, so when it returns
        // the change has its position and every waiter that will be woken for it has been.
        feed::tick(&ctx.db, &clock).await.expect("sequencer run");
        assert!(clock.last() > before, "the change to teams got no feed position");
        assert!(*any.borrow() > before, "a subscriber of every position missed it");
        assert!(!woken.has_changed().unwrap(), "a change to teams woke the waiters of people");
        ctx.sql("INSERT INTO people (name) VALUES ('woken')").await;
        feed::tick(&ctx.db, &clock).await.expect("sequencer run");
        assert!(woken.has_changed().unwrap(), "a change to people did not wake its waiters");
        let page = waiter.await.unwrap();
        let changes = page["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 1, "{page}");
        assert_eq!(changes[0]["cells"][1], "woken", "{page}");
    }

    async fn a_pushed_change_reaches_a_waiting_client_before_the_next_tick(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        // An instance whose sequencer ticks once an hour: only the push's own signal can
        // place its change in the feed while the client waits.
        let slow = Options {
            poll_every: Duration::from_secs(3600),
            ..common::test_options()
        };
        let db = Db::open(&ctx.url, 5).await.expect("open database");
        let instance = Arc::new(Instance::start(db, &slow).await.expect("start instance"));
        let (_, page) = common::call(&instance, "GET", "/v1/tables/people/rows?limit=1", Some(&token), None).await;
        let start = page["cursor"].as_str().unwrap().to_string();
        let waiter = {
            let (instance, token) = (instance.clone(), token.clone());
            tokio::spawn(async move {
                let path = format!("/v1/tables/people/changes?cursor={start}&wait=20");
                common::call(&instance, "GET", &path, Some(&token), None).await
            })
        };
        let metrics = instance.state.metrics.clone();
        let parked_by = Instant::now() + Duration::from_secs(20);
        while metrics.waiting.load(Ordering::SeqCst) < 1 {
            assert!(Instant::now() < parked_by, "the long-poll did not park");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let (status, body) = common::call(&instance, "POST", "/v1/tables/people/push", Some(&token), Some(json!({
            "batch_id": "signal-1", "origin": "sheet-1",
            "changes": [{"op": "insert", "cells": {"name": "pushed"}}]
        }))).await;
        assert_eq!(status, 200, "{body}");
        let (status, page) = waiter.await.unwrap();
        assert_eq!(status, 200, "{page}");
        let changes = page["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 1, "the waiting client did not get the pushed change: {page}");
        assert_eq!(changes[0]["cells"][1], "pushed", "{page}");
        assert_eq!(changes[0]["origin"], "sheet-1", "{page}");
    }
}
