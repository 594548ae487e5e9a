//! Anthropic upstream → Anthropic client: every event forwarded as received (event name and data), except
//! `message_start`, whose `message.model` becomes the gateway's model id. Usage follows the snapshot rule.

use super::super::sse::{anthropic_frame, anthropic_raw_frame, SseEvent};
use super::super::usage::{token_count, Usage};
use super::errors::anthropic_upstream_failure;
use super::{estimated_usage, StreamOptions, StreamTranslator};
use serde_json::{json, Value};

pub(super) struct AnthropicPassthrough {
    opts: StreamOptions,
    usage: Usage,
    saw_message_start: bool,
    saw_message_delta: bool,
    saw_tool_use: bool,
    usage_reported: bool,
    /// Indexes of blocks started and not yet stopped.
    open_blocks: Vec<u64>,
    finished: bool,
    output_text: String,
}

impl AnthropicPassthrough {
    pub(super) fn new(opts: StreamOptions) -> Self {
        AnthropicPassthrough {
            opts,
            usage: Usage::default(),
            saw_message_start: false,
            saw_message_delta: false,
            saw_tool_use: false,
            usage_reported: false,
            open_blocks: Vec::new(),
            finished: false,
            output_text: String::new(),
        }
    }

    /// Updates the state from one event; returns the rewritten data when the event must not go out verbatim.
    fn observe(&mut self, name: &str, data: &mut Value) -> Option<Value> {
        match name {
            "message_start" => {
                self.saw_message_start = true;
                if let Some(usage) = data.pointer("/message/usage") {
                    self.usage.merge_anthropic_snapshot(usage);
                }
                if let Some(message) = data.get_mut("message").and_then(Value::as_object_mut) {
                    message.insert("model".to_string(), json!(self.opts.model));
                }
                return Some(data.clone());
            }
            "content_block_start" => {
                if let Some(index) = data.get("index").and_then(Value::as_u64) {
                    self.open_blocks.push(index);
                }
                let block = data.get("content_block").unwrap_or(&Value::Null);
                if block.get("type").and_then(Value::as_str) == Some("tool_use") {
                    self.saw_tool_use = true;
                    self.output_text.push_str(block.get("name").and_then(Value::as_str).unwrap_or_default());
                }
            }
            "content_block_delta" => {
                let delta = data.get("delta").unwrap_or(&Value::Null);
                for key in ["text", "thinking", "partial_json"] {
                    if let Some(text) = delta.get(key).and_then(Value::as_str) {
                        self.output_text.push_str(text);
                    }
                }
            }
            "content_block_stop" => {
                let index = data.get("index").and_then(Value::as_u64);
                self.open_blocks.retain(|open| Some(*open) != index);
            }
            "message_delta" => {
                self.saw_message_delta = true;
                if let Some(usage) = data.get("usage") {
                    self.usage.merge_anthropic_snapshot(usage);
                    self.usage_reported |= token_count(usage.get("output_tokens")).is_some();
                }
            }
            "message_stop" | "error" => self.finished = true,
            _ => {}
        }
        None
    }
}

impl StreamTranslator for AnthropicPassthrough {
    fn on_event(&mut self, ev: &SseEvent) -> Vec<String> {
        if self.finished {
            return Vec::new();
        }
        let Ok(mut data) = serde_json::from_str::<Value>(&ev.data) else {
            return Vec::new(); // not JSON: clients JSON-parse every data line
        };
        let name = match ev.event.as_deref() {
            Some(name) => name.to_string(),
            None => match data.get("type").and_then(Value::as_str) {
                Some(kind) => kind.to_string(),
                None => return Vec::new(),
            },
        };
        match self.observe(&name, &mut data) {
            Some(rewritten) => vec![anthropic_frame(&name, &rewritten)],
            None => vec![anthropic_raw_frame(&name, &ev.data)],
        }
    }

    fn finish(&mut self) -> Vec<String> {
        if self.finished {
            return Vec::new();
        }
        self.finished = true;
        if !self.saw_message_start {
            return vec![anthropic_upstream_failure("upstream closed the stream without a response")];
        }
        let mut frames: Vec<String> = std::mem::take(&mut self.open_blocks)
            .into_iter()
            .map(|index| anthropic_frame("content_block_stop", &json!({"type": "content_block_stop", "index": index})))
            .collect();
        if !self.saw_message_delta {
            let usage = if self.usage_reported {
                self.usage
            } else {
                estimated_usage(self.usage, true, self.opts.input_estimate, &self.output_text)
            };
            let stop_reason = if self.saw_tool_use { "tool_use" } else { "end_turn" };
            frames.push(anthropic_frame(
                "message_delta",
                &json!({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": null}, "usage": usage.to_anthropic()}),
            ));
        }
        frames.push(anthropic_frame("message_stop", &json!({"type": "message_stop"})));
        frames
    }

    fn fail(&mut self, message: &str) -> Vec<String> {
        if self.finished {
            return Vec::new();
        }
        self.finished = true;
        vec![anthropic_upstream_failure(message)]
    }

    fn usage(&self) -> Usage {
        if self.saw_message_start {
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
