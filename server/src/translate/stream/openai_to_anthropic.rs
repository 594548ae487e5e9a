//! OpenAI upstream → Anthropic client: the state machine of PROTOCOLS 3.2.
//!
//! - message_start on the first chunk (usage with both cache fields), then a `ping`.
//! - Blocks are sequential: reasoning → `thinking` (closed with an empty signature_delta), content → `text` (never
//!   opened for `""`), each tool call → `tool_use` started with `input: {}` and fed ONLY by input_json_delta fragments
//!   forwarded verbatim. A new id opens a new block even when the upstream reuses the index.
//! - finish_reason closes the open block; the message_delta (stop_reason `tool_use` whenever a tool was emitted) is
//!   held until the usage chunk, `[DONE]` or EOF, then message_stop. Nothing is sent after it.

use super::super::ids::{anthropic_message_id, normalize_tool_id};
use super::super::sse::{anthropic_frame, anthropic_ping, SseEvent};
use super::super::stop_reasons::anthropic_stop_reason;
use super::super::usage::Usage;
use super::errors::{
    anthropic_error_frame, anthropic_type_for_openai_error, anthropic_upstream_failure, error_message,
};
use super::{estimated_usage, StreamOptions, StreamTranslator};
use serde_json::{json, Value};
use std::collections::HashSet;

/// The content block currently open on the client side.
enum OpenBlock {
    None,
    Text { index: u64 },
    Thinking { index: u64 },
    Tool { index: u64, openai_index: u64, id: String },
}

pub(super) struct OpenAiToAnthropic {
    opts: StreamOptions,
    started: bool,
    message_id: String,
    open_block: OpenBlock,
    next_block_index: u64,
    /// OpenAI tool_calls indexes that already had a block.
    seen_tool_indexes: HashSet<u64>,
    saw_tool: bool,
    /// Set by the finish_reason chunk; the message_delta carrying it waits for the usage.
    held_stop_reason: Option<&'static str>,
    usage: Option<Usage>,
    usage_reported: bool,
    finished: bool,
    output_text: String,
}

impl OpenAiToAnthropic {
    pub(super) fn new(opts: StreamOptions) -> Self {
        OpenAiToAnthropic {
            opts,
            started: false,
            message_id: String::new(),
            open_block: OpenBlock::None,
            next_block_index: 0,
            seen_tool_indexes: HashSet::new(),
            saw_tool: false,
            held_stop_reason: None,
            usage: None,
            usage_reported: false,
            finished: false,
            output_text: String::new(),
        }
    }

    fn start(&mut self, chunk: &Value, frames: &mut Vec<String>) {
        if self.started {
            return;
        }
        self.started = true;
        self.message_id = anthropic_message_id(chunk.get("id").and_then(Value::as_str));
        let usage = Usage { input: self.opts.input_estimate, ..Usage::default() };
        frames.push(anthropic_frame(
            "message_start",
            &json!({"type": "message_start", "message": {
                "id": self.message_id, "type": "message", "role": "assistant", "model": self.opts.model,
                "content": [], "stop_reason": null, "stop_sequence": null, "usage": usage.to_anthropic(),
            }}),
        ));
        frames.push(anthropic_ping());
    }

    fn close_block(&mut self, frames: &mut Vec<String>) {
        let index = match std::mem::replace(&mut self.open_block, OpenBlock::None) {
            OpenBlock::None => return,
            OpenBlock::Thinking { index } => {
                frames.push(delta_frame(index, json!({"type": "signature_delta", "signature": ""})));
                index
            }
            OpenBlock::Text { index } | OpenBlock::Tool { index, .. } => index,
        };
        frames.push(anthropic_frame("content_block_stop", &json!({"type": "content_block_stop", "index": index})));
    }

    /// Closes the open block and starts `content_block`; returns its index.
    fn open_block(&mut self, content_block: Value, frames: &mut Vec<String>) -> u64 {
        self.close_block(frames);
        let index = self.next_block_index;
        self.next_block_index += 1;
        frames.push(anthropic_frame(
            "content_block_start",
            &json!({"type": "content_block_start", "index": index, "content_block": content_block}),
        ));
        index
    }

    fn on_reasoning(&mut self, text: &str, frames: &mut Vec<String>) {
        let index = match self.open_block {
            OpenBlock::Thinking { index } => index,
            _ => {
                let index = self.open_block(json!({"type": "thinking", "thinking": "", "signature": ""}), frames);
                self.open_block = OpenBlock::Thinking { index };
                index
            }
        };
        self.output_text.push_str(text);
        frames.push(delta_frame(index, json!({"type": "thinking_delta", "thinking": text})));
    }

    fn on_text(&mut self, text: &str, frames: &mut Vec<String>) {
        let index = match self.open_block {
            OpenBlock::Text { index } => index,
            _ => {
                let index = self.open_block(json!({"type": "text", "text": ""}), frames);
                self.open_block = OpenBlock::Text { index };
                index
            }
        };
        self.output_text.push_str(text);
        frames.push(delta_frame(index, json!({"type": "text_delta", "text": text})));
    }

    fn on_tool_fragment(&mut self, fragment: &Value, frames: &mut Vec<String>) {
        let id = fragment.get("id").and_then(Value::as_str).filter(|id| !id.is_empty());
        let fragment_index = fragment.get("index").and_then(Value::as_u64);
        let name = fragment.pointer("/function/name").and_then(Value::as_str).filter(|name| !name.is_empty());
        let arguments = match fragment.pointer("/function/arguments") {
            Some(Value::String(arguments)) => arguments.clone(),
            Some(Value::Object(object)) => Value::Object(object.clone()).to_string(),
            _ => String::new(),
        };
        let continues_open_call = match &self.open_block {
            OpenBlock::Tool { openai_index, id: open_id, .. } => {
                id.is_none_or(|id| id == open_id) && fragment_index.is_none_or(|index| index == *openai_index)
            }
            _ => false,
        };
        let index = match (&self.open_block, continues_open_call) {
            (OpenBlock::Tool { index, .. }, true) => *index,
            _ => {
                let openai_index = fragment_index.unwrap_or(0);
                let late_fragment = id.is_none() && self.seen_tool_indexes.contains(&openai_index);
                if late_fragment || (id.is_none() && name.is_none() && arguments.is_empty()) {
                    return; // a closed call cannot be reopened; an empty fragment opens nothing
                }
                let fallback_suffix = format!("{}_{openai_index}", self.message_id);
                let tool_id = normalize_tool_id(id.unwrap_or_default(), &fallback_suffix);
                let tool_name = self.opts.names.restore(name.unwrap_or_default()).to_string();
                self.output_text.push_str(&tool_name);
                let content_block = json!({"type": "tool_use", "id": tool_id, "name": tool_name, "input": {}});
                let index = self.open_block(content_block, frames);
                self.open_block = OpenBlock::Tool { index, openai_index, id: id.unwrap_or_default().to_string() };
                self.seen_tool_indexes.insert(openai_index);
                self.saw_tool = true;
                index
            }
        };
        if !arguments.is_empty() {
            self.output_text.push_str(&arguments);
            frames.push(delta_frame(index, json!({"type": "input_json_delta", "partial_json": arguments})));
        }
    }

    fn on_choice(&mut self, choice: &Value, frames: &mut Vec<String>) {
        let delta = choice.get("delta").unwrap_or(&Value::Null);
        let reasoning = [delta.get("reasoning_content"), delta.get("reasoning")]
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find(|text| !text.is_empty());
        if let Some(reasoning) = reasoning {
            self.on_reasoning(reasoning, frames);
        }
        if let Some(text) = delta.get("content").and_then(Value::as_str).filter(|text| !text.is_empty()) {
            self.on_text(text, frames);
        }
        let fragments = delta.get("tool_calls").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for fragment in fragments {
            self.on_tool_fragment(fragment, frames);
        }
        if let Some(finish_reason) = choice.get("finish_reason").filter(|reason| !reason.is_null()) {
            self.close_block(frames);
            self.held_stop_reason = Some(anthropic_stop_reason(finish_reason.as_str(), self.saw_tool));
        }
    }

    /// Closes the open block, then message_delta (held stop reason, or end_turn/tool_use) and message_stop.
    fn end_message(&mut self) -> Vec<String> {
        let mut frames = Vec::new();
        self.close_block(&mut frames);
        self.finished = true;
        let stop_reason = self.held_stop_reason.unwrap_or(if self.saw_tool { "tool_use" } else { "end_turn" });
        let usage = match self.usage {
            Some(usage) if self.usage_reported => usage,
            known => {
                estimated_usage(known.unwrap_or_default(), known.is_some(), self.opts.input_estimate, &self.output_text)
            }
        };
        frames.push(anthropic_frame(
            "message_delta",
            &json!({
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": null},
                "usage": usage.to_anthropic(),
            }),
        ));
        frames.push(anthropic_frame("message_stop", &json!({"type": "message_stop"})));
        frames
    }
}

fn delta_frame(index: u64, delta: Value) -> String {
    anthropic_frame("content_block_delta", &json!({"type": "content_block_delta", "index": index, "delta": delta}))
}

/// The choice a single-choice client reads: index 0, else the first.
fn first_choice(chunk: &Value) -> Option<&Value> {
    let choices = chunk.get("choices").and_then(Value::as_array)?;
    choices.iter().find(|choice| choice.get("index").and_then(Value::as_u64) == Some(0)).or(choices.first())
}

impl StreamTranslator for OpenAiToAnthropic {
    fn on_event(&mut self, ev: &SseEvent) -> Vec<String> {
        if self.finished {
            return Vec::new();
        }
        let data = ev.data.trim();
        if data == "[DONE]" {
            return self.finish();
        }
        let Ok(chunk) = serde_json::from_str::<Value>(data) else {
            return Vec::new();
        };
        if let Some(error) = chunk.get("error").filter(|error| !error.is_null()) {
            self.finished = true;
            return vec![anthropic_error_frame(anthropic_type_for_openai_error(error), &error_message(error))];
        }
        if !chunk.is_object() {
            return Vec::new();
        }
        let mut frames = Vec::new();
        self.start(&chunk, &mut frames);
        if let Some(usage) = chunk.get("usage").and_then(Usage::from_openai) {
            self.usage = Some(usage);
            self.usage_reported |= chunk.pointer("/usage/completion_tokens").is_some_and(Value::is_number);
        }
        match first_choice(&chunk) {
            Some(choice) if self.held_stop_reason.is_none() => self.on_choice(choice, &mut frames),
            Some(_) => {} // content after finish_reason has no block to go to
            None if self.held_stop_reason.is_some() && self.usage.is_some() => frames.extend(self.end_message()),
            None => {}
        }
        frames
    }

    fn finish(&mut self) -> Vec<String> {
        if self.finished {
            return Vec::new();
        }
        if !self.started {
            self.finished = true;
            return vec![anthropic_upstream_failure("upstream closed the stream without a response")];
        }
        self.end_message()
    }

    fn fail(&mut self, message: &str) -> Vec<String> {
        if self.finished {
            return Vec::new();
        }
        self.finished = true;
        vec![anthropic_upstream_failure(message)]
    }

    fn usage(&self) -> Usage {
        self.usage.unwrap_or(Usage { input: self.opts.input_estimate, ..Usage::default() })
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
