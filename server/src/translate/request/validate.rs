//! Structural checks of inbound bodies, run before any translation and on pass-through too, so a broken body is a
//! clear 400 from the gateway instead of an upstream error.

use super::super::TranslateError;
use serde_json::Value;
use std::collections::HashSet;

const OPENAI_ROLES: [&str; 6] = ["system", "developer", "user", "assistant", "tool", "function"];
const ANTHROPIC_ROLES: [&str; 3] = ["user", "assistant", "system"];

fn body_object(body: &Value) -> Result<&serde_json::Map<String, Value>, TranslateError> {
    body.as_object().ok_or_else(|| TranslateError::new("request body must be a JSON object"))
}

fn messages_array(body: &serde_json::Map<String, Value>) -> Result<&Vec<Value>, TranslateError> {
    match body.get("messages") {
        None | Some(Value::Null) => Err(TranslateError::with_param("messages is required", "messages")),
        Some(Value::Array(messages)) if !messages.is_empty() => Ok(messages),
        Some(_) => Err(TranslateError::with_param("messages must be a non-empty array", "messages")),
    }
}

/// Absent or null is fine; otherwise a positive integer.
fn check_positive_integer(body: &serde_json::Map<String, Value>, field: &str) -> Result<(), TranslateError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(()),
        Some(value) if value.as_u64().is_some_and(|n| n >= 1) => Ok(()),
        Some(_) => Err(TranslateError::with_param(format!("{field} must be a positive integer"), field)),
    }
}

fn role_of<'a>(message: &'a Value, index: usize, allowed: &[&str]) -> Result<&'a str, TranslateError> {
    let param = format!("messages[{index}].role");
    let role = message
        .as_object()
        .ok_or_else(|| TranslateError::with_param(format!("messages[{index}] must be an object"), "messages"))?
        .get("role")
        .and_then(Value::as_str)
        .ok_or_else(|| TranslateError::with_param(format!("messages[{index}].role is required"), param.clone()))?;
    if !allowed.contains(&role) {
        return Err(TranslateError::with_param(
            format!("messages[{index}].role must be one of {}, got {role:?}", allowed.join(", ")),
            param,
        ));
    }
    Ok(role)
}

/// OpenAI chat body: `messages` a non-empty array of known roles; every tool message answers a tool call of an
/// earlier assistant message; `max_tokens`/`max_completion_tokens` and `n` positive integers.
pub fn openai_validate(body: &Value) -> Result<(), TranslateError> {
    let body = body_object(body)?;
    let messages = messages_array(body)?;
    let mut tool_call_ids: HashSet<&str> = HashSet::new();
    for (index, message) in messages.iter().enumerate() {
        let role = role_of(message, index, &OPENAI_ROLES)?;
        match message.get("content") {
            None | Some(Value::Null) | Some(Value::String(_)) | Some(Value::Array(_)) => {}
            Some(_) => {
                return Err(TranslateError::with_param(
                    format!("messages[{index}].content must be a string or an array of content parts"),
                    "messages",
                ))
            }
        }
        match role {
            "assistant" => {
                let calls = message.get("tool_calls").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                tool_call_ids.extend(calls.iter().filter_map(|call| call.get("id").and_then(Value::as_str)));
            }
            "tool" => {
                let id = message.get("tool_call_id").and_then(Value::as_str).ok_or_else(|| {
                    TranslateError::with_param(
                        format!("messages[{index}] is a tool message without tool_call_id"),
                        "messages",
                    )
                })?;
                if !tool_call_ids.contains(id) {
                    return Err(TranslateError::with_param(
                        format!("tool message has no matching tool call: {id}"),
                        "messages",
                    ));
                }
            }
            _ => {}
        }
    }
    check_positive_integer(body, "max_tokens")?;
    check_positive_integer(body, "max_completion_tokens")?;
    check_positive_integer(body, "n")?;
    Ok(())
}

/// Anthropic Messages body: `messages` a non-empty array of user/assistant (and Claude Code's system) entries with
/// string or block content; `max_tokens` a positive integer, required when `require_max_tokens` (`/v1/messages`,
/// not count_tokens); every tool_result answers a tool_use of the previous assistant message.
pub fn anthropic_validate(body: &Value, require_max_tokens: bool) -> Result<(), TranslateError> {
    let body = body_object(body)?;
    let messages = messages_array(body)?;
    if require_max_tokens && body.get("max_tokens").is_none_or(Value::is_null) {
        return Err(TranslateError::with_param("max_tokens is required", "max_tokens"));
    }
    check_positive_integer(body, "max_tokens")?;
    let mut previous_tool_use_ids: HashSet<&str> = HashSet::new();
    for (index, message) in messages.iter().enumerate() {
        let role = role_of(message, index, &ANTHROPIC_ROLES)?;
        let blocks = match message.get("content") {
            Some(Value::String(_)) => &[][..],
            Some(Value::Array(blocks)) => blocks.as_slice(),
            _ => {
                return Err(TranslateError::with_param(
                    format!("messages[{index}].content must be a string or an array of content blocks"),
                    "messages",
                ))
            }
        };
        match role {
            "assistant" => {
                previous_tool_use_ids = blocks
                    .iter()
                    .filter(|block| block.get("type").and_then(Value::as_str) == Some("tool_use"))
                    .filter_map(|block| block.get("id").and_then(Value::as_str))
                    .collect();
            }
            "user" => {
                for block in blocks {
                    if block.get("type").and_then(Value::as_str) != Some("tool_result") {
                        continue;
                    }
                    let id = block.get("tool_use_id").and_then(Value::as_str).unwrap_or_default();
                    if !previous_tool_use_ids.contains(id) {
                        return Err(TranslateError::with_param(
                            format!("tool_result block has no matching tool_use: {id}"),
                            "messages",
                        ));
                    }
                }
            }
            _ => {} // system entries (Claude Code) sit between turns without breaking tool pairing
        }
    }
    Ok(())
}
