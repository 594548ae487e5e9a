//! The body sent upstream for one model: the client's own body with the model name and the
//! model's quirks applied when the protocols match (unknown fields kept), a translation when
//! they differ.

use crate::catalog::ModelEntry;
use crate::config::GatewayConfig;
use crate::gateway::error::GatewayError;
use crate::http::Protocol;
use crate::providers::ProviderProtocol;
use crate::translate::request::{anthropic_to_openai, openai_to_anthropic, RequestOptions};
use crate::translate::{Dialect, ToolNames};
use bytes::Bytes;
use serde_json::{json, Value};

pub struct Prepared {
    pub path: &'static str,
    pub body: Bytes,
    pub upstream: Dialect,
    pub names: ToolNames,
}

pub fn dialect(p: Protocol) -> Dialect {
    match p {
        Protocol::OpenAi => Dialect::OpenAi,
        Protocol::Anthropic => Dialect::Anthropic,
    }
}

/// Fields of OpenRouter's request that only the gateway reads.
const GATEWAY_FIELDS: &[&str] = &["models", "route", "provider", "transforms", "plugins", "usage"];

/// A model's largest output (if the catalog says) and the output a request gets when it
/// names none: the configured default, within that largest output.
pub fn output_limits(model: &ModelEntry, cfg: &GatewayConfig) -> (Option<u64>, u64) {
    let cap = (model.max_output > 0).then_some(model.max_output);
    (cap, cap.map_or(cfg.default_max_tokens, |c| c.min(cfg.default_max_tokens)))
}

pub fn prepare(
    client: Protocol,
    body: &Value,
    model: &ModelEntry,
    protocol: ProviderProtocol,
    cfg: &GatewayConfig,
) -> Result<Prepared, GatewayError> {
    let (cap, default_max_tokens) = output_limits(model, cfg);
    let opts = RequestOptions {
        upstream_model: model.upstream.clone(),
        default_max_tokens,
        max_output_tokens: cap,
        max_tokens_field: if model.token_param == "max_completion_tokens" { "max_completion_tokens" } else { "max_tokens" },
    };
    let bad = |e: crate::translate::TranslateError| GatewayError::BadRequest { message: e.message, param: e.param };
    let (out, upstream, names, path) = match (client, protocol) {
        (_, ProviderProtocol::Ark) => return Err(GatewayError::NotAChatModel(model.id.clone())),
        (Protocol::OpenAi, ProviderProtocol::OpenAi) => {
            (openai_passthrough(body, &opts), Dialect::OpenAi, ToolNames::default(), "/chat/completions")
        }
        (Protocol::Anthropic, ProviderProtocol::Anthropic) => {
            (anthropic_passthrough(body, &opts), Dialect::Anthropic, ToolNames::default(), "/v1/messages")
        }
        (Protocol::OpenAi, ProviderProtocol::Anthropic) => {
            (openai_to_anthropic(body, &opts).map_err(bad)?, Dialect::Anthropic, ToolNames::default(), "/v1/messages")
        }
        (Protocol::Anthropic, ProviderProtocol::OpenAi) => {
            let (v, names) = anthropic_to_openai(body, &opts).map_err(bad)?;
            (v, Dialect::OpenAi, names, "/chat/completions")
        }
    };
    let mut out = out;
    apply_model_quirks(&mut out, model, upstream);
    let body = serde_json::to_vec(&out).map_err(|_| GatewayError::RewriteFailed)?;
    Ok(Prepared { path, body: Bytes::from(body), upstream, names })
}

/// What a model accepts, from the catalog's data rather than code branches:
/// - Anthropic upstreams reject thinking blocks without a signature they made (a thinking
///   block that an OpenAI-protocol model produced earlier in the conversation);
/// - models without reasoning reject `reasoning_effort` / `thinking`;
/// - models without tools get no `tool_choice` / `parallel_tool_calls` (tools were refused
///   earlier when present).
fn apply_model_quirks(body: &mut Value, model: &ModelEntry, upstream: Dialect) {
    if upstream == Dialect::Anthropic {
        crate::translate::request::anthropic_strip_unsigned_thinking(body);
    }
    let Some(o) = body.as_object_mut() else { return };
    if !model.reasoning {
        o.remove("reasoning_effort");
        o.remove("reasoning");
        if upstream == Dialect::Anthropic {
            o.remove("thinking");
        }
    }
    if !model.tools && o.get("tools").is_none() {
        o.remove("tool_choice");
        o.remove("parallel_tool_calls");
    }
}

/// OpenAI → OpenAI: model name, the token-limit spelling the model accepts, the output cap,
/// and usage in streams (the gateway bills from it).
fn openai_passthrough(body: &Value, opts: &RequestOptions) -> Value {
    let mut b = body.clone();
    let Some(o) = b.as_object_mut() else { return b };
    for f in GATEWAY_FIELDS {
        o.remove(*f);
    }
    o.insert("model".into(), json!(opts.upstream_model));
    let other = if opts.max_tokens_field == "max_tokens" { "max_completion_tokens" } else { "max_tokens" };
    if let Some(v) = o.remove(other) {
        o.entry(opts.max_tokens_field.to_string()).or_insert(v);
    }
    if let (Some(cap), Some(n)) = (opts.max_output_tokens, o.get(opts.max_tokens_field).and_then(Value::as_u64)) {
        if n > cap {
            o.insert(opts.max_tokens_field.into(), json!(cap));
        }
    }
    if o.get("stream").and_then(Value::as_bool) == Some(true) {
        let so = o.entry("stream_options").or_insert_with(|| json!({}));
        if let Some(so) = so.as_object_mut() {
            so.insert("include_usage".into(), json!(true));
        }
    }
    b
}

/// Anthropic → Anthropic: model name, output cap, and `system`-role entries that Claude Code
/// puts inside `messages` moved to the top-level `system` (the API accepts them nowhere else).
fn anthropic_passthrough(body: &Value, opts: &RequestOptions) -> Value {
    let mut b = body.clone();
    let Some(o) = b.as_object_mut() else { return b };
    for f in GATEWAY_FIELDS {
        o.remove(*f);
    }
    o.insert("model".into(), json!(opts.upstream_model));
    if let (Some(cap), Some(n)) = (opts.max_output_tokens, o.get("max_tokens").and_then(Value::as_u64)) {
        if n > cap {
            o.insert("max_tokens".into(), json!(cap));
        }
    }
    let mut extra_system: Vec<Value> = vec![];
    if let Some(msgs) = o.get_mut("messages").and_then(Value::as_array_mut) {
        msgs.retain(|m| {
            if m.get("role").and_then(Value::as_str) == Some("system") {
                match m.get("content") {
                    Some(Value::String(s)) if !s.is_empty() => extra_system.push(json!({"type": "text", "text": s})),
                    Some(Value::Array(parts)) => extra_system.extend(parts.iter().cloned()),
                    _ => {}
                }
                false
            } else {
                true
            }
        });
    }
    if !extra_system.is_empty() {
        let mut blocks: Vec<Value> = match o.remove("system") {
            Some(Value::String(s)) if !s.is_empty() => vec![json!({"type": "text", "text": s})],
            Some(Value::Array(a)) => a,
            _ => vec![],
        };
        blocks.extend(extra_system);
        o.insert("system".into(), Value::Array(blocks));
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(field: &'static str) -> RequestOptions {
        RequestOptions { upstream_model: "up".into(), default_max_tokens: 4096, max_output_tokens: Some(100), max_tokens_field: field }
    }

    #[test]
    fn openai_passthrough_rewrites_max_tokens_and_keeps_unknown_fields() {
        let b = json!({"model": "openai/gpt-5", "max_tokens": 50, "foo": {"bar": 1}, "models": ["a"], "stream": true});
        let out = openai_passthrough(&b, &opts("max_completion_tokens"));
        assert_eq!(out, json!({"model": "up", "max_completion_tokens": 50, "foo": {"bar": 1}, "stream": true, "stream_options": {"include_usage": true}}));
        let out = openai_passthrough(&json!({"model": "m", "max_completion_tokens": 500}), &opts("max_tokens"));
        assert_eq!(out, json!({"model": "up", "max_tokens": 100}));
    }

    #[test]
    fn quirks_come_from_the_catalog() {
        let catalog = crate::catalog::Catalog::load(&[]).expect("catalog");
        let cfg = GatewayConfig::default();
        let gpt41 = catalog.get("openai/gpt-4.1").expect("model");
        let body = json!({"model": "openai/gpt-4.1", "reasoning_effort": "high", "max_completion_tokens": 9, "messages": [{"role": "user", "content": "hi"}]});
        let p = prepare(Protocol::OpenAi, &body, gpt41, ProviderProtocol::OpenAi, &cfg).expect("prepared");
        let sent: Value = serde_json::from_slice(&p.body).expect("json");
        assert!(sent.get("reasoning_effort").is_none(), "gpt-4.1 does not reason");
        assert_eq!(sent["max_tokens"], 9, "gpt-4.1 takes max_tokens");
        // a thinking block without a signature (made by another model) never reaches Anthropic
        let sonnet = catalog.get("anthropic/claude-sonnet-4.6").expect("model");
        let body = json!({"model": "x", "max_tokens": 100, "messages": [
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": [{"type": "thinking", "thinking": "hmm", "signature": ""}, {"type": "text", "text": "a"}]},
            {"role": "user", "content": "q2"}]});
        let p = prepare(Protocol::Anthropic, &body, sonnet, ProviderProtocol::Anthropic, &cfg).expect("prepared");
        let sent: Value = serde_json::from_slice(&p.body).expect("json");
        assert_eq!(sent["messages"][1]["content"], json!([{"type": "text", "text": "a"}]));
    }

    #[test]
    fn anthropic_passthrough_moves_system_messages_up() {
        let b = json!({"model": "m", "max_tokens": 10, "system": "a", "context_management": {"x": 1},
            "messages": [{"role": "system", "content": "b"}, {"role": "user", "content": "hi"}]});
        let out = anthropic_passthrough(&b, &opts("max_tokens"));
        assert_eq!(out["system"], json!([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]));
        assert_eq!(out["messages"], json!([{"role": "user", "content": "hi"}]));
        assert_eq!(out["context_management"], json!({"x": 1}));
    }
}
