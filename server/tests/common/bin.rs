//! Runs the real `sheetsync-server` binary as a person would: stdout and stderr are pipes (not
//! terminals), the environment names no database, and logs are at info level.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_sheetsync-server");

/// What one run of the binary printed and how it ended.
pub struct Run {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with `args` in the test's working directory.
pub fn run(args: &[&str]) -> Run {
    run_in(None, args)
}

/// Runs the binary with `args`, in `dir` when given.
pub fn run_in(dir: Option<&Path>, args: &[&str]) -> Run {
    run_with_env(dir, &[], args)
}

/// Runs the binary with `args` and the environment variables `env` set, in `dir` when given.
pub fn run_with_env(dir: Option<&Path>, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command.envs(env.iter().copied());
    let Output {
        status,
        stdout,
        stderr,
    } = command
        .args(args)
        .env_remove("SHEETSYNC_DATABASE_URL")
        .env_remove("SHEETSYNC_LISTEN")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .output()
        .expect("run sheetsync-server");
    Run {
        status,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// [`run`] off the async runtime's threads.
pub async fn run_async(args: Vec<String>) -> Run {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&args)
    })
    .await
    .expect("join")
}

/// The one `error:` line of a failed run; fails the test unless there is exactly one.
pub fn the_error(run: &Run) -> &str {
    assert!(!run.status.success(), "succeeded: {}", run.stdout);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "not one error line:\n{}", run.stderr);
    errors[0]
}

/// A loopback port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Removes the SQLite database file at `path` with its journal files, where they exist.
pub fn remove_sqlite(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// A path in the temporary folder that no other test uses.
pub fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "sstest_cli_{}_{name}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    ))
}
