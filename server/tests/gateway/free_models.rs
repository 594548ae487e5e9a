//! Free models (catalog price zero): a daily request limit per user and one for everyone,
//! operator-configured, counted from the request log at the start of each UTC day.

use super::harness::*;
use crate::both;
use serde_json::{json, Value};

const FREE: &str = "z-ai/glm-4.7-flash";
const PAID: &str = "openai/gpt-5-mini";

fn body(model: &str, i: usize) -> Value {
    json!({"model": model, "max_tokens": 20, "messages": [{"role": "user", "content": format!("hello {i}")}]})
}

/// A free-model request of the test key written to the log at `at`, as the writer would.
async fn free_request_at(gw: &Gw, at: i64) {
    free_request_answered(gw, at, 200).await
}

async fn free_request_answered(gw: &Gw, at: i64, status: i64) {
    let key = gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].id.clone();
    let r = gateai::storage::RequestRecord {
        id: uuid::Uuid::new_v4().to_string(),
        org_id: gw.org.clone(),
        key_id: Some(key),
        created_at: at,
        protocol: "openai".into(),
        model_requested: FREE.into(),
        model_used: Some(FREE.into()),
        status,
        free: true,
        ..Default::default()
    };
    gw.app.db.record_batch(&[r]).await.unwrap();
}

both!(a_user_past_the_daily_free_limit_gets_the_seeds_message, |b| async move {
    let gw = gateway_with(b, "1", |c| {
        c.gateway.free_requests_per_user_daily = 3;
        c.gateway.free_requests_global_daily = 0;
    })
    .await;
    assert!(gw.app.state.catalog.current().get(FREE).unwrap().is_free(), "the test needs a free model");
    // yesterday's requests do not count, today's do
    free_request_at(&gw, gateai::clock::now() - 86_400 * 2).await;
    free_request_at(&gw, gateai::clock::now() - gateai::clock::now().rem_euclid(86_400)).await;
    // a request refused today (429) gave its place back: it does not count
    free_request_answered(&gw, gateai::clock::now(), 429).await;
    for i in 0..2 {
        let r = gw.openai(body(FREE, i)).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = gw.openai(body(FREE, 2)).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error"]["message"], "The free model usage has reached its daily limit today.");
    let r = gw.anthropic(body(FREE, 3)).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error"]["message"], "The free model usage has reached its daily limit today.");
    assert_eq!(gw.up.chat_requests().len(), 2, "refusals never reach the upstream");
    // paid models are not limited by it
    assert_eq!(gw.openai(body(PAID, 4)).await.status, 200);
    gw.settled().await;
    let logs = gw.logs().await;
    assert_eq!(logs.iter().filter(|l| l.free && l.status == 200).count(), 2 + 2);
});

both!(everyone_together_past_the_global_free_limit_gets_the_global_message, |b| async move {
    let gw = gateway_with(b, "1", |c| {
        c.gateway.free_requests_per_user_daily = 100;
        c.gateway.free_requests_global_daily = 3;
    })
    .await;
    free_request_at(&gw, gateai::clock::now()).await;
    free_request_at(&gw, gateai::clock::now()).await;
    assert_eq!(gw.openai(body(FREE, 0)).await.status, 200);
    let r = gw.openai(body(FREE, 1)).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error"]["message"], "The free model usage has reached its daily global limit today.");
    assert_eq!(r.body["error"]["code"], "quota_exceeded");
});
