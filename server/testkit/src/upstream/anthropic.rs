//! Anthropic Messages (PROTOCOLS §2): `POST /v1/messages`, `POST /v1/messages/count_tokens`,
//! `GET /v1/models` (with `anthropic-version`).

use super::openai::MODELS;
use super::script::{self, Answer, ChatView, Content};
use super::sse::{self, Frame};
use super::{bearer_ok, json_response, ConnInfo, UpstreamDouble, UPSTREAM_KEY};
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn error_type(status: u16) -> &'static str {
    match status {
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        504 => "timeout_error",
        529 => "overloaded_error",
        s if s >= 500 => "api_error",
        _ => "invalid_request_error",
    }
}

/// `{"type":"error","error":{type,message},"request_id"}` plus `request-id` / `retry-after` headers.
pub(crate) fn error(d: &UpstreamDouble, status: u16, message: &str, retry_after: Option<u64>) -> Response {
    let req = format!("req_{}", d.lock().next("req"));
    let mut extra = vec![("request-id", req.clone())];
    extra.extend(retry_after.map(|s| ("retry-after", s.to_string())));
    json_response(status, json!({"type": "error", "error": {"type": error_type(status), "message": message}, "request_id": req}), &extra)
}

/// API key (or OAuth-style bearer) and the required `anthropic-version` header.
fn check(d: &UpstreamDouble, h: &HeaderMap) -> Option<Response> {
    let key_ok = h.get("x-api-key").and_then(|v| v.to_str().ok()).is_some_and(|k| k == UPSTREAM_KEY) || bearer_ok(h);
    if !key_ok {
        return Some(error(d, 401, "invalid x-api-key", None));
    }
    if !h.contains_key("anthropic-version") {
        return Some(error(d, 400, "anthropic-version: header is required", None));
    }
    None
}

fn view(body: &Value) -> ChatView {
    let messages = body.get("messages").and_then(Value::as_array).cloned().unwrap_or_default();
    let is_user = |m: &&Value| m.get("role").and_then(Value::as_str) == Some("user");
    let tool_result = messages.last().filter(is_user).and_then(|m| m.get("content")).and_then(Value::as_array).and_then(|blocks| {
        blocks.iter().find(|b| b.get("type").and_then(Value::as_str) == Some("tool_result")).map(|b| script::text_parts(b.get("content")).join("\n"))
    });
    let parts = script::text_parts(messages.iter().rev().find(is_user).and_then(|m| m.get("content")));
    let first_tool = body
        .pointer("/tools/0")
        .map(|t| (t.get("name").and_then(Value::as_str).unwrap_or("").to_string(), t.get("input_schema").cloned().unwrap_or(Value::Null)));
    ChatView {
        model: body.get("model").and_then(Value::as_str).unwrap_or("").to_string(),
        stream: body.get("stream").and_then(Value::as_bool).unwrap_or(false),
        user_text: parts.join("\n"),
        echo: parts.last().cloned().unwrap_or_default(),
        tool_result,
        first_tool,
        input_tokens: estimate(body),
    }
}

fn estimate(body: &Value) -> u64 {
    script::estimate_tokens(&[body.get("messages"), body.get("system"), body.get("tools")])
}

pub(crate) async fn messages(d: &UpstreamDouble, conn: &ConnInfo, h: &HeaderMap, raw: &[u8], body: Value) -> Response {
    if let Some(refused) = check(d, h) {
        return refused;
    }
    for field in ["model", "max_tokens", "messages"] {
        if body.get(field).is_none() {
            return error(d, 400, &format!("{field}: Field required"), None);
        }
    }
    let v = view(&body);
    match script::prepare(d, &v, raw).await {
        Answer::Error { status, message, retry_after } => error(d, status, &message, retry_after),
        Answer::Drop => super::drop_connection(conn),
        Answer::Content(c) if !v.stream && c.inband.is_some() => error(d, 529, &c.inband.unwrap_or_default().1, None),
        Answer::Content(c) => {
            let (id, tool_ids, req) = {
                let mut g = d.lock();
                let id = format!("msg_{}", g.next("msg"));
                let tool_ids: Vec<String> = c.calls.iter().map(|_| format!("toolu_{}", g.next("toolu"))).collect();
                (id, tool_ids, format!("req_{}", g.next("req")))
            };
            let blocks = blocks(&c, &tool_ids);
            if v.stream {
                let mut r = sse::respond(d, stream_frames(&v, &c, &id, &blocks));
                r.headers_mut().insert("request-id", req.parse().expect("header"));
                r
            } else {
                let out = json!({
                    "id": id, "type": "message", "role": "assistant", "model": v.model, "content": blocks,
                    "stop_reason": stop_reason(&c), "stop_sequence": null, "usage": usage(&v, &c, true)
                });
                json_response(200, out, &[("request-id", req)])
            }
        }
    }
}

fn stop_reason(c: &Content) -> &'static str {
    if c.calls.is_empty() {
        "end_turn"
    } else {
        "tool_use"
    }
}

fn usage(v: &ChatView, c: &Content, with_output: bool) -> Value {
    let mut u = json!({
        "input_tokens": v.input_tokens, "cache_creation_input_tokens": 0, "cache_read_input_tokens": c.cache,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": c.output_tokens(), "service_tier": "standard"
    });
    if !with_output {
        u.as_object_mut().map(|o| o.remove("output_tokens"));
    }
    u
}

/// The complete content blocks of the answer (thinking, text, tool_use…).
fn blocks(c: &Content, tool_ids: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(t) = &c.thinking {
        let sig = base64::engine::general_purpose::STANDARD.encode([Sha256::digest(t.as_bytes()), Sha256::digest(b"upstream-double")].concat());
        out.push(json!({"type": "thinking", "thinking": t, "signature": sig}));
    }
    if let Some(t) = &c.text {
        out.push(json!({"type": "text", "text": t}));
    }
    for ((name, input), id) in c.calls.iter().zip(tool_ids) {
        out.push(json!({"type": "tool_use", "id": id, "name": name, "input": input}));
    }
    out
}

fn stream_frames(v: &ChatView, c: &Content, id: &str, blocks: &[Value]) -> Vec<Frame> {
    let mut start_usage = usage(v, c, true);
    start_usage["output_tokens"] = json!(1);
    let mut frames = vec![sse::event(
        "message_start",
        &json!({"type": "message_start", "message": {"id": id, "type": "message", "role": "assistant", "model": v.model,
            "content": [], "stop_reason": null, "stop_sequence": null, "usage": start_usage}}),
    )];
    let delta = |i: usize, d: Value| sse::event("content_block_delta", &json!({"type": "content_block_delta", "index": i, "delta": d}));
    for (i, b) in blocks.iter().enumerate() {
        let kind = b["type"].as_str().unwrap_or("");
        let start = match kind {
            "thinking" => json!({"type": "thinking", "thinking": "", "signature": ""}),
            "text" => json!({"type": "text", "text": ""}),
            _ => json!({"type": "tool_use", "id": b["id"], "name": b["name"], "input": {}}),
        };
        frames.push(sse::event("content_block_start", &json!({"type": "content_block_start", "index": i, "content_block": start})));
        if i == 0 {
            frames.push(sse::event("ping", &json!({"type": "ping"})));
        }
        match kind {
            "thinking" => {
                for piece in script::word_pieces(b["thinking"].as_str().unwrap_or("")) {
                    frames.push(delta(i, json!({"type": "thinking_delta", "thinking": piece})));
                }
                frames.push(delta(i, json!({"type": "signature_delta", "signature": b["signature"]})));
            }
            "text" => {
                for piece in script::word_pieces(b["text"].as_str().unwrap_or("")) {
                    frames.push(delta(i, json!({"type": "text_delta", "text": piece})));
                }
            }
            _ => {
                let json_text = sse::to_json(&b["input"]);
                let fragments = std::iter::once(String::new()).chain(script::json_fragments(&json_text));
                for frag in fragments {
                    frames.push(delta(i, json!({"type": "input_json_delta", "partial_json": frag})));
                }
            }
        }
        frames.push(sse::event("content_block_stop", &json!({"type": "content_block_stop", "index": i})));
    }
    if blocks.is_empty() {
        frames.push(sse::event("ping", &json!({"type": "ping"})));
    }
    let mut final_usage = usage(v, c, !c.no_usage);
    final_usage.as_object_mut().map(|o| o.remove("service_tier"));
    frames.push(sse::event(
        "message_delta",
        &json!({"type": "message_delta", "delta": {"stop_reason": stop_reason(c), "stop_sequence": null}, "usage": final_usage}),
    ));
    frames.push(sse::event("message_stop", &json!({"type": "message_stop"})));
    let inband = c
        .inband
        .as_ref()
        .map(|(n, message)| (*n, sse::event("error", &json!({"type": "error", "error": {"type": "overloaded_error", "message": message}}))));
    sse::shape(frames, c.cut, inband, false)
}

pub(crate) fn count_tokens(d: &UpstreamDouble, h: &HeaderMap, body: Value) -> Response {
    if let Some(refused) = check(d, h) {
        return refused;
    }
    if body.get("messages").is_none() {
        return error(d, 400, "messages: Field required", None);
    }
    json_response(200, json!({"input_tokens": estimate(&body)}), &[])
}

pub(crate) fn models(d: &UpstreamDouble, h: &HeaderMap, id: Option<&str>) -> Response {
    if let Some(refused) = check(d, h) {
        return refused;
    }
    let model = |m: &str| json!({"type": "model", "id": m, "display_name": m, "created_at": "2025-01-01T00:00:00Z"});
    match id {
        Some(id) if MODELS.contains(&id) => json_response(200, model(id), &[]),
        Some(id) => error(d, 404, &format!("model: {id}"), None),
        None => json_response(
            200,
            json!({"data": MODELS.iter().map(|m| model(m)).collect::<Vec<_>>(), "has_more": false,
                "first_id": MODELS.first(), "last_id": MODELS.last()}),
            &[],
        ),
    }
}
