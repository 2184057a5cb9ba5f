//! One HTTPS (or, for a local stand-in, HTTP) request over HTTP/1.1: hyper's client
//! connection over a tokio TCP stream, wrapped in rustls with the webpki roots for https.
//!
//! Each request opens its own connection. That keeps the client free of a pool to manage and
//! is cheap next to the Sheets API's own latency; a pooled client is the step to take when
//! measurements say the TLS handshakes matter.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;
use url::Url;

use super::GoogleError;

/// An answer: its status and body.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Bytes,
}

/// How long one request may take, connecting included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

fn tls() -> TlsConnector {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Arc::new(config)
    });
    TlsConnector::from(config.clone())
}

/// Sends one request. `url`'s query is never put in an error message (it may carry nothing
/// secret today, but a message is no place to find out).
pub async fn send(
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    body: Option<(&str, Vec<u8>)>,
) -> Result<Answer, GoogleError> {
    let shown = format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.path()
    );
    tokio::time::timeout(REQUEST_TIMEOUT, exchange(method, url, headers, body))
        .await
        .map_err(|_| GoogleError::Transport {
            url: shown.clone(),
            reason: format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()),
        })?
        .map_err(|reason| GoogleError::Transport { url: shown, reason })
}

async fn exchange(
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    body: Option<(&str, Vec<u8>)>,
) -> Result<Answer, String> {
    let host = url.host_str().ok_or("the address has no host")?.to_string();
    let https = match url.scheme() {
        "https" => true,
        "http" => false,
        other => return Err(format!("unsupported scheme {other:?}")),
    };
    let port = url
        .port_or_known_default()
        .ok_or("the address has no port")?;
    let tcp = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| e.to_string())?;
    let _ = tcp.set_nodelay(true);
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let authority = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", authority)
        .header(
            "user-agent",
            concat!("sheetsync/", env!("CARGO_PKG_VERSION")),
        );
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let payload = match body {
        Some((content_type, bytes)) => {
            request = request.header("content-type", content_type);
            Full::new(Bytes::from(bytes))
        }
        None => Full::new(Bytes::new()),
    };
    let request = request.body(payload).map_err(|e| e.to_string())?;
    if https {
        let name = ServerName::try_from(host.clone()).map_err(|e| e.to_string())?;
        let stream = tls()
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS: {e}"))?;
        round_trip(TokioIo::new(stream), request).await
    } else {
        round_trip(TokioIo::new(tcp), request).await
    }
}

async fn round_trip<S>(io: S, request: Request<Full<Bytes>>) -> Result<Answer, String>
where
    S: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| e.to_string())?;
    let driver = tokio::spawn(connection);
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    driver.abort();
    Ok(Answer { status, body })
}
