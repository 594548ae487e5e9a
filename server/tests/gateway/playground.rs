//! The console's chat playground (`/playground/chat`, `/playground/me`): signed-in users pay
//! from their organization through a playground key no listing shows; guests (no session)
//! are identified by a signed cookie and their address, held to daily spending limits and
//! billed to the operator-funded guest pool.

use super::harness::*;
use crate::both;
use app::types::{LedgerKind, Usd};
use gateai::playground::caller::GUEST_POOL_ORG;
use serde_json::{json, Value};

const MODEL: &str = "openai/gpt-5-mini";
const GUEST_LIMIT: &str = "Guest daily spending limit exceeded. Please try again tomorrow or upgrade to a paid plan.";

fn body(max_tokens: u64) -> Value {
    json!({"model": MODEL, "stream": true, "stream_options": {"include_usage": true}, "max_tokens": max_tokens,
           "messages": [{"role": "user", "content": "hello from the playground"}]})
}

fn usd(s: &str) -> i64 {
    Usd::parse_positive(s).unwrap().to_units().unwrap()
}

async fn fund_pool(gw: &Gw, amount: &str) {
    gateai::billing::ledger::book(&gw.app.db, GUEST_POOL_ORG, LedgerKind::AdminGrant, Usd::parse_positive(amount).unwrap(), format!("pool:{amount}"), "pool".into(), None)
        .await
        .unwrap();
}

/// A browser: cookies kept, our Origin on writes.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().unwrap()
}

async fn chat(gw: &Gw, http: &reqwest::Client, body: &Value) -> Reply {
    let r = http.post(format!("{}/playground/chat", gw.app.url)).header("origin", gw.app.url.clone()).json(body).send().await.unwrap();
    reply(r).await
}

async fn me(gw: &Gw, http: &reqwest::Client) -> Reply {
    reply(http.get(format!("{}/playground/me", gw.app.url)).send().await.unwrap()).await
}

fn streamed_text(r: &Reply) -> String {
    sse_events(&r.text).iter().filter_map(|(_, v)| v["choices"][0]["delta"]["content"].as_str().map(String::from)).collect()
}

async fn pool_logs(gw: &Gw) -> Vec<gateai::storage::RequestRecord> {
    gw.settled().await;
    let q = gateai::storage::LogQuery { org_id: GUEST_POOL_ORG.into(), since: 0, until: i64::MAX, limit: 1000, ..Default::default() };
    gw.app.db.request_logs(&q).await.unwrap()
}

both!(a_signed_in_user_streams_an_answer_and_the_organization_pays, |b| async move {
    let gw = gateway(b).await;
    let (user, viewer) = gw.app.user("player@example.com").await;
    let org = viewer["org"]["id"].as_str().unwrap().to_string();
    gateai::billing::ledger::book(&gw.app.db, &org, LedgerKind::AdminGrant, Usd::parse_positive("5").unwrap(), "grant:p".into(), "t".into(), None)
        .await
        .unwrap();
    let r = chat(&gw, &user.http, &body(200)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    assert_eq!(r.headers["x-gateai-model"], MODEL);
    assert!(!streamed_text(&r).is_empty(), "{}", r.text);
    assert!(r.text.trim_end().ends_with("data: [DONE]"));
    assert!(r.headers.get("set-cookie").is_none_or(|c| !c.to_str().unwrap().contains("gateai_guest")), "users get no guest cookie");
    let m = me(&gw, &user.http).await;
    assert_eq!((m.body["signed_in"].clone(), m.body["guest"].clone()), (json!(true), Value::Null));

    gw.settled().await;
    let totals = gw.app.db.totals(&org).await.unwrap();
    assert!(totals.balance_units < usd("5"), "the organization paid");
    assert_eq!(totals.balance_units, totals.sum_units);
    let q = gateai::storage::LogQuery { org_id: org.clone(), since: 0, until: i64::MAX, limit: 10, ..Default::default() };
    let logs = gw.app.db.request_logs(&q).await.unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(usd("5") - logs[0].cost_units, totals.balance_units);
    // the playground key: used, but never listed, found by id or editable
    let key = logs[0].key_id.clone().unwrap();
    assert!(gw.app.db.keys_of_org(&org).await.unwrap().is_empty(), "no key shows up in the list");
    assert!(gw.app.db.key_by_id(&org, &key).await.unwrap().is_none());
    // a second request uses the same key
    assert_eq!(chat(&gw, &user.http, &body(50)).await.status, 200);
    let logs = gw.app.db.request_logs(&q).await.unwrap();
    gw.settled().await;
    let logs = if logs.len() == 2 { logs } else { gw.app.db.request_logs(&q).await.unwrap() };
    assert!(logs.iter().all(|l| l.key_id.as_deref() == Some(key.as_str()) && l.guest_id.is_none()));
});

both!(a_guest_is_billed_to_the_pool_under_its_daily_limit, |b| async move {
    let gw = gateway_with(b, "100", |c| {
        c.gateway.guest_daily_usd = Usd::parse_positive("0.01").unwrap();
        c.gateway.guest_daily_usd_per_ip = Usd::ZERO;
    })
    .await;
    fund_pool(&gw, "10").await;
    let guest = browser();
    let m = me(&gw, &guest).await;
    assert_eq!(m.status, 200, "{}", m.text);
    let cookie = m.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("gateai_guest=") && cookie.contains("HttpOnly"), "{cookie}");
    assert_eq!(m.body["signed_in"], false);
    assert_eq!(m.body["guest"]["limit_usd"], "0.0100000000");
    assert_eq!(m.body["guest"]["remaining_usd"], "0.0100000000");

    let r = chat(&gw, &guest, &body(100)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!streamed_text(&r).is_empty());
    assert!(r.headers.get("set-cookie").is_none(), "the guest keeps its cookie");
    // a worst case past what is left today (100 000 tokens at $2/M = $0.20) is refused at once
    let before = gw.up.chat_requests().len();
    let r = chat(&gw, &guest, &body(100_000)).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error"]["message"], GUEST_LIMIT);
    assert_eq!(r.body["error"]["code"], "quota_exceeded");
    assert_eq!(gw.up.chat_requests().len(), before, "nothing reached the upstream");

    let logs = pool_logs(&gw).await;
    assert_eq!(logs.iter().filter(|l| l.status == 200).count(), 1);
    let ok = logs.iter().find(|l| l.status == 200).unwrap();
    assert!(ok.key_id.is_none() && ok.guest_id.is_some() && ok.guest_ip.as_deref() == Some("127.0.0.1"), "{ok:?}");
    let pool = gw.app.db.totals(GUEST_POOL_ORG).await.unwrap();
    assert_eq!(pool.balance_units, usd("10") - ok.cost_units);
    assert_eq!(pool.balance_units, pool.sum_units);
    assert_eq!(gw.balance_units().await, usd("100"), "no user's organization paid");
    let m = me(&gw, &guest).await;
    assert_eq!(m.body["guest"]["spent_usd"], Usd::from_units(ok.cost_units).to_string());
    assert_eq!(m.body["guest"]["remaining_usd"], Usd::from_units(usd("0.01") - ok.cost_units).to_string());
    // without the cookie it is another guest; a made-up cookie is not accepted as anyone
    let forged = reqwest::Client::new();
    let r = forged
        .post(format!("{}/playground/chat", gw.app.url))
        .header("origin", gw.app.url.clone())
        .header("cookie", format!("gateai_guest={}.{}", ok.guest_id.clone().unwrap(), "0".repeat(32)))
        .json(&body(10))
        .send()
        .await
        .unwrap();
    let set = r.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(set.starts_with("gateai_guest=") && !set.contains(ok.guest_id.as_deref().unwrap()), "a forged id gets a new identity: {set}");
});

/// Today's spending of a guest, written to the log as the writer would.
async fn guest_spent(gw: &Gw, guest_id: &str, ip: &str, usd_amount: &str, at: i64) {
    let r = gateai::storage::RequestRecord {
        id: uuid::Uuid::new_v4().to_string(),
        org_id: GUEST_POOL_ORG.into(),
        created_at: at,
        protocol: "openai".into(),
        model_requested: MODEL.into(),
        model_used: Some(MODEL.into()),
        status: 200,
        cost_units: usd(usd_amount),
        guest_id: Some(guest_id.into()),
        guest_ip: Some(ip.into()),
        ..Default::default()
    };
    gw.app.db.record_batch(&[r]).await.unwrap();
}

fn guest_id_of(r: &Reply) -> String {
    let c = r.headers["set-cookie"].to_str().unwrap();
    c.trim_start_matches("gateai_guest=").split('.').next().unwrap().to_string()
}

both!(guest_limits_count_todays_log_and_the_address_across_cookies, |b| async move {
    let gw = gateway_with(b, "1", |c| {
        c.gateway.guest_daily_usd = Usd::parse_positive("0.01").unwrap();
        c.gateway.guest_daily_usd_per_ip = Usd::parse_positive("0.015").unwrap();
    })
    .await;
    fund_pool(&gw, "10").await;
    let (a, b2) = (browser(), browser());
    let a_id = guest_id_of(&me(&gw, &a).await);
    let now = gateai::clock::now();
    // yesterday does not count; today's $0.009 does (as after a restart: seeded from the log)
    guest_spent(&gw, &a_id, "127.0.0.1", "0.009", now - 86_400 * 2).await;
    guest_spent(&gw, &a_id, "127.0.0.1", "0.009", now - now.rem_euclid(86_400)).await;
    // A: 0.009 + worst case of 1000 tokens ($0.002) > 0.01
    let r = chat(&gw, &a, &body(1000)).await;
    assert_eq!((r.status, r.body["error"]["message"].clone()), (429, json!(GUEST_LIMIT)), "{}", r.text);
    // B, new cookie, same address: its own 0.002 fits, and the address's 0.009 + 0.002 ≤ 0.015
    let r = chat(&gw, &b2, &body(1000)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    gw.settled().await;
    // B again with a worst case of $0.007: B alone is fine, the address (0.009 + B's spend + 0.007) is not
    let r = chat(&gw, &b2, &body(3500)).await;
    assert_eq!((r.status, r.body["error"]["message"].clone()), (429, json!(GUEST_LIMIT)), "{}", r.text);
    let m = me(&gw, &b2).await;
    let remaining = Usd::parse_positive(m.body["guest"]["remaining_usd"].as_str().unwrap()).map(|u| u.to_units().unwrap()).unwrap_or(0);
    assert!(remaining < usd("0.006"), "the address limit shows in what is left: {}", m.text);
});

both!(an_empty_pool_and_guests_turned_off_are_said_plainly, |b| async move {
    let gw = gateway_with(b, "1", |c| c.gateway.guest_daily_usd = Usd::parse_positive("0.05").unwrap()).await;
    let r = chat(&gw, &browser(), &body(100)).await;
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.body["error"]["message"], gateai::gateway::error::GUEST_POOL_EMPTY);
    assert!(gw.up.chat_requests().is_empty());

    let off = gateway_with(b, "1", |c| c.gateway.guest_daily_usd = Usd::ZERO).await;
    fund_pool(&off, "10").await;
    let r = chat(&off, &browser(), &body(100)).await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.body["error"]["message"], gateai::gateway::error::GUESTS_OFF);
    let m = me(&off, &browser()).await;
    assert_eq!(m.body, json!({"signed_in": false, "organization": null, "guest": null, "guests_allowed": false}));
    // a foreign page cannot spend a visitor's allowance
    let r = reqwest::Client::new().post(format!("{}/playground/chat", gw.app.url)).header("origin", "https://evil.example").json(&body(10)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
});
