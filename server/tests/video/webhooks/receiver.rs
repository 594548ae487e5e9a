//! A webhook receiver on 127.0.0.1 for the tests: records every POST (headers, body, time)
//! and answers from a script (then 200), or holds requests open without answering.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

#[derive(Clone, Debug)]
pub struct Captured {
    pub at: Instant,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Captured {
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Inner {
    script: VecDeque<u16>,
    hang: bool,
    seen: Vec<Captured>,
}

#[derive(Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

async fn record(State(inner): State<Arc<Mutex<Inner>>>, uri: axum::http::Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
    let (hang, code) = {
        let mut g = inner.lock().unwrap();
        g.seen.push(Captured { at: Instant::now(), path: uri.path().to_string(), headers, body: body.to_vec() });
        (g.hang, g.script.pop_front().unwrap_or(200))
    };
    if hang {
        std::future::pending::<()>().await;
    }
    StatusCode::from_u16(code).unwrap()
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new().fallback(axum::routing::post(record)).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { base, inner }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The next answers, in order (200 after them).
    pub fn answer(&self, codes: &[u16]) {
        self.inner.lock().unwrap().script.extend(codes);
    }

    /// Hold every request open without answering (true) or answer again (false).
    pub fn hang(&self, on: bool) {
        self.inner.lock().unwrap().hang = on;
    }

    pub fn seen(&self) -> Vec<Captured> {
        self.inner.lock().unwrap().seen.clone()
    }

    /// Waits until `n` requests arrived; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Captured> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let seen = self.seen();
            if seen.len() >= n {
                return seen;
            }
            assert!(Instant::now() < deadline, "the receiver got {} of {n} deliveries", seen.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A URL where nothing listens (a port bound, then let go): every attempt is refused.
pub async fn closed_url() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}/hook")
}
