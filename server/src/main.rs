//! The sheetsync server binary; see `sheetsync-server --help`.

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "sheetsync_server=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    std::process::exit(sheetsync_server::cli::main().await);
}
