//! Retries, fallbacks, failures in the middle of a stream, clients that go away.

use super::harness::*;
use crate::both;

use serde_json::json;
use testkit::upstream::Reply as Up;

both!(retries_then_falls_back_to_the_next_model_of_the_list, |b| async move {
    let gw = gateway(b).await; // retries = 2 → three tries per model
    // 503 twice, then success on the same model
    gw.up.push(Up::Error { status: 503, message: "busy".into(), retry_after: Some(0) });
    gw.up.push(Up::Error { status: 429, message: "slow down".into(), retry_after: None });
    let r = gw.openai(json!({"model": "openai/gpt-5", "messages": [{"role": "user", "content": "hi"}]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(gw.up.chat_requests().len(), 3);
    gw.up.clear();
    // the first model fails every try: the next model of `models` answers, and says so
    for _ in 0..3 {
        gw.up.push(Up::Error { status: 500, message: "down".into(), retry_after: None });
    }
    let r = gw
        .openai(json!({"models": ["openai/gpt-5", "anthropic/claude-haiku-4.5"], "messages": [{"role": "user", "content": "hi"}]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["model"], "anthropic/claude-haiku-4.5");
    assert_eq!(r.headers["x-gateai-model"], "anthropic/claude-haiku-4.5");
    let sent = gw.up.chat_requests();
    assert_eq!(sent.len(), 4);
    assert_eq!(sent[3].path, "/v1/messages");
    // a 400 from the upstream is not retried on the same model
    gw.up.clear();
    gw.up.push(Up::Error { status: 400, message: "bad".into(), retry_after: None });
    let r = gw.openai(json!({"model": "openai/gpt-5", "messages": [{"role": "user", "content": "hi"}]})).await;
    assert_eq!(r.status, 502);
    assert_eq!(gw.up.chat_requests().len(), 1);
    let logs = gw.logs().await;
    let ok: Vec<_> = logs.iter().filter(|l| l.status == 200).collect();
    assert_eq!(ok.len(), 2);
    assert!(ok.iter().any(|l| l.model_used.as_deref() == Some("anthropic/claude-haiku-4.5")));
    assert_eq!(gw.charges().await.len(), 2, "one charge per answered request, none for failed tries");
});

both!(a_stream_cut_by_the_upstream_ends_with_an_error_event_and_bills_what_was_produced, |b| async move {
    let gw = gateway(b).await;
    gw.up.push(Up::CutAfter { chunks: 3 });
    let r = gw.openai(json!({"model": "openai/gpt-5", "stream": true, "messages": [{"role": "user", "content": "tell me a story"}]})).await;
    assert_eq!(r.status, 200);
    let ev = sse_events(&r.text);
    let err = ev.iter().find(|(_, d)| d.get("error").is_some()).expect("an in-band error, not a silent cut");
    assert!(err.1["error"]["message"].as_str().unwrap().contains("upstream"));
    gw.up.push(Up::CutAfter { chunks: 3 });
    let r = gw.anthropic(json!({"model": "anthropic/claude-haiku-4.5", "max_tokens": 100, "stream": true, "messages": [{"role": "user", "content": "tell me a story"}]})).await;
    let ev = sse_events(&r.text);
    assert_eq!(ev.last().unwrap().0, "error", "{}", r.text);
    assert!(!ev.iter().any(|(n, _)| n == "message_stop"));
    // the translated direction too: OpenAI upstream cut, Anthropic client
    gw.up.push(Up::CutAfter { chunks: 3 });
    let r = gw.anthropic(json!({"model": "deepseek/deepseek-v3.2", "max_tokens": 100, "stream": true, "messages": [{"role": "user", "content": "tell me a story"}]})).await;
    assert_eq!(sse_events(&r.text).last().unwrap().0, "error", "{}", r.text);
    let logs = gw.logs().await;
    assert_eq!(logs.len(), 3);
    for l in &logs {
        assert_eq!(l.status, 502, "{l:?}");
        assert!(l.cost_units > 0 && l.output_tokens > 0, "what was produced is billed: {l:?}");
    }
    assert_eq!(gw.charges().await.len(), 3);
});

both!(in_band_upstream_errors_reach_the_client_in_its_protocol, |b| async move {
    let gw = gateway(b).await;
    gw.up.push(Up::InBandError { chunks: 2, message: "Overloaded".into() });
    let r = gw.openai(json!({"model": "anthropic/claude-haiku-4.5", "stream": true, "messages": [{"role": "user", "content": "hi"}]})).await;
    let ev = sse_events(&r.text);
    assert!(ev.iter().any(|(_, d)| d.get("error").is_some()), "{}", r.text);
    gw.up.push(Up::InBandError { chunks: 2, message: "boom".into() });
    let r = gw.anthropic(json!({"model": "openai/gpt-5", "max_tokens": 50, "stream": true, "messages": [{"role": "user", "content": "hi"}]})).await;
    assert!(sse_events(&r.text).iter().any(|(n, _)| n == "error"), "{}", r.text);
});

both!(a_client_that_goes_away_cancels_the_upstream_and_is_billed_for_what_was_produced, |b| async move {
    let gw = gateway(b).await;
    gw.up.set_chunk_delay(std::time::Duration::from_millis(100));
    let resp = gw
        .http
        .post(format!("{}/openai/v1/chat/completions", gw.app.url))
        .bearer_auth(&gw.key)
        .json(&json!({"model": "openai/gpt-5", "stream": true, "messages": [{"role": "user", "content": "write a very long story with many many words in it please"}]}))
        .send()
        .await
        .unwrap();
    let mut resp = resp;
    let first = resp.chunk().await.unwrap();
    assert!(first.is_some());
    drop(resp); // the client goes away
    let mut logs = vec![];
    for _ in 0..100 {
        logs = gw.logs().await;
        if !logs.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].status, 499, "{:?}", logs[0]);
    assert!(logs[0].usage_estimated && logs[0].input_tokens > 0 && logs[0].cost_units > 0, "{:?}", logs[0]);
    assert_eq!(gw.charges().await.len(), 1);
});

both!(graceful_shutdown_waits_for_streams_and_writes_every_log_row, |b| async move {
    let gw = gateway(b).await;
    gw.up.set_chunk_delay(std::time::Duration::from_millis(30));
    let http = gw.http.clone();
    let url = format!("{}/openai/v1/chat/completions", gw.app.url);
    let key = gw.key.clone();
    let mut resp = http
        .post(url)
        .bearer_auth(&key)
        .json(&json!({"model": "openai/gpt-5", "stream": true, "messages": [{"role": "user", "content": "a story with quite a few words in it"}]}))
        .send()
        .await
        .unwrap();
    assert!(resp.chunk().await.unwrap().is_some(), "the stream started");
    let reader = tokio::spawn(async move {
        let mut rest = String::new();
        while let Some(c) = resp.chunk().await.unwrap() {
            rest.push_str(&String::from_utf8_lossy(&c));
        }
        rest
    });
    let Gw { app, org, .. } = gw;
    let db = app.db.clone();
    app.running.stop().await; // waits for the open stream, then flushes the log writer
    let rest = reader.await.unwrap();
    assert!(rest.contains("[DONE]"), "the stream was allowed to finish: {rest}");
    let q = gateai::storage::LogQuery { org_id: org.clone(), since: 0, until: i64::MAX, limit: 10, ..Default::default() };
    let logs = db.request_logs(&q).await.unwrap();
    assert_eq!(logs.len(), 1, "logged before the server stopped");
    assert_eq!(logs[0].status, 200);
    let charges = db.entries(&org, 0, 10).await.unwrap().into_iter().filter(|e| e.kind == "charge").count();
    assert_eq!(charges, 1);
});
