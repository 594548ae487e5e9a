//! Anthropic Messages body → OpenAI chat body (PROTOCOLS 3.2 rules 1–12). Fields without an OpenAI meaning
//! (`cache_control`, `context_management`, `output_config`, `betas`, `mcp_servers`, `container`, `top_k`, server
//! tools) are dropped.

use super::super::{ToolNames, TranslateError};
use super::images::{anthropic_document_to_openai, anthropic_image_to_openai};
use super::{anthropic_validate, RequestOptions};
use serde_json::{json, Map, Value};
use std::collections::HashSet;

/// Claude Code's per-request attribution line in the first system block; it defeats upstream prefix caching.
const BILLING_HEADER_PREFIX: &str = "x-anthropic-billing-header:";

/// Translates an Anthropic body for an OpenAI-style upstream. Returns the body and the map of tool names that had
/// to be shortened (restore them in the response with [`ToolNames::restore`]).
pub fn anthropic_to_openai(body: &Value, opts: &RequestOptions) -> Result<(Value, ToolNames), TranslateError> {
    anthropic_validate(body, false)?;
    let mut names = ToolNames::default();
    let mut system_parts = system_texts(body.get("system"));
    let mut messages: Vec<Value> = Vec::new();
    let mut answered_tool_ids: HashSet<String> = HashSet::new();
    let turns = body.get("messages").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for turn in turns {
        let content = turn.get("content");
        match turn.get("role").and_then(Value::as_str).unwrap_or_default() {
            "system" => system_parts.extend(system_texts(content)),
            "user" => push_user_messages(content, &mut messages, &mut answered_tool_ids)?,
            "assistant" => messages.push(assistant_message(content, &mut names)),
            _ => {}
        }
    }
    if !system_parts.is_empty() {
        messages.insert(0, json!({"role": "system", "content": system_parts.join("\n\n")}));
    }

    let mut out = Map::new();
    out.insert("model".into(), json!(opts.upstream_model));
    out.insert("messages".into(), Value::Array(messages));
    let tools = tool_definitions(body.get("tools"), &mut names);
    if !tools.is_empty() {
        out.insert("tools".into(), Value::Array(tools));
        if let Some(choice) = body.get("tool_choice") {
            copy_tool_choice(choice, &mut names, &mut out);
        }
    }
    let max_tokens = opts.output_limit(body.get("max_tokens").and_then(Value::as_u64));
    out.insert(opts.max_tokens_field.to_string(), json!(max_tokens));
    for field in ["temperature", "top_p"] {
        if let Some(value) = body.get(field).filter(|value| value.is_number()) {
            out.insert(field.into(), value.clone());
        }
    }
    let stop: Vec<&str> = body
        .get("stop_sequences")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !stop.is_empty() {
        out.insert("stop".into(), json!(stop));
    }
    if let Some(effort) = reasoning_effort(body) {
        out.insert("reasoning_effort".into(), json!(effort));
    }
    if let Some(user_id) = body.pointer("/metadata/user_id").and_then(Value::as_str) {
        out.insert("user".into(), json!(user_id));
    }
    match body.get("stream") {
        Some(Value::Bool(true)) => {
            out.insert("stream".into(), json!(true));
            out.insert("stream_options".into(), json!({"include_usage": true}));
        }
        Some(Value::Bool(false)) => {
            out.insert("stream".into(), json!(false));
        }
        _ => {}
    }
    Ok((Value::Object(out), names))
}

/// Texts of a system value (string or text blocks), without Claude Code's billing-header line; empty texts dropped.
fn system_texts(system: Option<&Value>) -> Vec<String> {
    let raw: Vec<&str> = match system {
        Some(Value::String(text)) => vec![text.as_str()],
        Some(Value::Array(blocks)) => {
            blocks.iter().filter_map(|block| block.get("text").and_then(Value::as_str)).collect()
        }
        _ => Vec::new(),
    };
    raw.into_iter()
        .map(|text| {
            text.lines()
                .filter(|line| !line.trim_start().starts_with(BILLING_HEADER_PREFIX))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|text| !text.trim().is_empty())
        .collect()
}

/// A user turn: one `tool` message per (first) tool_result, then one user message with the images returned by
/// tools and the turn's own text, images and documents.
fn push_user_messages(
    content: Option<&Value>,
    messages: &mut Vec<Value>,
    answered_tool_ids: &mut HashSet<String>,
) -> Result<(), TranslateError> {
    let blocks = match content {
        Some(Value::Array(blocks)) => blocks,
        Some(Value::String(text)) => {
            messages.push(json!({"role": "user", "content": text}));
            return Ok(());
        }
        _ => return Ok(()),
    };
    let mut tool_images: Vec<Value> = Vec::new();
    let mut parts: Vec<Value> = Vec::new();
    for block in blocks {
        match block.get("type").and_then(Value::as_str).unwrap_or_default() {
            "tool_result" => {
                let id = block.get("tool_use_id").and_then(Value::as_str).unwrap_or_default();
                if !answered_tool_ids.insert(id.to_string()) {
                    continue; // a duplicate result for one tool_use (PROTOCOLS 3.5 pitfall 9)
                }
                let text = tool_result_text(block.get("content"), &mut tool_images)?;
                messages.push(json!({"role": "tool", "tool_call_id": id, "content": text}));
            }
            "text" => {
                let text = block.get("text").and_then(Value::as_str).unwrap_or_default();
                parts.push(json!({"type": "text", "text": text}));
            }
            "image" => parts.push(anthropic_image_to_openai(block)?),
            "document" => parts.push(anthropic_document_to_openai(block)?),
            _ => {} // server-tool results and other blocks without an OpenAI form
        }
    }
    tool_images.extend(parts);
    if tool_images.is_empty() {
        return Ok(());
    }
    let all_text = tool_images.iter().all(|part| part["type"] == "text");
    let content = if all_text {
        json!(tool_images.iter().filter_map(|part| part["text"].as_str()).collect::<Vec<_>>().join("\n"))
    } else {
        Value::Array(tool_images)
    };
    messages.push(json!({"role": "user", "content": content}));
    Ok(())
}

/// A tool_result's content flattened to text; its images are set aside for the following user message.
fn tool_result_text(content: Option<&Value>, tool_images: &mut Vec<Value>) -> Result<String, TranslateError> {
    let blocks = match content {
        Some(Value::String(text)) => return Ok(text.clone()),
        Some(Value::Array(blocks)) => blocks,
        _ => return Ok(String::new()),
    };
    let mut texts: Vec<String> = Vec::new();
    for block in blocks {
        match block.get("type").and_then(Value::as_str).unwrap_or_default() {
            "text" => texts.push(block.get("text").and_then(Value::as_str).unwrap_or_default().to_string()),
            "image" => tool_images.push(anthropic_image_to_openai(block)?),
            "document" if block.pointer("/source/type").and_then(Value::as_str) == Some("text") => {
                texts.push(block.pointer("/source/data").and_then(Value::as_str).unwrap_or_default().to_string());
            }
            _ => {}
        }
    }
    Ok(texts.join("\n"))
}

/// An assistant turn: text → `content`, tool_use → `tool_calls`, thinking → `reasoning_content` (DeepSeek/Kimi
/// require it back on tool-call turns); redacted thinking and server-tool blocks are dropped.
fn assistant_message(content: Option<&Value>, names: &mut ToolNames) -> Value {
    let blocks = match content {
        Some(Value::Array(blocks)) => blocks.as_slice(),
        Some(Value::String(text)) => return json!({"role": "assistant", "content": text}),
        _ => &[],
    };
    let mut text = String::new();
    let mut reasoning = String::new();
    let mut tool_calls: Vec<Value> = Vec::new();
    let mut previous_was_text = false;
    for block in blocks {
        let kind = block.get("type").and_then(Value::as_str).unwrap_or_default();
        match kind {
            "text" => {
                if !previous_was_text && !text.is_empty() {
                    text.push_str("\n\n"); // text after a tool_use has no place in OpenAI's order: merged
                }
                text.push_str(block.get("text").and_then(Value::as_str).unwrap_or_default());
            }
            "thinking" => reasoning.push_str(block.get("thinking").and_then(Value::as_str).unwrap_or_default()),
            "tool_use" => {
                let name = block.get("name").and_then(Value::as_str).unwrap_or_default();
                let input = block.get("input").cloned().unwrap_or(json!({}));
                tool_calls.push(json!({
                    "id": block.get("id").and_then(Value::as_str).unwrap_or_default(),
                    "type": "function",
                    "function": {"name": names.shorten(name), "arguments": input.to_string()},
                }));
            }
            _ => {}
        }
        previous_was_text = kind == "text";
    }
    let mut message = json!({"role": "assistant"});
    message["content"] = if text.is_empty() && !tool_calls.is_empty() { Value::Null } else { json!(text) };
    if !reasoning.is_empty() {
        message["reasoning_content"] = json!(reasoning);
    }
    if !tool_calls.is_empty() {
        message["tool_calls"] = Value::Array(tool_calls);
    }
    message
}

/// Client tools as OpenAI functions (long names shortened); Anthropic server/versioned tools are dropped.
fn tool_definitions(tools: Option<&Value>, names: &mut ToolNames) -> Vec<Value> {
    let tools = tools.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    tools
        .iter()
        .filter(|tool| tool.get("type").and_then(Value::as_str).is_none_or(|kind| kind == "custom"))
        .filter_map(|tool| {
            let name = tool.get("name").and_then(Value::as_str)?;
            let parameters = tool.get("input_schema").cloned().unwrap_or(json!({"type": "object", "properties": {}}));
            let mut function = json!({"name": names.shorten(name), "parameters": parameters});
            if let Some(description) = tool.get("description").and_then(Value::as_str) {
                function["description"] = json!(description);
            }
            Some(json!({"type": "function", "function": function}))
        })
        .collect()
}

fn copy_tool_choice(choice: &Value, names: &mut ToolNames, out: &mut Map<String, Value>) {
    let openai_choice = match choice.get("type").and_then(Value::as_str) {
        Some("auto") => Some(json!("auto")),
        Some("any") => Some(json!("required")),
        Some("none") => Some(json!("none")),
        Some("tool") => choice
            .get("name")
            .and_then(Value::as_str)
            .map(|name| json!({"type": "function", "function": {"name": names.shorten(name)}})),
        _ => None,
    };
    if let Some(openai_choice) = openai_choice {
        out.insert("tool_choice".into(), openai_choice);
    }
    if choice.get("disable_parallel_tool_use") == Some(&Value::Bool(true)) {
        out.insert("parallel_tool_calls".into(), json!(false));
    }
}

/// `thinking` as `reasoning_effort`: budget buckets minimal < 1024 ≤ low < 2048 ≤ medium < 4096 ≤ high;
/// disabled → none; adaptive → `output_config.effort` (max → high) or medium.
fn reasoning_effort(body: &Value) -> Option<&'static str> {
    let thinking = body.get("thinking")?;
    match thinking.get("type").and_then(Value::as_str)? {
        "enabled" => {
            let budget = thinking.get("budget_tokens").and_then(Value::as_u64).unwrap_or(0);
            Some(match budget {
                0..1024 => "minimal",
                1024..2048 => "low",
                2048..4096 => "medium",
                _ => "high",
            })
        }
        "disabled" => Some("none"),
        "adaptive" => Some(match body.pointer("/output_config/effort").and_then(Value::as_str) {
            Some("low") => "low",
            Some("high") | Some("max") | Some("xhigh") => "high",
            _ => "medium",
        }),
        _ => None,
    }
}
