//! `serve --domain` end to end against pebble, the ACME test CA (Debian's `pebble` package),
//! on loopback: the server orders a certificate, pebble validates the domain with tls-alpn-01
//! on the server's own port (the domain resolves to 127.0.0.1 through pebble-challtestsrv's
//! DNS), and the server then serves HTTPS with the certificate pebble issued. The test trusts
//! only pebble's root, so a handshake that succeeds proves who issued the certificate. The
//! server trusts pebble's API certificate through `--acme-directory-ca`, never system-wide.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::bin::{temp_path, BIN};
use common::process::{free_port, wait_for_port, Killed};
use common::tls_client::{https_get, roots_of};

const DOMAIN: &str = "sync.sheetsync.test";

fn spawn(program: &str, args: &[&str], log: &Path) -> Killed {
    let log = std::fs::File::create(log).expect("log file");
    let child = Command::new(program)
        .args(args)
        .env("PEBBLE_VA_NOSLEEP", "1")
        .env("PEBBLE_WFE_NONCEREJECT", "0")
        .env("RUST_LOG", "sheetsync_server=info,rustls_acme=info")
        .env_remove("SHEETSYNC_DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}); install it: apt-get install pebble")
        });
    Killed(child)
}

/// A CA and a certificate for 127.0.0.1 signed by it, for pebble's own HTTPS API; returns the
/// CA's PEM.
fn pebble_api_certificate(dir: &Path) -> String {
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let key = rcgen::KeyPair::generate().expect("key");
    let params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("params");
    let cert = params.signed_by(&key, &ca, &ca_key).expect("cert");
    std::fs::write(dir.join("api.pem"), cert.pem()).expect("write");
    std::fs::write(dir.join("api.key"), key.serialize_pem()).expect("write");
    std::fs::write(dir.join("api-ca.pem"), ca.pem()).expect("write");
    ca.pem()
}

/// Retries `https_get` until it succeeds or `limit` passes; returns the last error on failure.
async fn https_get_within(
    limit: Duration,
    port: u16,
    roots: &rustls::RootCertStore,
    path: &str,
) -> Result<String, String> {
    let start = Instant::now();
    loop {
        match https_get(port, DOMAIN, roots, path).await {
            Ok(text) => return Ok(text),
            Err(e) if start.elapsed() > limit => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_domain_gets_a_certificate_from_pebble_and_serves_https_with_it() {
    let dir = temp_path("acme");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let api_ca = pebble_api_certificate(&dir);
    let (dns, acme, management, server) = (free_port(), free_port(), free_port(), free_port());

    let dns_addr = format!("127.0.0.1:{dns}");
    let challtest_management = format!("127.0.0.1:{}", free_port());
    let _dns = spawn(
        "pebble-challtestsrv",
        &[
            "-dns01",
            &dns_addr,
            "-defaultIPv4",
            "127.0.0.1",
            "-defaultIPv6",
            "",
            "-http01",
            "",
            "-https01",
            "",
            "-tlsalpn01",
            "",
            "-management",
            &challtest_management,
        ],
        &dir.join("challtestsrv.log"),
    );
    // pebble validates tls-alpn-01 on `tlsPort`: the server's own port.
    let config = serde_json::json!({ "pebble": {
        "listenAddress": format!("127.0.0.1:{acme}"),
        "managementListenAddress": format!("127.0.0.1:{management}"),
        "certificate": dir.join("api.pem"),
        "privateKey": dir.join("api.key"),
        "httpPort": free_port(),
        "tlsPort": server,
        "ocspResponderURL": "",
        "externalAccountBindingRequired": false
    }});
    std::fs::write(dir.join("pebble.json"), config.to_string()).expect("config");
    let pebble_log = dir.join("pebble.log");
    let _pebble = spawn(
        "pebble",
        &[
            "-config",
            dir.join("pebble.json").to_str().unwrap(),
            "-dnsserver",
            &dns_addr,
        ],
        &pebble_log,
    );
    wait_for_port(acme, "pebble", &pebble_log);

    let db = format!("sqlite://{}?mode=rwc", dir.join("s.sqlite").display());
    let certs = dir.join("certs");
    let server_log = dir.join("server.log");
    let serve = |log: &Path| {
        spawn(
            BIN,
            &[
                "--database-url",
                &db,
                "serve",
                "--listen",
                &format!("127.0.0.1:{server}"),
                "--domain",
                DOMAIN,
                "--acme-contact",
                "mailto:ops@example.com",
                "--acme-dir",
                certs.to_str().unwrap(),
                "--acme-directory-url",
                &format!("https://127.0.0.1:{acme}/dir"),
                "--acme-directory-ca",
                dir.join("api-ca.pem").to_str().unwrap(),
            ],
            log,
        )
    };
    let first = serve(&server_log);
    wait_for_port(server, "the server", &server_log);

    // pebble makes a new root at each start; it hands it out on its management API.
    let api_roots = roots_of(&api_ca);
    let pebble_root = https_get(management, "127.0.0.1", &api_roots, "/roots/0")
        .await
        .expect("pebble's root");
    let pebble_root = &pebble_root[pebble_root.find("-----BEGIN").expect("a PEM root")..];
    let pebble_roots = roots_of(pebble_root);

    let answer = https_get_within(Duration::from_secs(60), server, &pebble_roots, "/health")
        .await
        .unwrap_or_else(|e| {
            panic!(
                "no HTTPS with a certificate from pebble: {e}\nserver:\n{}\npebble:\n{}",
                std::fs::read_to_string(&server_log).unwrap_or_default(),
                std::fs::read_to_string(&pebble_log).unwrap_or_default()
            )
        });
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // A client that trusts anything else (here: the API's CA) is refused: the certificate is
    // pebble's, not a self-made one.
    assert!(https_get(server, DOMAIN, &api_roots, "/health")
        .await
        .is_err());

    // The certificate is kept: a restart serves it at once, with the CA gone.
    drop(first);
    drop(_pebble);
    let _second = serve(&dir.join("server2.log"));
    wait_for_port(server, "the restarted server", &dir.join("server2.log"));
    let again = https_get_within(Duration::from_secs(10), server, &pebble_roots, "/health")
        .await
        .expect("the kept certificate is served after a restart");
    assert!(again.starts_with("HTTP/1.1 200"), "{again}");
    let _ = std::fs::remove_dir_all(&dir);
}
