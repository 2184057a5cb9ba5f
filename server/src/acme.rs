//! Automatic HTTPS (`serve --domain`): certificates obtained and renewed over ACME (Let's
//! Encrypt by default) with `rustls-acme`, kept in a directory so a restart reuses them.
//!
//! The challenge is tls-alpn-01, answered on the HTTPS port itself: nothing but that one port
//! (443 on the public address) has to be reachable, and no HTTP listener is needed. The TLS
//! listener is an [`axum::serve::Listener`], so serving, graceful shutdown and everything else
//! stay the same as for plain HTTP.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use rustls_acme::caches::DirCache;
use rustls_acme::AcmeConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::compat::Compat;

/// Let's Encrypt's production directory, the default.
pub const LETS_ENCRYPT: &str = rustls_acme::acme::LETS_ENCRYPT_PRODUCTION_DIRECTORY;

/// Where and how to get certificates.
#[derive(Clone, Debug)]
pub struct AcmeSettings {
    /// The names the certificate is for (each must resolve to this server).
    pub domains: Vec<String>,
    /// Contacts the CA may write to about the account (e.g. `mailto:ops@example.com`).
    pub contact: Vec<String>,
    /// Where the account key and certificates are kept.
    pub dir: PathBuf,
    /// The ACME directory URL.
    pub directory_url: String,
    /// An extra root certificate (PEM) trusted for the ACME directory's own HTTPS only, for a
    /// private or test CA such as pebble; the system is never told to trust it.
    pub directory_ca: Option<PathBuf>,
}

/// A TLS stream over an accepted TCP connection.
type TlsIo = Compat<rustls_acme::futures_rustls::server::TlsStream<Compat<TcpStream>>>;

/// The TLS connections accepted on the HTTPS port; ACME validation connections and failed
/// handshakes are handled inside and never reach the router.
pub struct AcmeListener {
    incoming: Pin<Box<dyn Stream<Item = io::Result<TlsIo>> + Send>>,
    local: SocketAddr,
}

impl std::fmt::Debug for AcmeListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcmeListener")
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

/// Why ACME serving could not start.
#[derive(Debug, thiserror::Error)]
pub enum AcmeError {
    /// The certificate directory cannot be made.
    #[error("cannot use {path} for certificates: {source}")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The extra root certificate cannot be read.
    #[error("cannot read the ACME directory's CA certificate {path}: {reason}")]
    DirectoryCa {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The TLS client for the directory cannot be built.
    #[error("cannot set up TLS for the ACME directory: {0}")]
    Tls(String),
}

impl AcmeListener {
    /// Serves TLS on `tcp`, obtaining (and later renewing) a certificate for `settings`.
    pub fn bind(tcp: TcpListener, settings: &AcmeSettings) -> Result<AcmeListener, AcmeError> {
        let local = tcp
            .local_addr()
            .map_err(|e| AcmeError::Tls(e.to_string()))?;
        std::fs::create_dir_all(&settings.dir).map_err(|source| AcmeError::Dir {
            path: settings.dir.clone(),
            source,
        })?;
        let config = AcmeConfig::new(&settings.domains)
            .client_tls_config(client_config(settings.directory_ca.as_ref())?)
            .contact(&settings.contact)
            .cache(DirCache::new(settings.dir.clone()))
            .directory(&settings.directory_url);
        let tcp_incoming = futures_util::stream::unfold(tcp, |tcp| async move {
            let accepted = tcp.accept().await.map(|(stream, _)| stream);
            Some((accepted, tcp))
        });
        let incoming = config.tokio_incoming(
            Box::pin(tcp_incoming),
            vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        );
        Ok(AcmeListener {
            incoming: Box::pin(incoming),
            local,
        })
    }
}

impl axum::serve::Listener for AcmeListener {
    type Io = TlsIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.incoming.next().await {
                Some(Ok(io)) => {
                    let peer = io.get_ref().get_ref().0.get_ref().peer_addr();
                    return (io, peer.unwrap_or(self.local));
                }
                // Accept errors (too many open files, …) pass; wait a moment, as axum does.
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                None => std::future::pending::<()>().await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// The TLS client used to talk to the ACME directory: the public web roots, plus `extra` when
/// given.
fn client_config(extra: Option<&PathBuf>) -> Result<Arc<rustls::ClientConfig>, AcmeError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = extra {
        let bad = |reason: String| AcmeError::DirectoryCa {
            path: path.clone(),
            reason,
        };
        let mut added = 0;
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(e.to_string()))? {
            let cert = cert.map_err(|e| bad(e.to_string()))?;
            roots.add(cert).map_err(|e| bad(e.to_string()))?;
            added += 1;
        }
        if added == 0 {
            return Err(bad("it holds no PEM certificate".to_string()));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| AcmeError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
