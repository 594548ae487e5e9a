//! Token estimates: real tokenizer counts, and never 0 for a non-empty request.

use super::super::estimate::{anthropic_request_tokens, count_text, openai_request_tokens};
use serde_json::json;

#[test]
fn text_is_counted_with_o200k() {
    assert_eq!(count_text(""), 0);
    assert_eq!(count_text("hello world"), 2);
    assert!(count_text(&"lorem ipsum dolor sit amet ".repeat(100)) > 400);
}

#[test]
fn a_minimal_anthropic_request_is_never_zero() {
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
    assert!(anthropic_request_tokens(&body) > 0);
}

#[test]
fn anthropic_count_includes_system_tools_and_every_block_kind() {
    let bare = json!({"messages": [{"role": "user", "content": "hi"}]});
    let full = json!({
        "system": [{"type": "text", "text": "You are a careful assistant who double-checks every answer."}],
        "tools": [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}],
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "Let me think about the weather in Paris.", "signature": "sig"},
                {"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Paris"}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "Sunny, 24 degrees"}]},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}]}
        ]
    });
    let bare_count = anthropic_request_tokens(&bare);
    let full_count = anthropic_request_tokens(&full);
    assert!(full_count > bare_count + 1_600 + 30, "{full_count} vs {bare_count}");
}

#[test]
fn openai_count_includes_images_tools_and_overhead() {
    let text_only = json!({"messages": [{"role": "user", "content": "hi"}]});
    let with_image = json!({"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"},
        {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]});
    assert_eq!(openai_request_tokens(&text_only), 1 + 4 + 3);
    assert!(openai_request_tokens(&with_image) >= 1 + 85 + 4 + 3 + 5);
}
