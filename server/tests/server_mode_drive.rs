//! Server mode's Drive push notifications end to end, on MariaDB, PostgreSQL and SQLite: the
//! owner opens a channel on the bound spreadsheet in the stand-in, the stand-in POSTs a
//! notification to a listening server when a person edits the sheet, and the notification —
//! taken by the owner or by another instance — wakes the binding's round with no poke and the
//! safety poll an hour away. A notification with a wrong token or for an unknown channel is
//! refused and wakes nothing; pausing the binding stops its channel; a channel is renewed
//! before it expires and the old one stopped.

mod common;

use axum::http::StatusCode;
use common::server_mode::*;
use serde_json::{json, Value as J};
use sheetsync_core::policy::ConflictPolicy;
use sheetsync_server::bindings::{self, drive_channels};
use sheetsync_server::google::auth::{TokenSource, DRIVE_METADATA_SCOPE, SHEETS_SCOPE};
use sheetsync_server::google::drive::DriveClient;
use sheetsync_server::google::key::ServiceAccountKey;
use sheetsync_server::google::sheets::SheetsClient;
use sheetsync_server::google::GoogleError;
use sheetsync_server::server_mode::{ServerMode, Settings};
use sheetsync_server::Instance;
use sqlx::Row;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Serves `instance`'s routes on a loopback port; answers the notification address there.
async fn listening(instance: &Instance) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = instance.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Url::parse(&format!("http://127.0.0.1:{port}/v1/drive/notifications")).unwrap()
}

/// Test settings with the safety poll an hour away and channels delivered to `notify`.
fn drive_settings(standin: &common::standin::StandIn, instance: &str, notify: Url) -> Settings {
    let mut s = settings(standin, instance);
    s.safety_poll = Duration::from_secs(3600);
    s.drive_notify_url = Some(notify);
    s.drive_api_url = Url::parse(&standin.url).unwrap();
    s
}

/// The channels recorded for binding `id`: (channel id, resource id).
async fn channels_of(ctx: &common::Ctx, id: i64) -> Vec<(String, String)> {
    sqlx::query(&format!(
        "SELECT channel_id, resource_id FROM sheetsync_drive_channels WHERE binding_id = {id}"
    ))
    .fetch_all(&ctx.outside)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
    .collect()
}

/// The channel of binding `id` once Drive opened it (its resource id is known).
async fn open_channel(ctx: &common::Ctx, id: i64) -> (String, String) {
    eventually("the binding's Drive channel open", || async {
        channels_of(ctx, id)
            .await
            .into_iter()
            .find(|(_, r)| !r.is_empty())
    })
    .await
}

/// Sends a notification as Drive would, through `instance`'s router.
async fn notify(
    instance: &Instance,
    channel: &str,
    token: Option<&str>,
    state: &str,
) -> (StatusCode, J) {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = Request::builder()
        .method("POST")
        .uri("/v1/drive/notifications")
        .header("x-goog-channel-id", channel)
        .header("x-goog-resource-state", state)
        .header("x-goog-message-number", "7");
    if let Some(t) = token {
        req = req.header("x-goog-channel-token", t);
    }
    let res = instance
        .router()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(J::Null))
}

async fn wake_requested(ctx: &common::Ctx, id: i64) -> bool {
    let r = sqlx::query(&format!(
        "SELECT wake_requested_at_ms FROM sheetsync_bindings WHERE id = {id}"
    ))
    .fetch_one(&ctx.outside)
    .await
    .unwrap();
    r.try_get::<Option<i64>, _>(0).unwrap().is_some()
}

async fn metrics(ctx: &common::Ctx) -> String {
    let (_, body) = ctx.get("/metrics", None).await;
    body.as_str().unwrap_or_default().to_string()
}

backend_tests! {
    async fn a_sheet_edit_reaches_the_table_through_the_notification_with_no_poke(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, _token) = synced(&ctx, &standin, ConflictPolicy::SheetWins).await;
        let notify_at = listening(&ctx.instance).await;
        let mode = ServerMode::start(&ctx.instance.state, drive_settings(&standin, "owner", notify_at)).unwrap();
        open_channel(&ctx, id).await;

        // No poke, no table change, the safety poll an hour away: only the notification of
        // this edit can bring it to the table.
        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "1")), vec![vec![json!("Notified")]]).await;
        eventually("the edit in the table", || async {
            (ann_in_table(&ctx).await.0 == "Notified").then_some(())
        }).await;

        let text = metrics(&ctx).await;
        assert!(text.contains("sheetsync_drive_channels_open 1"), "{text}");
        assert!(text.contains("sheetsync_drive_notifications_total{state=\"sync\"} 1"), "{text}");
        assert!(!text.contains("sheetsync_drive_notifications_total{state=\"update\"} 0"), "{text}");
        mode.shutdown().await;
        assert_eq!(channels_of(&ctx, id).await, vec![], "shutdown stops the channel");
        assert!(metrics(&ctx).await.contains("sheetsync_drive_channels_open 0"));
    }

    async fn a_notification_reaching_another_instance_wakes_the_owner(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, _token) = synced(&ctx, &standin, ConflictPolicy::SheetWins).await;
        // Drive delivers to the instance that does not run the binding.
        let other = ctx.second_instance().await;
        let notify_at = listening(&other).await;
        let mode = ServerMode::start(&ctx.instance.state, drive_settings(&standin, "owner", notify_at)).unwrap();
        open_channel(&ctx, id).await;

        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "1")), vec![vec![json!("Forwarded")]]).await;
        eventually("the edit in the table", || async {
            (ann_in_table(&ctx).await.0 == "Forwarded").then_some(())
        }).await;
        let text = other.state.metrics.render(0, 0);
        assert!(!text.contains("sheetsync_drive_notifications_total{state=\"update\"} 0"), "{text}");
        mode.shutdown().await;
    }

    async fn a_notification_with_a_wrong_token_or_an_unknown_channel_is_refused_and_wakes_nothing(ctx) {
        let (id, _token) = bound(&ctx, ConflictPolicy::SheetWins).await;
        // A channel as an owner records it; no instance runs the binding, so a wake-up request
        // stays in the database for the test to see.
        drive_channels::record(&ctx.db, &drive_channels::DriveChannel {
            channel_id: "sheetsync-test".into(),
            binding_id: id,
            secret: "the-secret".into(),
            resource_id: "res-1".into(),
            expires_at_ms: sheetsync_server::db::now_ms() + 3_600_000,
            opened_by: "elsewhere".into(),
        }).await.unwrap();

        let (code, body) = notify(&ctx.instance, "sheetsync-test", Some("not-the-secret"), "update").await;
        assert_eq!(code, StatusCode::FORBIDDEN, "{body}");
        assert!(body["message"].as_str().unwrap().contains("X-Goog-Channel-Token"), "{body}");
        let (code, body) = notify(&ctx.instance, "sheetsync-test", None, "update").await;
        assert_eq!(code, StatusCode::FORBIDDEN, "{body}");
        assert!(body["message"].as_str().unwrap().contains("X-Goog-Channel-Token header is missing"), "{body}");
        let (code, body) = notify(&ctx.instance, "sheetsync-nothing", Some("the-secret"), "update").await;
        assert_eq!(code, StatusCode::NOT_FOUND, "{body}");
        let (code, _) = notify(&ctx.instance, "sheetsync-test", Some("the-secret"), "sync").await;
        assert_eq!(code, StatusCode::OK);
        assert!(!wake_requested(&ctx, id).await, "no refused notification, nor sync, asks for a round");
        let text = metrics(&ctx).await;
        assert!(text.contains("sheetsync_drive_notifications_refused_total 3"), "{text}");

        // The right token wakes the binding's owner, whichever instance it is.
        let (code, body) = notify(&ctx.instance, "sheetsync-test", Some("the-secret"), "update").await;
        assert_eq!(code, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"binding": id, "woken": true}));
        assert!(wake_requested(&ctx, id).await);
    }

    async fn pausing_the_binding_stops_its_channel(ctx) {
        let standin = standin();
        let (id, _token) = synced(&ctx, &standin, ConflictPolicy::SheetWins).await;
        let notify_at = listening(&ctx.instance).await;
        let mode = ServerMode::start(&ctx.instance.state, drive_settings(&standin, "owner", notify_at)).unwrap();
        let (channel, resource) = open_channel(&ctx, id).await;

        bindings::set_paused(&ctx.db, id, true).await.unwrap();
        eventually("the channel forgotten", || async {
            channels_of(&ctx, id).await.is_empty().then_some(())
        }).await;
        // Drive no longer knows the channel: stopping it again is refused.
        let key = ServiceAccountKey::load(&standin.key_file).unwrap();
        let sheets = SheetsClient::new(
            Url::parse(&standin.url).unwrap(),
            TokenSource::with_scopes(key, &[SHEETS_SCOPE, DRIVE_METADATA_SCOPE]),
            quick_backoff(),
            Arc::new(sheetsync_server::google::budget::Budgets::new(roomy())),
        );
        let drive = DriveClient::new(Url::parse(&standin.url).unwrap(), sheets.caller());
        match drive.stop(&channel, &resource).await {
            Err(GoogleError::Api { status: 404, .. }) => {}
            other => panic!("the channel is still open at Drive: {other:?}"),
        }
        let (code, _) = notify(&ctx.instance, &channel, Some("any"), "update").await;
        assert_eq!(code, StatusCode::NOT_FOUND, "a notification still on its way is refused");
        mode.shutdown().await;
    }

    async fn a_channel_is_renewed_before_it_expires_and_the_new_one_wakes_the_round(ctx) {
        let standin = standin();
        let person = Person::new(&standin);
        let (id, _token) = synced(&ctx, &standin, ConflictPolicy::SheetWins).await;
        let notify_at = listening(&ctx.instance).await;
        let mut s = drive_settings(&standin, "owner", notify_at);
        s.drive_channel = Duration::from_secs(2);
        let mode = ServerMode::start(&ctx.instance.state, s).unwrap();
        let (first, first_resource) = open_channel(&ctx, id).await;

        // A new channel replaces the first before it expires, and the first is stopped.
        let (second, _) = eventually("a new channel", || async {
            channels_of(&ctx, id).await.into_iter().find(|(c, r)| *c != first && !r.is_empty())
        }).await;
        eventually("the first channel forgotten", || async {
            channels_of(&ctx, id).await.iter().all(|(c, _)| *c != first).then_some(())
        }).await;
        let text = metrics(&ctx).await;
        assert!(!text.contains("sheetsync_drive_channel_renewals_total 0"), "{text}");
        assert!(text.contains("sheetsync_drive_channel_failures_total 0"), "{text}");
        let key = ServiceAccountKey::load(&standin.key_file).unwrap();
        let sheets = SheetsClient::new(
            Url::parse(&standin.url).unwrap(),
            TokenSource::with_scopes(key, &[SHEETS_SCOPE, DRIVE_METADATA_SCOPE]),
            quick_backoff(),
            Arc::new(sheetsync_server::google::budget::Budgets::new(roomy())),
        );
        let drive = DriveClient::new(Url::parse(&standin.url).unwrap(), sheets.caller());
        assert!(
            matches!(drive.stop(&first, &first_resource).await, Err(GoogleError::Api { status: 404, .. })),
            "the renewed channel was stopped at Drive"
        );

        // An edit reaches the table through whichever channel is open now.
        let v = person.values().await;
        person.write(&format!("B{}", row_of(&v, "1")), vec![vec![json!("Renewed")]]).await;
        eventually("the edit in the table", || async {
            (ann_in_table(&ctx).await.0 == "Renewed").then_some(())
        }).await;
        assert_ne!(first, second);
        mode.shutdown().await;
    }
}
