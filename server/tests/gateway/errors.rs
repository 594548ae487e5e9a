//! One test per row of the seed's Troubleshooting tables that the chat gateway owns, in both
//! envelopes; none of them charges anything, each is logged with its status.

use super::harness::*;
use crate::both;

use serde_json::{json, Value};
use testkit::upstream::Reply as Up;

fn openai_msg(r: &Reply) -> &str {
    r.body["error"]["message"].as_str().unwrap_or("<no message>")
}

fn anthropic_msg(r: &Reply) -> &str {
    assert_eq!(r.body["type"], "error", "{}", r.text);
    r.body["error"]["message"].as_str().unwrap_or("<no message>")
}

fn hello(model: &str) -> Value {
    json!({"model": model, "max_tokens": 20, "messages": [{"role": "user", "content": "hi"}]})
}

both!(authentication_errors_answer_401_invalid_api_key, |b| async move {
    let gw = gateway(b).await;
    for (auth, val) in [("authorization", "Bearer sk-or-v1-nope"), ("x-api-key", "wrong"), ("x-none", "")] {
        for path in ["/openai/v1/chat/completions", "/anthropic/v1/messages", "/openai/v1/models", "/anthropic/v1/models"] {
            let req = if path.ends_with("models") { gw.http.get(format!("{}{path}", gw.app.url)) } else { gw.http.post(format!("{}{path}", gw.app.url)).json(&hello("openai/gpt-5")) };
            let r = reply(req.header(auth, val).send().await.unwrap()).await;
            assert_eq!(r.status, 401, "{path} {}", r.text);
            if path.starts_with("/anthropic") {
                assert_eq!(anthropic_msg(&r), "invalid api key");
                assert_eq!(r.body["error"]["type"], "authentication_error");
            } else {
                assert_eq!(openai_msg(&r), "invalid api key");
            }
        }
    }
    assert!(gw.up.requests().is_empty(), "nothing reached the upstream");
});

both!(routing_and_model_errors_follow_the_seed, |b| async move {
    let gw = gateway(b).await;
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({"messages": [{"role": "user", "content": "hi"}]}), 400, "model field is required"),
        (json!({"model": "", "messages": [{"role": "user", "content": "hi"}]}), 400, "invalid or empty requested model"),
        (json!({"model": 42, "messages": [{"role": "user", "content": "hi"}]}), 400, "invalid or empty requested model"),
        (json!({"model": "nope/nothing", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}), 404, "no model config found for: nope/nothing"),
        // a provider that is off: its models do not exist here
        (json!({"model": "x-ai/grok-4", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}), 404, "no model config found for: x-ai/grok-4"),
    ];
    for (body, status, msg) in &cases {
        let o = gw.openai(body.clone()).await;
        assert_eq!((o.status, openai_msg(&o)), (*status, *msg), "openai {body}");
        let a = gw.anthropic(body.clone()).await;
        assert_eq!((a.status, anthropic_msg(&a)), (*status, *msg), "anthropic {body}");
    }
    for path in ["/openai/v1/nope", "/v1/chat/completions", "/anthropic/v2/messages", "/api/v1/nothing"] {
        let r = reply(gw.http.post(format!("{}{path}", gw.app.url)).bearer_auth(&gw.key).body("{}").send().await.unwrap()).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.body["error"]["message"], "unknown api path", "{path}");
    }
    assert!(gw.up.requests().is_empty());
    let logs = gw.logs().await;
    assert_eq!(logs.len(), cases.len() * 2, "every authenticated completion call is logged");
    assert!(logs.iter().all(|l| l.status >= 400 && l.cost_units == 0));
    assert!(gw.charges().await.is_empty());
});

both!(request_parameter_errors_follow_the_seed, |b| async move {
    let gw = gateway_with(b, "100", |c| c.gateway.max_body_bytes = 4096).await;
    let url = format!("{}/openai/v1/chat/completions", gw.app.url);
    let aurl = format!("{}/anthropic/v1/messages", gw.app.url);
    // not JSON, JSON but not an object, wrong content type, too large
    for (u, anth) in [(&url, false), (&aurl, true)] {
        let send = |body: String, ct: &'static str| {
            let req = gw.http.post(u.as_str()).header("content-type", ct).body(body);
            if anth { req.header("x-api-key", &gw.key) } else { req.bearer_auth(&gw.key) }
        };
        let msg = |r: &Reply| if anth { anthropic_msg(r).to_string() } else { openai_msg(r).to_string() };
        let r = reply(send("{not json".into(), "application/json").send().await.unwrap()).await;
        assert_eq!((r.status, msg(&r).as_str()), (400, "invalid JSON body"));
        let r = reply(send("[1,2]".into(), "application/json").send().await.unwrap()).await;
        assert_eq!((r.status, msg(&r).as_str()), (400, "invalid JSON body"));
        let r = reply(send("{}".into(), "multipart/form-data; boundary=x").send().await.unwrap()).await;
        assert_eq!((r.status, msg(&r).as_str()), (400, "failed to read request body"));
        let big = format!(r#"{{"model":"openai/gpt-5","messages":[{{"role":"user","content":"{}"}}]}}"#, "x".repeat(5000));
        let r = reply(send(big, "application/json").send().await.unwrap()).await;
        assert_eq!(r.status, 413, "{}", r.text);
        assert!(msg(&r).contains("request body too large"), "{}", r.text);
    }
    // images and audio to text-only models, before any upstream call
    let img = json!({"model": "deepseek/deepseek-v3.2", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "what is this"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}]});
    let r = gw.openai(img).await;
    assert_eq!((r.status, openai_msg(&r)), (400, "images are not supported by this model"));
    let aimg = json!({"model": "deepseek/deepseek-v3.2", "max_tokens": 10, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}]}]});
    let r = gw.anthropic(aimg).await;
    assert_eq!((r.status, anthropic_msg(&r)), (400, "images are not supported by this model"));
    let audio = json!({"model": "openai/gpt-5", "messages": [{"role": "user", "content": [
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}]}]});
    let r = gw.openai(audio).await;
    assert_eq!((r.status, openai_msg(&r)), (400, "audio is not supported by this model"));
    // invalid roles, tool results without a call, negative max_tokens
    for body in [
        json!({"model": "openai/gpt-5", "messages": [{"role": "wizard", "content": "hi"}]}),
        json!({"model": "openai/gpt-5", "messages": [{"role": "user", "content": "hi"}, {"role": "tool", "tool_call_id": "call_x", "content": "42"}]}),
        json!({"model": "openai/gpt-5", "max_tokens": -5, "messages": [{"role": "user", "content": "hi"}]}),
        json!({"model": "openai/gpt-5", "messages": []}),
        json!({"model": "openai/gpt-5"}),
    ] {
        let r = gw.openai(body.clone()).await;
        assert_eq!(r.status, 400, "{body} → {}", r.text);
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
    }
    for body in [
        json!({"model": "anthropic/claude-haiku-4.5", "max_tokens": 10, "messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_x", "content": "1"}]}]}),
        json!({"model": "anthropic/claude-haiku-4.5", "messages": [{"role": "user", "content": "no max_tokens"}]}),
        json!({"model": "anthropic/claude-haiku-4.5", "max_tokens": 0, "messages": [{"role": "user", "content": "hi"}]}),
    ] {
        let r = gw.anthropic(body.clone()).await;
        assert_eq!(r.status, 400, "{body} → {}", r.text);
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
    }
    assert!(gw.up.chat_requests().is_empty(), "bad input never reaches the upstream");
    assert!(gw.charges().await.is_empty());
});

both!(billing_errors_follow_the_seed, |b| async move {
    // no balance: 402 with the amount due
    let gw = gateway_with(b, "0", |c| {
        c.models.push(toml::from_str(r#"id = "openai/unpriced"
provider = "openai"
upstream = "gpt-x""#).unwrap());
    })
    .await;
    let r = gw.openai(hello("openai/gpt-5")).await;
    assert_eq!(r.status, 402, "{}", r.text);
    let m = openai_msg(&r);
    assert!(m.starts_with("Pending payment ") && m.ends_with(" USD — Please top up..."), "{m}");
    let r = gw.anthropic(hello("anthropic/claude-haiku-4.5")).await;
    assert_eq!(r.status, 402);
    assert_eq!(r.body["error"]["type"], "billing_error");
    // a model without a price
    let r = gw.openai(hello("openai/unpriced")).await;
    assert_eq!((r.status, openai_msg(&r)), (400, "billing model info not found for model \"openai/unpriced\""));
    // free models need no balance...
    let r = gw.openai(hello("z-ai/glm-4.7-flash")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // ...but debt refuses everything
    gateai::billing::ledger::book(&gw.app.db, &gw.org, app::types::LedgerKind::Adjustment,
        app::types::Usd::parse_positive("1").unwrap().neg(), "adj:debt".into(), "debt".into(), None).await.unwrap();
    for model in ["openai/gpt-5", "z-ai/glm-4.7-flash"] {
        let r = gw.openai(hello(model)).await;
        assert_eq!((r.status, openai_msg(&r)), (402, "Insufficient balance and account in debt"));
    }
    // a top-up takes effect on the next request (refusals are never served from a cache)
    gateai::billing::ledger::book(&gw.app.db, &gw.org, app::types::LedgerKind::AdminGrant,
        app::types::Usd::parse_positive("10").unwrap(), "grant:x".into(), "".into(), None).await.unwrap();
    let r = gw.openai(hello("openai/gpt-5")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(gw.up.chat_requests().len(), 2, "only the two admitted requests went upstream");
});

both!(upstream_errors_follow_the_seed, |b| async move {
    let gw = gateway_with(b, "100", |c| {
        c.gateway.first_byte_timeout_secs = 1;
        c.gateway.retries = 1;
        // a provider nobody listens on
        let p = c.providers.entry("google".into()).or_default();
        p.base_url = Some("http://127.0.0.1:9".into());
    })
    .await;
    let r = gw.openai(hello("google/gemini-2.5-pro")).await;
    assert_eq!((r.status, openai_msg(&r)), (502, "bad gateway"));
    for _ in 0..2 {
        gw.up.push(Up::Error { status: 503, message: "overloaded".into(), retry_after: None });
    }
    let r = gw.openai(hello("openai/gpt-5")).await;
    assert_eq!((r.status, openai_msg(&r)), (502, "upstream service unavailable"));
    gw.up.push(Up::Error { status: 400, message: "context too long for this model".into(), retry_after: None });
    let r = gw.anthropic(hello("anthropic/claude-haiku-4.5")).await;
    assert_eq!((r.status, anthropic_msg(&r)), (502, "upstream service error"));
    assert_eq!(r.body["error"]["metadata"]["raw"], "context too long for this model");
    for _ in 0..2 {
        gw.up.push(Up::Delay { ms: 2500, then: Box::new(Up::Text("late".into())) });
    }
    let r = gw.openai(hello("openai/gpt-5")).await;
    assert_eq!((r.status, openai_msg(&r)), (504, "request timeout"));
    // the upstream's words about our credentials never reach the caller
    gw.up.push(Up::Error { status: 401, message: "Incorrect API key provided: sk-upstream-test".into(), retry_after: None });
    let r = gw.openai(hello("openai/gpt-5")).await;
    assert_eq!(r.status, 502);
    assert!(!r.text.contains("sk-upstream"), "{}", r.text);
    assert!(gw.charges().await.is_empty(), "failed requests cost nothing");
    let logs = gw.logs().await;
    assert_eq!(logs.len(), 5);
    assert!(logs.iter().all(|l| l.status >= 500 && l.error.is_some()), "{logs:?}");
});

both!(a_wrong_method_answers_in_the_callers_envelope, |b| async move {
    let gw = gateway(b).await;
    let r = reply(gw.http.get(format!("{}/openai/v1/chat/completions", gw.app.url)).bearer_auth(&gw.key).send().await.unwrap()).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.body["error"]["message"], "method not allowed");
    let r = reply(gw.http.get(format!("{}/anthropic/v1/messages", gw.app.url)).header("x-api-key", &gw.key).send().await.unwrap()).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.body["type"], "error");
});
