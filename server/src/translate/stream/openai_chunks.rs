//! `chat.completion.chunk` objects written to OpenAI clients.

use serde_json::{json, Value};

/// Identity shared by every chunk of one completion.
#[derive(Clone, Debug, Default)]
pub(super) struct ChunkIdentity {
    pub id: String,
    pub created: Value,
    pub model: String,
}

impl ChunkIdentity {
    /// A chunk with one choice (index 0) carrying `delta` and `finish_reason`.
    pub fn delta_chunk(&self, delta: Value, finish_reason: Option<&str>) -> Value {
        self.chunk(json!([{"index": 0, "delta": delta, "finish_reason": finish_reason}]))
    }

    /// The `include_usage` chunk: no choices, the whole usage.
    pub fn usage_chunk(&self, usage: Value) -> Value {
        let mut chunk = self.chunk(json!([]));
        chunk["usage"] = usage;
        chunk
    }

    fn chunk(&self, choices: Value) -> Value {
        json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": choices,
        })
    }
}
