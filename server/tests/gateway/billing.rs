//! Money: one charge per request, exact, under concurrency; the ledger sums to the balance.

use super::harness::*;
use crate::both;

use serde_json::json;

both!(parallel_requests_are_each_charged_once_and_the_ledger_adds_up, |b| async move {
    let gw = std::sync::Arc::new(gateway(b).await);
    let before = gw.balance_units().await;
    let mut tasks = vec![];
    for i in 0..20 {
        let gw = gw.clone();
        tasks.push(tokio::spawn(async move {
            let stream = i % 2 == 0;
            let body = json!({"model": if i % 3 == 0 { "anthropic/claude-haiku-4.5" } else { "openai/gpt-5-mini" },
                "stream": stream, "max_tokens": 50, "messages": [{"role": "user", "content": format!("request number {i}")}]});
            let r = if i % 4 == 0 { gw.anthropic(body).await } else { gw.openai(body).await };
            assert_eq!(r.status, 200, "{}", r.text);
            r.headers["x-request-id"].to_str().unwrap().to_string()
        }));
    }
    let mut ids = vec![];
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    let charges = gw.charges().await;
    assert_eq!(charges.len(), 20);
    for id in &ids {
        assert_eq!(charges.iter().filter(|c| c.reference == format!("request:{id}")).count(), 1);
    }
    let logs = gw.logs().await;
    assert_eq!(logs.len(), 20);
    let spent: i64 = logs.iter().map(|l| l.cost_units).sum();
    assert_eq!(charges.iter().map(|c| -c.amount_units).sum::<i64>(), spent);
    let totals = gw.app.db.totals(&gw.org).await.unwrap();
    assert_eq!(totals.balance_units, before - spent);
    assert_eq!(totals.sum_units, totals.balance_units, "the ledger sums to the balance");
    let keys = gw.app.db.keys_of_org(&gw.org).await.unwrap();
    assert_eq!(keys[0].spend_units, spent, "the key's spend is the sum of its charges");
});

both!(a_client_sent_request_id_never_makes_a_request_free, |b| async move {
    let gw = gateway(b).await;
    for _ in 0..2 {
        let r = reply(gw.http.post(format!("{}/openai/v1/chat/completions", gw.app.url)).bearer_auth(&gw.key)
            .header("x-request-id", "fixed-id")
            .json(&json!({"model": "openai/gpt-5", "messages": [{"role": "user", "content": "hi"}]})).send().await.unwrap()).await;
        assert_eq!(r.status, 200);
        assert_ne!(r.headers["x-request-id"], "fixed-id", "the gateway makes its own ids");
        let id = uuid::Uuid::parse_str(r.headers["x-request-id"].to_str().unwrap()).unwrap();
        assert_eq!(id.get_version_num(), 7, "time-ordered ids keep the log's and the ledger's indexes appending");
    }
    assert_eq!(gw.charges().await.len(), 2);
});

both!(custom_openai_compatible_providers_and_models_come_from_the_config, |b| async move {
    let gw = gateway_with(b, "10", |c| {
        let base = c.providers["deepseek"].base_url.clone();
        let p = c.providers.entry("local".into()).or_default();
        p.protocol = Some("openai".into());
        p.base_url = base;
        p.api_key = Some(testkit::upstream::UPSTREAM_KEY.into());
        c.models.push(toml::from_str(r#"id = "local/llama-3.3"
provider = "local"
upstream = "llama-3.3-70b"
context = 8192
max_output = 1024
price_input = "0.1"
price_output = "0.2""#).unwrap());
    })
    .await;
    let r = gw.openai(json!({"model": "local/llama-3.3", "max_tokens": 5000, "messages": [{"role": "user", "content": "hi"}]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["model"], "local/llama-3.3");
    let sent = &gw.up.chat_requests()[0];
    assert_eq!(sent.body["model"], "llama-3.3-70b");
    assert_eq!(sent.body["max_tokens"], 1024, "clamped to the model's output cap");
    let listed = reply(gw.http.get(format!("{}/openai/v1/models", gw.app.url)).bearer_auth(&gw.key).send().await.unwrap()).await;
    assert!(listed.text.contains("local/llama-3.3"));
});
