//! The Google client against the Sheets API stand-in, as a separate process over HTTP: a
//! service account signs in with its key file, reads and writes values with their types,
//! backs off when refused, and never shows its key.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::standin::StandIn;
use serde_json::json;
use sheetsync_server::google::auth::TokenSource;
use sheetsync_server::google::backoff::Backoff;
use sheetsync_server::google::budget::{Budgets, QuotaLimits};
use sheetsync_server::google::grid;
use sheetsync_server::google::key::ServiceAccountKey;
use sheetsync_server::google::sheets::{RangeValues, Render, SheetsClient};
use sheetsync_server::google::GoogleError;
use url::Url;

fn quick_backoff(retries: u32) -> Backoff {
    Backoff {
        first: Duration::from_millis(10),
        ceiling: Duration::from_millis(40),
        retries,
        jitter: Duration::ZERO,
    }
}

fn client(standin: &StandIn, backoff: Backoff) -> SheetsClient {
    let key = ServiceAccountKey::load(&standin.key_file).expect("load the key file");
    SheetsClient::new(
        Url::parse(&standin.url).unwrap(),
        TokenSource::new(key),
        backoff,
        Arc::new(Budgets::new(QuotaLimits::default())),
    )
}

#[tokio::test]
async fn a_service_account_signs_in_and_reads_the_spreadsheets_time_zone() {
    let standin = StandIn::start(&["--spreadsheet-id", "s1", "--time-zone", "Europe/Berlin"]);
    let sheets = client(&standin, quick_backoff(0));

    assert_eq!(sheets.time_zone("s1").await.unwrap(), "Europe/Berlin");
}

#[tokio::test]
async fn values_written_raw_read_back_with_their_types_and_text_stays_text() {
    let standin = StandIn::start(&["--spreadsheet-id", "s1", "--sheet", "People"]);
    let sheets = client(&standin, quick_backoff(0));
    let rows = vec![
        vec![
            json!("id"),
            json!("code"),
            json!("n"),
            json!("ok"),
            json!("when"),
        ],
        vec![
            json!(1),
            json!("007"),
            json!(2.5),
            json!(true),
            json!(45000),
        ],
        vec![json!(2), json!("1/2"), json!(-3), json!(false), json!("")],
    ];

    sheets
        .batch_update_values(
            "s1",
            &[RangeValues {
                range: "'People'!A1:E3".into(),
                values: rows.clone(),
            }],
        )
        .await
        .unwrap();
    let back = sheets
        .batch_get(
            "s1",
            &["'People'!A1:E3".into(), "'People'!Z1:Z9".into()],
            Render::Values,
        )
        .await
        .unwrap();

    let mut expected = rows;
    expected[2].pop(); // a trailing empty cell is left out, as Google does
    assert_eq!(back[0], expected);
    assert!(back[1].is_empty(), "an empty range has no values");
}

#[tokio::test]
async fn cell_runs_written_through_the_api_read_back_as_the_same_cells() {
    use sheetsync_core::plan::CellRun;
    use sheetsync_core::schema::{ColumnSchema, TableSchema};
    use sheetsync_core::sheet::SheetCell;
    use sheetsync_core::value::SqlType;
    use sheetsync_core::zone::ZoneOffsets;
    let standin = StandIn::start(&["--spreadsheet-id", "s1", "--sheet", "Bob's"]);
    let sheets = client(&standin, quick_backoff(0));
    let zone = ZoneOffsets::fixed("Europe/Paris", 3600).unwrap();
    let col = |name: &str, sql_type| ColumnSchema {
        name: name.into(),
        sql_type,
        nullable: true,
        primary_key: name == "id",
        generated: false,
        has_default: false,
    };
    let schema = TableSchema {
        name: "t".into(),
        writable: true,
        columns: vec![
            col(
                "id",
                SqlType::Int {
                    bits: 32,
                    unsigned: false,
                },
            ),
            col("code", SqlType::Text { max_chars: None }),
            col("born", SqlType::DateTime),
        ],
    };
    let text = |s: &str| SheetCell::Text(s.into());
    let row = vec![
        SheetCell::Number(1.0),
        text("007"),
        SheetCell::Date(1_700_000_000_000.0),
        SheetCell::Bool(true),
    ];
    let runs = vec![
        CellRun {
            row: 1,
            column: 1,
            values: vec![text("id"), text("code"), text("born"), text("note")],
        },
        CellRun {
            row: 2,
            column: 1,
            values: row.clone(),
        },
    ];

    let data = grid::range_values("Bob's", &runs, &zone).unwrap();
    sheets.batch_update_values("s1", &data).await.unwrap();
    let range = vec!["'Bob''s'!A1:E3".to_string()];
    let values = sheets
        .batch_get("s1", &range, Render::Values)
        .await
        .unwrap();
    let formulas = sheets
        .batch_get("s1", &range, Render::Formulas)
        .await
        .unwrap();
    let snap = grid::snapshot_of(&values[0], &formulas[0], &schema, &zone).unwrap();

    assert_eq!(snap.headers, vec!["id", "code", "born", "note"]);
    assert_eq!(snap.rows[0], row);
    assert_eq!(snap.formulas, None, "text is never taken for a formula");
}

#[tokio::test]
async fn rows_are_appended_through_spreadsheets_batch_update() {
    let standin = StandIn::start(&["--spreadsheet-id", "s1", "--sheet", "People"]);
    let sheets = client(&standin, quick_backoff(0));
    // The stand-in's first sheet has id 0, as a new spreadsheet's first sheet has on Google.
    let replies = sheets
        .batch_update(
            "s1",
            vec![json!({"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 3}})],
        )
        .await
        .expect("appendDimension");

    assert_eq!(replies.len(), 1, "one reply per request");
}

#[tokio::test]
async fn a_refusal_for_quota_is_retried_with_back_off_then_reported_with_the_tries() {
    let standin = StandIn::start(&["--spreadsheet-id", "s1", "--reads-per-minute-per-user", "0"]);
    let sheets = client(&standin, quick_backoff(2));

    let err = sheets.time_zone("s1").await.unwrap_err();

    match &err {
        GoogleError::Api {
            status, message, ..
        } => {
            assert_eq!(*status, 429);
            assert!(message.contains("tried 3 times"), "{message}");
        }
        other => panic!("not an API error: {other}"),
    }
    let stats = sheetsync_server::google::http::send(
        "GET",
        &Url::parse(&format!("{}/__standin/stats", standin.url)).unwrap(),
        &[],
        None,
    )
    .await
    .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&stats.body).unwrap();
    assert_eq!(stats["byStatus"]["429"], json!(3), "{stats}");
}

#[tokio::test]
async fn a_spreadsheet_not_shared_with_the_account_is_refused_by_name() {
    let standin = StandIn::start(&["--spreadsheet-id", "s1", "--unshared"]);
    let sheets = client(&standin, quick_backoff(2));

    let err = sheets.time_zone("s1").await.unwrap_err().to_string();

    assert!(err.contains("spreadsheets.get s1 answered 403"), "{err}");
    assert!(err.contains("tried 1 time)"), "403 is not retried: {err}");
}

#[tokio::test]
async fn a_key_file_other_users_can_read_is_refused_and_no_message_shows_the_key() {
    use std::os::unix::fs::PermissionsExt;
    let standin = StandIn::start(&["--spreadsheet-id", "s1"]);
    let text = std::fs::read_to_string(&standin.key_file).unwrap();
    let private_key: serde_json::Value = serde_json::from_str(&text).unwrap();
    let secret = private_key["private_key"].as_str().unwrap();
    let secret_line = secret.lines().nth(1).unwrap();
    let open = standin.key_file.with_extension("open.json");
    std::fs::write(&open, &text).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();

    let refused = ServiceAccountKey::load(&open).unwrap_err().to_string();
    let loaded = ServiceAccountKey::load(&standin.key_file).unwrap();
    std::fs::write(&open, text.replace("BEGIN PRIVATE KEY", "BEGIN KEY")).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o600)).unwrap();
    let broken = ServiceAccountKey::load(&open).unwrap_err().to_string();
    std::fs::remove_file(&open).unwrap();

    assert!(
        refused.contains("mode 644") && refused.contains("chmod 600"),
        "{refused}"
    );
    assert!(broken.contains("PRIVATE KEY"), "{broken}");
    let shown = format!("{loaded:?}");
    assert!(shown.contains("(hidden)"), "{shown}");
    for message in [&refused, &broken, &shown] {
        assert!(!message.contains(secret_line), "the key leaked: {message}");
    }
}

backend_tests! {
    async fn metrics_report_how_close_each_sheets_api_budget_is(ctx) {
        let budgets = Arc::new(Budgets::new(QuotaLimits::default()));
        ctx.instance.state.metrics.google_quota.set(budgets.clone()).unwrap();
        let standin = StandIn::start(&["--spreadsheet-id", "s1"]);
        let key = ServiceAccountKey::load(&standin.key_file).unwrap();
        let account = key.client_email.clone();
        let sheets = SheetsClient::new(
            Url::parse(&standin.url).unwrap(),
            TokenSource::new(key),
            quick_backoff(0),
            budgets,
        );
        sheets.time_zone("s1").await.unwrap();
        sheets.time_zone("s1").await.unwrap();

        let (_, body) = ctx.get("/metrics", None).await;
        let text = body.as_str().expect("text");

        assert!(text.contains("sheetsync_google_quota_used{kind=\"read\",scope=\"project\"} 2"), "{text}");
        assert!(text.contains(&format!(
            "sheetsync_google_quota_used{{kind=\"read\",scope=\"user\",account=\"{account}\"}} 2"
        )), "{text}");
        assert!(text.contains("sheetsync_google_quota_limit{kind=\"write\",scope=\"project\"} 300"), "{text}");
    }
}
