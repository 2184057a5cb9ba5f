//! One Google API call, shared by the Sheets and Drive clients: the call is counted against
//! its quota budget first, carries the service account's bearer token, is retried with
//! back-off on 429 and 5xx, and is signed in afresh once on 401.

use std::sync::Arc;

use serde_json::Value as J;
use url::Url;

use super::auth::TokenSource;
use super::backoff::{retryable, Backoff};
use super::budget::{Budgets, CallKind};
use super::{http, GoogleError};

/// Signs, budgets and retries calls for one service account.
#[derive(Debug)]
pub struct ApiCaller {
    tokens: TokenSource,
    backoff: Backoff,
    budgets: Arc<Budgets>,
}

impl ApiCaller {
    /// A caller for `tokens`' account, retrying as `backoff` says, within `budgets`.
    pub fn new(tokens: TokenSource, backoff: Backoff, budgets: Arc<Budgets>) -> ApiCaller {
        ApiCaller {
            tokens,
            backoff,
            budgets,
        }
    }

    /// The service account's email.
    pub fn account(&self) -> &str {
        self.tokens.account()
    }

    /// Calls `url` for API method `method` about `what` (a spreadsheet, a channel), counted as
    /// `kind`. Answers the JSON body, or `null` for an empty one (`channels.stop`'s 204).
    pub async fn call(
        &self,
        method: &'static str,
        what: &str,
        kind: CallKind,
        http_method: &str,
        url: Url,
        body: Option<J>,
    ) -> Result<J, GoogleError> {
        let body = body.map(|b| b.to_string().into_bytes());
        let mut tries = 0u32;
        let mut signed_in_again = false;
        loop {
            tries += 1;
            self.budgets.take(kind, self.tokens.account()).await;
            let token = self.tokens.token().await?;
            let bearer = format!("Bearer {token}");
            let answer = http::send(
                http_method,
                &url,
                &[("authorization", &bearer), ("accept", "application/json")],
                body.as_ref().map(|b| ("application/json", b.clone())),
            )
            .await?;
            if answer.status == 200 || answer.status == 204 {
                if answer.body.iter().all(u8::is_ascii_whitespace) {
                    return Ok(J::Null);
                }
                return serde_json::from_slice(&answer.body).map_err(|e| GoogleError::BadAnswer {
                    method,
                    reason: e.to_string(),
                });
            }
            if answer.status == 401 && !signed_in_again {
                signed_in_again = true;
                self.tokens.forget().await;
                continue;
            }
            if retryable(answer.status) && tries <= self.backoff.retries {
                tracing::warn!(
                    method,
                    status = answer.status,
                    tries,
                    "Google asked to back off"
                );
                tokio::time::sleep(self.backoff.wait(tries - 1)).await;
                continue;
            }
            let message = serde_json::from_slice::<J>(&answer.body)
                .ok()
                .and_then(|b| b["error"]["message"].as_str().map(str::to_string))
                .unwrap_or_else(|| "(no message)".into());
            return Err(GoogleError::Api {
                method,
                what: what.to_string(),
                status: answer.status,
                message: format!(
                    "{message} (tried {tries} time{})",
                    if tries == 1 { "" } else { "s" }
                ),
            });
        }
    }
}
