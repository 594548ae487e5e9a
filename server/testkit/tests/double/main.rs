//! The upstream double speaks the real wire formats: OpenAI chat, Anthropic messages, Ark tasks.

mod ark;
mod chat;
mod scripting;

use serde_json::{json, Value};
use testkit::upstream::{UpstreamDouble, UPSTREAM_KEY};

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

pub async fn openai(d: &UpstreamDouble, body: Value) -> reqwest::Response {
    client().post(format!("{}/chat/completions", d.openai_base())).bearer_auth(UPSTREAM_KEY).json(&body).send().await.unwrap()
}

pub async fn anthropic(d: &UpstreamDouble, body: Value) -> reqwest::Response {
    client()
        .post(format!("{}/v1/messages?beta=true", d.anthropic_base()))
        .header("x-api-key", UPSTREAM_KEY)
        .header("anthropic-version", "2023-06-01")
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub fn user(text: &str) -> Value {
    json!([{"role": "user", "content": text}])
}

pub fn estimate(parts: &[&Value]) -> u64 {
    parts.iter().map(|v| v.to_string().chars().count() as u64).sum::<u64>().div_ceil(4)
}

/// SSE frames (blank-line separated).
pub fn frames(text: &str) -> Vec<String> {
    text.split("\n\n").filter(|f| !f.is_empty()).map(str::to_string).collect()
}

/// OpenAI `data:` JSON chunks (not [DONE], not comments).
pub fn chunks(text: &str) -> Vec<Value> {
    frames(text).iter().filter_map(|f| f.strip_prefix("data: ")).filter(|d| *d != "[DONE]").map(|d| serde_json::from_str(d).unwrap()).collect()
}

/// Anthropic `(event, data)` pairs; checks `type` repeats the event name.
pub fn events(text: &str) -> Vec<(String, Value)> {
    frames(text)
        .iter()
        .map(|f| {
            let (ev, data) = f.split_once('\n').unwrap();
            let name = ev.strip_prefix("event: ").unwrap().to_string();
            let v: Value = serde_json::from_str(data.strip_prefix("data: ").unwrap()).unwrap();
            assert_eq!(v["type"], name.as_str());
            (name, v)
        })
        .collect()
}

/// Reads a streamed body until it ends or breaks; true when it broke.
pub async fn read_all(mut r: reqwest::Response) -> (String, bool) {
    let mut buf = Vec::new();
    loop {
        match r.chunk().await {
            Ok(Some(b)) => buf.extend_from_slice(&b),
            Ok(None) => return (String::from_utf8(buf).unwrap(), false),
            Err(_) => return (String::from_utf8(buf).unwrap(), true),
        }
    }
}
