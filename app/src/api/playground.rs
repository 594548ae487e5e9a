//! The chat playground's side of the server's `/playground/*` endpoints (not server
//! functions: the page calls them with `fetch` and reads the answer as it streams).
//!
//! - `POST /playground/chat`: an OpenAI chat completions body; the answer is the OpenAI
//!   stream (`data: {chat.completion.chunk}` frames, a last chunk with `usage`, `data: [DONE]`)
//!   with the header `x-gateai-model`, or a non-2xx status with the OpenAI error envelope.
//!   Signed-in people use their session cookie, guests the guest cookie the server sets.
//! - `GET /playground/me`: who is calling (the organization and its balance) and, for
//!   guests, what is left of today's allowance.
//!
//! Everything here is plain data and parsing, so it runs (and is tested) off the browser too.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub const CHAT_URL: &str = "/playground/chat";
pub const ME_URL: &str = "/playground/me";
/// The header naming the model that answered.
pub const MODEL_HEADER: &str = "x-gateai-model";

/// `GET /playground/me`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlaygroundMe {
    pub signed_in: bool,
    #[serde(default)]
    pub organization: Option<String>,
    /// A signed-in user's organization balance (USD, decimal string).
    #[serde(default)]
    pub balance_usd: Option<String>,
    #[serde(default)]
    pub guest: Option<GuestAllowance>,
    /// False when the server turns guests away (then a visitor must sign in).
    #[serde(default = "yes")]
    pub guests_allowed: bool,
}

fn yes() -> bool {
    true
}

/// A guest's spending today, USD as decimal strings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GuestAllowance {
    pub spent_usd: String,
    pub limit_usd: String,
    pub remaining_usd: String,
}

impl PlaygroundMe {
    pub fn parse(text: &str) -> Option<PlaygroundMe> {
        serde_json::from_str(text).ok()
    }
}

/// `$0.0988`: a USD string as people read it (at least two decimals, no trailing zeros past them).
pub fn usd_words(amount: &str) -> String {
    let a = amount.trim();
    let Some((whole, frac)) = a.split_once('.') else { return format!("${a}.00") };
    let mut frac = frac.trim_end_matches('0').to_string();
    while frac.len() < 2 {
        frac.push('0');
    }
    format!("${whole}.{frac}")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speaker {
    User,
    Assistant,
}

impl Speaker {
    pub fn role(self) -> &'static str {
        match self {
            Speaker::User => "user",
            Speaker::Assistant => "assistant",
        }
    }
}

/// The request body for the whole conversation so far: the system prompt (when there is
/// one), then every turn that has text, in order.
pub fn chat_body(model: &str, system: &str, turns: &[(Speaker, String)]) -> String {
    let mut messages = Vec::with_capacity(turns.len() + 1);
    if !system.trim().is_empty() {
        messages.push(json!({"role": "system", "content": system}));
    }
    for (who, text) in turns {
        if !text.is_empty() {
            messages.push(json!({"role": who.role(), "content": text}));
        }
    }
    json!({
        "model": model,
        "messages": messages,
        "stream": true,
        "stream_options": {"include_usage": true},
    })
    .to_string()
}

/// Tokens of one answer, from the stream's last chunk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChatUsage {
    pub prompt: u64,
    pub completion: u64,
    pub total: u64,
}

impl ChatUsage {
    pub fn words(&self) -> String {
        format!("{} tokens ({} in, {} out)", self.total, self.prompt, self.completion)
    }
}

/// What one frame of the stream says.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamEvent {
    /// More text of the answer.
    Text(String),
    /// The model named in the chunks (used when the response header is missing).
    Model(String),
    Usage(ChatUsage),
    /// An error sent inside the stream.
    Error(String),
    Done,
}

/// Reads server-sent events from bytes as they arrive (frames may be cut anywhere, even
/// inside a UTF-8 character).
#[derive(Default)]
pub struct SseReader {
    buf: Vec<u8>,
    data: String,
    model_seen: bool,
}

impl SseReader {
    pub fn push(&mut self, bytes: &[u8]) -> Vec<StreamEvent> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                let data = std::mem::take(&mut self.data);
                if !data.is_empty() {
                    self.frame(&data, &mut out);
                }
            } else if let Some(d) = line.strip_prefix("data:") {
                if !self.data.is_empty() {
                    self.data.push('\n');
                }
                self.data.push_str(d.strip_prefix(' ').unwrap_or(d));
            }
            // `event:`, `id:` and `: comments` (keep-alives) say nothing the page needs
        }
        out
    }

    /// What is left when the stream ends without a blank line after its last frame.
    pub fn finish(&mut self) -> Vec<StreamEvent> {
        let out = self.push(b"\n\n");
        self.buf.clear();
        out
    }

    fn frame(&mut self, data: &str, out: &mut Vec<StreamEvent>) {
        if data.trim() == "[DONE]" {
            out.push(StreamEvent::Done);
            return;
        }
        let Ok(v) = serde_json::from_str::<Value>(data) else { return };
        if let Some(e) = v.get("error") {
            out.push(StreamEvent::Error(error_message(e).unwrap_or_else(|| "The answer stopped with an error.".into())));
            return;
        }
        if !self.model_seen {
            if let Some(m) = v.get("model").and_then(Value::as_str).filter(|m| !m.is_empty()) {
                self.model_seen = true;
                out.push(StreamEvent::Model(m.to_string()));
            }
        }
        if let Some(text) = v.pointer("/choices/0/delta/content").and_then(Value::as_str) {
            if !text.is_empty() {
                out.push(StreamEvent::Text(text.to_string()));
            }
        }
        if let Some(u) = v.get("usage").filter(|u| u.is_object()) {
            let n = |k: &str| u.get(k).and_then(Value::as_u64).unwrap_or(0);
            let (prompt, completion) = (n("prompt_tokens"), n("completion_tokens"));
            let total = u.get("total_tokens").and_then(Value::as_u64).unwrap_or(prompt + completion);
            out.push(StreamEvent::Usage(ChatUsage { prompt, completion, total }));
        }
    }
}

fn error_message(e: &Value) -> Option<String> {
    match e {
        Value::String(s) => Some(s.clone()),
        _ => e.get("message").and_then(Value::as_str).map(str::to_string),
    }
    .filter(|m| !m.trim().is_empty())
}

/// The message of an error answer: the OpenAI envelope's `error.message`, else the body's
/// text, else the status.
pub fn error_text(status: u16, body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        if let Some(m) = v.get("error").and_then(error_message) {
            return m;
        }
    }
    let body = body.trim();
    if !body.is_empty() && body.len() < 300 && !body.starts_with('<') {
        return body.to_string();
    }
    format!("The server answered {status}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_carries_the_system_prompt_and_every_turn() {
        let b: Value = serde_json::from_str(&chat_body(
            "openai/gpt-4o-mini",
            "be brief",
            &[(Speaker::User, "hi".into()), (Speaker::Assistant, "hello".into()), (Speaker::User, "again".into())],
        ))
        .unwrap();
        assert_eq!(b["model"], "openai/gpt-4o-mini");
        assert_eq!(b["stream"], true);
        assert_eq!(b["stream_options"]["include_usage"], true);
        let roles: Vec<&str> = b["messages"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
        assert_eq!(roles, ["system", "user", "assistant", "user"]);
        let b: Value = serde_json::from_str(&chat_body("auto", "  ", &[(Speaker::User, "hi".into()), (Speaker::Assistant, String::new())])).unwrap();
        assert_eq!(b["messages"].as_array().unwrap().len(), 1, "no empty system prompt, no empty turn");
    }

    #[test]
    fn reads_frames_cut_anywhere() {
        let stream = concat!(
            ": keep-alive\n\n",
            "data: {\"model\":\"m/x\",\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n",
            "data: {\"model\":\"m/x\",\"choices\":[{\"delta\":{\"content\":\"Hé\"}}]}\r\n\r\n",
            "data: {\"model\":\"m/x\",\"choices\":[{\"delta\":{\"content\":\"llo\"}}]}\n\n",
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n",
            "data: [DONE]\n\n",
        );
        let bytes = stream.as_bytes();
        for cut in [1, 3, 7, 50, bytes.len()] {
            let mut r = SseReader::default();
            let mut events = vec![];
            for piece in bytes.chunks(cut) {
                events.extend(r.push(piece));
            }
            events.extend(r.finish());
            assert_eq!(
                events,
                vec![
                    StreamEvent::Model("m/x".into()),
                    StreamEvent::Text("Hé".into()),
                    StreamEvent::Text("llo".into()),
                    StreamEvent::Usage(ChatUsage { prompt: 5, completion: 2, total: 7 }),
                    StreamEvent::Done,
                ],
                "cut every {cut} bytes"
            );
        }
    }

    #[test]
    fn errors_in_the_stream_and_in_the_body() {
        let mut r = SseReader::default();
        let e = r.push(b"data: {\"error\":{\"message\":\"Overloaded\",\"type\":\"server_error\"}}\n\n");
        assert_eq!(e, vec![StreamEvent::Error("Overloaded".into())]);
        let mut r = SseReader::default();
        assert_eq!(r.push(b"data: [DONE]"), vec![]);
        assert_eq!(r.finish(), vec![StreamEvent::Done], "a last frame without its blank line");
        let body = r#"{"error":{"message":"Guest daily spending limit exceeded. Please try again tomorrow or upgrade to a paid plan.","type":"insufficient_quota","code":429}}"#;
        assert_eq!(error_text(429, body), "Guest daily spending limit exceeded. Please try again tomorrow or upgrade to a paid plan.");
        assert_eq!(error_text(502, ""), "The server answered 502.");
        assert_eq!(error_text(500, "<html>oops</html>"), "The server answered 500.");
    }

    #[test]
    fn me_and_money_words() {
        let me = PlaygroundMe::parse(r#"{"signed_in":false,"organization":null,"guest":{"spent_usd":"0.0012","limit_usd":"0.10","remaining_usd":"0.0988"}}"#).unwrap();
        assert!(!me.signed_in);
        assert_eq!(usd_words(&me.guest.clone().unwrap().remaining_usd), "$0.0988");
        assert_eq!(usd_words("0.10"), "$0.10");
        assert_eq!(usd_words("1"), "$1.00");
        assert_eq!(usd_words("0.100000"), "$0.10");
        let signed = PlaygroundMe::parse(r#"{"signed_in":true,"organization":"Acme","guest":null}"#).unwrap();
        assert_eq!(signed.organization.as_deref(), Some("Acme"));
        assert!(me.guests_allowed && signed.guests_allowed, "allowed unless the server says otherwise");
        let off = PlaygroundMe::parse(r#"{"signed_in":false,"organization":null,"guest":null,"guests_allowed":false}"#).unwrap();
        assert!(!off.guests_allowed);
    }
}
