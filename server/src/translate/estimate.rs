//! Token estimates, for `/v1/messages/count_tokens` and for billing when an upstream reports no usage.
//!
//! Text is counted with tiktoken's o200k_base (loaded once, lazily); if the tokenizer cannot be built the
//! count falls back to one token per four characters. Estimates are approximate by design: other vendors'
//! tokenizers differ, so fixed overheads are added rather than subtracted (never answer 0 for a non-empty request).
//! Counting a large prompt takes milliseconds: callers on an async runtime may want `spawn_blocking`.

use serde_json::Value;
use std::sync::OnceLock;
use tiktoken_rs::CoreBPE;

/// Per-message framing overhead (role, separators), as in OpenAI's cookbook.
const TOKENS_PER_MESSAGE: u64 = 4;
/// Priming of the assistant reply.
const TOKENS_PER_REQUEST: u64 = 3;
/// An OpenAI image part (a low-detail tile; the size is not known without decoding it).
const OPENAI_IMAGE_TOKENS: u64 = 85;
/// An Anthropic image block: Anthropic bills about width×height/750, up to ~1600 for a full-size image; we
/// assume a large one (screenshots are the common case) so context meters err on the full side.
const ANTHROPIC_IMAGE_TOKENS: u64 = 1_600;
/// A document (PDF) block whose text is not available: Anthropic bills roughly this much per page; one page assumed
/// per 3 kB of base64 data, at least one.
const DOCUMENT_PAGE_TOKENS: u64 = 1_500;
const DOCUMENT_BASE64_BYTES_PER_PAGE: u64 = 3_000;

fn tokenizer() -> Option<&'static CoreBPE> {
    static TOKENIZER: OnceLock<Option<CoreBPE>> = OnceLock::new();
    TOKENIZER.get_or_init(|| tiktoken_rs::o200k_base().ok()).as_ref()
}

/// Tokens in `text` (o200k_base; chars/4 rounded up if the tokenizer is unavailable).
pub fn count_text(text: &str) -> u64 {
    if text.is_empty() {
        return 0;
    }
    match tokenizer() {
        Some(bpe) => bpe.encode_ordinary(text).len() as u64,
        None => (text.chars().count() as u64).div_ceil(4),
    }
}

fn count_json(value: &Value) -> u64 {
    match value {
        Value::Null => 0,
        Value::String(text) => count_text(text),
        other => count_text(&other.to_string()),
    }
}

/// Prompt tokens of an OpenAI chat body: message text (all content parts, tool calls, reasoning), tool definitions
/// JSON, response-format schema, 85 per image and a small per-message overhead.
pub fn openai_request_tokens(body: &Value) -> u64 {
    let mut total = 0;
    let messages = body.get("messages").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for message in messages {
        total += TOKENS_PER_MESSAGE;
        total += message.get("name").map(count_json).unwrap_or(0);
        total += openai_content_tokens(message.get("content"));
        for key in ["reasoning_content", "reasoning", "refusal"] {
            total += message.get(key).filter(|value| value.is_string()).map(count_json).unwrap_or(0);
        }
        let tool_calls = message.get("tool_calls").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for call in tool_calls {
            let function = call.get("function");
            total += function.and_then(|f| f.get("name")).map(count_json).unwrap_or(0);
            total += function.and_then(|f| f.get("arguments")).map(count_json).unwrap_or(0);
        }
        total += message.get("function_call").map(count_json).unwrap_or(0);
    }
    total += body.get("tools").map(count_json).unwrap_or(0);
    total += body.get("functions").map(count_json).unwrap_or(0);
    if let Some(schema) = body.get("response_format").and_then(|format| format.get("json_schema")) {
        total += count_json(schema);
    }
    if total > 0 {
        total += TOKENS_PER_REQUEST;
    }
    total
}

fn openai_content_tokens(content: Option<&Value>) -> u64 {
    match content {
        Some(Value::String(text)) => count_text(text),
        Some(Value::Array(parts)) => parts.iter().map(openai_part_tokens).sum(),
        _ => 0,
    }
}

fn openai_part_tokens(part: &Value) -> u64 {
    match part.get("type").and_then(Value::as_str) {
        Some("text") | Some("refusal") => part.get("text").or_else(|| part.get("refusal")).map(count_json).unwrap_or(0),
        Some("image_url") => OPENAI_IMAGE_TOKENS,
        Some("file") => {
            let data_len = part.pointer("/file/file_data").and_then(Value::as_str).map(str::len).unwrap_or(0);
            document_tokens(data_len)
        }
        Some("input_audio") => 0,
        _ => count_json(part),
    }
}

fn document_tokens(base64_len: usize) -> u64 {
    let pages = (base64_len as u64).div_ceil(DOCUMENT_BASE64_BYTES_PER_PAGE).max(1);
    pages * DOCUMENT_PAGE_TOKENS
}

/// Input tokens of an Anthropic Messages body (also a count_tokens body): system (string or blocks), every
/// message block (text, images, documents, tool_use name and input JSON, tool_result content, thinking), and the
/// tool definitions JSON. At least 1 for any non-empty request.
pub fn anthropic_request_tokens(body: &Value) -> u64 {
    let mut total = 0;
    total += anthropic_content_tokens(body.get("system"));
    let messages = body.get("messages").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for message in messages {
        total += TOKENS_PER_MESSAGE;
        total += anthropic_content_tokens(message.get("content"));
    }
    total += body.get("tools").map(count_json).unwrap_or(0);
    if total > 0 {
        total += TOKENS_PER_REQUEST;
    }
    total
}

fn anthropic_content_tokens(content: Option<&Value>) -> u64 {
    match content {
        Some(Value::String(text)) => count_text(text),
        Some(Value::Array(blocks)) => blocks.iter().map(anthropic_block_tokens).sum(),
        _ => 0,
    }
}

fn anthropic_block_tokens(block: &Value) -> u64 {
    let field = |key: &str| block.get(key).map(count_json).unwrap_or(0);
    match block.get("type").and_then(Value::as_str) {
        Some("text") => field("text"),
        Some("image") => ANTHROPIC_IMAGE_TOKENS,
        Some("document") => match block.pointer("/source/type").and_then(Value::as_str) {
            Some("text") => block.pointer("/source/data").map(count_json).unwrap_or(0),
            Some("content") => anthropic_content_tokens(block.pointer("/source/content")),
            _ => document_tokens(block.pointer("/source/data").and_then(Value::as_str).map(str::len).unwrap_or(0)),
        },
        Some("tool_use") | Some("server_tool_use") => field("name") + field("input"),
        Some("tool_result") => anthropic_content_tokens(block.get("content")),
        Some("thinking") => field("thinking"),
        Some("redacted_thinking") => {
            (block.get("data").and_then(Value::as_str).map(str::len).unwrap_or(0) as u64).div_ceil(4)
        }
        _ => count_json(block),
    }
}
