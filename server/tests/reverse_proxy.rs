//! The reverse-proxy recipes of docs/server.md ("Behind a reverse proxy"), run as written in
//! front of the real server: the test reads each recipe's code block from the docs and
//! substitutes only the domain, the ports and the certificate paths, so the docs and what is
//! tested cannot drift apart. Each proxy (nginx, Caddy; `scripts/ensure-tools` installs both)
//! runs as a non-daemon with its own configuration and prefix in a temporary folder, on free
//! loopback ports, terminating TLS with a certificate only the test's client trusts. Through
//! it the client lists the tables with a token, waits on a long-poll that a push answers two
//! seconds later, and pushes a body over 10 MiB (nginx's default `client_max_body_size` of
//! 1 MiB would refuse it, as the last test shows).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::bin::{run_in, temp_path, BIN};
use common::process::{free_port, wait_for_port, Killed};
use common::proxies::{
    nginx_config, self_signed_certificate, spawn, start_caddy, start_nginx, DOMAIN,
};
use common::tls_client::{https_get, https_request, roots_of, status_and_body};
use serde_json::{json, Value as J};

/// A folder with the demo database and a read-write token for it, and the server over it on
/// 127.0.0.1; returns the server, its port and the token.
fn start_server(dir: &Path) -> (Killed, u16, String) {
    let init = run_in(Some(dir), &["init", "--demo"]);
    assert!(init.status.success(), "{}\n{}", init.stdout, init.stderr);
    let token = init
        .stdout
        .lines()
        .find(|l| l.starts_with("sst_"))
        .expect("init printed a token")
        .to_string();
    let port = free_port();
    let db = format!("sqlite://{}", dir.join("sheetsync.sqlite").display());
    let log = dir.join("server.log");
    let server = spawn(
        BIN,
        &[
            "--database-url",
            &db,
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ],
        &[],
        &log,
    );
    wait_for_port(port, "the server", &log);
    (server, port, token)
}

/// The client's side: one proxy on `port`, whose certificate only `roots` vouches for.
struct Through {
    port: u16,
    roots: rustls::RootCertStore,
    token: String,
}

impl Through {
    async fn call(&self, request_line: &str, body: Option<&J>) -> (u16, Vec<u8>) {
        match body {
            Some(body) => {
                let body = serde_json::to_vec(body).expect("json");
                self.call_json(request_line, &body).await
            }
            None => {
                let head = format!("Authorization: Bearer {}\r\n", self.token);
                self.send(request_line, &head, b"").await
            }
        }
    }

    /// `body`, already JSON text, sent with the token.
    async fn call_json(&self, request_line: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let head = format!(
            "Authorization: Bearer {}\r\nContent-Type: application/json\r\n",
            self.token
        );
        self.send(request_line, &head, body).await
    }

    async fn send(&self, request_line: &str, head: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let raw = https_request(self.port, DOMAIN, &self.roots, request_line, head, body)
            .await
            .unwrap_or_else(|e| panic!("{request_line} through the proxy: {e}"));
        status_and_body(&raw)
    }

    async fn json(&self, request_line: &str, body: Option<&J>) -> J {
        let (status, body) = self.call(request_line, body).await;
        let text = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "{request_line}: {text}");
        serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{request_line}: {e}: {text}"))
    }
}

/// A push of `count` inserts whose names are `prefix` and a number.
fn inserts(prefix: &str, count: usize, email: &str) -> J {
    let changes: Vec<J> = (0..count)
        .map(
            |i| json!({"op": "insert", "cells": {"name": format!("{prefix} {i}"), "email": email}}),
        )
        .collect();
    json!({"batch_id": format!("b-{prefix}"), "origin": "proxy-test", "changes": changes})
}

/// A push of over 10 MiB whose 500 rows are each applied. The rows stay few so the server
/// answers quickly on a loaded machine; JSON whitespace takes the body past 10 MiB, which is
/// what a proxy's body-size limit measures.
fn ten_mib_push() -> (Vec<u8>, usize) {
    let count = 500;
    let push = serde_json::to_vec(&inserts("bulk", count, "bulk@example.com")).expect("json");
    let padding = 10 * 1024 * 1024;
    let mut body = Vec::with_capacity(push.len() + padding);
    body.push(b'{');
    body.resize(1 + padding, b' ');
    body.extend_from_slice(&push[1..]);
    (body, count)
}

/// What every recipe must carry: the token, a long-poll answered by a push two seconds later,
/// and a push over 10 MiB.
async fn check_the_proxy(through: &Through) {
    let listed = through.json("GET /v1/tables", None).await;
    assert!(
        listed.to_string().contains("\"people\""),
        "the token's table is listed: {listed}"
    );
    let (status, _) = through
        .send("GET /v1/tables", "Authorization: Bearer sst_wrong\r\n", b"")
        .await;
    assert_eq!(
        status, 401,
        "a wrong token reaches the server and is refused"
    );

    let first = through
        .json("GET /v1/tables/people/changes?cursor=0&limit=1000", None)
        .await;
    assert_eq!(first["more"], json!(false), "{first}");
    let cursor = first["cursor"].clone();
    let cursor = cursor
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| cursor.to_string());

    let waiting = {
        let through = Through {
            port: through.port,
            roots: through.roots.clone(),
            token: through.token.clone(),
        };
        tokio::spawn(async move {
            let start = Instant::now();
            let page = through
                .json(
                    &format!("GET /v1/tables/people/changes?cursor={cursor}&wait=25"),
                    None,
                )
                .await;
            (page, start.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pushed = through
        .json(
            "POST /v1/tables/people/push",
            Some(&inserts("late", 1, "late@example.com")),
        )
        .await;
    assert_eq!(pushed["results"][0]["result"], json!("applied"), "{pushed}");
    let (page, waited) = waiting.await.expect("the long-poll");
    assert!(
        waited >= Duration::from_secs(2),
        "answered before the push: {page}"
    );
    assert!(
        waited < Duration::from_secs(20),
        "answered only after {waited:?}"
    );
    assert!(
        page.to_string().contains("late 0"),
        "the push's row is in the answer: {page}"
    );

    let (push, count) = ten_mib_push();
    let (status, answer) = through
        .call_json("POST /v1/tables/people/push", &push)
        .await;
    let text = String::from_utf8_lossy(&answer);
    assert_eq!(status, 200, "the 10 MiB push: {text}");
    let answer: J = serde_json::from_str(&text).expect("the push's answer is JSON");
    let results = answer["results"].as_array().expect("results");
    assert_eq!(results.len(), count);
    assert!(
        results.iter().all(|r| r["result"] == json!("applied")),
        "every row of the large push is applied"
    );
}

fn empty_dir(name: &str) -> PathBuf {
    let dir = temp_path(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nginx_recipe_carries_tokens_long_polls_and_a_10_mib_push_over_tls() {
    let dir = empty_dir("nginx");
    let (_server, server_port, token) = start_server(&dir);
    let (cert, key, ca) = self_signed_certificate(&dir);
    let proxy_port = free_port();
    let _nginx = start_nginx(
        &dir,
        &nginx_config(&dir, proxy_port, server_port, &cert, &key),
        proxy_port,
    );
    let through = Through {
        port: proxy_port,
        roots: roots_of(&ca),
        token,
    };
    check_the_proxy(&through).await;
    refused_by_a_client_trusting_another_ca(&dir, proxy_port).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_caddy_recipe_carries_tokens_long_polls_and_a_10_mib_push_over_tls() {
    let dir = empty_dir("caddy");
    let (_server, server_port, token) = start_server(&dir);
    let proxy_port = free_port();
    let (_caddy, root) = start_caddy(&dir, proxy_port, server_port).await;
    let through = Through {
        port: proxy_port,
        roots: roots_of(&root),
        token,
    };
    check_the_proxy(&through).await;
    refused_by_a_client_trusting_another_ca(&dir, proxy_port).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Only the CA the client was given vouches for the proxy's certificate: a client trusting
/// another CA refuses the proxy, so the successful calls above did check the certificate.
async fn refused_by_a_client_trusting_another_ca(dir: &Path, proxy_port: u16) {
    let other = dir.join("other-ca");
    std::fs::create_dir_all(&other).expect("mkdir");
    let (_, _, other_ca) = self_signed_certificate(&other);
    assert!(
        https_get(proxy_port, DOMAIN, &roots_of(&other_ca), "/health")
            .await
            .is_err()
    );
}

/// The recipe's `client_max_body_size` line is what lets a large push through: without it
/// nginx answers 413 itself and the server never sees the push.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_without_the_recipes_body_size_line_refuses_a_10_mib_push() {
    let dir = empty_dir("nginx_default_body");
    let (_server, server_port, token) = start_server(&dir);
    let (cert, key, ca) = self_signed_certificate(&dir);
    let proxy_port = free_port();
    let config = nginx_config(&dir, proxy_port, server_port, &cert, &key);
    let line = config
        .lines()
        .find(|l| l.contains("client_max_body_size"))
        .expect("the recipe sets client_max_body_size")
        .to_string();
    let _nginx = start_nginx(&dir, &config.replace(&line, ""), proxy_port);
    let through = Through {
        port: proxy_port,
        roots: roots_of(&ca),
        token,
    };
    let (push, _) = ten_mib_push();
    let (status, body) = through
        .call_json("POST /v1/tables/people/push", &push)
        .await;
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    assert!(
        String::from_utf8_lossy(&body).contains("nginx"),
        "nginx refused it, not the server"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
