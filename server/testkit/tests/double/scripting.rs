//! Markers, the FIFO, auth, cuts, in-band errors, delays.

use crate::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use testkit::upstream::{Reply, UpstreamDouble, UPSTREAM_KEY};

#[tokio::test]
async fn markers_errors_fail_cache_tool_results_and_fifo() {
    let d = UpstreamDouble::start().await;
    let r = openai(&d, json!({"model": "m", "messages": user("[[error:429]]")})).await;
    assert_eq!(r.status(), 429);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "rate_limit_exceeded");
    assert!(v["error"]["message"].is_string() && v["error"].get("param").is_some());
    let r = anthropic(&d, json!({"model": "c", "max_tokens": 5, "messages": user("[[error:529]]")})).await;
    assert_eq!(r.status(), 529);
    let v: Value = r.json().await.unwrap();
    assert_eq!((v["type"].as_str(), v["error"]["type"].as_str()), (Some("error"), Some("overloaded_error")));

    // fail twice per identical body, then answer
    let body = json!({"model": "m", "messages": user("flaky [[fail:503*2]]")});
    assert_eq!(openai(&d, body.clone()).await.status(), 503);
    assert_eq!(openai(&d, json!({"model": "m2", "messages": user("flaky [[fail:503*2]]")})).await.status(), 503);
    assert_eq!(openai(&d, body.clone()).await.status(), 503);
    assert_eq!(openai(&d, body.clone()).await.status(), 200);

    // cache: OpenAI counts cached inside prompt_tokens
    let messages = user("cached [[cache:1000]]");
    let v: Value = openai(&d, json!({"model": "m", "messages": messages})).await.json().await.unwrap();
    assert_eq!(v["usage"]["prompt_tokens"], estimate(&[&messages]) + 1000);
    assert_eq!(v["usage"]["prompt_tokens_details"]["cached_tokens"], 1000);

    // tool results
    let messages = json!([{"role": "user", "content": "[[tool:ls {}]]"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "ls", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "file_a.txt file_b.txt"}]);
    let v: Value = openai(&d, json!({"model": "m", "messages": messages})).await.json().await.unwrap();
    assert_eq!(v["choices"][0]["message"]["content"], "Tool result received: file_a.txt file_b.txt");
    let messages = json!([{"role": "user", "content": "[[tool:ls]]"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "ls", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "x".repeat(100)}]}]}]);
    let v: Value = anthropic(&d, json!({"model": "c", "max_tokens": 5, "messages": messages})).await.json().await.unwrap();
    assert_eq!(v["content"][0]["text"], format!("Tool result received: {}", "x".repeat(60)));

    // FIFO beats markers, then markers apply again
    d.push(Reply::Text("scripted".into()));
    let v: Value = openai(&d, json!({"model": "m", "messages": user("[[error:500]]")})).await.json().await.unwrap();
    assert_eq!(v["choices"][0]["message"]["content"], "scripted");
    assert_eq!(openai(&d, json!({"model": "m", "messages": user("[[error:500]]")})).await.status(), 500);
    d.push(Reply::Error { status: 429, message: "slow down".into(), retry_after: Some(7) });
    let r = anthropic(&d, json!({"model": "c", "max_tokens": 5, "messages": user("x")})).await;
    assert_eq!((r.status().as_u16(), r.headers()["retry-after"].to_str().unwrap()), (429, "7"));
    assert_eq!(r.json::<Value>().await.unwrap()["error"], json!({"type": "rate_limit_error", "message": "slow down"}));
}

#[tokio::test]
async fn auth_is_checked_per_protocol_and_recorded() {
    let d = UpstreamDouble::start().await;
    let c = client();
    let r = c
        .post(format!("{}/chat/completions", d.openai_base()))
        .bearer_auth("nope")
        .json(&json!({"model": "m", "messages": user("x")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "invalid_api_key");
    let r = c
        .post(format!("{}/v1/messages", d.anthropic_base()))
        .header("x-api-key", "nope")
        .header("anthropic-version", "2023-06-01")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["type"], "authentication_error");
    let body = json!({"model": "c", "max_tokens": 5, "messages": user("x")});
    let r = c
        .post(format!("{}/v1/messages", d.anthropic_base()))
        .bearer_auth(UPSTREAM_KEY)
        .header("anthropic-version", "2023-06-01")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c.post(format!("{}/contents/generations/tasks", d.ark_base())).json(&json!({"model": "s"})).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "AuthenticationError");
    assert_eq!(d.requests().len(), 4);
    assert_eq!(d.chat_requests().len(), 3);
    assert_eq!(d.video_tasks_created(), 0);
}

#[tokio::test]
async fn cuts_in_band_errors_and_missing_usage() {
    let d = UpstreamDouble::start().await;
    let stream = |text: &str| json!({"model": "m", "stream": true, "stream_options": {"include_usage": true}, "messages": user(text)});
    let (text, broke) = read_all(openai(&d, stream("one two three four [[cut:3]]")).await).await;
    assert!(broke, "the stream must end abruptly: {text}");
    assert_eq!(chunks(&text).len(), 3);
    assert!(!text.contains("[DONE]"));

    d.push(Reply::CutAfter { chunks: 2 });
    let (text, broke) = read_all(anthropic(&d, json!({"model": "c", "max_tokens": 5, "stream": true, "messages": user("a b c")})).await).await;
    assert!(broke);
    assert_eq!(events(&text).len(), 2);

    // non-stream cut: no answer at all
    let r = client()
        .post(format!("{}/chat/completions", d.openai_base()))
        .bearer_auth(UPSTREAM_KEY)
        .json(&json!({"model": "m", "messages": user("[[cut:1]]")}))
        .send()
        .await;
    assert!(r.is_err(), "{r:?}");

    let (text, broke) = read_all(openai(&d, stream("x y z [[inband:2]]")).await).await;
    assert!(!broke);
    let cs = chunks(&text);
    assert_eq!(cs.len(), 3);
    assert_eq!(cs[2]["error"]["message"], "Overloaded");
    assert!(!text.contains("[DONE]"));
    d.push(Reply::InBandError { chunks: 3, message: "Overloaded".into() });
    let evs = events(&anthropic(&d, json!({"model": "c", "max_tokens": 5, "stream": true, "messages": user("a b c")})).await.text().await.unwrap());
    assert_eq!(evs.len(), 4);
    assert_eq!(evs[3].1, json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}));

    let text = openai(&d, stream("[[nousage]]")).await.text().await.unwrap();
    assert!(chunks(&text).iter().all(|c| c["usage"].is_null() && !c["choices"].as_array().unwrap().is_empty()));
    assert!(text.ends_with("data: [DONE]\n\n"));
    d.push(Reply::NoUsage("quiet".into()));
    let evs = events(&anthropic(&d, json!({"model": "c", "max_tokens": 5, "stream": true, "messages": user("q")})).await.text().await.unwrap());
    let delta = &evs[evs.len() - 2].1;
    assert!(delta["usage"].get("output_tokens").is_none(), "{delta}");
    assert_eq!(evs.last().unwrap().0, "message_stop");
}

#[tokio::test]
async fn delays_hang_and_split_writes() {
    let d = UpstreamDouble::start().await;
    let t = Instant::now();
    openai(&d, json!({"model": "m", "messages": user("[[delay:150]]")})).await;
    assert!(t.elapsed() >= Duration::from_millis(150));

    d.set_first_byte_delay(Duration::from_millis(100));
    d.set_chunk_delay(Duration::from_millis(20));
    let t = Instant::now();
    let r = openai(&d, json!({"model": "m", "stream": true, "messages": user("a b c d e f")})).await;
    assert!(t.elapsed() >= Duration::from_millis(100));
    let text = r.text().await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(100 + 20 * 12), "{:?}", t.elapsed());
    d.set_first_byte_delay(Duration::ZERO);
    d.set_chunk_delay(Duration::ZERO);

    d.set_split_writes(true);
    let split = openai(&d, json!({"model": "m", "stream": true, "messages": user("a b c d e f")})).await.text().await.unwrap();
    let content = |t: &str| chunks(t).iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str().map(str::to_string)).collect::<String>();
    assert_eq!(content(&split), content(&text));

    let r = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
        .post(format!("{}/chat/completions", d.openai_base()))
        .bearer_auth(UPSTREAM_KEY)
        .json(&json!({"model": "m", "messages": user("[[hang]]")}))
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout());
    d.push(Reply::Delay { ms: 50, then: Box::new(Reply::Text("late".into())) });
    let v: Value = openai(&d, json!({"model": "m", "messages": user("x")})).await.json().await.unwrap();
    assert_eq!(v["choices"][0]["message"]["content"], "late");
}

#[tokio::test]
async fn validation_recording_cap_and_introspection() {
    let d = UpstreamDouble::start().await;
    let r = openai(&d, json!({"model": "m", "stream_options": {"include_usage": true}, "messages": user("x")})).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["type"], "invalid_request_error");
    let r = client()
        .post(format!("{}/v1/messages", d.anthropic_base()))
        .header("x-api-key", UPSTREAM_KEY)
        .json(&json!({"model": "c", "max_tokens": 5, "messages": user("x")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "anthropic-version is required");
    assert_eq!(anthropic(&d, json!({"model": "c", "messages": user("x")})).await.status(), 400, "max_tokens is required");

    d.set_max_recorded(2);
    for i in 0..3 {
        openai(&d, json!({"model": format!("m{i}"), "messages": user("x")})).await;
    }
    let models: Vec<Value> = d.requests().iter().map(|r| r.body["model"].clone()).collect();
    assert_eq!(models, [json!("m1"), json!("m2")]);
    let listed: Value = client().get(format!("{}/_double/requests", d.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed[1]["body"]["model"], "m2");
    assert_eq!(listed[1]["headers"]["authorization"], format!("Bearer {UPSTREAM_KEY}"));
    client().post(format!("{}/_double/clear", d.url)).send().await.unwrap();
    assert!(d.requests().is_empty());
}
