//! Access tokens for a service account: a JWT signed with its key (RS256; `iss` the account,
//! `scope` the Sheets scope, and Drive's read-only metadata scope when Drive push
//! notifications are on; `aud` the token endpoint, one hour at most) exchanged at the key
//! file's `token_uri` with the `jwt-bearer` grant, and kept until a minute before it expires.

use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

use super::key::ServiceAccountKey;
use super::{http, GoogleError};

/// The scope for reading and writing spreadsheets.
pub const SHEETS_SCOPE: &str = "https://www.googleapis.com/auth/spreadsheets";

/// The narrowest scope `files.watch` and `channels.stop` accept for any file shared with the
/// account: it reads files' metadata, never their content.
pub const DRIVE_METADATA_SCOPE: &str = "https://www.googleapis.com/auth/drive.metadata.readonly";

/// A token is renewed this long before Google says it expires, so no call carries one that
/// expires on its way.
const RENEW_EARLY: Duration = Duration::from_secs(60);

/// Issues and caches access tokens for one service account.
#[derive(Debug)]
pub struct TokenSource {
    key: ServiceAccountKey,
    scope: String,
    cached: Mutex<Option<(String, Instant)>>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

impl TokenSource {
    /// A token source for `key`, with the Sheets scope.
    pub fn new(key: ServiceAccountKey) -> TokenSource {
        TokenSource::with_scopes(key, &[SHEETS_SCOPE])
    }

    /// A token source for `key` asking for `scopes`.
    pub fn with_scopes(key: ServiceAccountKey, scopes: &[&str]) -> TokenSource {
        TokenSource {
            key,
            scope: scopes.join(" "),
            cached: Mutex::new(None),
        }
    }

    /// The service account's email.
    pub fn account(&self) -> &str {
        &self.key.client_email
    }

    /// A valid access token, from the cache or freshly issued.
    pub async fn token(&self) -> Result<String, GoogleError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, until)) = cached.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let (token, lifetime) = self.sign_in().await?;
        *cached = Some((
            token.clone(),
            Instant::now() + lifetime.saturating_sub(RENEW_EARLY),
        ));
        Ok(token)
    }

    /// Forgets the cached token (after the API refused it).
    pub async fn forget(&self) {
        *self.cached.lock().await = None;
    }

    /// The signed assertion, valid from `now_s` for an hour.
    pub fn assertion(&self, now_s: u64) -> Result<String, GoogleError> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let claims = serde_json::json!({
            "iss": self.key.client_email,
            "scope": self.scope,
            "aud": self.key.token_uri,
            "iat": now_s,
            "exp": now_s + 3600,
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signed = format!("{header}.{claims}");
        let signature = URL_SAFE_NO_PAD.encode(self.key.sign_rs256(signed.as_bytes())?);
        Ok(format!("{signed}.{signature}"))
    }

    async fn sign_in(&self) -> Result<(String, Duration), GoogleError> {
        let fail = |reason: String| GoogleError::Auth {
            account: self.key.client_email.clone(),
            token_uri: self.key.token_uri.clone(),
            reason,
        };
        let now_s = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| fail("the system clock is before 1970".into()))?
            .as_secs();
        let assertion = self.assertion(now_s)?;
        let url = Url::parse(&self.key.token_uri)
            .map_err(|e| fail(format!("the key file's token_uri is not a URL ({e})")))?;
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
            .append_pair("assertion", &assertion)
            .finish();
        let answer = http::send(
            "POST",
            &url,
            &[],
            Some(("application/x-www-form-urlencoded", form.into_bytes())),
        )
        .await?;
        let body: TokenAnswer = serde_json::from_slice(&answer.body).map_err(|_| {
            fail(format!(
                "the token endpoint answered {} with a body that is not a token answer",
                answer.status
            ))
        })?;
        match (answer.status, body.access_token, body.expires_in) {
            (200, Some(token), Some(expires_in)) => Ok((token, Duration::from_secs(expires_in))),
            (200, _, _) => Err(fail(
                "the answer has no access_token or no expires_in".into(),
            )),
            (status, _, _) => Err(fail(format!(
                "{status} {}: {}",
                body.error.as_deref().unwrap_or("(no error code)"),
                body.error_description
                    .as_deref()
                    .unwrap_or("(no description)")
            ))),
        }
    }
}
