//! How the double decides what to answer: the FIFO of scripted replies first, else a tool result
//! acknowledgement, else `[[markers]]` in the last user message, else a greeting. Also the
//! deterministic token estimates and the fragmenting of streamed text and tool arguments.
//!
//! Markers: `[[tool:NAME {json}]]` (repeatable: several → parallel calls), `[[tools:N]]`,
//! `[[error:STATUS]]`, `[[fail:STATUS*N]]`, `[[delay:MS]]`, `[[cut:N]]`, `[[inband:N]]`,
//! `[[nousage]]`, `[[think]]`, `[[cache:N]]`, `[[hang]]` (and `[[videofail]]` for Ark).

use super::{Reply, UpstreamDouble};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The protocol-neutral view of a chat request.
pub(crate) struct ChatView {
    pub model: String,
    pub stream: bool,
    /// all text of the last user message (markers are looked for here)
    pub user_text: String,
    /// the last text part of the last user message (echoed in the default answer)
    pub echo: String,
    /// the request ends with a tool result: its text
    pub tool_result: Option<String>,
    /// the first declared tool: name and JSON schema
    pub first_tool: Option<(String, Value)>,
    /// ceil(chars of the JSON of messages + system + tools / 4)
    pub input_tokens: u64,
}

impl ChatView {
    pub fn default_text(&self) -> String {
        format!("Hello from {}! You said: {}", self.model, first_chars(&self.echo, 40))
    }
}

/// What to send, after delays were waited for.
pub(crate) enum Answer {
    Error {
        status: u16,
        message: String,
        retry_after: Option<u64>,
    },
    /// non-stream `CutAfter`: drop the connection
    Drop,
    Content(Content),
}

#[derive(Default)]
pub(crate) struct Content {
    pub thinking: Option<String>,
    pub text: Option<String>,
    pub calls: Vec<(String, Value)>,
    pub cut: Option<usize>,
    pub inband: Option<(usize, String)>,
    pub no_usage: bool,
    /// cache-read tokens to report (on top of the uncached `input_tokens`)
    pub cache: u64,
}

impl Content {
    /// words of the produced text and thinking + 10 per tool call
    pub fn output_tokens(&self) -> u64 {
        (words(self.text.as_deref().unwrap_or("")) + words(self.thinking.as_deref().unwrap_or("")) + 10 * self.calls.len()) as u64
    }
    pub fn reasoning_tokens(&self) -> u64 {
        words(self.thinking.as_deref().unwrap_or("")) as u64
    }
}

/// Picks the reply for a chat request and waits out the first-byte delay and any `Delay`.
/// Never returns for `Hang`.
pub(crate) async fn prepare(d: &UpstreamDouble, view: &ChatView, body: &[u8]) -> Answer {
    let (first_byte, reply, cache) = {
        let mut g = d.lock();
        let first_byte = g.first_byte_delay;
        if let Some(r) = g.replies.pop_front() {
            (first_byte, r, 0)
        } else if let Some(result) = &view.tool_result {
            (first_byte, Reply::Text(format!("Tool result received: {}", first_chars(result, 60))), 0)
        } else {
            let m = Markers::parse(&view.user_text);
            let fail_hit = m.fail.is_some_and(|(_, n)| {
                let key: [u8; 32] = Sha256::digest(body).into();
                let seen = g.fail_counts.entry(key).or_insert(0);
                *seen += 1;
                *seen <= n
            });
            (first_byte, m.reply(view, fail_hit), m.cache.unwrap_or(0))
        }
    };
    let mut delay = first_byte;
    let mut reply = reply;
    while let Reply::Delay { ms, then } = reply {
        delay += Duration::from_millis(ms);
        reply = *then;
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let content = |c: Content| Answer::Content(Content { cache, ..c });
    match reply {
        Reply::Text(t) => content(Content { text: Some(t), ..Default::default() }),
        Reply::Tools { text, calls } => content(Content { text, calls, ..Default::default() }),
        Reply::Thinking { thinking, text } => content(Content { thinking: Some(thinking), text: Some(text), ..Default::default() }),
        Reply::Error { status, message, retry_after } => Answer::Error { status, message, retry_after },
        Reply::CutAfter { chunks } if view.stream => content(Content { text: Some(view.default_text()), cut: Some(chunks), ..Default::default() }),
        Reply::CutAfter { .. } => Answer::Drop,
        Reply::InBandError { chunks, message } => {
            content(Content { text: Some(view.default_text()), inband: Some((chunks, message)), ..Default::default() })
        }
        Reply::NoUsage(t) => content(Content { text: Some(t), no_usage: true, ..Default::default() }),
        Reply::Hang => std::future::pending().await,
        Reply::Delay { .. } => unreachable!("delays unwrapped above"),
    }
}

#[derive(Default, Debug)]
pub(crate) struct Markers {
    tools: Vec<(String, Value)>,
    tools_n: Option<usize>,
    error: Option<u16>,
    fail: Option<(u16, usize)>,
    delay: Option<u64>,
    cut: Option<usize>,
    inband: Option<usize>,
    nousage: bool,
    think: bool,
    cache: Option<u64>,
    hang: bool,
}

impl Markers {
    pub fn parse(text: &str) -> Markers {
        let mut m = Markers::default();
        let mut rest = text;
        while let Some(start) = rest.find("[[") {
            rest = &rest[start + 2..];
            if let Some(spec) = rest.strip_prefix("tool:") {
                let name_len = spec.find(|c: char| c.is_whitespace() || c == ']' || c == '{').unwrap_or(spec.len());
                let name = spec[..name_len].to_string();
                let after = spec[name_len..].trim_start();
                let mut args = json!({});
                rest = spec;
                if after.starts_with('{') {
                    let mut it = serde_json::Deserializer::from_str(after).into_iter::<Value>();
                    if let Some(Ok(v)) = it.next() {
                        args = v;
                        rest = &after[it.byte_offset()..];
                    }
                }
                if !name.is_empty() {
                    m.tools.push((name, args));
                }
                continue;
            }
            let Some(end) = rest.find("]]") else { break };
            let (key, val) = rest[..end].split_once(':').unwrap_or((&rest[..end], ""));
            let num = || val.trim().parse::<u64>().ok();
            match key.trim() {
                "tools" => m.tools_n = num().map(|n| n as usize),
                "error" => m.error = num().map(|n| n as u16),
                "fail" => {
                    let (s, n) = val.split_once('*').unwrap_or((val, "1"));
                    if let (Ok(s), Ok(n)) = (s.trim().parse(), n.trim().parse()) {
                        m.fail = Some((s, n));
                    }
                }
                "delay" => m.delay = num(),
                "cut" => m.cut = num().map(|n| n as usize),
                "inband" => m.inband = num().map(|n| n as usize),
                "nousage" => m.nousage = true,
                "think" => m.think = true,
                "cache" => m.cache = num(),
                "hang" => m.hang = true,
                _ => {}
            }
            rest = &rest[end + 2..];
        }
        m
    }

    fn reply(&self, view: &ChatView, fail_hit: bool) -> Reply {
        let text = view.default_text();
        let scripted = |status: u16| Reply::Error { status, message: format!("Scripted error {status} from the upstream double"), retry_after: None };
        let r = if self.hang {
            Reply::Hang
        } else if let Some(s) = self.error {
            scripted(s)
        } else if let (true, Some((s, _))) = (fail_hit, self.fail) {
            scripted(s)
        } else if let Some(chunks) = self.cut {
            Reply::CutAfter { chunks }
        } else if let Some(chunks) = self.inband {
            Reply::InBandError { chunks, message: "Overloaded".into() }
        } else if !self.tools.is_empty() {
            Reply::Tools { text: None, calls: self.tools.clone() }
        } else if let Some(n) = self.tools_n {
            let (name, schema) = view.first_tool.clone().unwrap_or_else(|| ("noop".into(), Value::Null));
            Reply::Tools { text: None, calls: (1..=n.max(1)).map(|i| (name.clone(), placeholder_args(&schema, i))).collect() }
        } else if self.think {
            Reply::Thinking { thinking: format!("The user wrote: {}. I should greet them back.", first_chars(&view.echo, 40)), text }
        } else if self.nousage {
            Reply::NoUsage(text)
        } else {
            Reply::Text(text)
        };
        match self.delay {
            Some(ms) => Reply::Delay { ms, then: Box::new(r) },
            None => r,
        }
    }
}

/// `{}`-ish arguments satisfying the schema's required properties, distinct per call number.
fn placeholder_args(schema: &Value, i: usize) -> Value {
    let mut out = Map::new();
    let props = schema.get("properties").and_then(Value::as_object);
    for req in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        let p = props.and_then(|p| p.get(req)).cloned().unwrap_or(Value::Null);
        let v = if let Some(first) = p.get("enum").and_then(Value::as_array).and_then(|e| e.first()) {
            first.clone()
        } else {
            match p.get("type").and_then(Value::as_str).unwrap_or("string") {
                "integer" | "number" => json!(i),
                "boolean" => json!(true),
                "array" => json!([]),
                "object" => json!({}),
                _ => json!(format!("{req}-{i}")),
            }
        };
        out.insert(req.to_string(), v);
    }
    Value::Object(out)
}

pub(crate) fn first_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

pub(crate) fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// ceil(total chars of the JSON of the given parts / 4); absent parts count nothing.
pub(crate) fn estimate_tokens(parts: &[Option<&Value>]) -> u64 {
    let chars: usize = parts.iter().flatten().map(|v| v.to_string().chars().count()).sum();
    chars.div_ceil(4) as u64
}

/// One piece per word, each with its trailing whitespace: the pieces concatenate to `s`.
pub(crate) fn word_pieces(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_ws = false;
    for c in s.chars() {
        if !c.is_whitespace() && prev_ws && !cur.trim().is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_ws = c.is_whitespace();
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Splits serialized JSON into 3+ fragments (when long enough), one cut falling inside the first
/// string value (as real providers do); cuts respect UTF-8 boundaries.
pub(crate) fn json_fragments(s: &str) -> Vec<String> {
    let mut cuts = vec![s.len() / 3, s.len() / 2, 2 * s.len() / 3];
    if let Some(p) = s.find(":\"") {
        cuts.push(p + 3);
    }
    let mut cuts: Vec<usize> = cuts
        .into_iter()
        .map(|mut c| {
            while c < s.len() && !s.is_char_boundary(c) {
                c += 1;
            }
            c
        })
        .filter(|&c| c > 0 && c < s.len())
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut last = 0;
    for c in cuts {
        out.push(s[last..c].to_string());
        last = c;
    }
    out.push(s[last..].to_string());
    out
}

/// Text of an OpenAI/Anthropic content value: a string, or the `text` of its text parts.
pub(crate) fn text_parts(content: Option<&Value>) -> Vec<String> {
    match content {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(parts)) => parts
            .iter()
            .filter(|p| p.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|p| p.get("text").and_then(Value::as_str).map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_parse() {
        let m = Markers::parse(r#"hi [[tool:get_weather {"city":"Paris ]]"}]] [[tool:ls]] [[fail:503*2]] [[cache:100]] [[delay:5]]"#);
        assert_eq!(m.tools, vec![("get_weather".into(), json!({"city": "Paris ]]"})), ("ls".into(), json!({}))]);
        assert_eq!(m.fail, Some((503, 2)));
        assert_eq!(m.cache, Some(100));
        assert_eq!(m.delay, Some(5));
    }

    #[test]
    fn pieces_and_fragments() {
        assert_eq!(word_pieces("Hello from m!  You"), vec!["Hello ", "from ", "m!  ", "You"]);
        let f = json_fragments(r#"{"city":"Zürich","n":1}"#);
        assert!(f.len() >= 3, "{f:?}");
        assert_eq!(f.concat(), r#"{"city":"Zürich","n":1}"#);
        // some cut falls inside a string value
        let inside = (1..f.len()).any(|k| f[..k].concat().matches('"').count() % 2 == 1);
        assert!(inside, "{f:?}");
    }

    #[test]
    fn placeholder() {
        let s = json!({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"enum":["x","y"]}},"required":["a","b","c"]});
        assert_eq!(placeholder_args(&s, 2), json!({"a":"a-2","b":2,"c":"x"}));
    }
}
