//! The chat gateway's hot functions, per request or per stream event:
//! body summary, routing, upstream body preparation (pass-through and translation), cost,
//! and the stream translators over a recorded stream.
//! Run: `cargo bench -p server --bench gateway_hot`.
#![allow(clippy::unwrap_used)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use gateai::catalog::Catalog;
use gateai::config::{Config, GatewayConfig};
use gateai::http::Protocol;
use gateai::pipeline::prepare::prepare;
use gateai::pipeline::summary::summarize;
use gateai::providers::{ProviderProtocol, Providers};
use gateai::translate::sse::{SseEvent, SseParser};
use gateai::translate::stream::{translator, StreamOptions};
use gateai::translate::Dialect;
use serde_json::json;

fn openai_stream() -> String {
    let mut s = String::new();
    let chunk = |delta: serde_json::Value, finish: Option<&str>| {
        format!("data: {}\n\n", json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}))
    };
    s.push_str(&chunk(json!({"role": "assistant", "content": ""}), None));
    for w in 0..100 {
        s.push_str(&chunk(json!({"content": format!("word{w} ")}), None));
    }
    s.push_str(&chunk(json!({}), Some("stop")));
    s.push_str(&format!("data: {}\n\n", json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [],
        "usage": {"prompt_tokens": 10, "completion_tokens": 100, "total_tokens": 110}})));
    s.push_str("data: [DONE]\n\n");
    s
}

fn bench(c: &mut Criterion) {
    let catalog = Catalog::load(&[]).unwrap();
    let mut config = Config::default();
    for id in ["openai", "anthropic", "deepseek", "z-ai"] {
        config.providers.entry(id.into()).or_default().api_key = Some("k".into());
    }
    let providers = Providers::from_config(&config).unwrap();
    let cfg = GatewayConfig::default();
    let body = json!({"model": "deepseek/deepseek-v3.2", "max_tokens": 256, "messages": [
        {"role": "system", "content": "You are a helpful assistant. ".repeat(20)},
        {"role": "user", "content": "Explain the borrow checker in three sentences. ".repeat(10)}],
        "tools": [{"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}]});

    c.bench_function("summarize an OpenAI body", |b| b.iter(|| summarize(Protocol::OpenAi, black_box(&body)).unwrap()));
    let s = summarize(Protocol::OpenAi, &body).unwrap();
    c.bench_function("route: explicit model", |b| {
        b.iter(|| gateai::routing::choose(&catalog, &providers, black_box("deepseek/deepseek-v3.2"), &[], &s.needs, &Default::default()).unwrap())
    });
    c.bench_function("route: auto (cheapest capable)", |b| {
        b.iter(|| gateai::routing::choose(&catalog, &providers, black_box("auto"), &[], &s.needs, &Default::default()).unwrap())
    });
    let deepseek = catalog.get("deepseek/deepseek-v3.2").unwrap();
    let sonnet = catalog.get("anthropic/claude-sonnet-4.6").unwrap();
    c.bench_function("prepare: OpenAI pass-through", |b| {
        b.iter(|| prepare(Protocol::OpenAi, black_box(&body), deepseek, ProviderProtocol::OpenAi, &cfg).unwrap())
    });
    c.bench_function("prepare: OpenAI → Anthropic translation", |b| {
        b.iter(|| prepare(Protocol::OpenAi, black_box(&body), sonnet, ProviderProtocol::Anthropic, &cfg).unwrap())
    });
    let prices = deepseek.prices().unwrap();
    let usage = gateai::translate::usage::Usage { input: 1234, cache_read: 500, cache_write: 0, output: 321, reasoning: 0 };
    c.bench_function("cost of a usage (exact decimal)", |b| {
        b.iter(|| gateai::billing::pricing::cost_units(black_box(&prices), black_box(&usage)).unwrap())
    });

    let raw = openai_stream();
    let events: Vec<SseEvent> = SseParser::new().push(raw.as_bytes());
    c.bench_function("SSE parse: 103-event stream", |b| b.iter(|| SseParser::new().push(black_box(raw.as_bytes())).len()));
    for (name, client) in [("stream: OpenAI pass-through, per stream", Dialect::OpenAi), ("stream: OpenAI → Anthropic, per stream", Dialect::Anthropic)] {
        c.bench_function(name, |b| {
            b.iter(|| {
                let mut t = translator(client, Dialect::OpenAi, StreamOptions { model: "deepseek/deepseek-v3.2".into(), ..Default::default() });
                let mut n = 0;
                for ev in &events {
                    n += t.on_event(ev).len();
                }
                n + t.finish().len()
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
