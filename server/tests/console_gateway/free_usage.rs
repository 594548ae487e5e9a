//! The console's free-model counters ("Free models today: 3 / 200 requests"): the signed-in
//! person's requests on free models since 00:00 UTC, by every key they made, and everyone's,
//! against the operator's daily limits; shown on the dashboard and the marketplace, never to
//! visitors.

use super::*;
use crate::both;
use crate::common::Client;
use crate::gateway::harness::gateway_with;
use serde_json::json;

const FREE: &str = "z-ai/glm-4.7-flash";
const PAID: &str = "openai/gpt-5-mini";

async fn usage(c: &Client) -> Value {
    let a = c.call("free_usage", &[]).await;
    assert_eq!(a.status, 200, "{a:?}");
    a.body
}

fn body(model: &str, i: usize) -> Value {
    json!({"model": model, "max_tokens": 16, "messages": [{"role": "user", "content": format!("free {i}")}]})
}

both!(free_model_counters_follow_the_persons_free_requests_today, |b| async move {
    let gw = gateway_with(b, "10", |c| {
        c.gateway.free_requests_per_user_daily = 5;
        c.gateway.free_requests_global_daily = 50;
    })
    .await;
    assert!(gw.app.state.catalog.current().get(FREE).unwrap().is_free(), "the test needs a free model");
    let owner = owner(&gw).await;
    assert_eq!(usage(&owner).await, json!({"used_today": 0, "limit_per_user": 5, "used_global_today": 0, "limit_global": 50}));

    // a free request yesterday does not count; today's, through either protocol, do; paid ones do not
    let key_id = gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].id.clone();
    let yesterday = gateai::storage::RequestRecord {
        id: uuid::Uuid::new_v4().to_string(),
        org_id: gw.org.clone(),
        key_id: Some(key_id),
        created_at: gateai::clock::now() - 86_400,
        protocol: "openai".into(),
        model_requested: FREE.into(),
        model_used: Some(FREE.into()),
        status: 200,
        free: true,
        ..Default::default()
    };
    gw.app.db.record_batch(&[yesterday]).await.unwrap();
    assert_eq!(gw.openai(body(FREE, 0)).await.status, 200);
    assert_eq!(gw.anthropic(body(FREE, 1)).await.status, 200);
    assert_eq!(gw.openai(body(PAID, 2)).await.status, 200);
    gw.settled().await;
    let u = usage(&owner).await;
    assert_eq!((u["used_today"].as_i64(), u["used_global_today"].as_i64()), (Some(2), Some(2)), "{u}");

    // another person's key: their own counter, the same global one
    let (other, v) = gw.app.user(&format!("other-{}@example.com", uuid::Uuid::new_v4().simple())).await;
    let (org, uid) = (v["org"]["id"].as_str().unwrap(), v["user_id"].as_str().unwrap());
    let (_, other_key) = gw.app.state.keys.create(org, uid, "theirs", None, None, false).await.unwrap();
    let r = gw
        .http
        .post(format!("{}/openai/v1/chat/completions", gw.app.url))
        .bearer_auth(&other_key)
        .json(&body(FREE, 3))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a free model needs no balance: {}", r.text().await.unwrap());
    gw.settled().await;
    let theirs = usage(&other).await;
    assert_eq!((theirs["used_today"].as_i64(), theirs["used_global_today"].as_i64()), (Some(1), Some(3)), "{theirs}");
    let mine = usage(&owner).await;
    assert_eq!((mine["used_today"].as_i64(), mine["used_global_today"].as_i64()), (Some(2), Some(3)), "{mine}");

    // the dashboard and the marketplace show it; a visitor has no counters
    let home = owner.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.text.contains(r#"data-testid="free-usage""#) && home.text.contains("2 / 5 requests"), "dashboard card");
    let models = owner.get("/models").await;
    assert!(models.text.contains(r#"data-testid="free-usage""#) && models.text.contains("2 / 5 requests"), "marketplace card");
    let visitor = gw.app.client();
    assert_eq!(usage(&visitor).await, Value::Null);
    assert!(!visitor.get("/models").await.text.contains(r#"data-testid="free-usage""#));

    // up to the limit, then refused; the counter says the day's allowance is used up
    for i in 4..7 {
        assert_eq!(gw.openai(body(FREE, i)).await.status, 200);
    }
    assert_eq!(gw.openai(body(FREE, 7)).await.status, 429);
    gw.settled().await;
    let full = usage(&owner).await;
    assert!(full["used_today"].as_i64().unwrap() >= 5, "{full}");
    let full: app::types::FreeUsage = serde_json::from_value(full).unwrap();
    assert!(full.exhausted() && full.percent() == Some(100));
    assert!(owner.get("/").await.text.contains("The daily free-model limit is reached"));
});

both!(no_limit_configured_shows_the_count_alone, |b| async move {
    let gw = gateway_with(b, "10", |c| {
        c.gateway.free_requests_per_user_daily = 0;
        c.gateway.free_requests_global_daily = 0;
    })
    .await;
    let owner = owner(&gw).await;
    assert_eq!(gw.openai(body(FREE, 0)).await.status, 200);
    gw.settled().await;
    let u = usage(&owner).await;
    assert_eq!(u, json!({"used_today": 1, "limit_per_user": 0, "used_global_today": 1, "limit_global": 0}));
    assert!(owner.get("/").await.text.contains("1 request (no daily limit)"));
});
