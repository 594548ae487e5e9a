//! Budgets that hold under concurrency: a key budget (with UTC reset periods) and the
//! organization's balance, each reserved at its worst case before the upstream call.

use super::harness::*;
use crate::both;
use gateai::http::Protocol;
use gateai::storage::KeyChanges;
use serde_json::{json, Value};
use std::sync::Arc;

const MODEL: &str = "openai/gpt-5-mini";

fn body(i: usize) -> Value {
    json!({"model": MODEL, "max_tokens": 40, "messages": [{"role": "user", "content": format!("tell me something, number {i:03}")}]})
}

// What admission reserves for `body(i)`: the request's worst case.
fn worst_case(gw: &Gw, body: &Value) -> i64 {
    let summary = gateai::pipeline::summary::summarize(Protocol::OpenAi, body).unwrap();
    let catalog = gw.app.state.catalog.current();
    let prices = catalog.get(MODEL).unwrap().prices().unwrap();
    gateai::billing::pricing::worst_case_units(&prices, summary.needs.input_tokens, 40)
}

async fn key_id(gw: &Gw) -> String {
    gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].id.clone()
}

/// A request of `key_id` made at `at` that cost `units`, written as the log writer would.
async fn spent_at(gw: &Gw, key_id: &str, at: i64, units: i64) {
    let r = gateai::storage::RequestRecord {
        id: uuid::Uuid::new_v4().to_string(),
        org_id: gw.org.clone(),
        key_id: Some(key_id.to_string()),
        created_at: at,
        protocol: "openai".into(),
        model_requested: MODEL.into(),
        status: 200,
        cost_units: units,
        ..Default::default()
    };
    gw.app.db.record_batch(&[r]).await.unwrap();
}

async fn set_budget(gw: &Gw, units: Option<i64>, reset: Option<&str>) {
    let id = key_id(gw).await;
    let changes = KeyChanges { budget_units: Some(units), budget_reset: Some(reset.map(String::from)), ..Default::default() };
    gw.app.state.keys.update(&gw.org, &id, &changes).await.unwrap().unwrap();
}

// 200 requests at once on a key whose budget holds 10 worst cases.
both!(concurrent_requests_never_spend_past_a_key_budget, |b| async move {
    let gw = Arc::new(gateway(b).await);
    let worst = worst_case(&gw, &body(0));
    let budget = 10 * worst;
    set_budget(&gw, Some(budget), None).await;
    let before = gw.balance_units().await;
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let gw = gw.clone();
            tokio::spawn(async move { gw.openai(body(i)).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            200 => ok += 1,
            429 => {
                assert_eq!(r.body["error"]["message"], "api key budget quota exceeded", "{}", r.text);
                assert_eq!(r.body["error"]["type"], "rate_limit_error");
            }
            s => panic!("unexpected {s}: {}", r.text),
        }
    }
    let logs = gw.logs().await;
    let admitted: Vec<_> = logs.iter().filter(|l| l.status == 200).collect();
    assert_eq!(admitted.len(), ok);
    assert!(ok >= 10, "a budget of 10 worst cases admits at least 10 requests, got {ok}");
    assert!(ok < 200, "the budget refused some");
    let spent: i64 = admitted.iter().map(|l| l.cost_units).sum();
    // the guarantee: past the budget only by what admitted requests cost beyond their worst case
    let beyond: i64 = admitted.iter().map(|l| (l.cost_units - worst).max(0)).sum();
    assert!(spent <= budget + beyond, "spent {spent} > budget {budget} + {beyond}");
    let refused = logs.iter().filter(|l| l.status == 429).count();
    assert_eq!(refused, 200 - ok, "every refusal is logged");
    assert!(logs.iter().filter(|l| l.status == 429).all(|l| l.cost_units == 0));
    // the ledger: one charge per admitted request, summing to the balance
    let charges = gw.charges().await;
    assert_eq!(charges.len(), ok);
    assert_eq!(-charges.iter().map(|c| c.amount_units).sum::<i64>(), spent);
    let totals = gw.app.db.totals(&gw.org).await.unwrap();
    assert_eq!(totals.balance_units, before - spent);
    assert_eq!(totals.sum_units, totals.balance_units);
    // what is left is less than a worst case: the next one is refused too
    let left = budget - spent;
    let r = gw.openai(body(999)).await;
    if left < worst {
        assert_eq!(r.status, 429, "{}", r.text);
    }
    // a raised budget holds from the next request on
    set_budget(&gw, Some(budget + 5 * worst), None).await;
    assert_eq!(gw.openai(body(1000)).await.status, 200);
});

both!(a_spent_budget_refuses_in_the_callers_envelope, |b| async move {
    let gw = gateway(b).await;
    set_budget(&gw, Some(1), Some("monthly")).await;
    let r = gw.openai(body(1)).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error"]["message"], "api key budget quota exceeded");
    let r = gw.anthropic(json!({"model": "anthropic/claude-haiku-4.5", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]})).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body, json!({"type": "error", "error": {"type": "rate_limit_error", "message": "api key budget quota exceeded"}}));
    assert!(gw.up.chat_requests().is_empty(), "nothing reached the upstream");
    assert!(gw.charges().await.is_empty());
});

// The counter of a period starts from what the database says was spent in it: a daily
// budget ignores yesterday, a budget that never resets counts everything.
both!(budget_periods_count_spend_from_their_utc_start, |b| async move {
    let gw = gateway(b).await;
    let id = key_id(&gw).await;
    let worst = worst_case(&gw, &body(0));
    let yesterday = gateai::controls::Period::Daily.start(gateai::clock::now()) - 3600;
    spent_at(&gw, &id, yesterday, 3 * worst).await;
    set_budget(&gw, Some(2 * worst), Some("daily")).await;
    assert_eq!(gw.openai(body(1)).await.status, 200, "yesterday's spend is not today's");
    // /api/v1/key reports the budget of the period
    gw.settled().await;
    let today = gw.app.db.key_spend_since(&id, gateai::controls::Period::Daily.start(gateai::clock::now())).await.unwrap();
    assert!(today > 0);
    let k = reply(gw.http.get(format!("{}/api/v1/key", gw.app.url)).bearer_auth(&gw.key).send().await.unwrap()).await;
    let d = &k.body["data"];
    assert_eq!(d["limit_reset"], "daily", "{}", k.text);
    assert_eq!(d["limit"], app::types::Usd::from_units(2 * worst).to_string());
    assert_eq!(d["limit_remaining"], app::types::Usd::from_units(2 * worst - today).to_string());
    assert_eq!(d["usage"], app::types::Usd::from_units(3 * worst + today).to_string(), "usage counts every period");
    assert!(d["limit_resets_at"].as_str().unwrap().ends_with("T00:00:00Z"), "{}", k.text);
    // the same spend on a budget that never resets: refused (a new key: fresh counters)
    let uid = gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].created_by.clone();
    let (row, secret) = gw.app.state.keys.create(&gw.org, &uid, "never", None, None, false).await.unwrap();
    spent_at(&gw, &row.id, yesterday, 3 * worst).await;
    let changes = KeyChanges { budget_units: Some(Some(2 * worst)), ..Default::default() };
    gw.app.state.keys.update(&gw.org, &row.id, &changes).await.unwrap();
    let r = reply(gw.http.post(format!("{}/openai/v1/chat/completions", gw.app.url)).bearer_auth(&secret).json(&body(2)).send().await.unwrap()).await;
    assert_eq!(r.status, 429, "{}", r.text);
});

// The balance is reserved the same way: many requests at once never take it below zero.
both!(concurrent_requests_never_overdraw_the_balance, |b| async move {
    let probe = gateway_with(b, "0", |_| {}).await;
    let worst = worst_case(&probe, &body(0));
    drop(probe);
    // a balance of 10 worst cases, in USD
    let usd = app::types::Usd::from_units(10 * worst).to_string();
    let gw = Arc::new(gateway_with(b, &usd, |_| {}).await);
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let gw = gw.clone();
            tokio::spawn(async move { gw.openai(body(i)).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            200 => ok += 1,
            402 => assert!(r.body["error"]["message"].as_str().unwrap().starts_with("Pending payment"), "{}", r.text),
            s => panic!("unexpected {s}: {}", r.text),
        }
    }
    assert!(ok >= 10, "{ok}");
    let logs = gw.logs().await;
    let beyond: i64 = logs.iter().filter(|l| l.status == 200).map(|l| (l.cost_units - worst).max(0)).sum();
    let totals = gw.app.db.totals(&gw.org).await.unwrap();
    assert!(totals.balance_units >= -beyond, "balance {} went below zero", totals.balance_units);
    assert_eq!(totals.sum_units, totals.balance_units);
    assert_eq!(gw.charges().await.len(), ok);
});
