//! Who a change wakes, and when: a long-poll is woken by its own table's changes only, a
//! push's change reaches a waiting client without waiting for the sequencer's tick, and an open
//! push spares the scheduled ticks their check for unstamped entries without holding another
//! application's change back.

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

    async fn scheduled_ticks_make_no_check_while_a_push_is_open(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], true).await;
        // Neither the schedule nor the bound runs out during the test: every check counted
        // below is one the test asked for.
        let calm = Options {
            poll_every: Duration::from_secs(3600),
            open_push_bound: Duration::from_secs(3600),
            ..common::test_options()
        };
        let db = Db::open(&ctx.url, 5).await.expect("open database");
        let instance = Instance::start(db.clone(), &calm).await.expect("start instance");
        let clock = instance.state.clock.clone();
        let checks = || clock.pushes.checks.load(Ordering::SeqCst);
        // The start's run and the poller's first, immediate tick make one check each; after
        // them the poller stays idle.
        let idle_by = Instant::now() + Duration::from_secs(20);
        while checks() < 2 {
            assert!(Instant::now() < idle_by, "the poller made no first tick");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let before = checks();
        assert_eq!(before, 2, "the idle poller kept checking");
        feed::scheduled_tick(&db, &clock).await.expect("sequencer run");
        assert_eq!(checks(), before + 1, "a scheduled tick with no push open made no check");
        let open = clock.push_opened();
        let before = checks();
        for _ in 0..3 {
            feed::scheduled_tick(&db, &clock).await.expect("sequencer run");
        }
        assert_eq!(checks(), before, "scheduled ticks looked for unstamped entries while a push was open");
        // A reader must see every change committed before its request: its run still looks.
        feed::tick(&db, &clock).await.expect("sequencer run");
        assert_eq!(checks(), before + 1, "a reader's run skipped its check");
        drop(open);
        feed::scheduled_tick(&db, &clock).await.expect("sequencer run");
        assert_eq!(checks(), before + 2, "checks did not resume once the push ended");
        // A push through the API leaves no push registered once it has committed.
        let (status, body) = common::call(&instance, "POST", "/v1/tables/people/push", Some(&token), Some(json!({
            "batch_id": "calm-1", "origin": "sheet-1",
            "changes": [{"op": "insert", "cells": {"name": "pushed"}}]
        }))).await;
        assert_eq!(status, 200, "{body}");
        let before = checks();
        feed::scheduled_tick(&db, &clock).await.expect("sequencer run");
        assert_eq!(checks(), before + 1, "a committed push still counted as open");
    }

    async fn another_applications_change_is_delivered_while_a_push_stays_open(ctx) {
        ctx.people().await;
        let token = ctx.token(&["people"], false).await;
        let start = ctx.cursor_now(&token, "people").await;
        let clock = ctx.instance.state.clock.clone();
        // Held for the whole test: the push outlives the bound many times over.
        let open = clock.push_opened();
        let waiter = {
            let (ctx, token) = (ctx.clone(), token.clone());
            tokio::spawn(async move { ctx.changes(&token, "people", &start, 20).await })
        };
        // Written once the long-poll has parked, so its own run cannot have stamped it: only
        // the scheduled ticks can.
        let metrics = ctx.instance.state.metrics.clone();
        let parked_by = Instant::now() + Duration::from_secs(20);
        while metrics.waiting.load(Ordering::SeqCst) < 1 {
            assert!(Instant::now() < parked_by, "the long-poll did not park");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        ctx.sql("INSERT INTO people (name) VALUES ('outside')").await;
        let page = waiter.await.unwrap();
        let changes = page["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 1, "the change was held back while the push stayed open: {page}");
        assert_eq!(changes[0]["cells"][1], "outside", "{page}");
        drop(open);
    }
}
