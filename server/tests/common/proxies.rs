//! The reverse proxies of docs/server.md's recipes, run as their own non-daemon processes with
//! their own configuration and state in a test's folder, on loopback ports: nginx behind a
//! certificate from a CA the test makes, Caddy behind one from its own local CA. Each recipe is
//! read from the docs and only its domain, ports and certificate paths are substituted.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::process::{free_port, wait_for_port, Killed};
use super::tls_client::{https_get, roots_of};

pub const DOMAIN: &str = "sync.sheetsync.test";
const DOCS: &str = include_str!("../../../docs/server.md");

/// The code block of docs/server.md whose first line is `first_line`.
pub fn recipe(first_line: &str) -> String {
    let start = DOCS
        .find(&format!("```\n{first_line}\n"))
        .unwrap_or_else(|| panic!("docs/server.md has no code block opening with {first_line}"))
        + 4;
    let end = start + DOCS[start..].find("```").expect("the code block ends");
    DOCS[start..end].to_string()
}

/// `text` with `from` replaced by `to`; fails when the recipe no longer holds `from`, so a
/// changed recipe is noticed here rather than tested half-substituted.
pub fn substitute(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "the recipe no longer holds {from:?}:\n{text}"
    );
    text.replace(from, to)
}

/// Runs `program`, failing with the way to install it when it is missing.
pub fn spawn(program: &str, args: &[&str], envs: &[(&str, &Path)], log: &Path) -> Killed {
    let log = std::fs::File::create(log).expect("log file");
    let child = Command::new(program)
        .args(args)
        .envs(envs.iter().map(|(k, v)| (*k, *v)))
        .env("RUST_LOG", "sheetsync_server=info")
        .env_remove("SHEETSYNC_DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}); install it with scripts/ensure-tools")
        });
    Killed(child)
}

/// A CA and a certificate for [`DOMAIN`] signed by it, written to `dir`; returns the paths of
/// the certificate and key, and the CA's PEM (the only root the client trusts).
pub fn self_signed_certificate(dir: &Path) -> (PathBuf, PathBuf, String) {
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let key = rcgen::KeyPair::generate().expect("key");
    let params = rcgen::CertificateParams::new(vec![DOMAIN.to_string()]).expect("params");
    let cert = params.signed_by(&key, &ca, &ca_key).expect("cert");
    let (cert_path, key_path) = (dir.join("fullchain.pem"), dir.join("privkey.pem"));
    std::fs::write(&cert_path, cert.pem()).expect("write");
    std::fs::write(&key_path, key.serialize_pem()).expect("write");
    (cert_path, key_path, ca.pem())
}

/// nginx's recipe for a proxy on `proxy_port` in front of the server on `server_port`, inside
/// the minimum main context a non-daemon nginx with its own prefix needs.
pub fn nginx_config(
    dir: &Path,
    proxy_port: u16,
    server_port: u16,
    cert: &Path,
    key: &Path,
) -> String {
    let site = recipe("# nginx, with a certificate from certbot");
    let site = substitute(
        &site,
        "/etc/letsencrypt/live/sync.example.com/fullchain.pem",
        cert.to_str().unwrap(),
    );
    let site = substitute(
        &site,
        "/etc/letsencrypt/live/sync.example.com/privkey.pem",
        key.to_str().unwrap(),
    );
    let site = substitute(&site, "sync.example.com", DOMAIN);
    let site = substitute(
        &site,
        "listen 443 ssl",
        &format!("listen 127.0.0.1:{proxy_port} ssl"),
    );
    let site = substitute(&site, "127.0.0.1:8080", &format!("127.0.0.1:{server_port}"));
    let d = dir.display();
    format!(
        "daemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\nevents {{}}\nhttp {{\n\
         access_log {d}/access.log;\nclient_body_temp_path {d}/client_body;\n\
         proxy_temp_path {d}/proxy;\nfastcgi_temp_path {d}/fastcgi;\nuwsgi_temp_path {d}/uwsgi;\n\
         scgi_temp_path {d}/scgi;\n{site}}}\n"
    )
}

/// Debian installs nginx in /usr/sbin, which is not on every user's PATH.
fn nginx_program() -> &'static str {
    if Path::new("/usr/sbin/nginx").exists() {
        "/usr/sbin/nginx"
    } else {
        "nginx"
    }
}

/// Starts nginx with `config` in `dir`.
pub fn start_nginx(dir: &Path, config: &str, port: u16) -> Killed {
    std::fs::write(dir.join("nginx.conf"), config).expect("config");
    let log = dir.join("nginx.log");
    let nginx = spawn(
        nginx_program(),
        &[
            "-p",
            dir.to_str().unwrap(),
            "-c",
            dir.join("nginx.conf").to_str().unwrap(),
            "-e",
            dir.join("error.log").to_str().unwrap(),
        ],
        &[],
        &log,
    );
    wait_for_port(port, "nginx", &dir.join("error.log"));
    nginx
}

/// Caddy's recipe in front of the server on `server_port`, with global options that keep
/// Caddy on the loopback and its ports, its state in `dir`, and its certificate from its own
/// local CA (`local_certs`, the global form of `tls internal`), whose root is not installed
/// anywhere.
pub fn caddy_config(dir: &Path, https_port: u16, http_port: u16, server_port: u16) -> String {
    let site = recipe("# Caddyfile: Caddy gets and renews the certificate itself");
    let site = substitute(&site, "sync.example.com", DOMAIN);
    let site = substitute(&site, "127.0.0.1:8080", &format!("127.0.0.1:{server_port}"));
    format!(
        "{{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n\tdefault_bind 127.0.0.1\n\t\
         http_port {http_port}\n\thttps_port {https_port}\n\tstorage file_system {}\n}}\n{site}",
        dir.join("caddy-data").display()
    )
}

/// Starts Caddy in `dir`; returns it and the PEM of its local CA's root.
pub async fn start_caddy(dir: &Path, https_port: u16, server_port: u16) -> (Killed, String) {
    let config = caddy_config(dir, https_port, free_port(), server_port);
    std::fs::write(dir.join("Caddyfile"), config).expect("config");
    let log = dir.join("caddy.log");
    let caddy = spawn(
        "caddy",
        &[
            "run",
            "--adapter",
            "caddyfile",
            "--config",
            dir.join("Caddyfile").to_str().unwrap(),
        ],
        &[
            ("XDG_CONFIG_HOME", dir),
            ("XDG_DATA_HOME", dir),
            ("HOME", dir),
        ],
        &log,
    );
    wait_for_port(https_port, "caddy", &log);
    let root = dir.join("caddy-data/pki/authorities/local/root.crt");
    let start = Instant::now();
    while !root.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "caddy made no local CA: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let root = std::fs::read_to_string(root).expect("root");
    // Caddy issues the site's certificate after it starts listening: wait until it serves it.
    let roots = roots_of(&root);
    let start = Instant::now();
    while let Err(e) = https_get(https_port, DOMAIN, &roots, "/health").await {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "caddy served no certificate from its local CA: {e}\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (caddy, root)
}
