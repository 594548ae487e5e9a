//! One normalized token usage for both wire formats (PROTOCOLS 3.1 usage map, pitfalls 6–8).
//!
//! Anthropic convention: `input` EXCLUDES cache reads and cache writes; the whole prompt is
//! `input + cache_read + cache_write`. OpenAI's `prompt_tokens` includes `cached_tokens`, so it is split on the way in.

use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Prompt tokens neither read from nor written to a cache.
    pub input: u64,
    pub cache_read: u64,
    pub cache_write: u64,
    /// Completion tokens, reasoning included.
    pub output: u64,
    /// Reasoning tokens (a subset of `output`), when the upstream says.
    pub reasoning: u64,
}

/// A token count: a non-negative integer, or an integral float from lax upstreams.
pub(crate) fn token_count(value: Option<&Value>) -> Option<u64> {
    let value = value?;
    if let Some(count) = value.as_u64() {
        return Some(count);
    }
    let float = value.as_f64()?;
    (float >= 0.0 && float.fract() == 0.0 && float <= u64::MAX as f64).then_some(float as u64)
}

impl Usage {
    /// From an OpenAI `usage` object. `prompt_tokens` includes `prompt_tokens_details.cached_tokens`
    /// (or DeepSeek's `prompt_cache_hit_tokens`, whose `prompt_cache_miss_tokens` is the rest); cache writes
    /// reported by some relays (`prompt_tokens_details.cache_write_tokens`, `cache_creation_input_tokens`) are split out too.
    pub fn from_openai(usage: &Value) -> Option<Usage> {
        let usage = usage.as_object()?;
        let details = usage.get("prompt_tokens_details");
        let cache_hit = token_count(usage.get("prompt_cache_hit_tokens"));
        let cache_miss = token_count(usage.get("prompt_cache_miss_tokens"));
        let prompt = token_count(usage.get("prompt_tokens"))
            .or_else(|| cache_hit.zip(cache_miss).map(|(hit, miss)| hit.saturating_add(miss)));
        let output = token_count(usage.get("completion_tokens"));
        if prompt.is_none() && output.is_none() {
            return None;
        }
        let cache_read = token_count(details.and_then(|d| d.get("cached_tokens"))).or(cache_hit).unwrap_or(0);
        let cache_write = token_count(details.and_then(|d| d.get("cache_write_tokens")))
            .or_else(|| token_count(usage.get("cache_creation_input_tokens")))
            .unwrap_or(0);
        let reasoning =
            token_count(usage.get("completion_tokens_details").and_then(|d| d.get("reasoning_tokens"))).unwrap_or(0);
        Some(Usage {
            input: prompt.unwrap_or(0).saturating_sub(cache_read).saturating_sub(cache_write),
            cache_read,
            cache_write,
            output: output.unwrap_or(0),
            reasoning,
        })
    }

    /// From an Anthropic `usage` object (response, `message_start.message.usage` or `message_delta.usage`).
    pub fn from_anthropic(usage: &Value) -> Option<Usage> {
        let object = usage.as_object()?;
        let known = ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"];
        if !known.iter().any(|key| token_count(object.get(*key)).is_some()) {
            return None;
        }
        let mut parsed = Usage::default();
        parsed.merge_anthropic_snapshot(usage);
        Some(parsed)
    }

    /// Applies an Anthropic usage snapshot: every field present SETS the value, absent fields keep theirs.
    /// Never adds (`message_delta.usage` is cumulative and may repeat `message_start`'s input and cache counts).
    pub fn merge_anthropic_snapshot(&mut self, usage: &Value) {
        if let Some(input) = token_count(usage.get("input_tokens")) {
            self.input = input;
        }
        if let Some(cache_read) = token_count(usage.get("cache_read_input_tokens")) {
            self.cache_read = cache_read;
        }
        if let Some(cache_write) = token_count(usage.get("cache_creation_input_tokens")) {
            self.cache_write = cache_write;
        }
        if let Some(output) = token_count(usage.get("output_tokens")) {
            self.output = output;
        }
    }

    /// OpenAI `usage` object: `prompt_tokens` counts the whole prompt, `cached_tokens` the cache reads.
    pub fn to_openai(&self) -> Value {
        json!({
            "prompt_tokens": self.prompt_total(),
            "completion_tokens": self.output,
            "total_tokens": self.prompt_total().saturating_add(self.output),
            "prompt_tokens_details": {"cached_tokens": self.cache_read},
            "completion_tokens_details": {"reasoning_tokens": self.reasoning},
        })
    }

    /// Anthropic `usage` object, always with both cache fields.
    pub fn to_anthropic(&self) -> Value {
        json!({
            "input_tokens": self.input,
            "cache_creation_input_tokens": self.cache_write,
            "cache_read_input_tokens": self.cache_read,
            "output_tokens": self.output,
        })
    }

    /// The whole prompt: uncached input plus cache reads and writes.
    pub fn prompt_total(&self) -> u64 {
        self.input.saturating_add(self.cache_read).saturating_add(self.cache_write)
    }
}
