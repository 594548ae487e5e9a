//! Non-stream responses in both directions (PROTOCOLS 3.2 and 3.3 "Response"), plus usage reading and the
//! `model` rewrite for pass-through. Upstream JSON is read leniently: missing fields give empty content, never a panic.

use super::arguments::arguments_value;
use super::clock::unix_seconds;
use super::ids::{anthropic_message_id, normalize_tool_id, openai_completion_id};
use super::stop_reasons::{anthropic_stop_reason, openai_finish_reason};
use super::usage::Usage;
use super::ToolNames;
use serde_json::{json, Value};

/// An Anthropic message as an OpenAI `chat.completion`: text blocks concatenated into `content`, tool_use blocks as
/// `tool_calls`, thinking as `reasoning_content`; `id` is `chatcmpl-` + the message id; `model` is the gateway id.
pub fn anthropic_to_openai_response(resp: &Value, model: &str) -> Value {
    let blocks = resp.get("content").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let mut text = String::new();
    let mut reasoning = String::new();
    let mut tool_calls: Vec<Value> = Vec::new();
    for block in blocks {
        match block.get("type").and_then(Value::as_str).unwrap_or_default() {
            "text" => text.push_str(block.get("text").and_then(Value::as_str).unwrap_or_default()),
            "thinking" => reasoning.push_str(block.get("thinking").and_then(Value::as_str).unwrap_or_default()),
            "tool_use" => {
                let input = block.get("input").cloned().unwrap_or(json!({}));
                tool_calls.push(json!({
                    "id": block.get("id").and_then(Value::as_str).unwrap_or_default(),
                    "type": "function",
                    "function": {
                        "name": block.get("name").and_then(Value::as_str).unwrap_or_default(),
                        "arguments": input.to_string(),
                    },
                }));
            }
            _ => {} // redacted thinking and server-tool blocks have no OpenAI form
        }
    }
    let stop_reason = resp.get("stop_reason").and_then(Value::as_str);
    let finish_reason = openai_finish_reason(stop_reason, !tool_calls.is_empty());
    let mut message = json!({"role": "assistant", "refusal": null});
    message["content"] = if text.is_empty() && !tool_calls.is_empty() { Value::Null } else { json!(text) };
    if !reasoning.is_empty() {
        message["reasoning_content"] = json!(reasoning);
    }
    if !tool_calls.is_empty() {
        message["tool_calls"] = Value::Array(tool_calls);
    }
    let usage = anthropic_usage(resp).unwrap_or_default();
    json!({
        "id": openai_completion_id(resp.get("id").and_then(Value::as_str)),
        "object": "chat.completion",
        "created": unix_seconds(),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": null}],
        "usage": usage.to_openai(),
    })
}

/// An OpenAI `chat.completion` as an Anthropic message: reasoning → `thinking` block (empty signature), content →
/// `text`, each tool call → `tool_use` (id made valid, name restored, arguments parsed leniently); `id` is `msg_` +
/// the completion id; stop_reason `tool_use` whenever a tool call is present.
pub fn openai_to_anthropic_response(resp: &Value, model: &str, names: &ToolNames) -> Value {
    let choices = resp.get("choices").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let choice = choices
        .iter()
        .find(|choice| choice.get("index").and_then(Value::as_u64) == Some(0))
        .or(choices.first())
        .unwrap_or(&Value::Null);
    let message = choice.get("message").unwrap_or(&Value::Null);
    let completion_id = resp.get("id").and_then(Value::as_str);
    let mut blocks: Vec<Value> = Vec::new();
    let reasoning = message.get("reasoning_content").or(message.get("reasoning")).and_then(Value::as_str);
    if let Some(reasoning) = reasoning.filter(|reasoning| !reasoning.is_empty()) {
        blocks.push(json!({"type": "thinking", "thinking": reasoning, "signature": ""}));
    }
    let text = super::request::joined_text(message.get("content"), "");
    let text = if text.is_empty() {
        message.get("refusal").and_then(Value::as_str).unwrap_or_default().to_string()
    } else {
        text
    };
    if !text.is_empty() {
        blocks.push(json!({"type": "text", "text": text}));
    }
    let calls = message.get("tool_calls").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let legacy_call = message.get("function_call").filter(|call| call.is_object());
    let functions = calls
        .iter()
        .filter_map(|call| Some((call.get("id"), call.get("function")?)))
        .chain(legacy_call.map(|call| (None, call)));
    let mut tool_count = 0;
    for (position, (id, function)) in functions.enumerate() {
        let id = id.and_then(Value::as_str).unwrap_or_default();
        let fallback_suffix = format!("{}_{position}", completion_id.unwrap_or("call"));
        let name = function.get("name").and_then(Value::as_str).unwrap_or_default();
        blocks.push(json!({
            "type": "tool_use",
            "id": normalize_tool_id(id, &fallback_suffix),
            "name": names.restore(name),
            "input": arguments_value(function.get("arguments")),
        }));
        tool_count += 1;
    }
    let finish_reason = choice.get("finish_reason").and_then(Value::as_str);
    let usage = openai_usage(resp).unwrap_or_default();
    json!({
        "id": anthropic_message_id(completion_id),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": blocks,
        "stop_reason": anthropic_stop_reason(finish_reason, tool_count > 0),
        "stop_sequence": null,
        "usage": usage.to_anthropic(),
    })
}

/// Pass-through: the response's top-level `model` becomes the gateway's model id.
pub fn set_model(resp: &mut Value, model: &str) {
    if let Some(object) = resp.as_object_mut() {
        object.insert("model".to_string(), json!(model));
    }
}

/// Usage of an OpenAI chat.completion, if it reports one.
pub fn openai_usage(resp: &Value) -> Option<Usage> {
    resp.get("usage").and_then(Usage::from_openai)
}

/// Usage of an Anthropic message, if it reports one.
pub fn anthropic_usage(resp: &Value) -> Option<Usage> {
    resp.get("usage").and_then(Usage::from_anthropic)
}
