//! Golden-file tests of every translation, on recorded-shape fixtures in `server/tests/golden/translate/`
//! (`<input dialect>_to_<output dialect>/<case>.in.*` → `.out.*`, see the README there), plus unit tests in
//! `tests/*.rs`. To regenerate the expected outputs after a deliberate change, run the tests with
//! `TRANSLATE_BLESS_DIR=<path of server/tests/golden/translate>` and review the diff.
#![allow(clippy::unwrap_used)]

mod estimates;
mod requests;
mod responses;
mod sse_parser;
mod streams;
mod usage_map;

use super::request::{anthropic_to_openai, openai_to_anthropic, RequestOptions};
use super::response::{anthropic_to_openai_response, openai_to_anthropic_response};
use super::sse::{SseEvent, SseParser};
use super::stream::{translator, StreamOptions};
use super::{Dialect, ToolNames};
use serde_json::Value;

/// An MCP tool name longer than OpenAI's 64-character limit, used across fixtures.
pub(super) const LONG_TOOL_NAME: &str =
    "mcp__github_enterprise_server__list_repository_issues_with_labels_and_milestones";

macro_rules! golden_case {
    ($name:literal, $in_ext:literal, $out_ext:literal) => {
        GoldenCase {
            name: $name,
            out_file: concat!($name, $out_ext),
            input: include_str!(concat!("../../tests/golden/translate/", $name, $in_ext)),
            expected: include_str!(concat!("../../tests/golden/translate/", $name, $out_ext)),
        }
    };
}

struct GoldenCase {
    name: &'static str,
    out_file: &'static str,
    input: &'static str,
    expected: &'static str,
}

/// Writes `actual` as the new expected output when blessing; returns true if it did.
fn bless(case: &GoldenCase, actual: &str) -> bool {
    let Ok(dir) = std::env::var("TRANSLATE_BLESS_DIR") else { return false };
    std::fs::write(std::path::Path::new(&dir).join(case.out_file), actual).unwrap();
    true
}

fn check_json(case: &GoldenCase, actual: &Value) {
    if bless(case, &(serde_json::to_string_pretty(actual).unwrap() + "\n")) {
        return;
    }
    let expected: Value = serde_json::from_str(case.expected).unwrap();
    assert_eq!(actual, &expected, "{}: actual output\n{}\n", case.name, serde_json::to_string_pretty(actual).unwrap());
}

/// An SSE text as (event name, data) pairs; data is JSON, or a string for `[DONE]`.
pub(super) fn sse_events(text: &str) -> Vec<(Option<String>, Value)> {
    let mut parser = SseParser::new();
    let mut events = parser.push(text.as_bytes());
    events.extend(parser.finish());
    events
        .into_iter()
        .map(|SseEvent { event, data }| {
            let data = if data == "[DONE]" { Value::String(data) } else { serde_json::from_str(&data).unwrap() };
            (event, data)
        })
        .collect()
}

fn anthropic_upstream_options() -> RequestOptions {
    RequestOptions {
        upstream_model: "claude-sonnet-4-6".to_string(),
        default_max_tokens: 4096,
        max_output_tokens: Some(64000),
        max_tokens_field: "max_tokens",
    }
}

fn openai_upstream_options() -> RequestOptions {
    RequestOptions {
        upstream_model: "deepseek-chat".to_string(),
        default_max_tokens: 4096,
        max_output_tokens: Some(8192),
        max_tokens_field: "max_tokens",
    }
}

fn long_name_map() -> ToolNames {
    let mut names = ToolNames::default();
    names.shorten(LONG_TOOL_NAME);
    names
}

#[test]
fn openai_requests_translate_to_anthropic_as_recorded() {
    for case in [
        golden_case!("openai_to_anthropic/request_tools_images", ".in.json", ".out.json"),
        golden_case!("openai_to_anthropic/request_reasoning_json", ".in.json", ".out.json"),
    ] {
        let body: Value = serde_json::from_str(case.input).unwrap();
        check_json(&case, &openai_to_anthropic(&body, &anthropic_upstream_options()).unwrap());
    }
}

#[test]
fn claude_code_request_translates_to_openai_as_recorded() {
    let case = golden_case!("anthropic_to_openai/request_claude_code", ".in.json", ".out.json");
    let body: Value = serde_json::from_str(case.input).unwrap();
    let (translated, names) = anthropic_to_openai(&body, &openai_upstream_options()).unwrap();
    check_json(&case, &translated);
    let short = super::tool_names::short_tool_name(LONG_TOOL_NAME);
    assert_eq!(names.restore(&short), LONG_TOOL_NAME);
}

#[test]
fn anthropic_responses_translate_to_openai_as_recorded() {
    for case in [
        golden_case!("anthropic_to_openai/response_thinking_tools", ".in.json", ".out.json"),
        golden_case!("anthropic_to_openai/response_max_tokens", ".in.json", ".out.json"),
    ] {
        let resp: Value = serde_json::from_str(case.input).unwrap();
        check_json(&case, &anthropic_to_openai_response(&resp, "anthropic/claude-sonnet-4.6"));
    }
}

#[test]
fn openai_responses_translate_to_anthropic_as_recorded() {
    for case in [
        golden_case!("openai_to_anthropic/response_tool_calls", ".in.json", ".out.json"),
        golden_case!("openai_to_anthropic/response_length", ".in.json", ".out.json"),
    ] {
        let resp: Value = serde_json::from_str(case.input).unwrap();
        check_json(&case, &openai_to_anthropic_response(&resp, "deepseek/deepseek-v3.2", &long_name_map()));
    }
}

/// Feeds a recorded upstream stream through a translator (then EOF) and compares the client frames event by event.
fn check_stream(case: &GoldenCase, client: Dialect, upstream: Dialect, opts: StreamOptions) {
    let mut stream = translator(client, upstream, opts);
    let mut parser = SseParser::new();
    let mut upstream_events = parser.push(case.input.as_bytes());
    upstream_events.extend(parser.finish());
    let mut frames: Vec<String> = upstream_events.iter().flat_map(|event| stream.on_event(event)).collect();
    frames.extend(stream.finish());
    assert!(stream.finished(), "{}: not finished after EOF", case.name);
    assert!(stream.finish().is_empty(), "{}: finish is not idempotent", case.name);
    assert!(stream.fail("late").is_empty(), "{}: frames after the terminal event", case.name);
    for frame in &frames {
        assert!(frame.ends_with("\n\n"), "{}: frame without blank line: {frame:?}", case.name);
        assert_eq!(sse_events(frame).len(), 1, "{}: frame is not one event: {frame:?}", case.name);
    }
    let actual = frames.concat();
    if bless(case, &actual) {
        return;
    }
    assert_eq!(sse_events(&actual), sse_events(case.expected), "{}: actual output\n{actual}", case.name);
}

fn stream_options(model: &str, include_usage: bool, input_estimate: u64) -> StreamOptions {
    StreamOptions { model: model.to_string(), include_usage, input_estimate, names: long_name_map() }
}

#[test]
fn openai_streams_translate_to_anthropic_as_recorded() {
    for case in [
        golden_case!("openai_to_anthropic/stream_text", ".in.sse", ".out.sse"),
        golden_case!("openai_to_anthropic/stream_parallel_tools", ".in.sse", ".out.sse"),
        golden_case!("openai_to_anthropic/stream_thinking_length", ".in.sse", ".out.sse"),
        golden_case!("openai_to_anthropic/stream_no_finish", ".in.sse", ".out.sse"),
        golden_case!("openai_to_anthropic/stream_error", ".in.sse", ".out.sse"),
        golden_case!("openai_to_anthropic/stream_reused_index", ".in.sse", ".out.sse"),
    ] {
        let opts = stream_options("deepseek/deepseek-v3.2", false, 1000);
        check_stream(&case, Dialect::Anthropic, Dialect::OpenAi, opts);
    }
}

#[test]
fn anthropic_streams_translate_to_openai_as_recorded() {
    for (case, include_usage) in [
        (golden_case!("anthropic_to_openai/stream_text", ".in.sse", ".out.sse"), true),
        (golden_case!("anthropic_to_openai/stream_thinking_tools", ".in.sse", ".out.sse"), false),
        (golden_case!("anthropic_to_openai/stream_error", ".in.sse", ".out.sse"), true),
        (golden_case!("anthropic_to_openai/stream_no_stop", ".in.sse", ".out.sse"), true),
    ] {
        let opts = stream_options("anthropic/claude-sonnet-4.6", include_usage, 30);
        check_stream(&case, Dialect::OpenAi, Dialect::Anthropic, opts);
    }
}

#[test]
fn passthrough_streams_are_forwarded_as_recorded() {
    let openai_cases = [
        (golden_case!("openai_passthrough/stream_usage", ".in.sse", ".out.sse"), false),
        (golden_case!("openai_passthrough/stream_usage", ".in.sse", ".with_usage.out.sse"), true),
        (golden_case!("openai_passthrough/stream_error", ".in.sse", ".out.sse"), false),
    ];
    for (case, include_usage) in openai_cases {
        check_stream(&case, Dialect::OpenAi, Dialect::OpenAi, stream_options("gw/gpt-mini", include_usage, 20));
    }
    let case = golden_case!("anthropic_passthrough/stream_tools", ".in.sse", ".out.sse");
    check_stream(
        &case,
        Dialect::Anthropic,
        Dialect::Anthropic,
        stream_options("anthropic/claude-sonnet-4.6", false, 20),
    );
}
