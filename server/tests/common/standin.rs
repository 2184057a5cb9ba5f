//! The Sheets API stand-in (tests/emulator/sheets-standin.js) as a child process: it writes a
//! test service account's key file (mode 0600, token_uri = the stand-in) and serves the
//! spreadsheets asked for until dropped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value as J;

/// A running stand-in.
pub struct StandIn {
    child: Child,
    /// The API's base address (`http://127.0.0.1:port`).
    pub url: String,
    /// The service account's key file.
    pub key_file: PathBuf,
    /// The spreadsheets it serves.
    pub spreadsheet_ids: Vec<String>,
}

impl StandIn {
    /// Starts the stand-in with `args` (besides the key file), and waits until it listens.
    pub fn start(args: &[&str]) -> StandIn {
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/emulator/sheets-standin.js");
        let key_file = std::env::temp_dir().join(format!(
            "sstest_sa_{}_{}.json",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        let mut child = Command::new("node")
            .arg(&script)
            .arg("--write-key-file")
            .arg(&key_file)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the Sheets API stand-in with node");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the stand-in's first line");
        let info: J = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the stand-in printed {line:?}, not its addresses: {e}"));
        StandIn {
            child,
            url: info["url"].as_str().expect("url").to_string(),
            key_file,
            spreadsheet_ids: info["spreadsheetIds"]
                .as_array()
                .expect("spreadsheetIds")
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect(),
        }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.key_file);
    }
}
