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
