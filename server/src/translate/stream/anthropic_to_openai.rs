//! Anthropic upstream → OpenAI client (PROTOCOLS 3.3, streaming table).
//!
//! One `chatcmpl-<message id>` id for every chunk; tool_calls `index` counts tool_use blocks only (0, 1, …), not the
//! Anthropic block index; the finish chunk is held until message_stop; the include_usage chunk (`choices: []`) comes
//! right before `[DONE]` only when the client asked for it. Pings and signatures are dropped.

use super::super::clock::unix_seconds;
use super::super::ids::openai_completion_id;
use super::super::sse::{openai_frame, SseEvent, OPENAI_DONE};
use super::super::stop_reasons::openai_finish_reason;
use super::super::usage::{token_count, Usage};
use super::errors::{error_message, openai_code_for_anthropic_type, openai_error_frame, openai_upstream_failure};
use super::openai_chunks::ChunkIdentity;
use super::{estimated_usage, StreamOptions, StreamTranslator};
use serde_json::{json, Value};
use std::collections::HashMap;

/// A tool_use block of the upstream message.
struct ToolBlock {
    /// Position among the message's tool calls: the OpenAI `tool_calls[].index`.
    ordinal: u64,
    /// `content_block_start.input`, sent as arguments at block stop only if no input_json_delta came.
    start_input: Value,
    saw_arguments: bool,
}

pub(super) struct AnthropicToOpenAi {
    opts: StreamOptions,
    identity: ChunkIdentity,
    started: bool,
    tools_by_block_index: HashMap<u64, ToolBlock>,
    tool_count: u64,
    stop_reason: Option<String>,
    usage: Usage,
    usage_reported: bool,
    finished: bool,
    output_text: String,
}

impl AnthropicToOpenAi {
    pub(super) fn new(opts: StreamOptions) -> Self {
        let identity =
            ChunkIdentity { model: opts.model.clone(), created: json!(unix_seconds()), ..ChunkIdentity::default() };
        AnthropicToOpenAi {
            opts,
            identity,
            started: false,
            tools_by_block_index: HashMap::new(),
            tool_count: 0,
            stop_reason: None,
            usage: Usage::default(),
            usage_reported: false,
            finished: false,
            output_text: String::new(),
        }
    }

    fn delta_frame(&self, delta: Value) -> String {
        openai_frame(&self.identity.delta_chunk(delta, None))
    }

    /// The first chunk (role), sent on message_start or, for a stream missing it, before the first content.
    fn start(&mut self, message_id: Option<&str>, frames: &mut Vec<String>) {
        if self.started {
            return;
        }
        self.started = true;
        self.identity.id = openai_completion_id(message_id);
        frames.push(self.delta_frame(json!({"role": "assistant", "content": ""})));
    }

    fn tool_arguments_frame(&self, ordinal: u64, arguments: &str) -> String {
        self.delta_frame(json!({"tool_calls": [{"index": ordinal, "function": {"arguments": arguments}}]}))
    }

    fn on_block_start(&mut self, data: &Value, frames: &mut Vec<String>) {
        let block = data.get("content_block").unwrap_or(&Value::Null);
        if block.get("type").and_then(Value::as_str) != Some("tool_use") {
            return;
        }
        let ordinal = self.tool_count;
        self.tool_count += 1;
        let name = self.opts.names.restore(block.get("name").and_then(Value::as_str).unwrap_or_default()).to_string();
        self.output_text.push_str(&name);
        let id = block.get("id").and_then(Value::as_str).unwrap_or_default();
        frames.push(self.delta_frame(json!({"tool_calls": [{
            "index": ordinal, "id": id, "type": "function", "function": {"name": name, "arguments": ""},
        }]})));
        let start_input = block.get("input").cloned().unwrap_or(Value::Null);
        let index = data.get("index").and_then(Value::as_u64).unwrap_or(u64::MAX);
        self.tools_by_block_index.insert(index, ToolBlock { ordinal, start_input, saw_arguments: false });
    }

    fn on_block_delta(&mut self, data: &Value, frames: &mut Vec<String>) {
        let delta = data.get("delta").unwrap_or(&Value::Null);
        let text_of = |key: &str| delta.get(key).and_then(Value::as_str).unwrap_or_default();
        match delta.get("type").and_then(Value::as_str).unwrap_or_default() {
            "text_delta" if !text_of("text").is_empty() => {
                self.output_text.push_str(text_of("text"));
                frames.push(self.delta_frame(json!({"content": text_of("text")})));
            }
            "thinking_delta" if !text_of("thinking").is_empty() => {
                self.output_text.push_str(text_of("thinking"));
                frames.push(self.delta_frame(json!({"reasoning_content": text_of("thinking")})));
            }
            "input_json_delta" if !text_of("partial_json").is_empty() => {
                let index = data.get("index").and_then(Value::as_u64).unwrap_or(u64::MAX);
                let Some(tool) = self.tools_by_block_index.get_mut(&index) else { return };
                tool.saw_arguments = true;
                let ordinal = tool.ordinal;
                self.output_text.push_str(text_of("partial_json"));
                frames.push(self.tool_arguments_frame(ordinal, text_of("partial_json")));
            }
            _ => {} // signature_delta, citations_delta, empty fragments
        }
    }

    fn on_block_stop(&mut self, data: &Value, frames: &mut Vec<String>) {
        let index = data.get("index").and_then(Value::as_u64).unwrap_or(u64::MAX);
        let Some(tool) = self.tools_by_block_index.remove(&index) else { return };
        let has_start_input = tool.start_input.as_object().is_some_and(|input| !input.is_empty());
        if !tool.saw_arguments && has_start_input {
            let arguments = tool.start_input.to_string();
            self.output_text.push_str(&arguments);
            frames.push(self.tool_arguments_frame(tool.ordinal, &arguments));
        }
    }

    /// Finish chunk, include_usage chunk if asked, `[DONE]`.
    fn closing_frames(&mut self) -> Vec<String> {
        self.finished = true;
        let finish_reason = openai_finish_reason(self.stop_reason.as_deref(), self.tool_count > 0);
        let mut frames = vec![openai_frame(&self.identity.delta_chunk(json!({}), Some(finish_reason)))];
        if self.opts.include_usage {
            let usage = if self.usage_reported {
                self.usage
            } else {
                estimated_usage(self.usage, true, self.opts.input_estimate, &self.output_text)
            };
            frames.push(openai_frame(&self.identity.usage_chunk(usage.to_openai())));
        }
        frames.push(OPENAI_DONE.to_string());
        frames
    }
}

impl StreamTranslator for AnthropicToOpenAi {
    fn on_event(&mut self, ev: &SseEvent) -> Vec<String> {
        if self.finished {
            return Vec::new();
        }
        let Ok(data) = serde_json::from_str::<Value>(&ev.data) else {
            return Vec::new();
        };
        let name = ev.event.as_deref().or_else(|| data.get("type").and_then(Value::as_str)).unwrap_or_default();
        let mut frames = Vec::new();
        match name {
            "message_start" => {
                if let Some(usage) = data.pointer("/message/usage") {
                    self.usage.merge_anthropic_snapshot(usage);
                }
                self.start(data.pointer("/message/id").and_then(Value::as_str), &mut frames);
            }
            "content_block_start" => {
                self.start(None, &mut frames);
                self.on_block_start(&data, &mut frames);
            }
            "content_block_delta" => {
                self.start(None, &mut frames);
                self.on_block_delta(&data, &mut frames);
            }
            "content_block_stop" => self.on_block_stop(&data, &mut frames),
            "message_delta" => {
                if let Some(stop_reason) = data.pointer("/delta/stop_reason").and_then(Value::as_str) {
                    self.stop_reason = Some(stop_reason.to_string());
                }
                if let Some(usage) = data.get("usage") {
                    self.usage.merge_anthropic_snapshot(usage);
                    self.usage_reported |= token_count(usage.get("output_tokens")).is_some();
                }
            }
            "message_stop" => {
                self.start(None, &mut frames);
                frames.extend(self.closing_frames());
            }
            "error" => {
                self.finished = true;
                let error = data.get("error").unwrap_or(&Value::Null);
                let error_type = error.get("type").and_then(Value::as_str).unwrap_or("api_error");
                let code = openai_code_for_anthropic_type(error_type);
                frames.push(openai_error_frame(&error_message(error), error_type, code));
                frames.push(OPENAI_DONE.to_string());
            }
            _ => {} // ping and unknown events
        }
        frames
    }

    fn finish(&mut self) -> Vec<String> {
        if self.finished {
            return Vec::new();
        }
        if !self.started {
            self.finished = true;
            return vec![
                openai_upstream_failure("upstream closed the stream without a response"),
                OPENAI_DONE.to_string(),
            ];
        }
        self.closing_frames()
    }

    fn fail(&mut self, message: &str) -> Vec<String> {
        if self.finished {
            return Vec::new();
        }
        self.finished = true;
        vec![openai_upstream_failure(message), OPENAI_DONE.to_string()]
    }

    fn usage(&self) -> Usage {
        if self.started {
            self.usage
        } else {
            Usage { input: self.opts.input_estimate, ..Usage::default() }
        }
    }

    fn usage_reported(&self) -> bool {
        self.usage_reported
    }

    fn finished(&self) -> bool {
        self.finished
    }

    fn output_text(&self) -> &str {
        &self.output_text
    }
}
