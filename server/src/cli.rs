//! The command line: `serve` (the default), `init` that makes a working set-up in one go, the
//! `token` and `table` subcommands that manage access and change capture, and `binding` for
//! server-mode bindings ([`crate::binding_cli`]). Every flag can also come from the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::db::catalog::{read_table, CatalogError};
use crate::db::{Db, OpenSettings};
use crate::init::{Demo, InitPlan, InitReport, TokenOutcome};
use crate::{init, tables, tokens, Instance, Options, APPS_SCRIPT_ORIGIN};

/// The database used when none is named: `sheetsync.sqlite` in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://sheetsync.sqlite?mode=rwc";

/// The address `serve` listens on when none is named.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// sheetsync server: a change feed and compare-and-set pushes over your SQL database.
#[derive(Debug, Parser)]
#[command(name = "sheetsync-server", version)]
pub struct Cli {
    /// Database URL: mysql://, mariadb://, postgres:// or sqlite://.
    #[arg(
        long,
        env = "SHEETSYNC_DATABASE_URL",
        default_value = DEFAULT_DATABASE_URL,
        global = true
    )]
    pub database_url: String,
    /// Seconds the first database connection may take before the command gives up.
    #[arg(
        long,
        env = "SHEETSYNC_CONNECT_TIMEOUT",
        default_value_t = 5,
        global = true
    )]
    pub connect_timeout: u64,
    /// Options of `serve`, which runs when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
// Parsed once at start: the size of `serve`'s options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default).
    Serve(ServeArgs),
    /// Make a working set-up: open or create the database, enable tables, ensure a token.
    Init(InitArgs),
    /// Create, list and revoke access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Enable, disable and list synced tables.
    #[command(subcommand)]
    Table(TableCommand),
    /// Server-mode bindings: sheets the server syncs itself through the Sheets API.
    #[command(subcommand)]
    Binding(crate::binding_cli::BindingCommand),
}

/// Options of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SHEETSYNC_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Tables to enable for sync at start (comma-separated); tables enabled earlier stay enabled.
    #[arg(long, env = "SHEETSYNC_TABLES", value_delimiter = ',')]
    pub tables: Vec<String>,
    /// Allowed CORS origins (repeat or comma-separate); one `*` may stand for a host-name part.
    #[arg(long, env = "SHEETSYNC_CORS_ORIGIN", value_delimiter = ',', default_value = APPS_SCRIPT_ORIGIN)]
    pub cors_origin: Vec<String>,
    /// Serve HTTPS for this domain (repeat or comma-separate for more), with a certificate
    /// obtained and renewed over ACME; the domain must resolve to this server and the CA must
    /// reach --listen on port 443.
    #[arg(
        long,
        env = "SHEETSYNC_DOMAIN",
        value_delimiter = ',',
        conflicts_with = "tls_cert"
    )]
    pub domain: Vec<String>,
    /// Contact for the ACME account, e.g. mailto:ops@example.com (repeatable).
    #[arg(
        long,
        env = "SHEETSYNC_ACME_CONTACT",
        value_delimiter = ',',
        requires = "domain"
    )]
    pub acme_contact: Vec<String>,
    /// Directory that keeps the ACME account key and certificates between runs.
    #[arg(long, env = "SHEETSYNC_ACME_DIR", default_value = "sheetsync-acme")]
    pub acme_dir: PathBuf,
    /// ACME directory URL (default: Let's Encrypt; its staging directory is
    /// https://acme-staging-v02.api.letsencrypt.org/directory).
    #[arg(long, env = "SHEETSYNC_ACME_DIRECTORY_URL", default_value = crate::acme::LETS_ENCRYPT)]
    pub acme_directory_url: String,
    /// Extra root certificate (PEM) trusted only for the ACME directory's own HTTPS, for a
    /// private or test CA.
    #[arg(long, env = "SHEETSYNC_ACME_DIRECTORY_CA", requires = "domain")]
    pub acme_directory_ca: Option<PathBuf>,
    /// PEM certificate chain, to serve HTTPS.
    #[arg(long, env = "SHEETSYNC_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key, to serve HTTPS.
    #[arg(long, env = "SHEETSYNC_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Keep change-log entries at least this many hours.
    #[arg(long, env = "SHEETSYNC_RETAIN_HOURS", default_value_t = 168)]
    pub retain_hours: u64,
    /// Always keep at least this many newest change-log entries.
    #[arg(long, env = "SHEETSYNC_RETAIN_MIN", default_value_t = 10_000)]
    pub retain_min: i64,
    /// Longest long-poll, in seconds.
    #[arg(long, env = "SHEETSYNC_MAX_WAIT", default_value_t = 25)]
    pub max_wait: u64,
    /// Largest request body accepted, in bytes (a larger one is answered 413).
    #[arg(long, env = "SHEETSYNC_BODY_LIMIT", default_value_t = crate::http::BODY_LIMIT)]
    pub body_limit: usize,
    /// Largest number of database connections.
    #[arg(long, env = "SHEETSYNC_MAX_CONNECTIONS", default_value_t = 20)]
    pub max_connections: u32,
    /// Server mode: a service account's JSON key file (mode 0600); with it the server syncs
    /// the bindings (`binding create`) itself through the Sheets API.
    #[arg(long, env = "SHEETSYNC_GOOGLE_KEY")]
    pub google_key: Option<PathBuf>,
    /// The Sheets API's address (for a stand-in).
    #[arg(long, env = "SHEETSYNC_GOOGLE_API_URL", default_value = crate::google::sheets::GOOGLE_SHEETS_API)]
    pub google_api_url: url::Url,
    /// The token endpoint, instead of the key file's token_uri (for a stand-in).
    #[arg(long, env = "SHEETSYNC_GOOGLE_TOKEN_URL")]
    pub google_token_url: Option<String>,
    /// Server mode: read each bound sheet at least this often, in seconds, for edits no poke
    /// announced.
    #[arg(long, env = "SHEETSYNC_SAFETY_POLL_SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub safety_poll_seconds: u64,
    /// Server mode: gather a burst of database changes this long into one round.
    #[arg(long, env = "SHEETSYNC_COALESCE_MS", default_value_t = 200)]
    pub coalesce_ms: u64,
    /// Server mode, for benchmarks and tests only: the window of the Sheets API quota budgets,
    /// in ms, instead of Google's minute (a stand-in whose minute is as short runs hours of
    /// quota in minutes). Hidden: against Google it would overrun the quota.
    #[arg(long, env = "SHEETSYNC_GOOGLE_QUOTA_WINDOW_MS", hide = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub google_quota_window_ms: Option<u64>,
    /// Server mode: how long a binding's lease holds unless renewed, in seconds.
    #[arg(long, env = "SHEETSYNC_LEASE_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub lease_seconds: u64,
    /// Server mode: this instance's name, unique among instances sharing the database
    /// (default: host name and process id).
    #[arg(long, env = "SHEETSYNC_INSTANCE_NAME")]
    pub instance_name: Option<String>,
    /// Server mode: this server's public https address of `/v1/drive/notifications`; with it
    /// each binding's spreadsheet gets a Drive push-notification channel, and an edit is read
    /// within seconds with no poke.
    #[arg(long, env = "SHEETSYNC_DRIVE_NOTIFY_URL")]
    pub drive_notify_url: Option<url::Url>,
    /// The Drive API's address (for a stand-in).
    #[arg(long, env = "SHEETSYNC_DRIVE_API_URL", default_value = crate::google::drive::GOOGLE_DRIVE_API)]
    pub drive_api_url: url::Url,
    /// Server mode: the lifetime asked for each Drive channel, in seconds (Drive allows a
    /// file's channel a day at most); a channel is renewed when a tenth of it is left.
    #[arg(long, env = "SHEETSYNC_DRIVE_CHANNEL_SECONDS", default_value_t = 86_400, value_parser = clap::value_parser!(u64).range(60..=86_400))]
    pub drive_channel_seconds: u64,
}

/// Checks `--drive-notify-url`: Drive delivers to https addresses only (with a certificate a
/// public authority signed); plain http is let through for a loopback address, where only a
/// local stand-in can deliver.
pub fn check_drive_notify_url(url: &url::Url) -> Result<(), String> {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        other => Err(format!(
            "--drive-notify-url {url}: Drive delivers notifications to https addresses only, \
             not {other} (plain http is accepted for a loopback stand-in)"
        )),
    }
}

/// Options of `init`. Running it again is safe: see [`crate::init`].
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Create a small demo table `people` (SQLite only) and enable it.
    #[arg(long)]
    pub demo: bool,
    /// Tables to enable for sync (comma-separated).
    #[arg(long, value_delimiter = ',', required_unless_present = "demo")]
    pub tables: Vec<String>,
    /// Name of the set-up's read-write token; a live token of this name is reused.
    #[arg(long, default_value = "sheetsync")]
    pub token_name: String,
    /// Revoke the live tokens of that name and create a new one (to see a secret again).
    #[arg(long)]
    pub new_token: bool,
    /// The address `serve` will listen on (for the URL printed).
    #[arg(long, env = "SHEETSYNC_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
}

/// `token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print its secret (shown only this once).
    Create {
        /// A name to recognise the token by.
        #[arg(long)]
        name: String,
        /// Tables it may use, comma-separated, or `*` for all.
        #[arg(long, value_delimiter = ',', required = true)]
        tables: Vec<String>,
        /// Allow pushes (default: read only).
        #[arg(long)]
        write: bool,
        /// Accept table names that do not exist (yet) in the database.
        #[arg(long)]
        allow_missing: bool,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id.
    Revoke {
        /// The token's id, from `token list`.
        id: i64,
    },
}

/// `table` subcommands.
#[derive(Debug, Subcommand)]
pub enum TableCommand {
    /// Enable sync for a table: check it and install its change-capture triggers.
    Enable {
        /// The table's name.
        name: String,
    },
    /// Disable sync for a table: remove its triggers.
    Disable {
        /// The table's name.
        name: String,
    },
    /// List the tables known to sheetsync.
    List,
}

/// Runs the command line; returns the process exit code.
pub async fn main() -> i32 {
    let cli = Cli::parse();
    let serve = matches!(cli.command, None | Some(Command::Serve(_)));
    let db = match Db::open_with(&cli.database_url, &open_settings(&cli)).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if serve {
        tracing::info!(database = %db.target, "database opened");
    } else {
        // Say which database a command changes: the default one is relative to the working
        // directory.
        eprintln!("database: {}", db.target);
    }
    let result = match cli.command {
        None => serve_command(db, cli.serve).await,
        Some(Command::Serve(args)) => serve_command(db, args).await,
        Some(Command::Init(args)) => init_command(&db, &cli.database_url, args).await,
        Some(Command::Token(t)) => token_command(&db, t).await,
        Some(Command::Table(t)) => table_command(&db, t).await,
        Some(Command::Binding(b)) => crate::binding_cli::run(&db, b).await,
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// `serve` and `init` may create a new SQLite database, and `serve` waits longer for
/// connections under load; the other commands only open an existing one, and give up as soon
/// as connecting fails.
fn open_settings(cli: &Cli) -> OpenSettings {
    let connect_timeout = Duration::from_secs(cli.connect_timeout.max(1));
    let serving = |max_connections| OpenSettings {
        connect_timeout,
        ..OpenSettings::serving(max_connections)
    };
    match &cli.command {
        Some(Command::Serve(a)) => serving(a.max_connections),
        None => serving(cli.serve.max_connections),
        Some(Command::Init(_)) => OpenSettings {
            acquire_timeout: connect_timeout,
            ..serving(2)
        },
        Some(_) => OpenSettings {
            max_connections: 2,
            connect_timeout,
            acquire_timeout: connect_timeout,
            create_sqlite_file: false,
        },
    }
}

type CmdResult = Result<(), Box<dyn std::error::Error>>;

/// Server mode's settings from `serve`'s options, with the service account's key file `key`.
fn server_mode_settings(args: &ServeArgs, key: PathBuf) -> crate::server_mode::Settings {
    let mut settings = crate::server_mode::Settings::new(key);
    settings.api_url = args.google_api_url.clone();
    settings.token_url = args.google_token_url.clone();
    settings.safety_poll = Duration::from_secs(args.safety_poll_seconds);
    settings.coalesce = Duration::from_millis(args.coalesce_ms);
    settings.lease = Duration::from_secs(args.lease_seconds);
    if let Some(ms) = args.google_quota_window_ms {
        settings.quota.window = Duration::from_millis(ms);
    }
    if let Some(name) = &args.instance_name {
        settings.instance = name.clone();
    }
    settings.drive_notify_url = args.drive_notify_url.clone();
    settings.drive_api_url = args.drive_api_url.clone();
    settings.drive_channel = Duration::from_secs(args.drive_channel_seconds);
    settings
}

async fn serve_command(db: Db, args: ServeArgs) -> CmdResult {
    let options = Options {
        enable_tables: args.tables.clone(),
        cors_origins: args.cors_origin.clone(),
        max_wait: Duration::from_secs(args.max_wait.max(1)),
        retain: Duration::from_secs(args.retain_hours * 3600),
        retain_min: args.retain_min,
        body_limit: args.body_limit,
        ..Options::default()
    };
    let instance = Instance::start(db.clone(), &options).await?;
    if instance.state.catalog.all().await.is_empty() {
        tracing::warn!(
            "no tables are enabled: run `sheetsync-server table enable <name>` (or pass --tables)"
        );
    }
    if tokens::list(&db)
        .await?
        .iter()
        .all(|t| t.revoked_at_ms.is_some())
    {
        tracing::warn!(
            "no access tokens exist: run `sheetsync-server token create --name <who> --tables <t> [--write]`"
        );
    }
    let server_mode = match &args.google_key {
        Some(key) => {
            if let Some(url) = &args.drive_notify_url {
                check_drive_notify_url(url)?;
                if !url.path().ends_with("/v1/drive/notifications") {
                    tracing::warn!(
                        %url,
                        "--drive-notify-url does not end in /v1/drive/notifications: Drive's \
                         notifications reach this server only if a proxy maps it there"
                    );
                }
            }
            Some(crate::server_mode::ServerMode::start(
                &instance.state,
                server_mode_settings(&args, key.clone()),
            )?)
        }
        // Checked here rather than by clap: these options sit at the top level (serve is the
        // default command) and read the environment, so a shell configured for server mode
        // must still be able to run `binding create` or `token list`.
        None if args.google_token_url.is_some()
            || args.google_api_url.as_str().trim_end_matches('/')
                != crate::google::sheets::GOOGLE_SHEETS_API =>
        {
            return Err(
                "--google-api-url and --google-token-url (or SHEETSYNC_GOOGLE_API_URL and \
                 SHEETSYNC_GOOGLE_TOKEN_URL) are for server mode and need --google-key"
                    .into(),
            );
        }
        None if args.drive_notify_url.is_some()
            || args.drive_api_url.as_str().trim_end_matches('/')
                != crate::google::drive::GOOGLE_DRIVE_API =>
        {
            return Err(
                "--drive-notify-url and --drive-api-url (or SHEETSYNC_DRIVE_NOTIFY_URL and \
                 SHEETSYNC_DRIVE_API_URL) are for server mode and need --google-key"
                    .into(),
            );
        }
        None => None,
    };
    let router = instance.router();
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await?;
            let listener = listen(args.listen).await?.into_std()?;
            let handle = axum_server::Handle::new();
            let h = handle.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                h.graceful_shutdown(Some(Duration::from_secs(30)));
            });
            tracing::info!(addr = %args.listen, "serving HTTPS");
            axum_server::from_tcp_rustls(listener, config)
                .handle(handle)
                .serve(router.into_make_service())
                .await?;
        }
        _ if !args.domain.is_empty() => {
            let settings = crate::acme::AcmeSettings {
                domains: args.domain.clone(),
                contact: args.acme_contact.clone(),
                dir: args.acme_dir.clone(),
                directory_url: args.acme_directory_url.clone(),
                directory_ca: args.acme_directory_ca.clone(),
            };
            let listener = crate::acme::AcmeListener::bind(listen(args.listen).await?, &settings)?;
            tracing::info!(
                addr = %args.listen,
                domains = %args.domain.join(","),
                certificates = %args.acme_dir.display(),
                "serving HTTPS; certificates come from {}",
                args.acme_directory_url
            );
            crate::run(listener, router, shutdown_signal()).await?;
        }
        _ => {
            let listener = listen(args.listen).await?;
            tracing::info!(addr = %args.listen, "serving HTTP");
            crate::run(listener, router, shutdown_signal()).await?;
        }
    }
    if let Some(server_mode) = server_mode {
        server_mode.shutdown().await;
    }
    drop(instance);
    Ok(())
}

/// Binds `addr`, naming it when that fails (most often: another process listens there).
async fn listen(addr: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("cannot listen on {addr}: the address is already in use (another process, perhaps another sheetsync-server, listens there; choose another with --listen)")
        } else {
            format!("cannot listen on {addr}: {e}")
        }
    })
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down; finishing requests in flight");
}

async fn init_command(db: &Db, database_url: &str, args: InitArgs) -> CmdResult {
    let plan = InitPlan {
        demo: args.demo,
        tables: args.tables,
        token_name: args.token_name,
        new_token: args.new_token,
    };
    let report = init::init(db, &plan).await?;
    print_init_report(db, database_url, args.listen, &report);
    Ok(())
}

/// Says what `init` did and what to do next, with the commands to type.
fn print_init_report(db: &Db, database_url: &str, listen: SocketAddr, report: &InitReport) {
    match report.demo {
        Demo::NotAsked => {}
        Demo::Created(n) => println!("demo table {:?} created with {n} rows", init::DEMO_TABLE),
        Demo::Existed => println!(
            "demo table {:?} exists already; left as it is",
            init::DEMO_TABLE
        ),
    }
    for t in &report.enabled {
        println!("table {t:?} enabled; changes are captured");
    }
    let token_shown = match &report.token {
        TokenOutcome::Created {
            id,
            secret,
            revoked,
        } => {
            for old in revoked {
                println!("token {old} revoked");
            }
            println!("token {id} created (read-write); its secret is shown only now:");
            println!("{secret}");
            secret.clone()
        }
        TokenOutcome::Reused { id } => {
            println!(
                "token {id} exists already and covers these tables; it is kept. Its secret was \
                 shown when it was created and is not stored: use that one, or run init again \
                 with --new-token to replace it"
            );
            "<your token>".to_string()
        }
    };
    let url = format!("http://{listen}");
    println!("server URL: {url}");
    let mut serve = String::from("sheetsync-server");
    if database_url != DEFAULT_DATABASE_URL {
        match &db.target {
            crate::db::Target::SqliteFile(_) | crate::db::Target::SqliteMemory => {
                serve.push_str(&format!(" --database-url '{database_url}'"));
            }
            // The URL may hold a password: name the option, not its value.
            target => serve.push_str(&format!(
                " --database-url URL (the URL given to init, {target})"
            )),
        }
    }
    serve.push_str(" serve");
    if listen.to_string() != DEFAULT_LISTEN {
        serve.push_str(&format!(" --listen {listen}"));
    }
    println!("next:");
    println!("  1. start the server: {serve}");
    println!(
        "  2. try the add-on without a Google account: scripts/playground --server-url {url} --token {token_shown}"
    );
    println!(
        "  3. for a Google Sheet, serve at a public https address (serve --domain, docs/install.md) \
         and make the add-on for it: scripts/addon-project https://sync.example.com"
    );
}

async fn token_command(db: &Db, cmd: TokenCommand) -> CmdResult {
    match cmd {
        TokenCommand::Create {
            name,
            tables,
            write,
            allow_missing,
        } => {
            if !allow_missing {
                refuse_missing_tables(db, &tables).await?;
            }
            let (id, secret) = tokens::create(db, &name, &tables, write).await?;
            println!("token {id} ({name}) created; its secret is shown only now:");
            println!("{secret}");
        }
        TokenCommand::List => {
            println!(
                "{:>4}  {:<20} {:<6} {:<8} tables",
                "id", "name", "access", "state"
            );
            for t in tokens::list(db).await? {
                let tables = t
                    .grant
                    .tables
                    .map_or_else(|| "*".to_string(), |t| t.join(","));
                println!(
                    "{:>4}  {:<20} {:<6} {:<8} {}",
                    t.grant.id,
                    t.grant.name,
                    if t.grant.can_write { "write" } else { "read" },
                    if t.revoked_at_ms.is_some() {
                        "revoked"
                    } else {
                        "live"
                    },
                    tables
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if tokens::revoke(db, id).await? {
                println!("token {id} revoked");
            } else {
                return Err(format!("no live token has id {id}").into());
            }
        }
    }
    Ok(())
}

/// Refuses a grant naming tables the database does not have: such a token would be denied
/// every request, and a typo would otherwise pass unnoticed.
async fn refuse_missing_tables(db: &Db, tables: &[String]) -> CmdResult {
    let mut missing = Vec::new();
    for table in tables.iter().filter(|t| t.as_str() != "*") {
        match read_table(db, table, 0).await {
            Err(CatalogError::NoTable(_)) => missing.push(format!("{table:?}")),
            Err(CatalogError::Db(e)) => return Err(e.into()),
            Err(CatalogError::BadName(e)) => return Err(e.into()),
            // It exists, even if it cannot be synced as it is: `table enable` says why.
            Err(_) | Ok(_) => {}
        }
    }
    match missing.len() {
        0 => Ok(()),
        1 => Err(format!(
            "there is no table {} in {}: create it first, fix the name, or pass --allow-missing",
            missing[0], db.target
        )
        .into()),
        _ => Err(format!(
            "there are no tables {} in {}: create them first, fix the names, or pass --allow-missing",
            missing.join(", "),
            db.target
        )
        .into()),
    }
}

async fn table_command(db: &Db, cmd: TableCommand) -> CmdResult {
    match cmd {
        TableCommand::Enable { name } => {
            let info = tables::enable(db, &name).await?;
            println!(
                "table {name:?} enabled: {} columns, key {:?}; changes are now captured",
                info.schema.columns.len(),
                info.key_column().name
            );
        }
        TableCommand::Disable { name } => {
            if tables::disable(db, &name).await? {
                println!("table {name:?} disabled; its triggers are removed");
            } else {
                return Err(format!("table {name:?} was never enabled").into());
            }
        }
        TableCommand::List => {
            for t in tables::list(db).await? {
                println!(
                    "{:<30} {}",
                    t.name,
                    if t.enabled { "enabled" } else { "disabled" }
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve_args(extra: &[&str]) -> Result<ServeArgs, clap::Error> {
        let argv = ["sheetsync-server", "serve", "--google-key", "sa.json"];
        let cli = Cli::try_parse_from(argv.iter().chain(extra))?;
        match cli.command {
            Some(Command::Serve(args)) => Ok(args),
            other => panic!("parsed as {other:?}, not serve"),
        }
    }

    #[test]
    fn the_quota_window_is_googles_minute_unless_a_benchmark_shortens_it() {
        let key = PathBuf::from("sa.json");
        let plain = server_mode_settings(&serve_args(&[]).unwrap(), key.clone());
        assert_eq!(plain.quota.window, Duration::from_secs(60));
        let args = serve_args(&["--google-quota-window-ms", "3000"]).unwrap();
        let short = server_mode_settings(&args, key);
        assert_eq!(short.quota.window, Duration::from_secs(3));
        assert_eq!(
            short.quota.reads_per_user, plain.quota.reads_per_user,
            "only the window changes"
        );
        let zero = serve_args(&["--google-quota-window-ms", "0"]).unwrap_err();
        assert!(
            zero.to_string().contains("--google-quota-window-ms"),
            "{zero}"
        );
    }

    #[test]
    fn the_drive_notification_address_must_be_https_unless_loopback() {
        let ok = |u: &str| check_drive_notify_url(&url::Url::parse(u).unwrap());
        assert!(ok("https://sync.example.com/v1/drive/notifications").is_ok());
        assert!(ok("http://127.0.0.1:8080/v1/drive/notifications").is_ok());
        assert!(ok("http://localhost:8080/v1/drive/notifications").is_ok());
        assert!(ok("http://[::1]:8080/v1/drive/notifications").is_ok());
        let refused = ok("http://sync.example.com/v1/drive/notifications").unwrap_err();
        assert!(refused.contains("https addresses only"), "{refused}");
        assert!(ok("ftp://sync.example.com/x").is_err());
    }
}
