//! A minimal HTTPS/1.1 client for tests that must see the certificate a real listener serves:
//! it trusts only the roots it is given, sends the SNI it is told, and connects to loopback
//! whatever the name says.

use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The roots in a PEM text.
pub fn roots_of(pem: &str) -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(cert.expect("pem")).expect("root");
    }
    roots
}

/// One request over HTTPS to 127.0.0.1:`port`, sending `sni` as the name; returns the raw
/// response (status line, headers and body as sent). `head` holds extra header lines, each
/// ending in CRLF.
pub async fn https_request(
    port: u16,
    sni: &str,
    roots: &rustls::RootCertStore,
    request_line: &str,
    head: &str,
    body: &[u8],
) -> Result<Vec<u8>, String> {
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots.clone())
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| e.to_string())?;
    let name = ServerName::try_from(sni.to_string()).map_err(|e| e.to_string())?;
    let mut tls = connector
        .connect(name, tcp)
        .await
        .map_err(|e| e.to_string())?;
    let request = format!(
        "{request_line} HTTP/1.1\r\nHost: {sni}\r\nConnection: close\r\n{head}Content-Length: {}\r\n\r\n",
        body.len()
    );
    tls.write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    // A proxy refusing a large body may answer and close before reading it all.
    // The flush matters: write_all returns once rustls holds the last bytes, which may not
    // have reached the socket yet, and a proxy still waiting for them never answers.
    let _ = tls.write_all(body).await;
    let _ = tls.flush().await;
    let mut raw = Vec::new();
    // A peer that closes without close_notify is fine here: the body has arrived.
    let _ = tls.read_to_end(&mut raw).await;
    if raw.is_empty() {
        return Err("the connection closed without an answer".into());
    }
    Ok(raw)
}

/// GETs `path`; returns the response's text.
pub async fn https_get(
    port: u16,
    sni: &str,
    roots: &rustls::RootCertStore,
    path: &str,
) -> Result<String, String> {
    let raw = https_request(port, sni, roots, &format!("GET {path}"), "", b"").await?;
    Ok(String::from_utf8_lossy(&raw).into_owned())
}

/// A response split into its status code and its body (chunked bodies joined).
pub fn status_and_body(raw: &[u8]) -> (u16, Vec<u8>) {
    let text_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..text_end]).to_ascii_lowercase();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head}"));
    let mut body = &raw[text_end + 4..];
    if !head.contains("transfer-encoding: chunked") {
        return (status, body.to_vec());
    }
    let mut joined = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
            .expect("a chunk size");
        if size == 0 {
            return (status, joined);
        }
        joined.extend_from_slice(&body[line_end + 2..line_end + 2 + size]);
        body = &body[line_end + 2 + size + 2..];
    }
}
