//! A server whose providers all point at one upstream double, a funded organization and a
//! key; helpers to call both protocols and read what was logged and charged.
#![allow(dead_code, clippy::unwrap_used)]

use crate::common::{spawn_with, Backend, TestApp, CALL_TIMEOUT};
use app::types::{LedgerKind, Usd};
use gateai::Config;
use serde_json::Value;
use testkit::upstream::{UpstreamDouble, UPSTREAM_KEY};

pub struct Gw {
    pub app: TestApp,
    pub up: UpstreamDouble,
    pub key: String,
    pub org: String,
    pub http: reqwest::Client,
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

pub fn point_providers_at(c: &mut Config, up: &UpstreamDouble) {
    for (id, base) in [
        ("openai", up.openai_base()),
        ("anthropic", up.anthropic_base()),
        ("deepseek", up.openai_base()),
        ("z-ai", up.openai_base()),
        ("google", up.openai_base()),
        ("bytedance", up.ark_base()),
    ] {
        let p = c.providers.entry(id.to_string()).or_default();
        p.api_key = Some(UPSTREAM_KEY.to_string());
        p.base_url = Some(base);
    }
    c.gateway.retry_base_ms = 5;
    c.gateway.keepalive_secs = 1;
}

pub async fn gateway(b: Backend) -> Gw {
    gateway_with(b, "100", |_| {}).await
}

/// `credit`: the organization's starting balance in USD ("0" for none).
pub async fn gateway_with(b: Backend, credit: &str, tweak: impl FnOnce(&mut Config)) -> Gw {
    let up = UpstreamDouble::start().await;
    let up2 = up.clone();
    let app = spawn_with(b, move |c| {
        point_providers_at(c, &up2);
        tweak(c);
    })
    .await;
    let (_, v) = app.user(&format!("gw-{}@example.com", uuid::Uuid::new_v4().simple())).await;
    let org = v["org"]["id"].as_str().unwrap().to_string();
    let uid = v["user_id"].as_str().unwrap();
    let (_, key) = app.state.keys.create(&org, uid, "test", None, None, false).await.unwrap();
    if credit != "0" {
        gateai::billing::ledger::book(
            &app.db,
            &org,
            LedgerKind::AdminGrant,
            Usd::parse_positive(credit).unwrap(),
            format!("grant:{org}"),
            "test credit".into(),
            None,
        )
        .await
        .unwrap();
    }
    Gw { app, up, key, org, http: reqwest::Client::builder().timeout(CALL_TIMEOUT).build().unwrap() }
}

impl Gw {
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        let req = self.http.post(format!("{}{path}", self.app.url)).json(body);
        let req = if path.starts_with("/anthropic") {
            req.header("x-api-key", &self.key).header("anthropic-version", "2023-06-01")
        } else {
            req.bearer_auth(&self.key)
        };
        reply(req.send().await.unwrap()).await
    }

    pub async fn openai(&self, body: Value) -> Reply {
        self.post("/openai/v1/chat/completions", &body).await
    }

    pub async fn anthropic(&self, body: Value) -> Reply {
        self.post("/anthropic/v1/messages", &body).await
    }

    /// Waits until every log row and charge is written.
    pub async fn settled(&self) {
        self.app.state.recorder.flush().await;
    }

    pub async fn balance_units(&self) -> i64 {
        self.app.db.totals(&self.org).await.unwrap().balance_units
    }

    pub async fn logs(&self) -> Vec<gateai::storage::RequestRecord> {
        self.settled().await;
        let q = gateai::storage::LogQuery { org_id: self.org.clone(), since: 0, until: i64::MAX, limit: 1000, ..Default::default() };
        self.app.db.request_logs(&q).await.unwrap()
    }

    /// Ledger entries of kind charge.
    pub async fn charges(&self) -> Vec<gateai::storage::LedgerRow> {
        self.settled().await;
        self.app.db.entries(&self.org, 0, 10_000).await.unwrap().into_iter().filter(|e| e.kind == "charge").collect()
    }
}

pub async fn reply(r: reqwest::Response) -> Reply {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, headers, body, text }
}

/// SSE text → (event name, JSON data) pairs; `[DONE]` becomes ("done", Null).
pub fn sse_events(text: &str) -> Vec<(String, Value)> {
    let mut out = vec![];
    for block in text.split("\n\n") {
        let mut event = String::new();
        let mut data = String::new();
        for line in block.lines() {
            if let Some(e) = line.strip_prefix("event:") {
                event = e.trim().to_string();
            } else if let Some(d) = line.strip_prefix("data:") {
                data.push_str(d.trim_start());
            }
        }
        if data.is_empty() {
            continue;
        }
        if data == "[DONE]" {
            out.push(("done".into(), Value::Null));
        } else {
            out.push((event, serde_json::from_str(&data).unwrap_or(Value::String(data))));
        }
    }
    out
}

/// Cost in ledger units of a usage at USD-per-million prices given as integers of 10⁻⁴ USD.
pub fn units(tokens: i64, price_e4: i64) -> i64 {
    tokens * price_e4
}
