//! The activity log and the dashboard's spend: the organization's own requests, filtered
//! and totalled; another organization sees none of them.

use super::*;
use crate::both;
use crate::gateway::harness::gateway;
use serde_json::json;

async fn three_requests_and_an_error(gw: &Gw) {
    for (model, proto) in [("openai/gpt-5-mini", "openai"), ("openai/gpt-5-mini", "openai"), ("anthropic/claude-haiku-4.5", "anthropic")] {
        let body = json!({"model": model, "max_tokens": 32, "messages": [{"role": "user", "content": "hello"}]});
        let r = if proto == "openai" { gw.openai(body).await } else { gw.anthropic(body).await };
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = gw.openai(json!({"model": "no/such-model", "messages": [{"role": "user", "content": "hi"}]})).await;
    assert_eq!(r.status, 404);
    gw.settled().await;
}

both!(activity_lists_filters_and_totals_the_organizations_requests, |b| async move {
    let gw = gateway(b).await;
    three_requests_and_an_error(&gw).await;
    let c = owner(&gw).await;

    let all = call_qs(&c, "activity", &[]).await;
    assert_eq!(all.status, 200, "{all:?}");
    let rows = all.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(all.body["totals"]["requests"], 4);
    assert_eq!(all.body["totals"]["errors"], 1);
    assert!(rows.iter().all(|r| r["key_name"] == "test"));
    let logs = gw.logs().await;
    let cost: i64 = logs.iter().map(|l| l.cost_units).sum();
    assert_eq!(all.body["totals"]["cost"], app::types::Usd::from_units(cost).to_string());
    let input: i64 = logs.iter().map(|l| l.input_tokens).sum();
    assert_eq!(all.body["totals"]["input_tokens"], input);
    let ok = rows.iter().find(|r| r["model_requested"] == "anthropic/claude-haiku-4.5").unwrap();
    assert_eq!((ok["status"].as_u64(), ok["provider"].as_str(), ok["protocol"].as_str()), (Some(200), Some("anthropic"), Some("anthropic")));
    assert!(ok["latency_ms"].as_u64().is_some() && ok["ttft_ms"].as_u64().is_some());

    let errors = call_qs(&c, "activity", &[("filter[status]", "error")]).await;
    let rows = errors.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], 404);
    assert_eq!(rows[0]["error"], "no model config found for: no/such-model");

    let haiku = call_qs(&c, "activity", &[("filter[model]", "anthropic/claude-haiku-4.5")]).await;
    assert_eq!(haiku.body["totals"]["requests"], 1);
    let key_id = gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].id.clone();
    let by_key = call_qs(&c, "activity", &[("filter[key]", &key_id), ("filter[status]", "ok")]).await;
    assert_eq!(by_key.body["totals"]["requests"], 3);
    assert_eq!(by_key.body["keys"][0]["name"], "test");
    let tomorrow = app::types::days::format_day(gateai::clock::now() / 86_400 + 1);
    let later = call_qs(&c, "activity", &[("filter[from]", &tomorrow)]).await;
    assert_eq!(later.body["totals"]["requests"], 0);

    let bad = call_qs(&c, "activity", &[("filter[from]", "2026-02-30")]).await;
    assert_eq!(bad.status, 400, "{bad:?}");
    assert_eq!(field(&bad.body), Some("from"));

    let dash = c.call("dashboard_activity", &[]).await;
    assert_eq!(dash.status, 200, "{dash:?}");
    assert_eq!(dash.body["days"], 30);
    assert_eq!(dash.body["recent"].as_array().unwrap().len(), 4);
    let spend = dash.body["spend"].as_array().unwrap();
    assert!(spend.iter().any(|p| p["model"] == "openai/gpt-5-mini" && p["requests"] == 2));
    assert!(spend.iter().all(|p| p["day"] == dash.body["today"]));

    // the pages render on the server with the rows in them
    let html = c.get("/activity?status=error").await;
    assert_eq!(html.status, 200);
    assert!(html.text.contains(r#"data-status="error""#) && !html.text.contains(r#"data-status="ok""#));
    let home = c.get("/").await;
    assert!(home.text.contains("data-testid=\"spend-bar\""), "the dashboard draws the spend");
});

both!(another_organization_sees_none_of_the_activity, |b| async move {
    let gw = gateway(b).await;
    three_requests_and_an_error(&gw).await;
    let (other, _) = gw.app.user("other@example.com").await;
    let a = call_qs(&other, "activity", &[]).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body["totals"]["requests"], 0);
    assert!(a.body["rows"].as_array().unwrap().is_empty());
    assert!(a.body["keys"].as_array().unwrap().is_empty());
    let key_id = gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].id.clone();
    let theirs = call_qs(&other, "activity", &[("filter[key]", &key_id)]).await;
    assert_eq!(theirs.status, 404, "another organization's key is not found: {theirs:?}");
    let dash = other.call("dashboard_activity", &[]).await;
    assert!(dash.body["spend"].as_array().unwrap().is_empty() && dash.body["recent"].as_array().unwrap().is_empty());
    let visitor = gw.app.client();
    assert_eq!(call_qs(&visitor, "activity", &[]).await.status, 401);
    assert_eq!(visitor.call("dashboard_activity", &[]).await.status, 401);
});
