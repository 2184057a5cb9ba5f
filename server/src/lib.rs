//! # sheetsync-server
//!
//! The thin server between the add-on and the user's database. It keeps no state of its own:
//! everything lives in the database, so any number of instances can serve one database.
//!
//! The model, in the order a change travels:
//!
//! - **Change capture** ([`db::triggers`]): every synced table gets INSERT/UPDATE/DELETE
//!   triggers, generated from the schema the server read from the catalog ([`db::catalog`]).
//!   They append each change, by any writer, to `sheetsync_changes` with the full new row
//!   image, and record the log id as the row's version in `sheetsync_row_versions`.
//! - **Sequencing** ([`feed`]): a sequencer stamps committed log entries with feed positions
//!   in commit order under a database lock, so the feed never skips a change although
//!   transactions commit out of order. A poller per instance runs it every few milliseconds
//!   and wakes waiting long-polls through a `watch` channel; from the same row it reads the
//!   version of the set of enabled tables, so a table enabled by any process is served at once.
//! - **Reading** ([`rows`], [`feed`]): key-ordered snapshot pages with the feed position they
//!   are consistent with, then changes after that position.
//! - **Writing** ([`push`]): a batch is one transaction; each row is compare-and-set on its
//!   version under a savepoint, so a stale or refused row changes nothing and the rest
//!   applies; the answer is stored under the batch id so a retry applies nothing twice.
//! - **History** ([`history`]): a row's change-log entries, and the sheet values conflict
//!   policies overrode, which the add-on reports; pruned with the log.
//! - **Access** ([`tokens`], [`tables`]): bearer tokens scoped to tables and to read or
//!   read-write; tables are enabled with the binary's own subcommands, or all at once with
//!   [`init`], which also creates the database, a demo table and the set-up's token.
//! - **Server mode** ([`bindings`]): sheets the server syncs itself through the Sheets API,
//!   each with its round state in the database and a lease so instances share them; an
//!   owner's Drive push-notification channels are recorded there too, so a notification
//!   reaching any instance wakes the owner.
//!
//! [`app`] builds the router (tests drive it without a socket) and [`run`] serves it until a
//! shutdown signal, finishing requests in flight, over plain TCP or over TLS with certificates
//! obtained and renewed over ACME ([`acme`]).

pub mod acme;
pub mod binding_cli;
pub mod bindings;
pub mod cli;
pub mod db;
pub mod feed;
pub mod google;
pub mod history;
pub mod http;
pub mod init;
pub mod key_order;
pub mod metrics;
pub mod push;
pub mod reject;
pub mod rows;
pub mod server_mode;
pub mod tables;
pub mod tokens;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

pub use http::{app, AppState};

use crate::db::Db;
use crate::feed::FeedClock;
use crate::metrics::Metrics;
use crate::tables::Catalog;

/// The default CORS origin: the Apps Script sidebar iframes.
pub const APPS_SCRIPT_ORIGIN: &str = "https://*-script.googleusercontent.com";

/// How a server instance behaves, apart from where it listens.
#[derive(Clone, Debug)]
pub struct Options {
    /// Tables to enable at start (each is checked and gets its triggers).
    pub enable_tables: Vec<String>,
    /// Allowed CORS origins.
    pub cors_origins: Vec<String>,
    /// Longest long-poll.
    pub max_wait: Duration,
    /// How often the sequencer runs.
    pub poll_every: Duration,
    /// Longest time the sequencer's scheduled runs skip their check for unstamped entries
    /// while a push of this instance is open (see `feed::open_pushes`).
    pub open_push_bound: Duration,
    /// How often schemas are re-read and the log compacted.
    pub maintain_every: Duration,
    /// Log entries younger than this are kept.
    pub retain: Duration,
    /// At least this many newest log entries are kept.
    pub retain_min: i64,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            enable_tables: Vec::new(),
            cors_origins: vec![APPS_SCRIPT_ORIGIN.to_string()],
            max_wait: Duration::from_secs(25),
            poll_every: Duration::from_millis(25),
            open_push_bound: feed::open_pushes::OPEN_PUSH_BOUND,
            maintain_every: Duration::from_secs(30),
            retain: Duration::from_secs(7 * 24 * 3600),
            retain_min: 10_000,
            body_limit: http::BODY_LIMIT,
        }
    }
}

/// A prepared server instance: its state and its background tasks (sequencer poller, schema
/// refresh and compaction), which stop when the instance is dropped.
#[derive(Debug)]
pub struct Instance {
    /// The state the router serves.
    pub state: AppState,
    stop: watch::Sender<bool>,
}

impl Instance {
    /// Enables the configured tables, reads the catalog, and starts the background tasks.
    pub async fn start(db: Db, options: &Options) -> Result<Instance, tables::TableError> {
        for t in &options.enable_tables {
            tables::enable(&db, t).await?;
        }
        // The tables version is read before the catalog, so a table enabled in between shows
        // up as a change and is read at once.
        let clock = FeedClock::with_push_bound(options.open_push_bound);
        feed::tick(&db, &clock).await?;
        let tables_changed = clock.subscribe_tables();
        let catalog = Catalog::default();
        catalog.refresh(&db).await?;
        let state = AppState {
            db: db.clone(),
            catalog: catalog.clone(),
            clock: clock.clone(),
            reads: Arc::default(),
            metrics: Arc::new(Metrics::default()),
            max_wait: options.max_wait,
            cors_origins: Arc::new(options.cors_origins.clone()),
            body_limit: options.body_limit,
            bindings: Arc::default(),
        };
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(feed::run_poller(
            db.clone(),
            clock,
            options.poll_every,
            stopped.clone(),
        ));
        tokio::spawn(maintain(
            db,
            catalog,
            tables_changed,
            options.clone(),
            stopped,
        ));
        Ok(Instance { state, stop })
    }

    /// The router over this instance's state.
    pub fn router(&self) -> axum::Router {
        app(self.state.clone())
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Re-reads the catalog at once when the set of enabled tables changes (the poller sees it),
/// and every `maintain_every` anyway (a column may change without anyone enabling anything);
/// compacts the log on the slow beat.
async fn maintain(
    db: Db,
    catalog: Catalog,
    mut tables_changed: watch::Receiver<i64>,
    options: Options,
    mut stop: watch::Receiver<bool>,
) {
    let mut interval = tokio::time::interval(options.maintain_every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        let slow_beat = tokio::select! {
            _ = interval.tick() => true,
            changed = tables_changed.changed() => {
                if changed.is_err() {
                    return;
                }
                false
            }
            _ = stop.changed() => return,
        };
        if let Err(e) = catalog.refresh(&db).await {
            tracing::warn!(error = %e, "re-reading table schemas failed");
        }
        if !slow_beat {
            continue;
        }
        let retain_ms = options.retain.as_millis() as i64;
        match feed::compact(&db, retain_ms, options.retain_min).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "compacted the change log"),
            Err(e) => tracing::warn!(error = %e, "compacting the change log failed"),
        }
    }
}

/// Serves `router` on `listener` (plain TCP, or TLS with [`acme::AcmeListener`]) until
/// `shutdown` resolves, then lets requests in flight finish.
pub async fn run<L>(
    listener: L,
    router: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
