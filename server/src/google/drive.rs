//! The Drive API v3 calls behind push notifications: `files.watch` opens a channel on which
//! Drive POSTs a notification to our address whenever the file (a spreadsheet) changes, and
//! `channels.stop` closes it. They go through the same signed, budgeted, retried caller as the
//! Sheets calls, on Drive's own budget.

use std::sync::Arc;

use serde_json::{json, Value as J};
use url::Url;

use super::budget::CallKind;
use super::call::ApiCaller;
use super::GoogleError;

/// `https://www.googleapis.com`, where the Drive API lives.
pub const GOOGLE_DRIVE_API: &str = "https://www.googleapis.com";

/// A channel Drive opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedChannel {
    /// Drive's id of the watched file, which `channels.stop` needs.
    pub resource_id: String,
    /// When Drive stops sending (ms since the epoch): what was asked, or Drive's cap.
    pub expires_at_ms: i64,
}

/// A Drive client sharing a Sheets client's account, token and budgets.
#[derive(Debug)]
pub struct DriveClient {
    base: Url,
    caller: Arc<ApiCaller>,
}

impl DriveClient {
    /// A client for the Drive API at `base` (Google's, or a stand-in's).
    pub fn new(base: Url, caller: Arc<ApiCaller>) -> DriveClient {
        DriveClient { base, caller }
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Opens channel `channel_id` on file `file_id` (`files.watch`, type `web_hook`): Drive
    /// POSTs to `address` with `secret` as `X-Goog-Channel-Token` until `expires_at_ms`.
    pub async fn watch(
        &self,
        file_id: &str,
        channel_id: &str,
        address: &Url,
        secret: &str,
        expires_at_ms: i64,
    ) -> Result<OpenedChannel, GoogleError> {
        const METHOD: &str = "drive.files.watch";
        let url = self.url(&["drive", "v3", "files", file_id, "watch"]);
        let body = json!({
            "id": channel_id,
            "type": "web_hook",
            "address": address.as_str(),
            "token": secret,
            "expiration": expires_at_ms.to_string(),
        });
        let answer = self
            .caller
            .call(METHOD, file_id, CallKind::Drive, "POST", url, Some(body))
            .await?;
        let bad = |reason: String| GoogleError::BadAnswer {
            method: METHOD,
            reason,
        };
        let resource_id = answer["resourceId"]
            .as_str()
            .filter(|r| !r.is_empty())
            .ok_or_else(|| bad(format!("the channel on {file_id} has no resourceId")))?
            .to_string();
        // Drive sends the expiry as a string of ms, and caps it at a day for files.
        let expires_at_ms = match &answer["expiration"] {
            J::String(t) => t.parse::<i64>().ok(),
            J::Number(n) => n.as_i64(),
            _ => None,
        }
        .ok_or_else(|| {
            bad(format!(
                "the channel on {file_id} has no expiration in ms, but {}",
                answer["expiration"]
            ))
        })?;
        Ok(OpenedChannel {
            resource_id,
            expires_at_ms,
        })
    }

    /// Stops channel `channel_id` on `resource_id` (`channels.stop`).
    pub async fn stop(&self, channel_id: &str, resource_id: &str) -> Result<(), GoogleError> {
        const METHOD: &str = "drive.channels.stop";
        let url = self.url(&["drive", "v3", "channels", "stop"]);
        let body = json!({ "id": channel_id, "resourceId": resource_id });
        self.caller
            .call(METHOD, channel_id, CallKind::Drive, "POST", url, Some(body))
            .await
            .map(|_| ())
    }
}
