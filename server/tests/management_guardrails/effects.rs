//! Each change made through the management API holds from the very next completion: the
//! allowlist (403 before any upstream call), guardrail budgets of the key and of the
//! organization (429), requests and tokens per minute (429 with retry-after and
//! x-ratelimit-*), the auto routing switch (400), and what `GET /api/v1/key` reports.
#![allow(clippy::unwrap_used)]

use super::{refused, setup, MODEL};
use crate::both;
use crate::gateway::harness::reply;
use gateai::gateway::error::AUTO_ROUTING_OFF;
use serde_json::{json, Value};

both!(an_allowlist_set_through_the_api_holds_from_the_next_completion, |b| async move {
    let m = setup(b).await;
    assert_eq!(m.chat(MODEL).await.status, 200);
    let id = m.create(json!({"name": "nano only", "allowed_models": ["openai/gpt-5-nano"]})).await;
    m.assign(&id).await;
    let listed = m.admin("GET", &format!("/api/v1/guardrails/{id}/assignments/keys"), None).await;
    assert_eq!((listed.status, &listed.body["total_count"]), (200, &json!(1)), "{}", listed.text);
    let a = &listed.body["data"][0];
    assert_eq!((&a["key_hash"], &a["guardrail_id"], &a["key_name"]), (&json!(m.key_id), &json!(id), &json!("test")), "{a}");
    assert!(a["key_label"].as_str().unwrap().starts_with("sk-or-v1-") && a["created_at"].is_string(), "{a}");
    assert_eq!(m.admin("GET", &format!("/api/v1/guardrails/{id}"), None).await.body["data"]["key_hashes"], json!([m.key_id]));
    // the account-wide list has every guardrail's assignments: this one's and another's
    let other = m.create(json!({"name": "second"})).await;
    m.assign(&other).await;
    let all = m.admin("GET", "/api/v1/guardrails/assignments/keys", None).await;
    assert_eq!((all.status, &all.body["total_count"]), (200, &json!(2)), "{}", all.text);
    let mut ids: Vec<&str> = all.body["data"].as_array().unwrap().iter().map(|a| a["guardrail_id"].as_str().unwrap()).collect();
    ids.sort();
    let mut want = vec![id.as_str(), other.as_str()];
    want.sort();
    assert_eq!(ids, want);
    let page = m.admin("GET", "/api/v1/guardrails/assignments/keys?offset=1&limit=1", None).await;
    assert_eq!((page.body["data"].as_array().unwrap().len(), &page.body["total_count"]), (1, &json!(2)), "{}", page.text);
    m.admin("DELETE", &format!("/api/v1/guardrails/{other}"), None).await;

    let upstream_before = m.gw.up.chat_requests().len();
    refused(&m.chat(MODEL).await, 403, "model not allowed by guardrail policy");
    assert_eq!(m.gw.up.chat_requests().len(), upstream_before, "nothing reached the upstream");
    // provider/* lets the provider's models through; another provider's stay out
    let path = format!("/api/v1/guardrails/{id}");
    assert_eq!(m.admin("PATCH", &path, Some(json!({"allowed_models": ["openai/*"]}))).await.status, 200);
    assert_eq!(m.chat(MODEL).await.status, 200);
    assert_eq!(m.admin("PATCH", &path, Some(json!({"allowed_models": ["anthropic/*"]}))).await.status, 200);
    refused(&m.chat(MODEL).await, 403, "model not allowed by guardrail policy");
    assert_eq!(m.chat("anthropic/claude-haiku-4.5").await.status, 200);

    // assigning again counts nothing; unassigning frees the key at once
    let again = m.admin("POST", &format!("{path}/assignments/keys"), Some(json!({"key_hashes": [m.key_id]}))).await;
    assert_eq!(again.body, json!({"assigned_count": 0}), "{}", again.text);
    let off = m.admin("POST", &format!("{path}/assignments/keys/remove"), Some(json!({"key_hashes": [m.key_id]}))).await;
    assert_eq!((off.status, &off.body), (200, &json!({"unassigned_count": 1})), "{}", off.text);
    assert_eq!(m.chat(MODEL).await.status, 200);
    assert_eq!(m.admin("GET", &format!("{path}/assignments/keys"), None).await.body, json!({"data": [], "total_count": 0}));
    assert_eq!(
        m.actions().await,
        [
            "guardrail.create",
            "guardrail.assign_keys",
            "guardrail.create",
            "guardrail.assign_keys",
            "guardrail.delete",
            "guardrail.update",
            "guardrail.update",
            "guardrail.assign_keys",
            "guardrail.unassign_keys"
        ]
    );
});

both!(budgets_set_through_the_api_refuse_with_their_scope, |b| async move {
    let m = setup(b).await;
    let key_wide = m.create(json!({"name": "nothing for the key", "limit_usd": 0})).await;
    m.assign(&key_wide).await;
    let upstream_before = m.gw.up.chat_requests().len();
    let r = m.chat(MODEL).await;
    refused(&r, 429, "guardrail budget limit exceeded");
    assert_eq!(r.body["error"]["type"], "rate_limit_error");
    // raised through the API: the next request passes
    let path = format!("/api/v1/guardrails/{key_wide}");
    assert_eq!(m.admin("PATCH", &path, Some(json!({"limit_usd": 50, "reset_interval": "daily"}))).await.status, 200);
    assert_eq!(m.chat(MODEL).await.status, 200);

    let org_wide = m.create(json!({"name": "nothing for anyone", "limit_usd": "0"})).await;
    let on = m.admin("PUT", &format!("/api/v1/guardrails/{org_wide}/assignments/organization"), None).await;
    assert_eq!((on.status, &on.body["data"]["assigned_to_organization"]), (200, &json!(true)), "{}", on.text);
    refused(&m.chat(MODEL).await, 429, "organization guardrail budget limit exceeded");
    assert_eq!(m.gw.up.chat_requests().len(), upstream_before + 1, "refused requests never reached the upstream");
    let off = m.admin("DELETE", &format!("/api/v1/guardrails/{org_wide}/assignments/organization"), None).await;
    assert_eq!((off.status, &off.body["data"]["assigned_to_organization"]), (200, &json!(false)), "{}", off.text);
    assert_eq!(m.chat(MODEL).await.status, 200);
    assert_eq!(
        m.actions().await,
        ["guardrail.create", "guardrail.assign_keys", "guardrail.update", "guardrail.create", "guardrail.assign_org", "guardrail.unassign_org"]
    );
});

both!(rate_limits_set_through_the_api_answer_429_with_headers, |b| async move {
    let m = setup(b).await;
    let id = m.create(json!({"name": "one a minute", "requests_per_minute": 1})).await;
    m.assign(&id).await;
    assert_eq!(m.chat(MODEL).await.status, 200, "the first request of the minute passes");
    // the second of the same minute is refused; a minute boundary between the first two
    // calls can let one more through, never two more
    let mut refusal = None;
    for _ in 0..2 {
        let r = m.chat(MODEL).await;
        if r.status == 429 {
            refusal = Some(r);
            break;
        }
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = refusal.expect("a second request within a minute is refused");
    assert!(r.body["error"]["message"].as_str().unwrap().starts_with("rate limit exceeded: 1 requests per minute"), "{}", r.text);
    assert_eq!(r.headers["x-ratelimit-limit-requests"], "1");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");

    // tokens per minute below one request's worth: refused from the first request
    let path = format!("/api/v1/guardrails/{id}");
    assert_eq!(m.admin("PATCH", &path, Some(json!({"requests_per_minute": null, "tokens_per_minute": 1}))).await.status, 200);
    let t = m.chat(MODEL).await;
    assert_eq!(t.status, 429, "{}", t.text);
    assert_eq!(t.headers["x-ratelimit-limit-tokens"], "1");
    assert!(t.headers.contains_key("retry-after"));
    assert_eq!(m.admin("PATCH", &path, Some(json!({"tokens_per_minute": null}))).await.status, 200);
    assert_eq!(m.chat(MODEL).await.status, 200);
});

both!(routing_settings_switch_auto_from_the_next_completion, |b| async move {
    let m = setup(b).await;
    let auto = || m.chat("auto");
    let start = m.admin("GET", "/api/v1/settings/routing", None).await;
    assert_eq!(start.status, 200, "{}", start.text);
    assert_eq!(start.body, json!({"data": {"auto_routing": true, "preference": 0.0, "updated_at": null}}));
    assert_eq!(auto().await.status, 200);

    let off = m.admin("PATCH", "/api/v1/settings/routing", Some(json!({"auto_routing": false}))).await;
    assert_eq!((off.status, &off.body["data"]["auto_routing"]), (200, &json!(false)), "{}", off.text);
    assert!(off.body["data"]["updated_at"].as_str().unwrap().ends_with('Z'));
    let upstream_before = m.gw.up.chat_requests().len();
    refused(&auto().await, 400, AUTO_ROUTING_OFF);
    assert_eq!(m.gw.up.chat_requests().len(), upstream_before);
    assert_eq!(m.chat(MODEL).await.status, 200, "a named model still works");

    // bad input: 400 naming the field, nothing changed
    let before = m.admin("GET", "/api/v1/settings/routing", None).await.body;
    for (body, param) in [
        (json!({"preference": 2}), "preference"),
        (json!({"preference": -0.1}), "preference"),
        (json!({"preference": "quality"}), "preference"),
        (json!({"preference": null}), "preference"),
        (json!({"auto_routing": "yes", "preference": 0.5}), "auto_routing"),
    ] {
        let r = m.admin("PATCH", "/api/v1/settings/routing", Some(body.clone())).await;
        assert_eq!((r.status, &r.body["error"]["param"]), (400, &json!(param)), "{body}: {}", r.text);
    }
    assert_eq!(m.admin("GET", "/api/v1/settings/routing", None).await.body, before);

    let on = m.admin("PATCH", "/api/v1/settings/routing", Some(json!({"auto_routing": true, "preference": 0.75}))).await;
    assert_eq!(on.body["data"]["preference"], 0.75, "{}", on.text);
    assert_eq!(auto().await.status, 200);
    let now = m.admin("GET", "/api/v1/settings/routing", None).await;
    assert_eq!((&now.body["data"]["auto_routing"], &now.body["data"]["preference"]), (&json!(true), &json!(0.75)));
    assert_eq!(m.actions().await, ["routing.update", "routing.update"]);
});

both!(account_info_shows_the_guardrails_and_rate_limits_of_the_key, |b| async move {
    let m = setup(b).await;
    let info = || async { reply(m.gw.http.get(format!("{}/api/v1/key", m.gw.app.url)).bearer_auth(&m.gw.key).send().await.unwrap()).await };
    let none = info().await;
    assert_eq!(none.status, 200, "{}", none.text);
    let d = &none.body["data"];
    assert_eq!((&d["requests_per_minute"], &d["tokens_per_minute"], &d["rate_limit"], &d["guardrails"]), (&Value::Null, &Value::Null, &Value::Null, &json!([])));
    assert_eq!(d["name"], "test", "the existing fields stay");

    let mine = m.create(json!({"name": "mine", "requests_per_minute": 100, "tokens_per_minute": 5000})).await;
    m.assign(&mine).await;
    let org = m.create(json!({"name": "org", "requests_per_minute": 30})).await;
    assert_eq!(m.admin("PUT", &format!("/api/v1/guardrails/{org}/assignments/organization"), None).await.status, 200);
    let unrelated = m.create(json!({"name": "unrelated", "requests_per_minute": 1, "tokens_per_minute": 1})).await;

    let d = info().await.body["data"].clone();
    assert_eq!((d["requests_per_minute"].as_i64(), d["tokens_per_minute"].as_i64()), (Some(30), Some(5000)), "the tightest: {d}");
    assert_eq!(d["rate_limit"], json!({"requests": 30, "interval": "1m"}));
    let mut ids: Vec<String> = d["guardrails"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    ids.sort();
    let mut want = vec![mine, org];
    want.sort();
    assert_eq!(ids, want, "not {unrelated}");
});
