//! OpenAI Chat Completions (PROTOCOLS §1): `POST /v1/chat/completions`, `GET /v1/models`.

use super::script::{self, Answer, ChatView, Content};
use super::sse::{self, Frame};
use super::{bearer_ok, json_response, now_secs, ConnInfo, UpstreamDouble};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

pub(crate) const MODELS: &[&str] = &["gpt-4o-mini", "gpt-4.1", "deepseek-chat", "deepseek-reasoner", "claude-sonnet-4-6"];

/// `{"error":{message,type,param,code}}` with the type/code OpenAI uses for that status.
pub(crate) fn error(status: u16, message: &str, retry_after: Option<u64>) -> Response {
    let (kind, code) = match status {
        401 => ("invalid_request_error", json!("invalid_api_key")),
        403 => ("invalid_request_error", json!("unsupported_country_region_territory")),
        404 => ("invalid_request_error", json!("model_not_found")),
        429 => ("requests", json!("rate_limit_exceeded")),
        s if s >= 500 => ("server_error", Value::Null),
        _ => ("invalid_request_error", Value::Null),
    };
    let extra: Vec<(&str, String)> = retry_after.map(|s| ("retry-after", s.to_string())).into_iter().collect();
    json_response(status, json!({"error": {"message": message, "type": kind, "param": null, "code": code}}), &extra)
}

fn view(body: &Value) -> ChatView {
    let messages = body.get("messages").and_then(Value::as_array).cloned().unwrap_or_default();
    let role = |m: &Value| m.get("role").and_then(Value::as_str).unwrap_or("").to_string();
    // a trailing run of tool messages: answer about the first of them
    let tool_result = if messages.last().map(role).as_deref() == Some("tool") {
        let start = messages.iter().rposition(|m| role(m) != "tool").map_or(0, |i| i + 1);
        Some(script::text_parts(messages[start].get("content")).join("\n"))
    } else {
        None
    };
    let user = messages.iter().rev().find(|m| role(m) == "user");
    let parts = script::text_parts(user.and_then(|m| m.get("content")));
    let first_tool = body
        .pointer("/tools/0/function")
        .map(|f| (f.get("name").and_then(Value::as_str).unwrap_or("").to_string(), f.get("parameters").cloned().unwrap_or(Value::Null)));
    ChatView {
        model: body.get("model").and_then(Value::as_str).unwrap_or("").to_string(),
        stream: body.get("stream").and_then(Value::as_bool).unwrap_or(false),
        user_text: parts.join("\n"),
        echo: parts.last().cloned().unwrap_or_default(),
        tool_result,
        first_tool,
        input_tokens: script::estimate_tokens(&[body.get("messages"), body.get("tools")]),
    }
}

pub(crate) async fn chat(d: &UpstreamDouble, conn: &ConnInfo, h: &HeaderMap, raw: &[u8], body: Value) -> Response {
    if !bearer_ok(h) {
        return error(401, "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.", None);
    }
    if body.get("model").and_then(Value::as_str).is_none() {
        return error(400, "you must provide a model parameter", None);
    }
    if !body.get("messages").is_some_and(Value::is_array) {
        return error(400, "Missing required parameter: 'messages'.", None);
    }
    let v = view(&body);
    if body.get("stream_options").is_some_and(|o| !o.is_null()) && !v.stream {
        return error(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", None);
    }
    let include_usage = body.pointer("/stream_options/include_usage").and_then(Value::as_bool).unwrap_or(false);
    match script::prepare(d, &v, raw).await {
        Answer::Error { status, message, retry_after } => error(status, &message, retry_after),
        Answer::Drop => super::drop_connection(conn),
        Answer::Content(c) if !v.stream && c.inband.is_some() => error(500, &c.inband.unwrap_or_default().1, None),
        Answer::Content(c) => {
            let (id, call_ids) = {
                let mut g = d.lock();
                let id = format!("chatcmpl-{}", g.next("chatcmpl"));
                (id, c.calls.iter().map(|_| format!("call_{}", g.next("call"))).collect::<Vec<_>>())
            };
            if v.stream {
                sse::respond(d, stream_frames(&v, &c, &id, &call_ids, include_usage))
            } else {
                json_response(200, completion(&v, &c, &id, &call_ids), &[])
            }
        }
    }
}

fn usage(v: &ChatView, c: &Content) -> Value {
    let prompt = v.input_tokens + c.cache;
    let out = c.output_tokens();
    json!({
        "prompt_tokens": prompt, "completion_tokens": out, "total_tokens": prompt + out,
        "prompt_tokens_details": {"cached_tokens": c.cache, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": c.reasoning_tokens(), "audio_tokens": 0,
            "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
    })
}

fn finish_reason(c: &Content) -> &'static str {
    if c.calls.is_empty() {
        "stop"
    } else {
        "tool_calls"
    }
}

fn completion(v: &ChatView, c: &Content, id: &str, call_ids: &[String]) -> Value {
    let mut message = json!({"role": "assistant", "content": c.text, "refusal": null});
    if let Some(t) = &c.thinking {
        message["reasoning_content"] = json!(t);
    }
    if !c.calls.is_empty() {
        let calls: Vec<Value> = c
            .calls
            .iter()
            .zip(call_ids)
            .map(|((name, args), id)| json!({"id": id, "type": "function", "function": {"name": name, "arguments": sse::to_json(args)}}))
            .collect();
        message["tool_calls"] = json!(calls);
    }
    json!({
        "id": id, "object": "chat.completion", "created": now_secs(), "model": v.model,
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish_reason(c)}],
        "usage": usage(v, c), "system_fingerprint": "fp_testkit"
    })
}

fn stream_frames(v: &ChatView, c: &Content, id: &str, call_ids: &[String], include_usage: bool) -> Vec<Frame> {
    let created = now_secs();
    let chunk = |delta: Value, finish: Option<&str>| {
        let mut ch = json!({"id": id, "object": "chat.completion.chunk", "created": created, "model": v.model,
            "system_fingerprint": "fp_testkit",
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]});
        if include_usage {
            ch["usage"] = Value::Null;
        }
        sse::data(&ch)
    };
    let mut frames = vec![chunk(json!({"role": "assistant", "content": ""}), None)];
    for piece in script::word_pieces(c.thinking.as_deref().unwrap_or("")) {
        frames.push(chunk(json!({"reasoning_content": piece}), None));
    }
    for piece in script::word_pieces(c.text.as_deref().unwrap_or("")) {
        frames.push(chunk(json!({"content": piece}), None));
    }
    for (i, ((name, args), call_id)) in c.calls.iter().zip(call_ids).enumerate() {
        let first = json!({"index": i, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}});
        frames.push(chunk(json!({"tool_calls": [first]}), None));
        for frag in script::json_fragments(&sse::to_json(args)) {
            frames.push(chunk(json!({"tool_calls": [{"index": i, "function": {"arguments": frag}}]}), None));
        }
    }
    frames.push(chunk(json!({}), Some(finish_reason(c))));
    if include_usage && !c.no_usage {
        frames.push(sse::data(&json!({"id": id, "object": "chat.completion.chunk", "created": created, "model": v.model,
            "system_fingerprint": "fp_testkit", "choices": [], "usage": usage(v, c)})));
    }
    frames.push(sse::done());
    let inband = c
        .inband
        .as_ref()
        .map(|(n, message)| (*n, sse::data(&json!({"error": {"message": message, "type": "server_error", "param": null, "code": null}}))));
    sse::shape(frames, c.cut, inband, true)
}

pub(crate) fn models(h: &HeaderMap, id: Option<&str>) -> Response {
    if !bearer_ok(h) {
        return error(401, "Incorrect API key provided.", None);
    }
    let model = |m: &str| json!({"id": m, "object": "model", "created": 1_730_000_000, "owned_by": "upstream-double"});
    match id {
        Some(id) if MODELS.contains(&id) => json_response(200, model(id), &[]),
        Some(id) => error(404, &format!("The model '{id}' does not exist"), None),
        None => json_response(200, json!({"object": "list", "data": MODELS.iter().map(|m| model(m)).collect::<Vec<_>>()}), &[]),
    }
}
