//! A service account's JSON key file, as Google's console downloads it.
//!
//! The key signs in as the account, so a key file that other users of the machine can read is
//! refused: only its owner may read it (mode 0600 or 0400).

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde::Deserialize;

use super::GoogleError;

/// A loaded service-account key: the account's email, its token endpoint and its private key.
pub struct ServiceAccountKey {
    /// The account's email (`…@….iam.gserviceaccount.com`), which the sheet is shared with.
    pub client_email: String,
    /// Where to exchange a signed assertion for an access token.
    pub token_uri: String,
    key_pair: RsaKeyPair,
}

impl std::fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("token_uri", &self.token_uri)
            .field("private_key", &"(hidden)")
            .finish()
    }
}

#[derive(Deserialize)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: Option<String>,
    private_key: Option<String>,
    token_uri: Option<String>,
}

impl ServiceAccountKey {
    /// Reads and checks the key file at `path`.
    pub fn load(path: &Path) -> Result<ServiceAccountKey, GoogleError> {
        let shown = path.display();
        let meta = std::fs::metadata(path)
            .map_err(|e| GoogleError::Key(format!("cannot read the key file {shown}: {e}")))?;
        refuse_open_permissions(path, &meta)?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| GoogleError::Key(format!("cannot read the key file {shown}: {e}")))?;
        ServiceAccountKey::parse(&text)
            .map_err(|reason| GoogleError::Key(format!("the key file {shown} {reason}")))
    }

    /// Reads a key file's text; the error completes "the key file … ".
    fn parse(text: &str) -> Result<ServiceAccountKey, String> {
        // serde's message could quote the file, and so the key: say only where it broke.
        let file: KeyFile = serde_json::from_str(text).map_err(|e| {
            format!(
                "is not a JSON key file (line {}, column {})",
                e.line(),
                e.column()
            )
        })?;
        if let Some(kind) = file.kind.as_deref().filter(|k| *k != "service_account") {
            return Err(format!(
                "is a {kind:?} credential; server mode needs a service account's key \
                 (\"type\": \"service_account\")"
            ));
        }
        let field = |v: Option<String>, name: &str| {
            v.filter(|s| !s.is_empty())
                .ok_or_else(|| format!("has no {name}"))
        };
        let client_email = field(file.client_email, "client_email")?;
        let token_uri = field(file.token_uri, "token_uri")?;
        let pem = field(file.private_key, "private_key")?;
        let der = pkcs8_der(&pem)?;
        let key_pair = RsaKeyPair::from_pkcs8(&der)
            .map_err(|e| format!("has a private_key that is not an RSA PKCS#8 key ({e})"))?;
        Ok(ServiceAccountKey {
            client_email,
            token_uri,
            key_pair,
        })
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 and SHA-256 (JWT's RS256).
    pub fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, GoogleError> {
        let mut signature = vec![0; self.key_pair.public().modulus_len()];
        self.key_pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| {
                GoogleError::Key("signing with the service account's key failed".into())
            })?;
        Ok(signature)
    }
}

/// The DER bytes of a `-----BEGIN PRIVATE KEY-----` block.
fn pkcs8_der(pem: &str) -> Result<Vec<u8>, String> {
    let body = pem
        .split("-----BEGIN PRIVATE KEY-----")
        .nth(1)
        .and_then(|rest| rest.split("-----END PRIVATE KEY-----").next())
        .ok_or("has a private_key without a PEM \"PRIVATE KEY\" block")?;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD
        .decode(b64)
        .map_err(|_| "has a private_key whose PEM block is not base64".to_string())
}

#[cfg(unix)]
fn refuse_open_permissions(path: &Path, meta: &std::fs::Metadata) -> Result<(), GoogleError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(GoogleError::Key(format!(
            "the key file {} can be read by other users (mode {mode:03o}): it signs in as the \
             service account, so make it readable by its owner only (chmod 600 {})",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_open_permissions(_: &Path, _: &std::fs::Metadata) -> Result<(), GoogleError> {
    Ok(())
}
