//! OpenAI chat body → Anthropic Messages body (PROTOCOLS 3.3 rules 1–11).

use super::super::arguments::arguments_value;
use super::super::ids::normalize_tool_id;
use super::super::TranslateError;
use super::images::{openai_file_to_anthropic, openai_image_to_anthropic};
use super::{joined_text, openai_validate, RequestOptions};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

/// Text of the user turn inserted when a conversation does not start with one (Anthropic requires it).
const PLACEHOLDER_USER_TEXT: &str = ".";
/// Content of the tool_result inserted for a tool call the client sent no result for.
const MISSING_RESULT_TEXT: &str = "No result was provided for this tool call.";
/// Smallest thinking budget Anthropic accepts.
const MIN_THINKING_BUDGET: u64 = 1024;
/// Lowest `top_p` Anthropic accepts together with thinking.
const MIN_TOP_P_WITH_THINKING: f64 = 0.95;
const JSON_OBJECT_INSTRUCTION: &str =
    "Respond only with a single valid JSON object, without any surrounding text or code fences.";

/// One Anthropic turn under construction.
struct Turn {
    role: &'static str,
    blocks: Vec<Value>,
}

/// Translates an OpenAI chat body for an Anthropic upstream. `model` is `opts.upstream_model`; `stream` is copied.
pub fn openai_to_anthropic(body: &Value, opts: &RequestOptions) -> Result<Value, TranslateError> {
    openai_validate(body)?;
    if body.get("n").and_then(Value::as_u64).is_some_and(|n| n > 1) {
        return Err(TranslateError::with_param("n greater than 1 is not supported for this model", "n"));
    }
    let messages = body.get("messages").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let mut system_texts: Vec<String> = Vec::new();
    let mut turns: Vec<Turn> = Vec::new();
    let mut legacy_call_ids: HashMap<String, String> = HashMap::new();
    for (index, message) in messages.iter().enumerate() {
        match message.get("role").and_then(Value::as_str).unwrap_or_default() {
            "system" | "developer" => {
                let text = joined_text(message.get("content"), "\n");
                if !text.trim().is_empty() {
                    system_texts.push(text);
                }
            }
            "user" => push_turn(&mut turns, "user", user_blocks(message.get("content"))?),
            "assistant" => push_turn(&mut turns, "assistant", assistant_blocks(message, index, &mut legacy_call_ids)),
            "tool" => push_turn(&mut turns, "user", vec![tool_result_block(message)]),
            "function" => push_turn(&mut turns, "user", vec![legacy_function_result(message, &legacy_call_ids)]),
            _ => {}
        }
    }
    finish_turns(&mut turns);

    let mut out = Map::new();
    out.insert("model".into(), json!(opts.upstream_model));
    out.insert(
        "messages".into(),
        Value::Array(turns.into_iter().map(|turn| json!({"role": turn.role, "content": turn.blocks})).collect()),
    );
    if let Some(instruction) = response_format_instruction(body.get("response_format")) {
        system_texts.push(instruction);
    }
    if !system_texts.is_empty() {
        out.insert("system".into(), json!(system_texts.join("\n\n")));
    }
    let tools: Vec<Value> = tool_definitions(body);
    let tool_choice = if tools.is_empty() { None } else { tool_choice(body) };
    if !tools.is_empty() {
        out.insert("tools".into(), Value::Array(tools));
    }
    let forced_tool =
        tool_choice.as_ref().is_some_and(|choice| matches!(choice["type"].as_str(), Some("any" | "tool")));
    if let Some(choice) = tool_choice {
        out.insert("tool_choice".into(), choice);
    }
    let requested_max =
        body.get("max_completion_tokens").and_then(Value::as_u64).or(body.get("max_tokens").and_then(Value::as_u64));
    let budget = if forced_tool { None } else { thinking_budget(body.get("reasoning_effort")) };
    let (max_tokens, budget) = output_and_thinking_limits(opts, requested_max, budget);
    out.insert("max_tokens".into(), json!(max_tokens));
    copy_sampling(body, &mut out, budget.is_some());
    if let Some(budget) = budget {
        out.insert("thinking".into(), json!({"type": "enabled", "budget_tokens": budget}));
    }
    if let Some(stop_sequences) = stop_sequences(body.get("stop")) {
        out.insert("stop_sequences".into(), stop_sequences);
    }
    let end_user = body.get("user").or(body.get("safety_identifier")).and_then(Value::as_str);
    if let Some(user_id) = end_user.filter(|id| !id.is_empty()) {
        out.insert("metadata".into(), json!({"user_id": user_id}));
    }
    if let Some(stream) = body.get("stream").filter(|stream| stream.is_boolean()) {
        out.insert("stream".into(), stream.clone());
    }
    Ok(Value::Object(out))
}

/// Appends `blocks` as a turn of `role`, merged into the previous turn when it has the same role; empty lists vanish.
fn push_turn(turns: &mut Vec<Turn>, role: &'static str, blocks: Vec<Value>) {
    if blocks.is_empty() {
        return;
    }
    match turns.last_mut() {
        Some(last) if last.role == role => last.blocks.extend(blocks),
        _ => turns.push(Turn { role, blocks }),
    }
}

/// Makes the turns acceptable to Anthropic: every tool_use of an assistant turn answered exactly once by a tool_result
/// at the start of the next user turn (duplicates dropped, a missing result stood in for, a result answering no tool_use
/// of the previous turn kept as text), a user turn first, no trailing whitespace at the end of a final assistant turn.
fn finish_turns(turns: &mut Vec<Turn>) {
    for position in 0..turns.len() {
        if turns[position].role != "user" {
            continue;
        }
        let expected_ids: Vec<String> = match position.checked_sub(1).map(|previous| &turns[previous]) {
            Some(previous) if previous.role == "assistant" => previous
                .blocks
                .iter()
                .filter(|block| block["type"] == "tool_use")
                .filter_map(|block| block["id"].as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        turns[position].blocks = paired_user_blocks(std::mem::take(&mut turns[position].blocks), &expected_ids);
    }
    turns.retain(|turn| !turn.blocks.is_empty());
    if turns.first().is_none_or(|turn| turn.role != "user") {
        turns.insert(0, Turn { role: "user", blocks: vec![text_block(PLACEHOLDER_USER_TEXT)] });
    }
    if let Some(last) = turns.last_mut().filter(|turn| turn.role == "assistant") {
        if let Some(Value::String(text)) = last.blocks.last_mut().and_then(|block| block.get_mut("text")) {
            let trimmed_len = text.trim_end().len();
            text.truncate(trimmed_len);
        }
    }
}

/// A user turn's blocks with one tool_result per expected id first, then the rest.
fn paired_user_blocks(blocks: Vec<Value>, expected_ids: &[String]) -> Vec<Value> {
    let mut results: Vec<Value> = Vec::new();
    let mut others: Vec<Value> = Vec::new();
    let mut answered: HashSet<String> = HashSet::new();
    for block in blocks {
        if block["type"] != "tool_result" {
            others.push(block);
            continue;
        }
        let id = block["tool_use_id"].as_str().unwrap_or_default().to_string();
        if !expected_ids.contains(&id) {
            let content = block["content"].as_str().unwrap_or_default();
            others.push(text_block(&format!("Result of tool call {id}: {content}")));
        } else if answered.insert(id) {
            results.push(block);
        }
    }
    for id in expected_ids.iter().filter(|id| !answered.contains(*id)) {
        results.push(json!({"type": "tool_result", "tool_use_id": id, "content": MISSING_RESULT_TEXT, "is_error": true}));
    }
    results.extend(others);
    results
}

fn text_block(text: &str) -> Value {
    json!({"type": "text", "text": text})
}

/// Anthropic blocks of a user message's content (string or parts).
fn user_blocks(content: Option<&Value>) -> Result<Vec<Value>, TranslateError> {
    let parts = match content {
        Some(Value::String(text)) if !text.trim().is_empty() => return Ok(vec![text_block(text)]),
        Some(Value::Array(parts)) => parts,
        _ => return Ok(Vec::new()),
    };
    let mut blocks = Vec::new();
    for part in parts {
        match part.get("type").and_then(Value::as_str).unwrap_or_default() {
            "text" => {
                let text = part.get("text").and_then(Value::as_str).unwrap_or_default();
                if !text.trim().is_empty() {
                    blocks.push(text_block(text));
                }
            }
            "image_url" => blocks.push(openai_image_to_anthropic(part)?),
            "file" => blocks.push(openai_file_to_anthropic(part)?),
            "input_audio" => {
                return Err(TranslateError::with_param("audio input is not supported for this model", "messages"))
            }
            other => {
                return Err(TranslateError::with_param(format!("unsupported content part type: {other}"), "messages"))
            }
        }
    }
    Ok(blocks)
}

/// Anthropic blocks of an assistant message: its text (reasoning without an Anthropic signature is dropped) and its
/// tool calls as `tool_use` with parsed input.
fn assistant_blocks(message: &Value, index: usize, legacy_call_ids: &mut HashMap<String, String>) -> Vec<Value> {
    let mut blocks = Vec::new();
    let text = joined_text(message.get("content"), "\n");
    let text = if text.trim().is_empty() {
        message.get("refusal").and_then(Value::as_str).unwrap_or_default().to_string()
    } else {
        text
    };
    if !text.trim().is_empty() {
        blocks.push(text_block(&text));
    }
    let calls = message.get("tool_calls").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for (position, call) in calls.iter().enumerate() {
        let id = call.get("id").and_then(Value::as_str).unwrap_or_default();
        let function = call.get("function").unwrap_or(&Value::Null);
        blocks.push(json!({
            "type": "tool_use",
            "id": normalize_tool_id(id, &format!("{index}_{position}")),
            "name": function.get("name").and_then(Value::as_str).unwrap_or_default(),
            "input": arguments_value(function.get("arguments")),
        }));
    }
    if let Some(function) = message.get("function_call").filter(|call| call.is_object()) {
        let name = function.get("name").and_then(Value::as_str).unwrap_or_default();
        let id = format!("toolu_fn_{index}");
        legacy_call_ids.insert(name.to_string(), id.clone());
        blocks.push(
            json!({"type": "tool_use", "id": id, "name": name, "input": arguments_value(function.get("arguments"))}),
        );
    }
    blocks
}

fn tool_result_block(message: &Value) -> Value {
    let id = message.get("tool_call_id").and_then(Value::as_str).unwrap_or_default();
    let mut block = json!({"type": "tool_result", "tool_use_id": normalize_tool_id(id, "missing")});
    let text = joined_text(message.get("content"), "\n");
    if !text.is_empty() {
        block["content"] = json!(text);
    }
    block
}

/// A legacy `function` role message: the result of the latest `function_call` of that name, else plain text.
fn legacy_function_result(message: &Value, legacy_call_ids: &HashMap<String, String>) -> Value {
    let name = message.get("name").and_then(Value::as_str).unwrap_or_default();
    let text = joined_text(message.get("content"), "\n");
    match legacy_call_ids.get(name) {
        Some(id) => json!({"type": "tool_result", "tool_use_id": id, "content": text}),
        None => text_block(&format!("Result of {name}: {text}")),
    }
}

/// `tools` (and legacy `functions`) as Anthropic tool definitions; `strict` and custom tools are dropped.
fn tool_definitions(body: &Value) -> Vec<Value> {
    let tools = body.get("tools").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let functions = body.get("functions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    tools
        .iter()
        .filter(|tool| tool.get("type").and_then(Value::as_str).is_none_or(|kind| kind == "function"))
        .filter_map(|tool| tool.get("function"))
        .chain(functions)
        .filter_map(|function| {
            let name = function.get("name").and_then(Value::as_str)?;
            let mut schema = match function.get("parameters") {
                Some(Value::Object(schema)) => schema.clone(),
                _ => Map::new(),
            };
            schema.entry("type").or_insert(json!("object"));
            if schema.get("type") == Some(&json!("object")) {
                schema.entry("properties").or_insert(json!({}));
            }
            let mut tool = json!({"name": name, "input_schema": schema});
            if let Some(description) = function.get("description").and_then(Value::as_str) {
                tool["description"] = json!(description);
            }
            Some(tool)
        })
        .collect()
}

/// `tool_choice` (or legacy `function_call`) and `parallel_tool_calls:false` as an Anthropic tool choice.
fn tool_choice(body: &Value) -> Option<Value> {
    let choice = body.get("tool_choice").or(body.get("function_call"));
    let mut anthropic_choice = match choice {
        Some(Value::String(mode)) => match mode.as_str() {
            "auto" => Some(json!({"type": "auto"})),
            "required" => Some(json!({"type": "any"})),
            "none" => Some(json!({"type": "none"})),
            _ => None,
        },
        Some(Value::Object(named)) => named
            .get("function")
            .and_then(|function| function.get("name"))
            .or(named.get("name"))
            .and_then(Value::as_str)
            .map(|name| json!({"type": "tool", "name": name})),
        _ => None,
    };
    if body.get("parallel_tool_calls") == Some(&Value::Bool(false)) {
        let choice = anthropic_choice.get_or_insert_with(|| json!({"type": "auto"}));
        if choice["type"] != "none" {
            choice["disable_parallel_tool_use"] = json!(true);
        }
    }
    anthropic_choice
}

/// Thinking budget for `reasoning_effort` (a string or `{effort}`); none for `none`/`minimal`/unknown.
fn thinking_budget(reasoning_effort: Option<&Value>) -> Option<u64> {
    let effort = reasoning_effort.and_then(|effort| effort.as_str().or_else(|| effort.get("effort")?.as_str()))?;
    match effort {
        "low" => Some(1024),
        "medium" => Some(2048),
        "high" => Some(4096),
        "xhigh" => Some(8192),
        _ => None,
    }
}

/// `max_tokens` for Anthropic and the thinking budget that fits under it (budget < max_tokens, budget ≥ 1024).
/// Without a client maximum, thinking gets its budget on top of the default output allowance.
fn output_and_thinking_limits(
    opts: &RequestOptions,
    requested: Option<u64>,
    budget: Option<u64>,
) -> (u64, Option<u64>) {
    let Some(budget) = budget else {
        return (opts.output_limit(requested), None);
    };
    let max_tokens = match requested {
        Some(requested) => opts.output_limit(Some(requested)),
        None => opts.output_limit(Some(opts.output_limit(None).saturating_add(budget))),
    };
    if budget < max_tokens {
        return (max_tokens, Some(budget));
    }
    let halved = max_tokens / 2;
    (max_tokens, (halved >= MIN_THINKING_BUDGET).then_some(halved))
}

/// `temperature` (clamped to 0–1), `top_p`, `top_k`; with thinking only a `top_p` ≥ 0.95 survives.
fn copy_sampling(body: &Value, out: &mut Map<String, Value>, thinking: bool) {
    let top_p = body.get("top_p").and_then(Value::as_f64);
    if thinking {
        if let Some(top_p) = top_p.filter(|top_p| *top_p >= MIN_TOP_P_WITH_THINKING) {
            out.insert("top_p".into(), json!(top_p));
        }
        return;
    }
    if let Some(temperature) = body.get("temperature").and_then(Value::as_f64) {
        out.insert("temperature".into(), json!(temperature.clamp(0.0, 1.0)));
    }
    if let Some(top_p) = top_p {
        out.insert("top_p".into(), json!(top_p));
    }
    if let Some(top_k) = body.get("top_k").and_then(Value::as_u64) {
        out.insert("top_k".into(), json!(top_k));
    }
}

/// `stop` (string or array) as `stop_sequences`, always an array; blank entries dropped.
fn stop_sequences(stop: Option<&Value>) -> Option<Value> {
    let sequences: Vec<&str> = match stop? {
        Value::String(sequence) => vec![sequence.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    let sequences: Vec<&str> = sequences.into_iter().filter(|sequence| !sequence.trim().is_empty()).collect();
    (!sequences.is_empty()).then(|| json!(sequences))
}

/// A system-prompt instruction standing in for `response_format` json_object / json_schema.
fn response_format_instruction(response_format: Option<&Value>) -> Option<String> {
    let format = response_format?;
    match format.get("type").and_then(Value::as_str)? {
        "json_object" => Some(JSON_OBJECT_INSTRUCTION.to_string()),
        "json_schema" => {
            let schema = format.pointer("/json_schema/schema").cloned().unwrap_or(json!({}));
            Some(format!(
                "Respond only with a JSON value that matches this JSON Schema, without any surrounding text or code fences:\n{schema}"
            ))
        }
        _ => None,
    }
}
