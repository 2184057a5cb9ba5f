//! Server mode's loop: the server syncs its bindings itself through the Sheets API, with no
//! add-on running.
//!
//! A supervisor per instance ([`ServerMode`]) takes the leases of bindings nobody holds (or
//! whose holder stopped renewing), renews its own every third of a lease, and runs one task
//! per binding it holds ([`task`]); a binding paused, removed or taken over loses its task at
//! the next renewal, and a new or resumed one is picked up at the next claim. On shutdown the
//! tasks stop between rounds and the leases are released, so another instance takes over at
//! once. A task runs rounds ([`round`]) through the core's round state machine, reading and
//! writing the sheet ([`sheet_io`]) in the spreadsheet's zone ([`zone`]), re-reading the rows
//! it is about to write so a person's edit made meanwhile is left for the next round
//! ([`reread`]), and reports what it did ([`status`]) for `GET /v1/bindings/{id}`. With a
//! notification address configured, each task also keeps a Drive push-notification channel
//! on its spreadsheet ([`drive_watch`]), whose notifications wake it as a poke does.

pub mod drive_watch;
pub mod reread;
pub mod round;
pub mod sheet_io;
pub mod status;
pub mod task;
pub mod zone;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sheetsync_core::plan::PlanOptions;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

use crate::bindings::lease::{self, Lease};
use crate::bindings::{self, BindingError};
use crate::db::now_ms;
use crate::google::auth::{TokenSource, DRIVE_METADATA_SCOPE, SHEETS_SCOPE};
use crate::google::backoff::Backoff;
use crate::google::budget::{Budgets, QuotaLimits};
use crate::google::drive::DriveClient;
use crate::google::key::ServiceAccountKey;
use crate::google::sheets::SheetsClient;
use crate::google::GoogleError;
use crate::http::AppState;

pub use round::Step;
use task::Ended;

/// How server mode runs (`serve --google-key …` and its companions).
#[derive(Clone, Debug)]
pub struct Settings {
    /// The service account's JSON key file.
    pub key_file: PathBuf,
    /// The Sheets API's base address.
    pub api_url: Url,
    /// The token endpoint, instead of the key file's `token_uri`.
    pub token_url: Option<String>,
    /// How often each sheet is read with no poke.
    pub safety_poll: Duration,
    /// How long a burst of database changes is gathered into one round.
    pub coalesce: Duration,
    /// How long a lease holds unless renewed.
    pub lease: Duration,
    /// This instance's name, unique among the instances sharing the database.
    pub instance: String,
    /// The first wait after a failed round.
    pub retry_first: Duration,
    /// The longest wait after failed rounds.
    pub retry_ceiling: Duration,
    /// Retries of one API call on 429 and 5xx.
    pub api_backoff: Backoff,
    /// Google's per-minute quotas.
    pub quota: QuotaLimits,
    /// The mass-delete guard.
    pub plan_options: PlanOptions,
    /// Stop every round at this point, as a server killed there (tests only).
    pub stop_at: Option<Step>,
    /// Where Drive sends push notifications (this server's `/v1/drive/notifications`, public
    /// https); `None`: no channels, the sheet is read on pokes and the safety poll only.
    pub drive_notify_url: Option<Url>,
    /// The Drive API's base address.
    pub drive_api_url: Url,
    /// The channel lifetime asked for (Drive caps a file's channel at a day).
    pub drive_channel: Duration,
}

impl Settings {
    /// The defaults for a key file: Google's API, a safety poll every 5 minutes, bursts of
    /// 200 ms, 30-second leases, this host's name and process id as the instance.
    pub fn new(key_file: PathBuf) -> Settings {
        Settings {
            key_file,
            api_url: Url::parse(crate::google::sheets::GOOGLE_SHEETS_API).expect("a valid address"),
            token_url: None,
            safety_poll: Duration::from_secs(300),
            coalesce: Duration::from_millis(200),
            lease: Duration::from_secs(30),
            instance: default_instance_name(),
            retry_first: Duration::from_secs(1),
            retry_ceiling: Duration::from_secs(300),
            api_backoff: Backoff::default(),
            quota: QuotaLimits::default(),
            plan_options: PlanOptions::default(),
            stop_at: None,
            drive_notify_url: None,
            drive_api_url: Url::parse(crate::google::drive::GOOGLE_DRIVE_API)
                .expect("a valid address"),
            drive_channel: Duration::from_secs(86_400),
        }
    }
}

/// `host-pid`, unique among instances on different hosts or processes.
pub fn default_instance_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "sheetsync".into());
    format!("{host}-{}", std::process::id())
}

/// What the supervisor and its tasks share.
#[derive(Debug)]
pub struct Shared {
    /// The server's state (database, catalog, feed signal, metrics).
    pub state: AppState,
    /// The settings.
    pub settings: Settings,
    /// The Sheets client.
    pub sheets: SheetsClient,
    /// The Drive client, when push notifications are on.
    pub drive: Option<DriveClient>,
    /// The bindings' statuses and pokes (the same registry the routes read).
    pub registry: Arc<status::Registry>,
    /// Set by a task whose round stopped at a test's step: the instance stops as if killed.
    pub halted: AtomicBool,
}

/// A running server mode; [`ServerMode::shutdown`] stops it and releases its leases.
#[derive(Debug)]
pub struct ServerMode {
    stop: watch::Sender<bool>,
    supervisor: JoinHandle<()>,
}

impl ServerMode {
    /// Loads the key and starts the supervisor over `state`.
    pub fn start(state: &AppState, settings: Settings) -> Result<ServerMode, GoogleError> {
        let mut key = ServiceAccountKey::load(&settings.key_file)?;
        if let Some(url) = &settings.token_url {
            key.token_uri = url.clone();
        }
        // One budget per process: a server mode started again keeps counting the same minute.
        let budgets = state
            .metrics
            .google_quota
            .get_or_init(|| Arc::new(Budgets::new(settings.quota.clone())))
            .clone();
        // The Drive scope is asked for only when channels are to be opened.
        let scopes: &[&str] = match settings.drive_notify_url {
            Some(_) => &[SHEETS_SCOPE, DRIVE_METADATA_SCOPE],
            None => &[SHEETS_SCOPE],
        };
        let sheets = SheetsClient::new(
            settings.api_url.clone(),
            TokenSource::with_scopes(key, scopes),
            settings.api_backoff.clone(),
            budgets,
        );
        let drive = settings
            .drive_notify_url
            .as_ref()
            .map(|_| DriveClient::new(settings.drive_api_url.clone(), sheets.caller()));
        tracing::info!(
            instance = %settings.instance,
            account = %sheets.account(),
            "server mode: syncing bindings"
        );
        let shared = Arc::new(Shared {
            state: state.clone(),
            registry: state.bindings.clone(),
            settings,
            sheets,
            drive,
            halted: AtomicBool::new(false),
        });
        let (stop, stopped) = watch::channel(false);
        let supervisor = tokio::spawn(supervise(shared, stopped));
        Ok(ServerMode { stop, supervisor })
    }

    /// Stops every task between rounds and releases the leases.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.supervisor.await;
    }

    /// Whether the supervisor stopped by itself (a round halted at a test's step).
    pub fn halted(&self) -> bool {
        self.supervisor.is_finished()
    }
}

struct Running {
    lease: Lease,
    stop: watch::Sender<bool>,
    task: JoinHandle<Ended>,
}

async fn supervise(shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let db = &shared.state.db;
    let ttl_ms = shared.settings.lease.as_millis() as i64;
    let beat = (shared.settings.lease / 3).max(Duration::from_millis(100));
    let mut running: HashMap<i64, Running> = HashMap::new();
    let mut wake_requests = shared.state.clock.subscribe_bindings();
    loop {
        // A task that halted stands for a killed server: stop everything, release nothing.
        if shared.halted.load(Ordering::SeqCst) {
            for (_, r) in running.drain() {
                r.task.abort();
            }
            return;
        }
        if let Err(e) = keep(&shared, &mut running, ttl_ms).await {
            tracing::warn!(error = %e, "server mode: renewing or claiming leases failed");
        }
        tokio::select! {
            _ = stopped.changed() => break,
            _ = tokio::time::sleep(beat) => {}
            // A poke or an answer that reached another instance, for a binding held here.
            changed = wake_requests.changed() => {
                if changed.is_ok() {
                    wake_requested(&shared).await;
                }
            }
        }
        if *stopped.borrow() {
            break;
        }
    }
    for (id, r) in running.drain() {
        let _ = r.stop.send(true);
        let _ = r.task.await;
        if let Err(e) = lease::release(db, &r.lease).await {
            tracing::warn!(binding = id, error = %e, "releasing a lease failed");
        }
        shared.registry.unregister(id);
    }
}

/// Wakes the tasks of the bindings held here that another instance was asked to wake.
async fn wake_requested(shared: &Shared) {
    match bindings::wake::take_requested(&shared.state.db, &shared.settings.instance).await {
        Ok(ids) => {
            for id in ids {
                shared.registry.poke(id);
            }
        }
        Err(e) => tracing::warn!(error = %e, "server mode: reading wake-up requests failed"),
    }
}

/// Renews the leases held, stops the tasks of bindings lost, and claims free ones.
async fn keep(
    shared: &Arc<Shared>,
    running: &mut HashMap<i64, Running>,
    ttl_ms: i64,
) -> Result<(), BindingError> {
    let db = &shared.state.db;
    let ids: Vec<i64> = running.keys().copied().collect();
    for id in ids {
        let Some(r) = running.get_mut(&id) else {
            continue;
        };
        let held =
            !r.task.is_finished() && lease::renew(db, &mut r.lease, now_ms(), ttl_ms).await?;
        if !held {
            if let Some(r) = running.remove(&id) {
                let _ = r.stop.send(true);
                let _ = r.task.await;
            }
            shared.registry.unregister(id);
        }
    }
    for lease in lease::claim(db, &shared.settings.instance, now_ms(), ttl_ms, usize::MAX).await? {
        let id = lease.binding_id;
        if let Some(old) = running.remove(&id) {
            let _ = old.stop.send(true);
            let _ = old.task.await;
        }
        let binding = match bindings::get(db, id).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(binding = id, error = %e, "reading a binding failed");
                lease::release(db, &lease).await?;
                continue;
            }
        };
        let poke = shared.registry.register(id);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(task::run(
            shared.clone(),
            binding,
            lease.clone(),
            poke,
            stopped,
        ));
        tracing::info!(
            binding = id,
            epoch = lease.epoch,
            "server mode: took a binding"
        );
        running.insert(id, Running { lease, stop, task });
    }
    Ok(())
}
