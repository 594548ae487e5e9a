//! Request bodies: translation in both directions (PROTOCOLS 3.2 and 3.3) and the structural checks the
//! pipeline runs on every inbound body, translated or passed through.

mod anthropic_to_openai;
mod images;
mod openai_to_anthropic;
mod validate;

pub use anthropic_to_openai::anthropic_to_openai;
pub use openai_to_anthropic::openai_to_anthropic;
pub use validate::{anthropic_validate, openai_validate};

/// What the pipeline knows about the upstream a translated request goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestOptions {
    /// The upstream's own model id, written into the translated body's `model`.
    pub upstream_model: String,
    /// `max_tokens` sent to Anthropic when an OpenAI client gave none (Anthropic requires one); 0 means 4096.
    pub default_max_tokens: u64,
    /// The upstream model's output cap: a larger requested maximum is clamped to it.
    pub max_output_tokens: Option<u64>,
    /// For OpenAI-style upstreams: `"max_tokens"` or `"max_completion_tokens"` (OpenAI reasoning models).
    pub max_tokens_field: &'static str,
}

impl Default for RequestOptions {
    fn default() -> Self {
        RequestOptions {
            upstream_model: String::new(),
            default_max_tokens: FALLBACK_MAX_TOKENS,
            max_output_tokens: None,
            max_tokens_field: "max_tokens",
        }
    }
}

/// Used when neither the client nor the options give an output maximum.
const FALLBACK_MAX_TOKENS: u64 = 4096;

impl RequestOptions {
    /// `requested` (or the default) clamped to the upstream's output cap, at least 1.
    pub(crate) fn output_limit(&self, requested: Option<u64>) -> u64 {
        let default = if self.default_max_tokens == 0 { FALLBACK_MAX_TOKENS } else { self.default_max_tokens };
        let wanted = requested.unwrap_or(default);
        let clamped = match self.max_output_tokens {
            Some(cap) if cap > 0 => wanted.min(cap),
            _ => wanted,
        };
        clamped.max(1)
    }
}

/// The text of a content value that may be a string or an array of text-bearing parts/blocks, joined by `separator`.
pub(crate) fn joined_text(content: Option<&serde_json::Value>, separator: &str) -> String {
    use serde_json::Value;
    match content {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|part| match part {
                Value::String(text) => Some(text.as_str()),
                _ => part.get("text").and_then(Value::as_str),
            })
            .filter(|text| !text.is_empty())
            .collect::<Vec<_>>()
            .join(separator),
        _ => String::new(),
    }
}

/// For bodies forwarded to a real Anthropic upstream: removes assistant `thinking` blocks without a signature
/// (produced earlier in the conversation by a non-Anthropic model through the gateway), which Anthropic rejects with
/// "Invalid signature" (PROTOCOLS 3.2, thinking signatures). A message keeps its block if it has nothing else.
/// Returns whether anything was removed.
pub fn anthropic_strip_unsigned_thinking(body: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    let is_unsigned_thinking = |block: &Value| {
        block.get("type").and_then(Value::as_str) == Some("thinking")
            && block.get("signature").and_then(Value::as_str).is_none_or(str::is_empty)
    };
    let mut removed = false;
    let messages = body.get_mut("messages").and_then(Value::as_array_mut).map(Vec::as_mut_slice).unwrap_or_default();
    for message in messages {
        if message.get("role").and_then(Value::as_str) != Some("assistant") {
            continue;
        }
        let Some(blocks) = message.get_mut("content").and_then(Value::as_array_mut) else { continue };
        if blocks.iter().all(is_unsigned_thinking) {
            continue;
        }
        let before = blocks.len();
        blocks.retain(|block| !is_unsigned_thinking(block));
        removed |= blocks.len() != before;
    }
    removed
}
