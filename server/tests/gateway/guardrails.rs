//! Guardrails as the gateway enforces them: allowlists checked before any upstream call (auto
//! and fallbacks choose only allowed models), budgets per key or per organization that hold
//! under concurrency, requests and tokens per minute with retry-after, and the auto routing
//! switch. Changes go through the same service as the console and the management API.

use super::harness::*;
use crate::both;
use gateai::controls::changes::{Actor, Changes, GuardrailFields};
use gateai::controls::Period;
use gateai::http::Protocol;
use serde_json::{json, Value};
use std::sync::Arc;

const MODEL: &str = "openai/gpt-5-mini";
const HAIKU: &str = "anthropic/claude-haiku-4.5";

fn body(model: &str, i: usize) -> Value {
    json!({"model": model, "max_tokens": 40, "messages": [{"role": "user", "content": format!("tell me something, number {i:03}")}]})
}

fn changes(gw: &Gw) -> Changes<'_> {
    Changes {
        db: &gw.app.db,
        policies: &gw.app.state.controls.policies,
        catalog: gw.app.state.catalog.current(),
        org_id: &gw.org,
        actor: Actor::User("test".into()),
    }
}

async fn key_id(gw: &Gw) -> String {
    gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].id.clone()
}

/// Creates a guardrail with `fields` and assigns it to the test key, or to the organization.
async fn guardrail(gw: &Gw, mut fields: GuardrailFields, org_wide: bool) -> String {
    fields.name.get_or_insert_with(|| "test".into());
    let c = changes(gw);
    let g = c.create(fields).await.unwrap();
    if org_wide {
        c.assign_org(&g.id, true).await.unwrap();
    } else {
        c.assign_keys(&g.id, &[key_id(gw).await]).await.unwrap();
    }
    g.id
}

fn allow(models: &[&str]) -> GuardrailFields {
    GuardrailFields { allowed_models: Some(Some(models.iter().map(|s| s.to_string()).collect())), ..Default::default() }
}

both!(a_model_outside_the_allowlist_is_refused_before_any_upstream_call, |b| async move {
    let gw = gateway(b).await;
    let id = guardrail(&gw, allow(&["anthropic/*"]), false).await;
    let r = gw.openai(body(MODEL, 1)).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["error"]["message"], "model not allowed by guardrail policy");
    assert_eq!(r.body["error"]["type"], "permission_error");
    let r = gw.anthropic(body(MODEL, 2)).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body, json!({"type": "error", "error": {"type": "permission_error", "message": "model not allowed by guardrail policy"}}));
    assert!(gw.up.chat_requests().is_empty(), "nothing reached the upstream");
    assert!(gw.charges().await.is_empty());
    // the provider pattern lets the provider's models through, in either protocol
    assert_eq!(gw.openai(body(HAIKU, 3)).await.status, 200);
    assert_eq!(gw.anthropic(body(HAIKU, 4)).await.status, 200);
    // a change holds from the next request on
    changes(&gw).update(&id, GuardrailFields { allowed_models: Some(None), ..Default::default() }).await.unwrap();
    assert_eq!(gw.openai(body(MODEL, 5)).await.status, 200);
});

both!(the_organizations_allowlist_and_the_keys_both_apply, |b| async move {
    let gw = gateway(b).await;
    guardrail(&gw, allow(&["anthropic/*", MODEL]), true).await;
    guardrail(&gw, GuardrailFields { allowed_providers: Some(Some(vec!["anthropic".into()])), ..Default::default() }, false).await;
    assert_eq!(gw.openai(body(MODEL, 1)).await.status, 403, "the key's provider list refuses openai");
    assert_eq!(gw.openai(body("openai/gpt-5-nano", 2)).await.status, 403, "the organization's list refuses it");
    assert_eq!(gw.openai(body(HAIKU, 3)).await.status, 200);
});

both!(auto_routing_chooses_only_among_allowed_models, |b| async move {
    let gw = gateway(b).await;
    let r = gw.openai(body("auto", 1)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let cheapest = r.headers["x-gateai-model"].to_str().unwrap().to_string();
    assert_ne!(cheapest, HAIKU, "the test needs auto to pick another model when unrestricted");
    guardrail(&gw, allow(&[HAIKU]), true).await;
    let r = gw.openai(body("auto", 2)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.headers["x-gateai-model"], HAIKU);
    // nothing allowed can serve audio: a refusal, not another model
    let r = gw.openai(json!({"model": "auto", "messages": [{"role": "user", "content": [
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}]}]})).await;
    assert!(matches!(r.status, 400 | 403), "{}", r.text);
    assert!(gw.up.chat_requests().iter().all(|q| q.body["model"] != json!(cheapest)), "only the allowed model was called");
});

both!(fallbacks_skip_models_outside_the_allowlist, |b| async move {
    let gw = gateway(b).await;
    guardrail(&gw, allow(&[HAIKU]), false).await;
    // the allowed model fails every attempt; the fallback is not allowed, so it is never tried
    let r = gw
        .openai(json!({"model": HAIKU, "models": [HAIKU, MODEL], "max_tokens": 20,
            "messages": [{"role": "user", "content": "hi [[fail:503*99]]"}]}))
        .await;
    assert_eq!(r.status, 502, "{}", r.text);
    let seen = gw.up.chat_requests();
    assert!(!seen.is_empty());
    let catalog = gw.app.state.catalog.current();
    let upstream = catalog.get(HAIKU).unwrap().upstream.clone();
    assert!(seen.iter().all(|q| q.body["model"] == json!(upstream)), "only {upstream} was called: {seen:?}");
    // the first model itself outside the list is refused outright
    assert_eq!(gw.openai(json!({"model": MODEL, "models": [MODEL, HAIKU], "messages": [{"role": "user", "content": "hi"}]})).await.status, 403);
});

// What admission reserves for a request: its worst case.
fn worst_case(gw: &Gw, body: &Value) -> i64 {
    let summary = gateai::pipeline::summary::summarize(Protocol::OpenAi, body).unwrap();
    let catalog = gw.app.state.catalog.current();
    let prices = catalog.get(MODEL).unwrap().prices().unwrap();
    gateai::billing::pricing::worst_case_units(&prices, summary.needs.input_tokens, 40)
}

/// 200 requests at once against a guardrail budget of 10 worst cases: the guarantee holds,
/// the rest get `message`.
async fn concurrent_against_budget(gw: Arc<Gw>, message: &str) {
    let before = gw.charges().await;
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let gw = gw.clone();
            tokio::spawn(async move { gw.openai(body(MODEL, i)).await })
        })
        .collect();
    let worst = worst_case(&gw, &body(MODEL, 0));
    let mut ok = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            200 => ok += 1,
            429 => assert_eq!(r.body["error"]["message"], message, "{}", r.text),
            s => panic!("unexpected {s}: {}", r.text),
        }
    }
    // the requests of this run (not spend written before it)
    let since = gateai::clock::now() - 3600;
    let logs: Vec<_> = gw.logs().await.into_iter().filter(|l| l.created_at >= since).collect();
    let admitted: Vec<_> = logs.iter().filter(|l| l.status == 200).collect();
    assert_eq!(admitted.len(), ok);
    assert!((10..200).contains(&ok), "admitted {ok}");
    let spent: i64 = admitted.iter().map(|l| l.cost_units).sum();
    let beyond: i64 = admitted.iter().map(|l| (l.cost_units - worst).max(0)).sum();
    assert!(spent <= 10 * worst + beyond, "spent {spent} > budget {} + {beyond}", 10 * worst);
    let charges = gw.charges().await;
    assert_eq!(charges.len(), before.len() + ok, "one charge per admitted request");
    let new: i64 = charges.iter().filter(|c| !before.iter().any(|b| b.id == c.id)).map(|c| c.amount_units).sum();
    assert_eq!(-new, spent, "the ledger sum equals the settled costs");
}

both!(concurrent_requests_never_pass_a_key_guardrail_budget, |b| async move {
    let gw = Arc::new(gateway(b).await);
    let worst = worst_case(&gw, &body(MODEL, 0));
    let fields = GuardrailFields { limit_units: Some(Some(10 * worst)), reset_interval: Some(Period::Daily), ..Default::default() };
    guardrail(&gw, fields, false).await;
    concurrent_against_budget(gw.clone(), "guardrail budget limit exceeded").await;
    assert!(gw.logs().await.iter().filter(|l| l.status == 429).all(|l| l.cost_units == 0));
});

both!(an_organization_guardrail_budget_holds_across_its_keys, |b| async move {
    let gw = Arc::new(gateway(b).await);
    let worst = worst_case(&gw, &body(MODEL, 0));
    // yesterday's spend does not count against a daily budget; today's does
    let key = key_id(&gw).await;
    let earlier = gateai::storage::RequestRecord {
        id: uuid::Uuid::new_v4().to_string(),
        org_id: gw.org.clone(),
        key_id: Some(key.clone()),
        created_at: gateai::clock::now() - 86_400 * 2,
        protocol: "openai".into(),
        model_requested: MODEL.into(),
        status: 200,
        cost_units: 1_000 * worst,
        ..Default::default()
    };
    gw.app.db.record_batch(&[earlier]).await.unwrap();
    let fields = GuardrailFields { limit_units: Some(Some(10 * worst)), reset_interval: Some(Period::Daily), ..Default::default() };
    let id = guardrail(&gw, fields, true).await;
    concurrent_against_budget(gw.clone(), "organization guardrail budget limit exceeded").await;
    // a lowered budget holds from the next request, for every key of the organization
    changes(&gw).update(&id, GuardrailFields { limit_units: Some(Some(1)), ..Default::default() }).await.unwrap();
    let owner = gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].created_by.clone();
    let (_, other) = gw.app.state.keys.create(&gw.org, &owner, "second", None, None, false).await.unwrap();
    let r = gw
        .http
        .post(format!("{}/openai/v1/chat/completions", gw.app.url))
        .bearer_auth(&other)
        .json(&body(MODEL, 999))
        .send()
        .await
        .unwrap();
    let r = reply(r).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error"]["message"], "organization guardrail budget limit exceeded");
});

/// Waits, when the minute is about to end, for the next one: a per-minute window must not
/// turn over in the middle of a test that counts within one.
async fn early_in_a_minute() {
    let s = gateai::clock::now().rem_euclid(60);
    if s >= 45 {
        tokio::time::sleep(std::time::Duration::from_secs((61 - s) as u64)).await;
    }
}

both!(requests_per_minute_refuse_with_retry_after_in_the_callers_protocol, |b| async move {
    let gw = gateway(b).await;
    guardrail(&gw, GuardrailFields { requests_per_minute: Some(Some(3)), ..Default::default() }, false).await;
    early_in_a_minute().await;
    for i in 0..3 {
        let r = gw.openai(body(MODEL, i)).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = gw.openai(body(MODEL, 3)).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error"]["code"], "rate_limit_exceeded");
    assert!(r.body["error"]["message"].as_str().unwrap().starts_with("rate limit exceeded: 3 requests per minute for this API key"));
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "retry-after {retry}");
    assert_eq!(r.headers["x-ratelimit-limit-requests"], "3");
    assert_eq!(r.headers["x-ratelimit-remaining-requests"], "0");
    let r = gw.anthropic(body(HAIKU, 4)).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error"]["type"], "rate_limit_error");
    assert_eq!(r.headers["anthropic-ratelimit-requests-limit"], "3");
    assert!(r.headers.contains_key("retry-after"));
    assert_eq!(gw.up.chat_requests().len(), 3, "refused requests never reach the upstream");
});

both!(tokens_per_minute_count_the_worst_case_then_what_was_used, |b| async move {
    let gw = gateway(b).await;
    early_in_a_minute().await;
    // one request may use its input plus 40 output tokens; 60 tokens a minute hold one at a time
    guardrail(&gw, GuardrailFields { tokens_per_minute: Some(Some(60)), ..Default::default() }, true).await;
    let r = gw.openai(body(MODEL, 1)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let used = r.body["usage"]["total_tokens"].as_i64().unwrap();
    let r = gw.openai(body(MODEL, 2)).await;
    if used + 50 > 60 {
        assert_eq!(r.status, 429, "{}", r.text);
        assert!(r.body["error"]["message"].as_str().unwrap().contains("tokens per minute for this organization"));
        assert_eq!(r.headers["x-ratelimit-limit-tokens"], "60");
    }
    // a request that can never fit is refused too
    let big = json!({"model": MODEL, "max_tokens": 500, "messages": [{"role": "user", "content": "hi"}]});
    assert_eq!(gw.openai(big).await.status, 429);
});

both!(auto_routing_off_asks_for_a_model_in_the_callers_envelope, |b| async move {
    let gw = gateway(b).await;
    changes(&gw).set_routing(Some(false), None).await.unwrap();
    let r = gw.openai(body("auto", 1)).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["error"]["message"], gateai::gateway::error::AUTO_ROUTING_OFF);
    assert_eq!(r.body["error"]["param"], "model");
    let r = gw.anthropic(body("auto", 2)).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["error"]["type"], "invalid_request_error");
    assert_eq!(r.body["error"]["message"], gateai::gateway::error::AUTO_ROUTING_OFF);
    assert_eq!(gw.openai(body(MODEL, 3)).await.status, 200, "a named model still works");
    changes(&gw).set_routing(Some(true), None).await.unwrap();
    assert_eq!(gw.openai(body("auto", 4)).await.status, 200);
});

both!(the_quality_preference_moves_auto_from_the_cheapest_to_the_best, |b| async move {
    let gw = gateway(b).await;
    let quality = |id: &str| gw.app.state.catalog.current().get(id).unwrap().quality;
    let cheap = gw.openai(body("auto", 1)).await;
    let cheap = cheap.headers["x-gateai-model"].to_str().unwrap().to_string();
    changes(&gw).set_routing(None, Some(1.0)).await.unwrap();
    let best = gw.openai(body("auto", 2)).await;
    assert_eq!(best.status, 200, "{}", best.text);
    let best = best.headers["x-gateai-model"].to_str().unwrap().to_string();
    let catalog = gw.app.state.catalog.current();
    let top = catalog
        .all()
        .filter(|m| m.kind == gateai::catalog::Kind::Chat && m.prices().is_some() && gw.app.state.providers.is_on(&m.provider))
        .map(|m| m.quality)
        .max()
        .unwrap();
    assert_eq!(quality(&best), top, "preference 1 picks a model of the best quality");
    assert!(quality(&best) > quality(&cheap), "{best} over {cheap}");
});

both!(bad_guardrail_input_changes_nothing, |b| async move {
    let gw = gateway(b).await;
    let c = changes(&gw);
    for fields in [
        allow(&["no-such/model"]),
        allow(&["nobody/*"]),
        GuardrailFields { limit_units: Some(Some(-1)), ..Default::default() },
        GuardrailFields { requests_per_minute: Some(Some(0)), ..Default::default() },
        GuardrailFields { allowed_providers: Some(Some(vec!["nobody".into()])), ..Default::default() },
    ] {
        let mut fields = fields;
        fields.name = Some("bad".into());
        let e = c.create(fields).await.unwrap_err();
        assert!(matches!(e, gateai::controls::changes::ChangeError::Invalid { .. }), "{e:?}");
    }
    assert!(c.list().await.unwrap().is_empty());
    assert!(c.set_routing(None, Some(2.0)).await.is_err());
    assert!(c.routing().await.unwrap().auto_routing);
    assert_eq!(gw.openai(body(MODEL, 1)).await.status, 200);
});
