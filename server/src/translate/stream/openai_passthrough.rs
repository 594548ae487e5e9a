//! OpenAI upstream → OpenAI client: chunks forwarded with `model` rewritten; upstream comments dropped (the parser
//! already did); the usage-only chunk kept only if the client asked `include_usage` (the gateway always asks upstream
//! for it, for billing); in-band `{"error":…}` objects forwarded.

use super::super::sse::{openai_frame, SseEvent, OPENAI_DONE};
use super::super::usage::Usage;
use super::errors::openai_upstream_failure;
use super::openai_chunks::ChunkIdentity;
use super::{estimated_usage, StreamOptions, StreamTranslator};
use serde_json::{json, Value};

pub(super) struct OpenAiPassthrough {
    opts: StreamOptions,
    /// id and created of the latest upstream chunk, for chunks the gateway has to add at EOF.
    identity: ChunkIdentity,
    usage: Option<Usage>,
    usage_reported: bool,
    usage_forwarded: bool,
    sent_any: bool,
    saw_finish_reason: bool,
    saw_tool_call: bool,
    saw_error: bool,
    finished: bool,
    output_text: String,
}

impl OpenAiPassthrough {
    pub(super) fn new(opts: StreamOptions) -> Self {
        let identity = ChunkIdentity { model: opts.model.clone(), created: json!(0), ..ChunkIdentity::default() };
        OpenAiPassthrough {
            opts,
            identity,
            usage: None,
            usage_reported: false,
            usage_forwarded: false,
            sent_any: false,
            saw_finish_reason: false,
            saw_tool_call: false,
            saw_error: false,
            finished: false,
            output_text: String::new(),
        }
    }

    fn observe_chunk(&mut self, chunk: &Value) {
        if let Some(id) = chunk.get("id").and_then(Value::as_str) {
            self.identity.id = id.to_string();
        }
        if let Some(created) = chunk.get("created").filter(|created| created.is_number()) {
            self.identity.created = created.clone();
        }
        if let Some(usage) = chunk.get("usage").and_then(Usage::from_openai) {
            self.usage = Some(usage);
            self.usage_reported |= chunk.pointer("/usage/completion_tokens").is_some_and(Value::is_number);
        }
        let choices = chunk.get("choices").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for choice in choices {
            let delta = choice.get("delta").unwrap_or(&Value::Null);
            for key in ["reasoning_content", "reasoning", "content"] {
                if let Some(text) = delta.get(key).and_then(Value::as_str) {
                    self.output_text.push_str(text);
                }
            }
            let calls = delta.get("tool_calls").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            for call in calls {
                self.saw_tool_call = true;
                for pointer in ["/function/name", "/function/arguments"] {
                    if let Some(text) = call.pointer(pointer).and_then(Value::as_str) {
                        self.output_text.push_str(text);
                    }
                }
            }
            if choice.get("finish_reason").is_some_and(|reason| !reason.is_null()) {
                self.saw_finish_reason = true;
            }
        }
    }

    fn best_usage(&self) -> Usage {
        match self.usage {
            Some(usage) if self.usage_reported => usage,
            known => {
                estimated_usage(known.unwrap_or_default(), known.is_some(), self.opts.input_estimate, &self.output_text)
            }
        }
    }
}

/// A chunk without choices (`[]`, `null` or missing) that carries a usage object.
fn is_usage_only(chunk: &Value) -> bool {
    let no_choices = match chunk.get("choices") {
        None | Some(Value::Null) => true,
        Some(Value::Array(choices)) => choices.is_empty(),
        Some(_) => false,
    };
    no_choices && chunk.get("usage").is_some_and(Value::is_object)
}

impl StreamTranslator for OpenAiPassthrough {
    fn on_event(&mut self, ev: &SseEvent) -> Vec<String> {
        if self.finished {
            return Vec::new();
        }
        let data = ev.data.trim();
        if data == "[DONE]" {
            self.finished = true;
            return vec![OPENAI_DONE.to_string()];
        }
        let Ok(mut chunk) = serde_json::from_str::<Value>(data) else {
            return Vec::new(); // not JSON: nothing a client SDK could parse
        };
        if chunk.get("error").is_some_and(|error| !error.is_null()) {
            self.saw_error = true;
            self.sent_any = true;
            return vec![openai_frame(&chunk)];
        }
        if !chunk.is_object() {
            return Vec::new();
        }
        self.observe_chunk(&chunk);
        let usage_only = is_usage_only(&chunk);
        if usage_only && !self.opts.include_usage {
            return Vec::new();
        }
        self.usage_forwarded |= usage_only;
        chunk["model"] = json!(self.opts.model);
        self.sent_any = true;
        vec![openai_frame(&chunk)]
    }

    fn finish(&mut self) -> Vec<String> {
        if self.finished {
            return Vec::new();
        }
        self.finished = true;
        if self.saw_error {
            return vec![OPENAI_DONE.to_string()];
        }
        if !self.sent_any {
            let message = "upstream closed the stream without a response";
            return vec![openai_upstream_failure(message), OPENAI_DONE.to_string()];
        }
        let mut frames = Vec::new();
        if !self.saw_finish_reason {
            let finish_reason = if self.saw_tool_call { "tool_calls" } else { "stop" };
            frames.push(openai_frame(&self.identity.delta_chunk(json!({}), Some(finish_reason))));
        }
        if self.opts.include_usage && !self.usage_forwarded {
            frames.push(openai_frame(&self.identity.usage_chunk(self.best_usage().to_openai())));
        }
        frames.push(OPENAI_DONE.to_string());
        frames
    }

    fn fail(&mut self, message: &str) -> Vec<String> {
        if self.finished {
            return Vec::new();
        }
        self.finished = true;
        vec![openai_upstream_failure(message), OPENAI_DONE.to_string()]
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
