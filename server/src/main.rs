//! The sheetsync server binary; see `sheetsync-server --help`.

use std::io::IsTerminal;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                "sheetsync_server=info,tower_http=warn,rustls_acme=info".into()
            }),
        )
        .with_writer(std::io::stderr)
        // Colour codes only help a person at a terminal; in a file or a pipe they are noise.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    std::process::exit(sheetsync_server::cli::main().await);
}
