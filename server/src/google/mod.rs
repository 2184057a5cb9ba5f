//! The Google client of server mode: a service account signs in ([`key`], [`auth`]) and reads
//! and writes spreadsheets through the Sheets API v4 ([`sheets`]), backing off on 429 and 5xx
//! answers ([`backoff`]) and keeping within Google's per-minute quotas ([`budget`]), all in one
//! caller ([`call`]) that the Drive client of push notifications ([`drive`]) shares.
//!
//! It is deliberately small: RS256 with `ring`, HTTP/1.1 with `hyper` over `tokio-rustls`,
//! all of which the server already links for its own TLS and HTTP. docs/server-mode.md gives
//! the measured cost against `yup-oauth2` + `google-sheets4`.
//!
//! The service account's private key never leaves [`key::ServiceAccountKey`]: its `Debug`
//! shows only the account's email, and no error message quotes the key, the signed assertion
//! or an access token.

pub mod auth;
pub mod backoff;
pub mod budget;
pub mod call;
pub mod drive;
pub mod grid;
pub mod http;
pub mod key;
pub mod sheets;

/// Why a call to Google failed; each says what and where, never a secret.
#[derive(Debug, thiserror::Error)]
pub enum GoogleError {
    /// The key file is missing, unreadable, too open, or not a service-account key.
    #[error("{0}")]
    Key(String),
    /// The network call failed (no answer, TLS, a broken connection).
    #[error("cannot reach {url}: {reason}")]
    Transport {
        /// The address, without query.
        url: String,
        /// Why.
        reason: String,
    },
    /// The token endpoint refused to sign in.
    #[error("signing in as {account} at {token_uri} failed: {reason}")]
    Auth {
        /// The service account's email.
        account: String,
        /// The token endpoint.
        token_uri: String,
        /// Google's error and its description.
        reason: String,
    },
    /// The API answered with an error status (after retries, for 429 and 5xx).
    #[error("{method} {what} answered {status}: {message}")]
    Api {
        /// The API method (`spreadsheets.values.batchGet`, ...).
        method: &'static str,
        /// The spreadsheet or range it was about.
        what: String,
        /// The HTTP status.
        status: u16,
        /// Google's message, and how many times it was tried.
        message: String,
    },
    /// The API answered something this client cannot read.
    #[error("{method} answered a body that cannot be read: {reason}")]
    BadAnswer {
        /// The API method.
        method: &'static str,
        /// Why.
        reason: String,
    },
}
