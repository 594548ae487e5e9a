//! Two gateway servers on one PostgreSQL database, each with its own state (caches, counters,
//! log writer) as two processes behind a load balancer would have. With Redis their admission
//! counters are shared and a budget or balance holds across both; without it each would admit
//! up to the whole budget on its own (shown here too, so the shared test cannot pass by luck).

use super::harness::*;
use crate::common::{redis_url, skip_postgres, spawn_sharing, Backend, TestApp};
use gateai::http::Protocol;
use gateai::storage::KeyChanges;
use gateai::Config;
use serde_json::{json, Value};
use std::sync::Arc;

const MODEL: &str = "openai/gpt-5-mini";

fn body(i: usize) -> Value {
    json!({"model": MODEL, "max_tokens": 40, "messages": [{"role": "user", "content": format!("tell me something, number {i:03}")}]})
}

fn worst_case(gw: &Gw) -> i64 {
    let summary = gateai::pipeline::summary::summarize(Protocol::OpenAi, &body(0)).unwrap();
    let prices = gw.app.state.catalog.current().get(MODEL).unwrap().prices().unwrap();
    gateai::billing::pricing::worst_case_units(&prices, summary.needs.input_tokens, 40)
}

/// A gateway and a second server sharing its database (and Redis under one prefix, if `shared`).
async fn pair(credit: &str, shared: bool) -> Option<(Arc<Gw>, Arc<TestApp>)> {
    if skip_postgres(Backend::Postgres) {
        return None;
    }
    let redis = if shared {
        match redis_url() {
            Some(u) => Some(u),
            None => {
                assert!(std::env::var("CI").is_err(), "TEST_REDIS_URL must be set in CI");
                eprintln!("SKIPPED: TEST_REDIS_URL is not set (run scripts/test.sh)");
                return None;
            }
        }
    } else {
        None
    };
    let prefix = format!("t{}:", uuid::Uuid::new_v4().simple());
    let set = move |c: &mut Config| {
        c.redis_url = redis.clone();
        c.redis_prefix = prefix.clone();
    };
    let set2 = set.clone();
    let gw = gateway_with(Backend::Postgres, credit, move |c| set(c)).await;
    let up = gw.up.clone();
    let second = spawn_sharing(&gw.app, move |c| {
        point_providers_at(c, &up);
        set2(c);
    })
    .await;
    Some((Arc::new(gw), Arc::new(second)))
}

/// One request through each server (each has read its counters), then 200 in ten waves of
/// 20 at once, every other one through the second server: waves let reservations settle, so
/// each server's count fills with real spend, not only with requests in flight.
async fn spread(gw: &Arc<Gw>, second: &Arc<TestApp>) -> Vec<Reply> {
    let mut out = vec![];
    for base in [gw.app.url.clone(), second.url.clone()] {
        let r = gw.http.post(format!("{base}/openai/v1/chat/completions")).bearer_auth(&gw.key).json(&body(900)).send().await.unwrap();
        out.push(reply(r).await);
    }
    for wave in 0..10 {
        let tasks: Vec<_> = (0..20)
            .map(|j| {
                let i = wave * 20 + j;
                let (gw, second) = (gw.clone(), second.clone());
                tokio::spawn(async move {
                    let base = if i % 2 == 0 { gw.app.url.clone() } else { second.url.clone() };
                    let r = gw.http.post(format!("{base}/openai/v1/chat/completions")).bearer_auth(&gw.key).json(&body(i)).send().await.unwrap();
                    reply(r).await
                })
            })
            .collect();
        for t in tasks {
            out.push(t.await.unwrap());
        }
    }
    second.state.recorder.flush().await;
    gw.settled().await;
    out
}

/// (admitted, spent, spent beyond the worst cases) from the log of both servers.
async fn admitted(gw: &Gw, worst: i64) -> (usize, i64, i64) {
    let logs = gw.logs().await;
    let ok: Vec<_> = logs.iter().filter(|l| l.status == 200).collect();
    let spent = ok.iter().map(|l| l.cost_units).sum();
    let beyond = ok.iter().map(|l| (l.cost_units - worst).max(0)).sum();
    (ok.len(), spent, beyond)
}

async fn set_budget(gw: &Gw, units: i64) {
    let id = gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].id.clone();
    let changes = KeyChanges { budget_units: Some(Some(units)), ..Default::default() };
    gw.app.state.keys.update(&gw.org, &id, &changes).await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_key_budget_holds_across_two_servers_sharing_redis() {
    let Some((gw, second)) = pair("100", true).await else { return };
    let worst = worst_case(&gw);
    let budget = 10 * worst;
    set_budget(&gw, budget).await;
    let replies = spread(&gw, &second).await;
    for r in &replies {
        assert!(r.status == 200 || r.body["error"]["message"] == "api key budget quota exceeded", "{} {}", r.status, r.text);
    }
    let (ok, spent, beyond) = admitted(&gw, worst).await;
    assert!((10..202).contains(&ok), "admitted {ok}");
    assert!(spent <= budget + beyond, "two servers spent {spent} > budget {budget} + {beyond}");
    let served_by_second = replies.iter().skip(2).enumerate().filter(|(i, r)| i % 2 == 1 && r.status == 200).count();
    assert!(served_by_second > 0, "the second server admitted some");
    let charges = gw.charges().await;
    assert_eq!(charges.len(), ok);
    assert_eq!(-charges.iter().map(|c| c.amount_units).sum::<i64>(), spent, "the ledger sum equals the settled costs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_shared_counters_two_servers_would_each_spend_the_budget() {
    let Some((gw, second)) = pair("100", false).await else { return };
    let worst = worst_case(&gw);
    let budget = 10 * worst;
    set_budget(&gw, budget).await;
    let replies = spread(&gw, &second).await;
    for r in &replies {
        assert!(r.status == 200 || r.body["error"]["message"] == "api key budget quota exceeded", "{} {}", r.status, r.text);
    }
    let (_, spent, beyond) = admitted(&gw, worst).await;
    assert!(spent > budget + beyond, "each server kept its own count: {spent} over {budget} + {beyond}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_balance_never_goes_below_zero_across_two_servers() {
    let Some((gw, second)) = pair("0", true).await else { return };
    let worst = worst_case(&gw);
    // a balance of 10 worst cases
    gateai::billing::ledger::book(
        &gw.app.db,
        &gw.org,
        app::types::LedgerKind::AdminGrant,
        app::types::Usd::from_units(10 * worst),
        format!("grant:{}", gw.org),
        "test credit".into(),
        None,
    )
    .await
    .unwrap();
    let replies = spread(&gw, &second).await;
    for r in &replies {
        assert!(matches!(r.status, 200 | 402), "{} {}", r.status, r.text);
    }
    let (ok, spent, beyond) = admitted(&gw, worst).await;
    assert!((10..202).contains(&ok), "admitted {ok}");
    let totals = gw.app.db.totals(&gw.org).await.unwrap();
    assert_eq!(totals.balance_units, 10 * worst - spent);
    assert!(totals.balance_units >= -beyond, "balance {} below zero by more than {beyond}", totals.balance_units);
    assert_eq!(totals.sum_units, totals.balance_units);
}
