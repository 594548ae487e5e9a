//! OpenAI clients: pass-through to OpenAI-protocol models (fields kept, quirks applied) and
//! translation to Anthropic-protocol models; streams; headers; billing from usage.

use super::harness::*;
use crate::both;

use serde_json::json;
use testkit::upstream::Reply as Up;

both!(passthrough_renames_the_model_rewrites_max_tokens_and_bills_usage, |b| async move {
    let gw = gateway(b).await;
    let r = gw
        .openai(json!({"model": "openai/gpt-5-mini", "max_tokens": 64, "seed": 7, "x_custom": {"kept": true},
            "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello there"}]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["object"], "chat.completion");
    assert_eq!(r.body["model"], "openai/gpt-5-mini");
    assert_eq!(r.headers["x-gateai-model"], "openai/gpt-5-mini");
    assert!(r.headers.contains_key("x-request-id"));
    let sent = &gw.up.chat_requests()[0];
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.body["model"], "gpt-5-mini");
    assert_eq!(sent.body["max_completion_tokens"], 64, "gpt-5 models take max_completion_tokens");
    assert!(sent.body.get("max_tokens").is_none());
    assert_eq!(sent.body["x_custom"], json!({"kept": true}), "unknown fields pass through");
    assert_eq!(sent.headers["authorization"], "Bearer sk-upstream-test", "the provider's key, not the caller's");
    // cost = prompt × 0.25/M + completion × 2/M, exactly
    let u = &r.body["usage"];
    let (p, c) = (u["prompt_tokens"].as_i64().unwrap(), u["completion_tokens"].as_i64().unwrap());
    let cost = units(p, 2500) + units(c, 20000);
    let charges = gw.charges().await;
    assert_eq!(charges.len(), 1);
    assert_eq!(charges[0].amount_units, -cost);
    assert_eq!(charges[0].reference, format!("request:{}", r.headers["x-request-id"].to_str().unwrap()));
    let log = &gw.logs().await[0];
    assert_eq!((log.model_requested.as_str(), log.model_used.as_deref(), log.provider.as_deref()), ("openai/gpt-5-mini", Some("openai/gpt-5-mini"), Some("openai")));
    assert_eq!((log.input_tokens, log.output_tokens, log.cost_units, log.status), (p, c, cost, 200));
    assert!(!log.streamed);
    let key = reply(gw.http.get(format!("{}/api/v1/key", gw.app.url)).bearer_auth(&gw.key).send().await.unwrap()).await;
    assert_eq!(key.body["data"]["usage"].as_str().unwrap(), app::types::Usd::from_units(cost).to_string(), "the key's spend moved");
});

both!(passthrough_stream_keeps_chunks_and_adds_usage_only_when_asked, |b| async move {
    let gw = gateway(b).await;
    for include in [false, true] {
        let mut body = json!({"model": "deepseek/deepseek-v3.2", "stream": true, "messages": [{"role": "user", "content": "count to three"}]});
        if include {
            body["stream_options"] = json!({"include_usage": true});
        }
        let r = gw.openai(body).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        assert!(!r.text.contains("keep-alive"), "upstream comments are not forwarded");
        let ev = sse_events(&r.text);
        assert_eq!(ev.last().unwrap().0, "done");
        let chunks: Vec<_> = ev.iter().filter(|(n, _)| n != "done").map(|(_, v)| v).collect();
        assert!(chunks.iter().all(|c| c["model"] == "deepseek/deepseek-v3.2" && c["object"] == "chat.completion.chunk"));
        let text: String = chunks.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect();
        assert!(text.starts_with("Hello from deepseek-chat!"), "{text}");
        let usage_chunks = chunks.iter().filter(|c| c.get("usage").is_some_and(|u| !u.is_null())).count();
        assert_eq!(usage_chunks, usize::from(include), "usage chunk only when the client asked");
        let sent = gw.up.chat_requests().pop().unwrap();
        assert_eq!(sent.body["stream_options"]["include_usage"], true, "always asked upstream, for billing");
    }
    let logs = gw.logs().await;
    assert_eq!(logs.len(), 2);
    assert!(logs.iter().all(|l| l.streamed && l.status == 200 && l.cost_units > 0 && !l.usage_estimated && l.ttft_ms.is_some()));
    assert_eq!(gw.charges().await.len(), 2);
});

both!(tool_call_arguments_stream_through_verbatim, |b| async move {
    let gw = gateway(b).await;
    let args = json!({"city": "Paris \"centre\"", "units": "celsius", "days": [1, 2, 3]});
    gw.up.push(Up::Tools { text: None, calls: vec![("get_weather".into(), args.clone()), ("get_time".into(), json!({"tz": "CET"}))] });
    let r = gw
        .openai(json!({"model": "openai/gpt-5", "stream": true, "parallel_tool_calls": true,
            "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}},
                      {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}],
            "messages": [{"role": "user", "content": "weather and time in Paris"}]}))
        .await;
    assert_eq!(r.status, 200);
    let mut calls: Vec<(String, String)> = vec![Default::default(); 2];
    let mut finish = None;
    for (_, c) in sse_events(&r.text).iter().filter(|(n, _)| n != "done") {
        for tc in c["choices"][0]["delta"]["tool_calls"].as_array().into_iter().flatten() {
            let i = tc["index"].as_u64().unwrap() as usize;
            if let Some(n) = tc["function"]["name"].as_str() {
                calls[i].0 = n.to_string();
            }
            calls[i].1.push_str(tc["function"]["arguments"].as_str().unwrap_or(""));
        }
        if let Some(f) = c["choices"][0]["finish_reason"].as_str() {
            finish = Some(f.to_string());
        }
    }
    assert_eq!(calls[0].0, "get_weather");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&calls[0].1).unwrap(), args);
    assert_eq!(calls[1].0, "get_time");
    assert_eq!(finish.as_deref(), Some("tool_calls"));
});

both!(openai_client_reaches_an_anthropic_model, |b| async move {
    let gw = gateway(b).await;
    // non-stream, with a tool call and a system prompt
    gw.up.push(Up::Tools { text: Some("Checking.".into()), calls: vec![("get_weather".into(), json!({"city": "Paris"}))] });
    let r = gw
        .openai(json!({"model": "anthropic/claude-sonnet-4.6", "temperature": 1.5, "stop": "END",
            "tools": [{"type": "function", "function": {"name": "get_weather", "description": "w", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
            "messages": [{"role": "system", "content": "you are terse"}, {"role": "user", "content": [
                {"type": "text", "text": "weather?"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["model"], "anthropic/claude-sonnet-4.6");
    let msg = &r.body["choices"][0]["message"];
    assert_eq!(msg["content"], "Checking.");
    assert_eq!(msg["tool_calls"][0]["function"]["name"], "get_weather");
    assert_eq!(serde_json::from_str::<serde_json::Value>(msg["tool_calls"][0]["function"]["arguments"].as_str().unwrap()).unwrap(), json!({"city": "Paris"}));
    assert_eq!(r.body["choices"][0]["finish_reason"], "tool_calls");
    let sent = &gw.up.chat_requests()[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.headers["x-api-key"], "sk-upstream-test");
    assert_eq!(sent.headers["anthropic-version"], "2023-06-01");
    assert_eq!(sent.body["model"], "claude-sonnet-4-6");
    assert_eq!(sent.body["system"].as_str().map(String::from).or_else(|| sent.body["system"][0]["text"].as_str().map(String::from)).unwrap(), "you are terse");
    assert!(sent.body["max_tokens"].as_u64().unwrap() > 0, "Anthropic needs max_tokens");
    assert!(sent.body["temperature"].as_f64().unwrap() <= 1.0, "temperature clamped to Anthropic's range");
    assert_eq!(sent.body["stop_sequences"], json!(["END"]));
    assert_eq!(sent.body["tools"][0]["input_schema"]["type"], "object");
    assert_eq!(sent.body["messages"][0]["content"][1]["type"], "image");
    // the tool result goes back as a tool_result block
    let call_id = msg["tool_calls"][0]["id"].as_str().unwrap().to_string();
    let r2 = gw
        .openai(json!({"model": "anthropic/claude-sonnet-4.6", "stream": true, "stream_options": {"include_usage": true},
            "messages": [{"role": "user", "content": "weather?"},
                {"role": "assistant", "content": null, "tool_calls": [{"id": call_id, "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
                {"role": "tool", "tool_call_id": call_id, "content": "sunny"}]}))
        .await;
    assert_eq!(r2.status, 200, "{}", r2.text);
    let sent = &gw.up.chat_requests()[1];
    let blocks = sent.body["messages"][2]["content"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "tool_result");
    assert_eq!(blocks[0]["tool_use_id"], call_id.as_str());
    let ev = sse_events(&r2.text);
    assert_eq!(ev.last().unwrap().0, "done");
    let text: String = ev.iter().filter_map(|(_, c)| c["choices"][0]["delta"]["content"].as_str()).collect();
    assert!(text.starts_with("Tool result received: sunny"), "{text}");
    let usage = ev.iter().find(|(_, c)| c["usage"].is_object()).map(|(_, c)| c["usage"].clone()).unwrap();
    assert!(usage["prompt_tokens"].as_u64().unwrap() > 0 && usage["completion_tokens"].as_u64().unwrap() > 0);
    assert_eq!(gw.charges().await.len(), 2);
});

both!(auto_picks_the_cheapest_capable_model_and_says_so, |b| async move {
    let gw = gateway(b).await;
    let r = gw.openai(json!({"model": "auto", "messages": [{"role": "user", "content": "hi"}]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["model"], "z-ai/glm-4.7-flash", "the free model is the cheapest for text");
    assert_eq!(r.headers["x-gateai-model"], "z-ai/glm-4.7-flash");
    assert!(r.headers["x-gateai-route-reason"].to_str().unwrap().contains("cheapest"));
    let img = gw
        .openai(json!({"model": "auto", "messages": [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}]}))
        .await;
    assert_eq!(img.status, 200, "{}", img.text);
    assert_eq!(img.body["model"], "openai/gpt-5-nano", "cheapest among image-capable models");
    let logs = gw.logs().await;
    assert!(logs.iter().all(|l| l.model_requested == "auto" && l.route_reason.is_some()));
});
