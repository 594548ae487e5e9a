//! Request rules and validation errors beyond the golden fixtures.

use super::super::request::{
    anthropic_to_openai, anthropic_validate, openai_to_anthropic, openai_validate, RequestOptions,
};
use super::super::tool_names::short_tool_name;
use super::super::{ToolNames, TranslateError};
use super::LONG_TOOL_NAME;
use serde_json::{json, Value};

fn options() -> RequestOptions {
    RequestOptions {
        upstream_model: "up".into(),
        default_max_tokens: 4096,
        max_output_tokens: Some(8192),
        max_tokens_field: "max_tokens",
    }
}

fn error(message: &str, param: &str) -> TranslateError {
    TranslateError::with_param(message, param)
}

fn user(content: Value) -> Value {
    json!({"role": "user", "content": content})
}

#[test]
fn openai_validation_rejects_broken_bodies() {
    let cases = [
        (json!([]), TranslateError::new("request body must be a JSON object")),
        (json!({}), error("messages is required", "messages")),
        (json!({"messages": []}), error("messages must be a non-empty array", "messages")),
        (
            json!({"messages": [{"role": "robot", "content": "x"}]}),
            error(
                "messages[0].role must be one of system, developer, user, assistant, tool, function, got \"robot\"",
                "messages[0].role",
            ),
        ),
        (
            json!({"messages": [user(json!(5))]}),
            error("messages[0].content must be a string or an array of content parts", "messages"),
        ),
        (
            json!({"messages": [user(json!("hi")), {"role": "tool", "tool_call_id": "call_9", "content": "x"}]}),
            error("tool message has no matching tool call: call_9", "messages"),
        ),
        (
            json!({"messages": [user(json!("hi"))], "max_tokens": -1}),
            error("max_tokens must be a positive integer", "max_tokens"),
        ),
        (
            json!({"messages": [user(json!("hi"))], "max_tokens": 0}),
            error("max_tokens must be a positive integer", "max_tokens"),
        ),
        (
            json!({"messages": [user(json!("hi"))], "max_completion_tokens": 1.5}),
            error("max_completion_tokens must be a positive integer", "max_completion_tokens"),
        ),
        (json!({"messages": [user(json!("hi"))], "n": 0}), error("n must be a positive integer", "n")),
    ];
    for (body, expected) in cases {
        assert_eq!(openai_validate(&body), Err(expected), "{body}");
    }
}

#[test]
fn openai_validation_accepts_answered_tool_calls() {
    let body = json!({"messages": [
        {"role": "developer", "content": "be brief"}, user(json!("hi")),
        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "ok"}], "max_tokens": null, "n": 1});
    assert_eq!(openai_validate(&body), Ok(()));
}

#[test]
fn anthropic_validation_rejects_broken_bodies() {
    let tool_turn =
        json!({"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}]});
    let cases = [
        (json!({"messages": [user(json!("hi"))]}), true, error("max_tokens is required", "max_tokens")),
        (
            json!({"messages": [user(json!("hi"))], "max_tokens": 0}),
            false,
            error("max_tokens must be a positive integer", "max_tokens"),
        ),
        (json!({"messages": [], "max_tokens": 5}), true, error("messages must be a non-empty array", "messages")),
        (
            json!({"messages": [{"role": "tool", "content": "x"}]}),
            false,
            error("messages[0].role must be one of user, assistant, system, got \"tool\"", "messages[0].role"),
        ),
        (
            json!({"messages": [user(json!(null))]}),
            false,
            error("messages[0].content must be a string or an array of content blocks", "messages"),
        ),
        (
            json!({"messages": [user(json!("hi")), tool_turn, user(json!([{"type": "tool_result", "tool_use_id": "toolu_2", "content": "x"}]))]}),
            false,
            error("tool_result block has no matching tool_use: toolu_2", "messages"),
        ),
    ];
    for (body, require_max_tokens, expected) in cases {
        assert_eq!(anthropic_validate(&body, require_max_tokens), Err(expected), "{body}");
    }
}

#[test]
fn anthropic_validation_lets_system_entries_sit_between_tool_use_and_result() {
    let body = json!({"max_tokens": 10, "messages": [user(json!("hi")),
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}]},
        {"role": "system", "content": "mode changed"},
        user(json!([{"type": "tool_result", "tool_use_id": "toolu_1", "content": "x"}]))]});
    assert_eq!(anthropic_validate(&body, true), Ok(()));
    assert_eq!(anthropic_validate(&json!({"messages": [user(json!("hi"))]}), false), Ok(()));
}

#[test]
fn long_tool_names_are_shortened_to_64_characters_and_restored() {
    let short = short_tool_name(LONG_TOOL_NAME);
    assert_eq!(short.len(), 64);
    assert_eq!(&short[..55], &LONG_TOOL_NAME[..55]);
    assert_eq!(short, "mcp__github_enterprise_server__list_repository_issues_w_dec69d0d");
    let exactly_64 = "a".repeat(64);
    assert_eq!(short_tool_name(&exactly_64), exactly_64);

    let body = json!({"max_tokens": 10, "messages": [user(json!("hi"))],
        "tools": [{"name": LONG_TOOL_NAME, "input_schema": {"type": "object"}}, {"name": "Read", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "tool", "name": LONG_TOOL_NAME}});
    let (translated, names) = anthropic_to_openai(&body, &options()).unwrap();
    assert_eq!(translated["tools"][0]["function"]["name"], json!(short));
    assert_eq!(translated["tool_choice"]["function"]["name"], json!(short));
    assert_eq!(names.restore(&short), LONG_TOOL_NAME);
    assert_eq!(names.restore("Read"), "Read");
    assert!(!names.is_empty());
    assert!(ToolNames::default().is_empty());
}

#[test]
fn n_above_one_and_audio_are_refused_for_anthropic() {
    let body = json!({"messages": [user(json!("hi"))], "n": 2});
    assert_eq!(
        openai_to_anthropic(&body, &options()),
        Err(error("n greater than 1 is not supported for this model", "n"))
    );
    let audio =
        json!({"messages": [user(json!([{"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}]))]});
    assert_eq!(
        openai_to_anthropic(&audio, &options()).unwrap_err().message,
        "audio input is not supported for this model"
    );
    let bmp =
        json!({"messages": [user(json!([{"type": "image_url", "image_url": {"url": "data:image/bmp;base64,AAAA"}}]))]});
    assert!(openai_to_anthropic(&bmp, &options()).unwrap_err().message.contains("image/bmp"));
}

#[test]
fn thinking_budget_fits_under_max_tokens_and_yields_to_forced_tools() {
    let base = json!({"messages": [user(json!("hi"))], "reasoning_effort": "high", "temperature": 0.3});
    let translated = openai_to_anthropic(&base, &options()).unwrap();
    assert_eq!(translated["thinking"], json!({"type": "enabled", "budget_tokens": 4096}));
    assert_eq!(translated["max_tokens"], json!(8192));
    assert!(translated.get("temperature").is_none());

    let mut small = base.clone();
    small["max_tokens"] = json!(3000);
    let translated = openai_to_anthropic(&small, &options()).unwrap();
    assert_eq!(translated["thinking"]["budget_tokens"], json!(1500));
    assert_eq!(translated["max_tokens"], json!(3000));

    let mut tiny = base.clone();
    tiny["max_tokens"] = json!(1500);
    let translated = openai_to_anthropic(&tiny, &options()).unwrap();
    assert!(translated.get("thinking").is_none());
    assert_eq!(translated["temperature"], json!(0.3));

    let mut forced = base.clone();
    forced["tools"] = json!([{"type": "function", "function": {"name": "f"}}]);
    forced["tool_choice"] = json!("required");
    let translated = openai_to_anthropic(&forced, &options()).unwrap();
    assert!(translated.get("thinking").is_none());
    assert_eq!(translated["tool_choice"], json!({"type": "any"}));
    assert_eq!(translated["tools"][0]["input_schema"], json!({"type": "object", "properties": {}}));
}

#[test]
fn json_object_format_and_missing_max_tokens_do_not_fail() {
    let body = json!({"messages": [user(json!("list three colors"))], "response_format": {"type": "json_object"}});
    let translated = openai_to_anthropic(&body, &options()).unwrap();
    assert!(translated["system"].as_str().unwrap().contains("JSON object"));
    assert_eq!(translated["max_tokens"], json!(4096));
}

#[test]
fn thinking_config_maps_to_reasoning_effort_buckets() {
    let effort = |thinking: Value, output_config: Value| {
        let body = json!({"max_tokens": 100, "messages": [user(json!("hi"))], "thinking": thinking, "output_config": output_config});
        anthropic_to_openai(&body, &options()).unwrap().0.get("reasoning_effort").cloned()
    };
    assert_eq!(effort(json!({"type": "enabled", "budget_tokens": 1023}), json!(null)), Some(json!("minimal")));
    assert_eq!(effort(json!({"type": "enabled", "budget_tokens": 1024}), json!(null)), Some(json!("low")));
    assert_eq!(effort(json!({"type": "enabled", "budget_tokens": 2048}), json!(null)), Some(json!("medium")));
    assert_eq!(effort(json!({"type": "enabled", "budget_tokens": 10000}), json!(null)), Some(json!("high")));
    assert_eq!(effort(json!({"type": "disabled"}), json!(null)), Some(json!("none")));
    assert_eq!(effort(json!({"type": "adaptive"}), json!(null)), Some(json!("medium")));
    assert_eq!(effort(json!({"type": "adaptive"}), json!({"effort": "low"})), Some(json!("low")));
    assert_eq!(effort(json!(null), json!({"effort": "low"})), None);
}

#[test]
fn anthropic_string_system_loses_only_the_billing_line_and_max_tokens_uses_the_configured_field() {
    let body = json!({"max_tokens": 100000, "stream": true, "stop_sequences": ["STOP"],
        "system": "x-anthropic-billing-header: cc_version=1; cch=2;\nYou are helpful.",
        "messages": [user(json!("hi"))]});
    let opts = RequestOptions { max_tokens_field: "max_completion_tokens", ..options() };
    let (translated, _) = anthropic_to_openai(&body, &opts).unwrap();
    assert_eq!(translated["messages"][0], json!({"role": "system", "content": "You are helpful."}));
    assert_eq!(translated["max_completion_tokens"], json!(8192));
    assert!(translated.get("max_tokens").is_none());
    assert_eq!(translated["stop"], json!(["STOP"]));
    assert_eq!(translated["stream_options"], json!({"include_usage": true}));
}

#[test]
fn openai_conversations_become_valid_anthropic_turns() {
    let body = json!({"messages": [
        {"role": "user", "content": "a"}, {"role": "user", "content": "   "},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "functions.f:0", "type": "function", "function": {"name": "f", "arguments": "{\"x\":1}"}},
            {"id": "call_2", "type": "function", "function": {"name": "g", "arguments": "{\"y\":"}}]},
        {"role": "tool", "tool_call_id": "call_2", "content": "two"},
        {"role": "user", "content": "and?"},
        {"role": "tool", "tool_call_id": "functions.f:0", "content": "one"},
        {"role": "assistant", "content": "Done.  \n"}]});
    let translated = openai_to_anthropic(&body, &options()).unwrap();
    assert_eq!(
        translated["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "a"}]},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "functions_f_0", "name": "f", "input": {"x": 1}},
                {"type": "tool_use", "id": "call_2", "name": "g", "input": {"y": null}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "call_2", "content": "two"},
                {"type": "tool_result", "tool_use_id": "functions_f_0", "content": "one"},
                {"type": "text", "text": "and?"}]},
            {"role": "assistant", "content": [{"type": "text", "text": "Done."}]}
        ])
    );
}

#[test]
fn tool_results_are_paired_one_to_one_with_the_previous_tool_uses() {
    let call = |id: &str| json!({"id": id, "type": "function", "function": {"name": "f", "arguments": "{}"}});
    let body = json!({"messages": [
        user(json!("go")),
        {"role": "assistant", "content": null, "tool_calls": [call("call_1"), call("call_2")]},
        {"role": "tool", "tool_call_id": "call_1", "content": "one"},
        {"role": "tool", "tool_call_id": "call_1", "content": "one again"},
        {"role": "assistant", "content": "next", "tool_calls": [call("call_3")]},
        {"role": "tool", "tool_call_id": "call_3", "content": "three"},
        {"role": "tool", "tool_call_id": "call_2", "content": "late two"}]});
    let translated = openai_to_anthropic(&body, &options()).unwrap();
    assert_eq!(translated["messages"][2]["content"], json!([
        {"type": "tool_result", "tool_use_id": "call_1", "content": "one"},
        {"type": "tool_result", "tool_use_id": "call_2", "content": "No result was provided for this tool call.", "is_error": true}]));
    assert_eq!(translated["messages"][4]["content"], json!([
        {"type": "tool_result", "tool_use_id": "call_3", "content": "three"},
        {"type": "text", "text": "Result of tool call call_2: late two"}]));
}

#[test]
fn unsigned_thinking_is_stripped_before_reaching_anthropic() {
    let mut body = json!({"messages": [user(json!("hi")),
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "from deepseek", "signature": ""},
            {"type": "text", "text": "answer"}]},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "signed", "signature": "EqQB"},
            {"type": "tool_use", "id": "t", "name": "f", "input": {}}]}]});
    assert!(super::super::request::anthropic_strip_unsigned_thinking(&mut body));
    assert_eq!(body["messages"][1]["content"], json!([{"type": "text", "text": "answer"}]));
    assert_eq!(body["messages"][2]["content"][0]["signature"], json!("EqQB"));
    assert!(!super::super::request::anthropic_strip_unsigned_thinking(&mut body));
}
