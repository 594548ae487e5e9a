//! Anthropic clients (Claude Code, Claude Desktop, the SDKs): pass-through to Anthropic
//! models with headers forwarded, translation to OpenAI-protocol models with the exact
//! event order, count_tokens, and model discovery.

use super::harness::*;
use crate::both;

use serde_json::{json, Value};
use testkit::upstream::Reply as Up;

/// The shape Claude Code sends: system blocks with the attribution line and cache_control, a
/// system-role entry in messages, thinking, context_management, output_config, metadata.
fn claude_code_body(model: &str, stream: bool) -> Value {
    json!({
        "model": model, "max_tokens": 32000, "stream": stream,
        "system": [
            {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.0; cc_entrypoint=cli; cch=abc;"},
            {"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}}],
        "messages": [
            {"role": "system", "content": "Extra system context."},
            {"role": "user", "content": [{"type": "text", "text": "list files [[tool:Bash {\"command\":\"ls\"}]]", "cache_control": {"type": "ephemeral"}}]}],
        "tools": [{"name": "Bash", "description": "run a command", "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]}}],
        "thinking": {"type": "adaptive"},
        "output_config": {"effort": "medium"},
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "metadata": {"user_id": "user_abc_session_1"}
    })
}

async fn claude_post(gw: &Gw, body: &Value) -> Reply {
    let r = gw
        .http
        .post(format!("{}/anthropic/v1/messages?beta=true", gw.app.url))
        .header("x-api-key", &gw.key)
        .header("anthropic-version", "2023-06-01")
        .header("anthropic-beta", "claude-code-20250219,context-management-2025-06-27")
        .json(body)
        .send()
        .await
        .unwrap();
    reply(r).await
}

both!(claude_code_body_passes_through_to_an_anthropic_model, |b| async move {
    let gw = gateway(b).await;
    let r = claude_post(&gw, &claude_code_body("anthropic/claude-sonnet-4.6", true)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ev = sse_events(&r.text);
    let names: Vec<&str> = ev.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.first(), Some(&"message_start"));
    assert_eq!(names.last(), Some(&"message_stop"));
    assert_eq!(ev[0].1["message"]["model"], "anthropic/claude-sonnet-4.6");
    let tool_start = ev.iter().find(|(n, d)| n == "content_block_start" && d["content_block"]["type"] == "tool_use").unwrap();
    assert_eq!(tool_start.1["content_block"]["name"], "Bash");
    let args: String = ev.iter().filter_map(|(_, d)| d["delta"]["partial_json"].as_str()).collect();
    assert_eq!(serde_json::from_str::<Value>(&args).unwrap(), json!({"command": "ls"}));
    let delta = ev.iter().find(|(n, _)| n == "message_delta").unwrap();
    assert_eq!(delta.1["delta"]["stop_reason"], "tool_use");
    let sent = &gw.up.chat_requests()[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.body["model"], "claude-sonnet-4-6");
    assert_eq!(sent.headers["anthropic-beta"], "claude-code-20250219,context-management-2025-06-27", "betas forwarded unchanged");
    assert_eq!(sent.body["context_management"], claude_code_body("", true)["context_management"], "unknown fields kept");
    assert!(sent.body["messages"].as_array().unwrap().iter().all(|m| m["role"] != "system"), "system-role entries moved to system");
    assert_eq!(sent.body["system"].as_array().unwrap().len(), 3);
    let logs = gw.logs().await;
    assert_eq!((logs[0].status, logs[0].streamed), (200, true));
    assert!(logs[0].cost_units > 0 && !logs[0].usage_estimated);
});

both!(claude_code_reaches_an_openai_protocol_model_with_exact_events, |b| async move {
    let gw = gateway(b).await;
    let r = claude_post(&gw, &claude_code_body("deepseek/deepseek-v3.2", true)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ev = sse_events(&r.text);
    let names: Vec<&str> = ev.iter().map(|(n, _)| n.as_str()).filter(|n| *n != "ping").collect();
    assert_eq!(names[0], "message_start");
    assert_eq!(*names.last().unwrap(), "message_stop");
    assert_eq!(names[names.len() - 2], "message_delta");
    // every block started, given deltas and stopped once, indexes increasing
    let mut open: Option<u64> = None;
    let mut next = 0;
    for (n, d) in &ev {
        match n.as_str() {
            "content_block_start" => {
                assert!(open.is_none(), "a block was still open");
                assert_eq!(d["index"].as_u64(), Some(next));
                open = Some(next);
                next += 1;
                if d["content_block"]["type"] == "tool_use" {
                    assert_eq!(d["content_block"]["input"], json!({}), "input only through input_json_delta");
                }
                if d["content_block"]["type"] == "text" {
                    assert_eq!(d["content_block"]["text"], "");
                }
            }
            "content_block_delta" => assert_eq!(d["index"].as_u64(), open),
            "content_block_stop" => {
                assert_eq!(d["index"].as_u64(), open);
                open = None;
            }
            _ => {}
        }
    }
    assert!(open.is_none());
    let start = &ev[0].1["message"];
    assert_eq!(start["model"], "deepseek/deepseek-v3.2");
    assert!(start["usage"].get("cache_read_input_tokens").is_some() && start["usage"].get("cache_creation_input_tokens").is_some());
    let delta = ev.iter().find(|(n, _)| n == "message_delta").unwrap();
    assert_eq!(delta.1["delta"]["stop_reason"], "tool_use");
    assert!(delta.1["usage"]["output_tokens"].as_u64().unwrap() > 0);
    let args: String = ev.iter().filter_map(|(_, d)| d["delta"]["partial_json"].as_str()).collect();
    assert_eq!(serde_json::from_str::<Value>(&args).unwrap(), json!({"command": "ls"}));
    // what went upstream: OpenAI chat, system folded in, attribution line gone, tools as functions
    let sent = &gw.up.chat_requests()[0];
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.body["model"], "deepseek-chat");
    assert_eq!(sent.body["messages"][0]["role"], "system");
    let sys = sent.body["messages"][0]["content"].as_str().map(String::from).unwrap_or_else(|| sent.body["messages"][0]["content"].to_string());
    assert!(sys.contains("You are Claude Code.") && sys.contains("Extra system context.") && !sys.contains("x-anthropic-billing-header"), "{sys}");
    assert_eq!(sent.body["tools"][0]["function"]["name"], "Bash");
    assert_eq!(sent.body["stream_options"]["include_usage"], true);
    assert!(sent.body["max_tokens"].as_u64().unwrap() <= 8192, "clamped to the model's output cap");
    assert!(sent.body.get("context_management").is_none() && sent.body.get("output_config").is_none());
    assert_eq!(gw.charges().await.len(), 1);
});

both!(non_streamed_messages_both_ways, |b| async move {
    let gw = gateway(b).await;
    gw.up.push(Up::Thinking { thinking: "let me think".into(), text: "42".into() });
    let r = gw.anthropic(json!({"model": "anthropic/claude-opus-4.6", "max_tokens": 2000, "thinking": {"type": "enabled", "budget_tokens": 1024},
        "messages": [{"role": "user", "content": "answer?"}]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["type"], "message");
    assert_eq!(r.body["model"], "anthropic/claude-opus-4.6");
    assert_eq!(r.body["content"][0]["type"], "thinking");
    assert!(r.body["content"][0]["signature"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(r.headers["x-gateai-model"], "anthropic/claude-opus-4.6");
    assert_eq!(r.headers["request-id"], r.headers["x-request-id"], "Anthropic SDKs read request-id");
    // Anthropic client → OpenAI model, non-stream, with a tool round trip
    gw.up.push(Up::Tools { text: None, calls: vec![("lookup".into(), json!({"q": "rust"}))] });
    let r = gw.anthropic(json!({"model": "openai/gpt-4.1", "max_tokens": 300, "stop_sequences": ["STOP"],
        "tools": [{"name": "lookup", "input_schema": {"type": "object"}}],
        "messages": [{"role": "user", "content": "find rust"}]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["stop_reason"], "tool_use");
    let tu = r.body["content"].as_array().unwrap().iter().find(|b| b["type"] == "tool_use").unwrap().clone();
    assert_eq!(tu["input"], json!({"q": "rust"}));
    let sent = &gw.up.chat_requests()[1];
    assert_eq!(sent.body["stop"], json!(["STOP"]), "one stop sequence stays an array");
    assert_eq!(sent.body["max_tokens"], 300);
    let r = gw.anthropic(json!({"model": "openai/gpt-4.1", "max_tokens": 300,
        "tools": [{"name": "lookup", "input_schema": {"type": "object"}}],
        "messages": [{"role": "user", "content": "find rust"},
            {"role": "assistant", "content": [tu.clone()]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tu["id"], "content": "a language"}]}]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["stop_reason"], "end_turn");
    let sent = &gw.up.chat_requests()[2];
    let tool_msg = sent.body["messages"].as_array().unwrap().iter().find(|m| m["role"] == "tool").unwrap().clone();
    assert_eq!(tool_msg["tool_call_id"], tu["id"]);
    assert_eq!(gw.charges().await.len(), 3);
});

both!(count_tokens_and_model_discovery, |b| async move {
    let gw = gateway(b).await;
    let r = reply(gw.http.post(format!("{}/anthropic/v1/messages/count_tokens?beta=true", gw.app.url))
        .header("x-api-key", &gw.key).header("anthropic-version", "2023-06-01")
        .json(&claude_code_body("anthropic/claude-sonnet-4.6", false)).send().await.unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let n = r.body["input_tokens"].as_u64().unwrap();
    assert!(n > 20, "a real count, never 0: {n}");
    assert!(gw.up.requests().is_empty(), "counted locally");
    // Anthropic list shape (Claude Code discovery), paged
    let r = reply(gw.http.get(format!("{}/anthropic/v1/models?limit=3", gw.app.url)).header("x-api-key", &gw.key).send().await.unwrap()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"].as_array().unwrap().len(), 3);
    assert_eq!(r.body["has_more"], true);
    assert_eq!(r.body["data"][0]["type"], "model");
    assert!(r.body["data"][0]["display_name"].is_string() && r.body["data"][0]["created_at"].is_string());
    let last = r.body["last_id"].as_str().unwrap().to_string();
    let r2 = reply(gw.http.get(format!("{}/anthropic/v1/models?limit=1000&after_id={last}", gw.app.url)).bearer_auth(&gw.key).send().await.unwrap()).await;
    assert_eq!(r2.body["has_more"], false);
    let all: Vec<String> = r.body["data"].as_array().unwrap().iter().chain(r2.body["data"].as_array().unwrap()).map(|m| m["id"].as_str().unwrap().to_string()).collect();
    assert!(all.contains(&"anthropic/claude-sonnet-4.6".to_string()));
    assert!(!all.iter().any(|m| m.starts_with("x-ai/")), "providers that are off are not listed");
    assert!(!all.iter().any(|m| m.starts_with("bytedance/")), "video models are not chat models");
    let one = reply(gw.http.get(format!("{}/anthropic/v1/models/anthropic/claude-haiku-4.5", gw.app.url)).header("x-api-key", &gw.key).send().await.unwrap()).await;
    assert_eq!(one.body["id"], "anthropic/claude-haiku-4.5");
    // OpenAI list shape
    let o = reply(gw.http.get(format!("{}/openai/v1/models", gw.app.url)).bearer_auth(&gw.key).send().await.unwrap()).await;
    assert_eq!(o.body["object"], "list");
    let ids: Vec<&str> = o.body["data"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"auto") && ids.contains(&"deepseek/deepseek-v3.2") && !ids.contains(&"x-ai/grok-4"));
    let one = reply(gw.http.get(format!("{}/openai/v1/models/openai/gpt-5", gw.app.url)).bearer_auth(&gw.key).send().await.unwrap()).await;
    assert_eq!((one.body["id"].as_str(), one.body["object"].as_str()), (Some("openai/gpt-5"), Some("model")));
});
