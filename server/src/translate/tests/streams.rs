//! Stream translators: argument fragments survive any split, in-band failures, terminal-event rules, usage.

use super::super::sse::SseEvent;
use super::super::stream::{translator, StreamOptions, StreamTranslator};
use super::super::Dialect;
use super::sse_events;
use serde_json::{json, Value};

/// Tool arguments with escapes, nested structure and multi-byte characters: splits land inside strings and escapes.
const ARGUMENTS: &str =
    r#"{"path": "C:\\tmp\\a \"b\".txt", "lines": [1, 2], "note": "héllo 👋\n", "nested": {"k": true}}"#;

fn data_event(data: Value) -> SseEvent {
    SseEvent { event: None, data: data.to_string() }
}

fn named_event(data: Value) -> SseEvent {
    SseEvent { event: data["type"].as_str().map(str::to_string), data: data.to_string() }
}

fn openai_chunk(delta: Value, finish_reason: Value) -> SseEvent {
    data_event(json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}))
}

fn run(stream: &mut dyn StreamTranslator, events: &[SseEvent]) -> Vec<(Option<String>, Value)> {
    let mut frames: Vec<String> = events.iter().flat_map(|event| stream.on_event(event)).collect();
    frames.extend(stream.finish());
    sse_events(&frames.concat())
}

/// Every char-boundary split of ARGUMENTS into two or three fragments.
fn splits() -> Vec<Vec<String>> {
    let boundaries: Vec<usize> = (0..=ARGUMENTS.len()).filter(|at| ARGUMENTS.is_char_boundary(*at)).collect();
    let mut all = Vec::new();
    for &first in &boundaries {
        all.push(vec![ARGUMENTS[..first].to_string(), ARGUMENTS[first..].to_string()]);
        for &second in boundaries.iter().filter(|at| **at >= first).step_by(7) {
            all.push(vec![
                ARGUMENTS[..first].to_string(),
                ARGUMENTS[first..second].to_string(),
                ARGUMENTS[second..].to_string(),
            ]);
        }
    }
    all
}

#[test]
fn input_json_delta_fragments_concatenate_to_the_original_arguments_for_every_split() {
    for fragments in splits() {
        let mut events = vec![openai_chunk(
            json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
            "function": {"name": "write", "arguments": ""}}]}),
            json!(null),
        )];
        events.extend(fragments.iter().map(|fragment| {
            openai_chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": fragment}}]}), json!(null))
        }));
        events.push(openai_chunk(json!({}), json!("tool_calls")));
        let mut stream = translator(Dialect::Anthropic, Dialect::OpenAi, StreamOptions::default());
        let output = run(stream.as_mut(), &events);
        let joined: String =
            output.iter().filter_map(|(_, data)| data.pointer("/delta/partial_json").and_then(Value::as_str)).collect();
        assert_eq!(joined, ARGUMENTS, "fragments {fragments:?}");
        let start = output.iter().find(|(name, _)| name.as_deref() == Some("content_block_start")).unwrap();
        assert_eq!(start.1["content_block"]["input"], json!({}));
        assert_eq!(stream.output_text(), format!("write{ARGUMENTS}"));
    }
}

#[test]
fn tool_call_argument_fragments_concatenate_to_the_original_input_for_every_split() {
    for fragments in splits() {
        let mut events = vec![
            named_event(
                json!({"type": "message_start", "message": {"id": "msg_1", "usage": {"input_tokens": 1, "output_tokens": 1}}}),
            ),
            named_event(
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "toolu_1", "name": "write", "input": {}}}),
            ),
        ];
        events.extend(fragments.iter().map(|fragment| {
            named_event(json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": fragment}}))
        }));
        events.push(named_event(json!({"type": "content_block_stop", "index": 0})));
        events.push(named_event(json!({"type": "message_stop"})));
        let mut stream = translator(Dialect::OpenAi, Dialect::Anthropic, StreamOptions::default());
        let joined: String = run(stream.as_mut(), &events)
            .iter()
            .filter_map(|(_, data)| {
                data.pointer("/choices/0/delta/tool_calls/0/function/arguments").and_then(Value::as_str)
            })
            .collect();
        assert_eq!(joined, ARGUMENTS, "fragments {fragments:?}");
    }
}

#[test]
fn upstream_failure_is_an_in_band_error_in_the_client_protocol() {
    for (client, upstream) in [(Dialect::OpenAi, Dialect::OpenAi), (Dialect::OpenAi, Dialect::Anthropic)] {
        let mut stream = translator(client, upstream, StreamOptions::default());
        let frames = stream.fail("idle timeout");
        assert_eq!(frames[0], "data: {\"error\":{\"code\":\"502\",\"message\":\"idle timeout\",\"param\":null,\"type\":\"upstream_error\"}}\n\n");
        assert_eq!(frames[1], "data: [DONE]\n\n");
        assert!(stream.finished());
        assert!(stream.finish().is_empty());
    }
    for (client, upstream) in [(Dialect::Anthropic, Dialect::Anthropic), (Dialect::Anthropic, Dialect::OpenAi)] {
        let mut stream = translator(client, upstream, StreamOptions::default());
        let frames = stream.fail("idle timeout");
        assert_eq!(
            sse_events(&frames.concat()),
            vec![(
                Some("error".to_string()),
                json!({"type": "error", "error": {"type": "api_error", "message": "idle timeout"}}),
            )]
        );
        assert!(stream.fail("again").is_empty());
    }
}

#[test]
fn an_empty_upstream_stream_ends_with_an_error_not_silence() {
    for client in [Dialect::OpenAi, Dialect::Anthropic] {
        for upstream in [Dialect::OpenAi, Dialect::Anthropic] {
            let mut stream =
                translator(client, upstream, StreamOptions { input_estimate: 7, ..StreamOptions::default() });
            let events = sse_events(&stream.finish().concat());
            let error = events.iter().find(|(_, data)| data.get("error").is_some()).unwrap();
            assert!(error.1.to_string().contains("without a response"), "{client:?} <- {upstream:?}");
            assert_eq!(stream.usage().input, 7);
            assert!(!stream.usage_reported());
        }
    }
}

#[test]
fn anthropic_usage_follows_the_snapshot_rule_in_both_anthropic_translators() {
    let events = [
        named_event(json!({"type": "message_start", "message": {"id": "msg_1", "model": "x", "usage":
            {"input_tokens": 10, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0, "output_tokens": 1}}})),
        named_event(json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage":
            {"input_tokens": 10, "cache_read_input_tokens": 500, "output_tokens": 20}})),
        named_event(json!({"type": "message_stop"})),
    ];
    for client in [Dialect::OpenAi, Dialect::Anthropic] {
        let mut stream = translator(client, Dialect::Anthropic, StreamOptions::default());
        assert!(!stream.usage_reported());
        run(stream.as_mut(), &events);
        let usage = stream.usage();
        assert_eq!((usage.input, usage.cache_read, usage.cache_write, usage.output), (10, 500, 0, 20));
        assert!(stream.usage_reported());
        assert!(stream.finished());
    }
}

#[test]
fn nothing_is_sent_after_the_anthropic_message_stop() {
    let mut stream = translator(Dialect::Anthropic, Dialect::OpenAi, StreamOptions::default());
    let events = [
        openai_chunk(json!({"content": "hi"}), json!("stop")),
        data_event(json!({"id": "c1", "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 1}})),
        openai_chunk(json!({"content": "late"}), json!(null)),
        data_event(json!("[DONE]")),
    ];
    let output = run(stream.as_mut(), &events);
    let names: Vec<&str> = output.iter().filter_map(|(name, _)| name.as_deref()).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "ping",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    assert_eq!(
        output[5].1["usage"],
        json!({"input_tokens": 5, "output_tokens": 1, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0})
    );
    assert_eq!(stream.usage().output, 1);
}

#[test]
fn openai_passthrough_keeps_a_usage_chunk_without_choices_when_asked() {
    let usage_chunk =
        data_event(json!({"id": "c1", "model": "up", "usage": {"prompt_tokens": 5, "completion_tokens": 2}}));
    for include_usage in [false, true] {
        let mut stream = translator(
            Dialect::OpenAi,
            Dialect::OpenAi,
            StreamOptions { model: "gw".into(), include_usage, ..StreamOptions::default() },
        );
        let frames = stream.on_event(&usage_chunk);
        assert_eq!(frames.len(), usize::from(include_usage));
        assert!(stream.usage_reported());
        assert_eq!(stream.usage().output, 2);
    }
}

#[test]
fn an_anthropic_stream_cut_mid_block_is_closed_for_the_client() {
    let events = [
        named_event(
            json!({"type": "message_start", "message": {"id": "msg_1", "model": "up", "usage": {"input_tokens": 9, "output_tokens": 1}}}),
        ),
        named_event(
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "t", "name": "Bash", "input": {}}}),
        ),
        named_event(
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{\"command\":\"ls\"}"}}),
        ),
    ];
    let mut stream = translator(
        Dialect::Anthropic,
        Dialect::Anthropic,
        StreamOptions { model: "gw".into(), ..StreamOptions::default() },
    );
    let output = run(stream.as_mut(), &events);
    let names: Vec<&str> = output.iter().filter_map(|(name, _)| name.as_deref()).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    assert_eq!(output[0].1["message"]["model"], json!("gw"));
    assert_eq!(output[4].1["delta"]["stop_reason"], json!("tool_use"));
    assert_eq!(output[4].1["usage"]["input_tokens"], json!(9));
    assert!(!stream.usage_reported());
    assert_eq!(stream.output_text(), "Bash{\"command\":\"ls\"}");
}

#[test]
fn openai_tool_calls_with_odd_ids_and_late_usage_become_valid_anthropic_blocks() {
    let mut stream = translator(Dialect::Anthropic, Dialect::OpenAi, StreamOptions::default());
    let events = [
        openai_chunk(
            json!({"tool_calls": [{"index": 0, "id": "functions.Bash:0", "function": {"name": "Bash", "arguments": "{\"a\":"}}]}),
            json!(null),
        ),
        openai_chunk(
            json!({"tool_calls": [{"index": 0, "id": "functions.Bash:0", "function": {"arguments": "1}"}}]}),
            json!(null),
        ),
        openai_chunk(
            json!({"tool_calls": [{"index": 1, "function": {"name": "Read", "arguments": "{}"}}]}),
            json!(null),
        ),
        openai_chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": "late"}}]}), json!(null)),
        openai_chunk(json!({}), json!("stop")),
    ];
    let output = run(stream.as_mut(), &events);
    let starts: Vec<&serde_json::Value> = output
        .iter()
        .filter(|(name, _)| name.as_deref() == Some("content_block_start"))
        .map(|(_, data)| &data["content_block"])
        .collect();
    assert_eq!(starts[0]["id"], json!("functions_Bash_0"));
    assert_eq!(starts[1]["name"], json!("Read"));
    assert!(starts[1]["id"].as_str().unwrap().starts_with("toolu_msg_c1_1"));
    let fragments: Vec<&str> =
        output.iter().filter_map(|(_, data)| data.pointer("/delta/partial_json").and_then(Value::as_str)).collect();
    assert_eq!(fragments, ["{\"a\":", "1}", "{}"]);
    let delta = output.iter().find(|(name, _)| name.as_deref() == Some("message_delta")).unwrap();
    assert_eq!(delta.1["delta"]["stop_reason"], json!("tool_use"));
}
