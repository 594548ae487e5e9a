//! Server-sent events: an incremental parser for upstream bodies and the frame writers for clients (PROTOCOLS §6.1).
//!
//! The parser follows the WHATWG event-stream rules: lines end in `\r\n`, `\n` or `\r`; `data:` lines accumulate
//! (joined by `\n`); `event:` names the event; `id:`/`retry:` are read and ignored; `:` lines are comments and dropped;
//! a blank line dispatches the event (only when it has data). Network chunks may split lines and UTF-8 sequences
//! anywhere: bytes are buffered until a line is complete.

use serde_json::Value;

/// One dispatched event: its `event:` name (if any) and its data lines joined by `\n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    pub event: Option<String>,
    pub data: String,
}

/// Incremental SSE parser; feed it the body's chunks in order.
#[derive(Debug)]
pub struct SseParser {
    /// Bytes of the line not yet terminated.
    pending_line: Vec<u8>,
    /// The previous chunk ended in `\r`: a `\n` starting the next chunk belongs to that line ending.
    skip_leading_newline: bool,
    /// No byte seen yet (a leading UTF-8 BOM is dropped).
    at_stream_start: bool,
    event_name: Option<String>,
    data_lines: Vec<String>,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

impl Default for SseParser {
    fn default() -> Self {
        SseParser::new()
    }
}

impl SseParser {
    pub fn new() -> Self {
        SseParser {
            pending_line: Vec::new(),
            skip_leading_newline: false,
            at_stream_start: true,
            event_name: None,
            data_lines: Vec::new(),
        }
    }

    /// Parses `chunk` and returns the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        for &byte in chunk {
            if self.skip_leading_newline {
                self.skip_leading_newline = false;
                if byte == b'\n' {
                    continue;
                }
            }
            match byte {
                b'\n' => self.end_line(&mut events),
                b'\r' => {
                    self.end_line(&mut events);
                    self.skip_leading_newline = true;
                }
                _ => self.pending_line.push(byte),
            }
        }
        events
    }

    /// The body ended: a last line without terminator and a last event without trailing blank line are flushed.
    pub fn finish(&mut self) -> Vec<SseEvent> {
        let mut events = Vec::new();
        if !self.pending_line.is_empty() {
            self.end_line(&mut events);
        }
        self.skip_leading_newline = false;
        self.dispatch(&mut events);
        events
    }

    fn end_line(&mut self, events: &mut Vec<SseEvent>) {
        let mut line_bytes = std::mem::take(&mut self.pending_line);
        if self.at_stream_start {
            self.at_stream_start = false;
            if line_bytes.starts_with(UTF8_BOM) {
                line_bytes.drain(..UTF8_BOM.len());
            }
        }
        let line = String::from_utf8_lossy(&line_bytes);
        if line.is_empty() {
            self.dispatch(events);
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "data" => self.data_lines.push(value.to_string()),
            "event" => self.event_name = Some(value.to_string()),
            _ => {} // id, retry and unknown fields carry nothing the gateway uses
        }
    }

    fn dispatch(&mut self, events: &mut Vec<SseEvent>) {
        let event = self.event_name.take().filter(|name| !name.is_empty());
        if self.data_lines.is_empty() {
            return;
        }
        let data = std::mem::take(&mut self.data_lines).join("\n");
        events.push(SseEvent { event, data });
    }
}

/// An OpenAI-style frame: `data: {compact json}\n\n`.
pub fn openai_frame(data: &Value) -> String {
    format!("data: {data}\n\n")
}

/// The terminal frame of an OpenAI stream.
pub const OPENAI_DONE: &str = "data: [DONE]\n\n";

/// An Anthropic-style frame: `event: name\ndata: {compact json}\n\n`.
pub fn anthropic_frame(event: &str, data: &Value) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

/// An Anthropic frame whose data is forwarded as received (multi-line data gets one `data:` line per line).
pub(crate) fn anthropic_raw_frame(event: &str, data: &str) -> String {
    let mut frame = format!("event: {event}\n");
    for line in data.split('\n') {
        frame.push_str("data: ");
        frame.push_str(line);
        frame.push('\n');
    }
    frame.push('\n');
    frame
}

/// Anthropic's native keep-alive, exactly as the API sends it.
pub fn anthropic_ping() -> String {
    "event: ping\ndata: {\"type\": \"ping\"}\n\n".to_string()
}
