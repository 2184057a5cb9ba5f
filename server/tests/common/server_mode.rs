//! Server mode's test harness: the stand-in for Google, a person editing the sheet through
//! the API, settings with short leases and retries, bound and synced tables, and waits that
//! fail saying what they waited for.

use crate::common::standin::StandIn;
use crate::common::Ctx;
use axum::http::StatusCode;
use serde_json::{json, Value as J};
use sheetsync_core::policy::{ConflictPolicy, PolicySet};
use sheetsync_server::bindings::{self, NewBinding};
use sheetsync_server::google::auth::TokenSource;
use sheetsync_server::google::backoff::Backoff;
use sheetsync_server::google::budget::{Budgets, QuotaLimits};
use sheetsync_server::google::key::ServiceAccountKey;
use sheetsync_server::google::sheets::{RangeValues, Render, SheetsClient};
use sheetsync_server::server_mode::{ServerMode, Settings};
use sqlx::Row;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

pub const SHEET: &str = "People";
pub const SPREADSHEET: &str = "s1";

/// Quotas no test reaches.
pub fn roomy() -> QuotaLimits {
    QuotaLimits {
        reads_per_project: 100_000,
        reads_per_user: 100_000,
        writes_per_project: 100_000,
        writes_per_user: 100_000,
        drive_per_project: 100_000,
        drive_per_user: 100_000,
        window: Duration::from_secs(60),
    }
}

pub fn quick_backoff() -> Backoff {
    Backoff {
        first: Duration::from_millis(20),
        ceiling: Duration::from_millis(100),
        retries: 3,
        jitter: Duration::ZERO,
    }
}

/// Settings for a test: pokes and the feed wake the loop (the safety poll is a minute
/// away), short leases and retries.
pub fn settings(standin: &StandIn, instance: &str) -> Settings {
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
pub struct Person {
    sheets: SheetsClient,
}

impl Person {
    pub fn new(standin: &StandIn) -> Person {
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
    pub async fn values(&self) -> Vec<Vec<J>> {
        self.read(Render::Values).await
    }

    pub async fn read(&self, render: Render) -> Vec<Vec<J>> {
        let mut grids = self
            .sheets
            .batch_get(SPREADSHEET, &[format!("'{SHEET}'")], render)
            .await
            .unwrap();
        grids.remove(0)
    }

    /// Types `values` into the sheet from A1-range `range` (RAW, as a person's plain values).
    pub async fn write(&self, range: &str, values: Vec<Vec<J>>) {
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
    pub async fn type_formulas(&self, standin: &StandIn, range: &str, values: Vec<Vec<J>>) {
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
        post_json_ok(
            &url,
            &[("authorization", &format!("Bearer {token}"))],
            &body,
        )
        .await;
    }

    /// Deletes 1-based sheet rows `from..=to`.
    pub async fn delete_rows(&self, from: u32, to: u32) {
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
    pub async fn sort_rows_by(&self, column: usize, descending: bool) {
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
/// POSTs `body` as JSON to `url` with `headers`, requiring 200.
pub async fn post_json_ok(url: &Url, headers: &[(&str, &str)], body: &J) {
    let answer = sheetsync_server::google::http::send(
        "POST",
        url,
        headers,
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

pub fn by_id(values: &[Vec<J>]) -> std::collections::BTreeMap<String, serde_json::Map<String, J>> {
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

pub fn id_text(v: &J) -> String {
    match v {
        J::Number(n) => n.as_f64().map(|f| (f as i64).to_string()).unwrap(),
        J::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Waits (up to 20 s) until `check` holds, then returns what it saw.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
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
pub async fn names(ctx: &Ctx) -> Vec<(i64, String)> {
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
pub async fn bound(ctx: &Ctx, policy: ConflictPolicy) -> (i64, String) {
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

pub fn standin() -> StandIn {
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
pub async fn sheet_has_ids(person: &Person, ids: &[&str]) -> Vec<Vec<J>> {
    let want: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    eventually(&format!("the sheet holds ids {ids:?}"), || async {
        let v = person.values().await;
        (!v.is_empty() && by_id(&v).keys().cloned().collect::<Vec<_>>() == want).then_some(v)
    })
    .await
}

pub async fn poke(ctx: &Ctx, id: i64, token: &str) {
    let (status, body) = ctx
        .post(&format!("/v1/bindings/{id}/poke"), Some(token), json!({}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

/// Binds as [`bound`], runs a first round to the sheet, and stops the loop (releasing its
/// lease), so a test can change both sides between rounds.
pub async fn synced(ctx: &Ctx, standin: &StandIn, policy: ConflictPolicy) -> (i64, String) {
    let (id, token) = bound(ctx, policy).await;
    let mode = ServerMode::start(&ctx.instance.state, settings(standin, "first")).unwrap();
    sheet_has_ids(&Person::new(standin), &["1", "2"]).await;
    mode.shutdown().await;
    (id, token)
}

/// The 1-based sheet row holding id `id`.
pub fn row_of(values: &[Vec<J>], id: &str) -> usize {
    values
        .iter()
        .position(|r| r.first().map(id_text).as_deref() == Some(id))
        .unwrap()
        + 1
}

/// Ann's name and score in the table.
pub async fn ann_in_table(ctx: &Ctx) -> (String, f64) {
    let text = match ctx.kind {
        crate::common::Kind::MySql => "CHAR",
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

pub async fn status(ctx: &Ctx, id: i64, token: &str) -> J {
    let (status, body) = ctx.get(&format!("/v1/bindings/{id}"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The binding's status once a round that ended after `since_ms` went well. The status is
/// kept in the database across instances, so an earlier round's "ok" must not count.
pub async fn ok_round_after(ctx: &Ctx, id: i64, token: &str, since_ms: i64) -> J {
    eventually("a round that went well", || async {
        let b = status(ctx, id, token).await;
        let at = b["lastRound"]["atMs"].as_i64();
        (at.is_some_and(|at| at > since_ms) && b["lastRound"]["ok"] == json!(true)).then_some(b)
    })
    .await
}

/// The table's rows named `name`.
pub async fn count_named(ctx: &Ctx, name: &str) -> usize {
    names(ctx).await.iter().filter(|(_, n)| n == name).count()
}
