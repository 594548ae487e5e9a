//! The SSE parser against chunking, line endings and framing rules.

use super::super::sse::{anthropic_frame, anthropic_ping, openai_frame, SseEvent, SseParser, OPENAI_DONE};
use serde_json::json;

/// A stream with every construct the parser must handle: CRLF and CR line endings, comments, `id:`/`retry:`,
/// multi-line data, a field without space, multi-byte UTF-8, and a last event without trailing blank line.
const SAMPLE: &str = ": OPENROUTER PROCESSING\r\n\r\nevent: message_start\r\ndata: {\"text\":\"héllo 👋\"}\r\n\r\nid: 7\nretry: 1000\ndata: line one\ndata:line two\n\n: keep-alive\n\ndata: {\"a\":1}\r\rdata: [DONE]";

fn expected_sample_events() -> Vec<SseEvent> {
    vec![
        SseEvent { event: Some("message_start".into()), data: "{\"text\":\"héllo 👋\"}".into() },
        SseEvent { event: None, data: "line one\nline two".into() },
        SseEvent { event: None, data: "{\"a\":1}".into() },
        SseEvent { event: None, data: "[DONE]".into() },
    ]
}

fn parse_in_chunks(bytes: &[u8], cuts: &[usize]) -> Vec<SseEvent> {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    let mut start = 0;
    for &cut in cuts {
        events.extend(parser.push(&bytes[start..cut]));
        start = cut;
    }
    events.extend(parser.push(&bytes[start..]));
    events.extend(parser.finish());
    events
}

#[test]
fn parser_reads_the_sample_stream() {
    assert_eq!(parse_in_chunks(SAMPLE.as_bytes(), &[]), expected_sample_events());
}

#[test]
fn a_split_at_every_byte_offset_gives_the_same_events() {
    let bytes = SAMPLE.as_bytes();
    for cut in 0..=bytes.len() {
        assert_eq!(parse_in_chunks(bytes, &[cut]), expected_sample_events(), "split at byte {cut}");
    }
}

#[test]
fn byte_by_byte_and_every_pair_of_splits_give_the_same_events() {
    let bytes = SAMPLE.as_bytes();
    let every_byte: Vec<usize> = (1..bytes.len()).collect();
    assert_eq!(parse_in_chunks(bytes, &every_byte), expected_sample_events());
    for first in (0..bytes.len()).step_by(3) {
        for second in (first..bytes.len()).step_by(5) {
            assert_eq!(parse_in_chunks(bytes, &[first, second]), expected_sample_events(), "splits {first}, {second}");
        }
    }
}

#[test]
fn a_leading_byte_order_mark_is_ignored() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(b"data: x\n\n");
    assert_eq!(parse_in_chunks(&bytes, &[1]), vec![SseEvent { event: None, data: "x".into() }]);
}

#[test]
fn an_event_name_without_data_is_not_dispatched_and_does_not_leak() {
    let events = parse_in_chunks(b"event: ping\n\ndata: {}\n\n", &[]);
    assert_eq!(events, vec![SseEvent { event: None, data: "{}".into() }]);
}

#[test]
fn comments_only_produce_no_event() {
    assert!(parse_in_chunks(b": keep-alive\n\n:\n\n", &[]).is_empty());
}

#[test]
fn frames_have_the_exact_wire_shape() {
    assert_eq!(openai_frame(&json!({"a": 1})), "data: {\"a\":1}\n\n");
    assert_eq!(OPENAI_DONE, "data: [DONE]\n\n");
    assert_eq!(
        anthropic_frame("message_stop", &json!({"type": "message_stop"})),
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
    );
    assert_eq!(anthropic_ping(), "event: ping\ndata: {\"type\": \"ping\"}\n\n");
}
