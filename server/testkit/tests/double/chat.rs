//! Shapes of both chat protocols, streamed and not.

use crate::*;
use serde_json::{json, Value};
use testkit::upstream::{Reply, UpstreamDouble, UPSTREAM_KEY};

#[tokio::test]
async fn openai_non_stream_default_answer_usage_and_recording() {
    let d = UpstreamDouble::start().await;
    let messages =
        json!([{"role": "system", "content": "be brief"}, {"role": "user", "content": "What is the weather like in Paris today, please tell me"}]);
    let r = openai(&d, json!({"model": "deepseek/deepseek-v3.2", "messages": messages})).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let text = "Hello from deepseek/deepseek-v3.2! You said: What is the weather like in Paris today,";
    assert_eq!(v["id"], "chatcmpl-1");
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["model"], "deepseek/deepseek-v3.2");
    assert_eq!(v["choices"][0]["message"], json!({"role": "assistant", "content": text, "refusal": null}));
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    let input = estimate(&[&messages]);
    assert_eq!(v["usage"]["prompt_tokens"], input);
    assert_eq!(v["usage"]["completion_tokens"], 13);
    assert_eq!(v["usage"]["total_tokens"], input + 13);
    assert_eq!(v["usage"]["prompt_tokens_details"]["cached_tokens"], 0);

    client().get(format!("{}/models", d.openai_base())).bearer_auth(UPSTREAM_KEY).send().await.unwrap();
    let all = d.requests();
    assert_eq!(all.len(), 2);
    assert_eq!((all[0].method.as_str(), all[0].path.as_str()), ("POST", "/v1/chat/completions"));
    assert_eq!(all[0].headers["authorization"], format!("Bearer {UPSTREAM_KEY}"));
    assert_eq!(all[0].body["messages"], messages);
    assert_eq!(d.chat_requests().len(), 1);
    d.clear();
    assert!(d.requests().is_empty());
}

#[tokio::test]
async fn openai_stream_text_with_and_without_usage() {
    let d = UpstreamDouble::start().await;
    let body = json!({"model": "m", "stream": true, "stream_options": {"include_usage": true}, "messages": user("hi there you")});
    let r = openai(&d, body).await;
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let text = r.text().await.unwrap();
    let fs = frames(&text);
    assert!(fs.contains(&": keep-alive".to_string()), "{text}");
    assert_eq!(fs.last().unwrap(), "data: [DONE]");
    let cs = chunks(&text);
    assert_eq!(cs[0]["choices"][0]["delta"], json!({"role": "assistant", "content": ""}));
    assert!(cs.iter().all(|c| c["id"] == "chatcmpl-1" && c["object"] == "chat.completion.chunk" && c["model"] == "m"));
    let content: String = cs.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect();
    assert_eq!(content, "Hello from m! You said: hi there you");
    assert_eq!(cs.len(), 1 + 8 + 2); // role, one per word, finish, usage
    let finish = &cs[cs.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert_eq!(finish["usage"], Value::Null);
    let usage = cs.last().unwrap();
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(usage["usage"]["completion_tokens"], 8);

    let text = openai(&d, json!({"model": "m", "stream": true, "messages": user("hi")})).await.text().await.unwrap();
    let cs = chunks(&text);
    assert!(cs.iter().all(|c| c.get("usage").is_none() && !c["choices"].as_array().unwrap().is_empty()));
    assert!(text.ends_with("data: [DONE]\n\n"));
}

#[tokio::test]
async fn openai_tool_calls_stream_in_fragments_and_non_stream() {
    let d = UpstreamDouble::start().await;
    let tools = json!([{"type": "function", "function": {"name": "get_weather", "parameters":
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]);
    let body = json!({"model": "m", "stream": true, "tools": tools, "messages": user("weather? [[tools:2]]")});
    let cs = chunks(&openai(&d, body).await.text().await.unwrap());
    for (i, city) in [(0, "city-1"), (1, "city-2")] {
        let frags: Vec<&Value> =
            cs.iter().flat_map(|c| c["choices"][0]["delta"]["tool_calls"].as_array().into_iter().flatten()).filter(|t| t["index"] == i).collect();
        assert_eq!(
            frags[0],
            &json!({"index": i, "id": format!("call_{}", i + 1), "type": "function", "function": {"name": "get_weather", "arguments": ""}})
        );
        assert!(frags.len() >= 4, "{frags:?}");
        assert!(frags[1..].iter().all(|f| f.get("id").is_none() && f["function"].get("name").is_none()));
        let parts: Vec<&str> = frags.iter().map(|f| f["function"]["arguments"].as_str().unwrap()).collect();
        let inside_string = (2..parts.len()).any(|k| parts[..k].concat().matches('"').count() % 2 == 1);
        assert!(inside_string, "{parts:?}");
        assert_eq!(serde_json::from_str::<Value>(&parts.concat()).unwrap(), json!({"city": city}));
    }
    assert_eq!(cs.last().unwrap()["choices"][0]["finish_reason"], "tool_calls");

    let v: Value = openai(&d, json!({"model": "m", "messages": user(r#"go [[tool:get_weather {"city":"Zürich"}]]"#)})).await.json().await.unwrap();
    let msg = &v["choices"][0]["message"];
    assert_eq!(msg["content"], Value::Null);
    assert_eq!(
        msg["tool_calls"],
        json!([{"id": "call_3", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Zürich\"}"}}])
    );
    assert_eq!(v["choices"][0]["finish_reason"], "tool_calls");
    assert_eq!(v["usage"]["completion_tokens"], 10);
}

#[tokio::test]
async fn anthropic_text_tools_and_thinking() {
    let d = UpstreamDouble::start().await;
    let system = json!([{"type": "text", "text": "sys"}]);
    let body = json!({"model": "claude-x", "max_tokens": 100, "system": system, "messages": user("hello [[cache:500]]")});
    let r = anthropic(&d, body.clone()).await;
    assert!(r.headers()["request-id"].to_str().unwrap().starts_with("req_"));
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["id"], "msg_1");
    assert_eq!((v["type"].as_str(), v["role"].as_str(), v["model"].as_str()), (Some("message"), Some("assistant"), Some("claude-x")));
    assert_eq!(v["content"], json!([{"type": "text", "text": "Hello from claude-x! You said: hello [[cache:500]]"}]));
    assert_eq!(v["stop_reason"], "end_turn");
    let input = estimate(&[&body["messages"], &system]);
    assert_eq!(v["usage"]["input_tokens"], input);
    assert_eq!(v["usage"]["cache_read_input_tokens"], 500);
    assert_eq!(v["usage"]["output_tokens"], 7);

    // FIFO: text + tool in a stream
    d.push(Reply::Tools { text: Some("Checking now.".into()), calls: vec![("get_weather".into(), json!({"city": "Paris"}))] });
    let text = anthropic(&d, json!({"model": "claude-x", "max_tokens": 100, "stream": true, "messages": user("hi")})).await.text().await.unwrap();
    let evs = events(&text);
    let names: Vec<&str> = evs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[..3], ["message_start", "content_block_start", "ping"]);
    assert_eq!(names[names.len() - 2..], ["message_delta", "message_stop"]);
    let start = &evs[0].1["message"];
    assert_eq!(start["usage"]["output_tokens"], 1);
    assert_eq!(start["content"], json!([]));
    let text_deltas: String = evs.iter().filter_map(|(_, e)| e["delta"]["text"].as_str()).collect();
    assert_eq!(text_deltas, "Checking now.");
    let tool_start = evs.iter().find(|(_, e)| e["content_block"]["type"] == "tool_use").unwrap();
    assert_eq!(tool_start.1["index"], 1);
    assert_eq!(tool_start.1["content_block"], json!({"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}));
    let partial: Vec<&str> = evs.iter().filter_map(|(_, e)| e["delta"]["partial_json"].as_str()).collect();
    assert_eq!(partial[0], "");
    assert!(partial.len() >= 4);
    assert_eq!(serde_json::from_str::<Value>(&partial.concat()).unwrap(), json!({"city": "Paris"}));
    let stops = evs.iter().filter(|(n, _)| n == "content_block_stop").count();
    assert_eq!(stops, 2);
    let delta = &evs[evs.len() - 2].1;
    assert_eq!(delta["delta"]["stop_reason"], "tool_use");
    assert_eq!(delta["usage"]["output_tokens"], 12);
    assert!(!text.contains(": keep-alive"));

    // thinking, non-stream and stream
    d.push(Reply::Thinking { thinking: "Let me think.".into(), text: "Done.".into() });
    let v: Value = anthropic(&d, json!({"model": "c", "max_tokens": 100, "messages": user("q")})).await.json().await.unwrap();
    assert_eq!(v["content"][0]["type"], "thinking");
    assert!(v["content"][0]["signature"].as_str().unwrap().len() > 20);
    assert_eq!(v["content"][1], json!({"type": "text", "text": "Done."}));
    d.push(Reply::Thinking { thinking: "Let me think.".into(), text: "Done.".into() });
    let evs = events(&anthropic(&d, json!({"model": "c", "max_tokens": 100, "stream": true, "messages": user("q")})).await.text().await.unwrap());
    assert_eq!(evs[1].1["content_block"], json!({"type": "thinking", "thinking": "", "signature": ""}));
    let thinking: String = evs.iter().filter_map(|(_, e)| e["delta"]["thinking"].as_str()).collect();
    assert_eq!(thinking, "Let me think.");
    assert!(evs.iter().any(|(_, e)| e["delta"]["type"] == "signature_delta"));

    // OpenAI side of thinking
    let v: Value = openai(&d, json!({"model": "r", "messages": user("why [[think]]")})).await.json().await.unwrap();
    assert!(v["choices"][0]["message"]["reasoning_content"].as_str().unwrap().starts_with("The user wrote: why"));
    assert!(v["usage"]["completion_tokens_details"]["reasoning_tokens"].as_u64().unwrap() > 0);
}
