//! Video generation end to end: the real server in front of the ModelArk test double, on
//! SQLite and PostgreSQL. Helpers to submit, poll and check the money of every job.
#![allow(dead_code, clippy::unwrap_used)]

mod bucket;
mod content;
mod guardrails;
mod idempotency;
mod money;
mod playground;
mod random;
mod restart;
mod status;
mod submit;
mod webhooks;

use crate::common::Backend;
use crate::gateway::harness::{gateway_with, reply, Gw, Reply};
use gateai::storage::{LedgerRow, VideoJobRow};
use gateai::Config;
use serde_json::{json, Value};
use std::time::Duration;

pub const MODEL: &str = "bytedance/seedance-2.0";
/// Seedance 2.0's catalog price: 7.7 USD per million video tokens = 77 000 units per token.
pub const UNITS_PER_TOKEN: i64 = 77_000;
/// The default job (720p, 16:9, 5 s at 24 fps): 1280 × 720 × 120 / 1024 tokens.
pub const DEFAULT_TOKENS: i64 = 108_000;
/// What the double reports for it (it makes 5 × 24 + 1 frames).
pub const DOUBLE_TOKENS: i64 = 108_900;

/// Fast polling for tests.
pub fn fast(c: &mut Config) {
    c.video.poll_ms = 20;
    c.video.max_poll_ms = 100;
    c.video.lease_secs = 5;
}

/// A gateway with `credit` USD, video settings made fast, then `tweak`.
pub async fn video_gateway(b: Backend, credit: &str, tweak: impl FnOnce(&mut Config)) -> Gw {
    gateway_with(b, credit, move |c| {
        fast(c);
        tweak(c);
    })
    .await
}

pub fn body(prompt: &str) -> Value {
    json!({"model": MODEL, "prompt": prompt})
}

pub async fn submit_as(gw: &Gw, key: &str, body: &Value, idempotency: Option<&str>) -> Reply {
    let mut req = gw.http.post(format!("{}/api/v1/videos", gw.app.url)).bearer_auth(key).json(body);
    if let Some(k) = idempotency {
        req = req.header("idempotency-key", k);
    }
    reply(req.send().await.unwrap()).await
}

pub async fn submit(gw: &Gw, body: &Value) -> Reply {
    submit_as(gw, &gw.key, body, None).await
}

/// Submits and returns the job id (asserting the 202).
pub async fn submit_ok(gw: &Gw, body: &Value) -> String {
    let r = submit(gw, body).await;
    assert_eq!(r.status, 202, "{}", r.text);
    r.body["data"]["job_id"].as_str().unwrap().to_string()
}

pub async fn get_as(gw: &Gw, key: &str, path: &str) -> Reply {
    reply(gw.http.get(format!("{}{path}", gw.app.url)).bearer_auth(key).send().await.unwrap()).await
}

pub async fn status(gw: &Gw, id: &str) -> Reply {
    get_as(gw, &gw.key, &format!("/api/v1/videos/{id}")).await
}

/// Polls the job until it is completed or failed; returns its status data.
pub async fn wait_done(gw: &Gw, id: &str) -> Value {
    wait_done_as(gw, &gw.key, id).await
}

/// [`wait_done`] for a job of another key.
pub async fn wait_done_as(gw: &Gw, key: &str, id: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let r = get_as(gw, key, &format!("/api/v1/videos/{id}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let s = r.body["data"]["status"].as_str().unwrap().to_string();
        if s == "completed" || s == "failed" {
            return r.body["data"].clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "job {id} still {s}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

pub async fn job(gw: &Gw, id: &str) -> VideoJobRow {
    gw.app.db.video_job(id).await.unwrap().unwrap()
}

pub async fn ledger(gw: &Gw) -> Vec<LedgerRow> {
    gw.app.db.entries(&gw.org, 0, 100_000).await.unwrap()
}

/// The ledger entries of one job: its pre-deduction and its settling entry (if any).
pub fn entries_of<'a>(all: &'a [LedgerRow], id: &str) -> (Vec<&'a LedgerRow>, Vec<&'a LedgerRow>) {
    let pre = all.iter().filter(|e| e.reference == format!("video:{id}")).collect();
    let settle = all.iter().filter(|e| e.reference == format!("video:{id}:settle")).collect();
    (pre, settle)
}

/// Every job of `ids` is ended and booked exactly as its billing status says, and the ledger
/// sums to the balance. Returns what the jobs were billed in total.
pub async fn check_books(gw: &Gw, ids: &[String]) -> i64 {
    check_books_of(&gw.app.db, &gw.org, ids).await
}

/// [`check_books`] for the organization `org` of `db`.
pub async fn check_books_of(db: &gateai::storage::Db, org: &str, ids: &[String]) -> i64 {
    let all = db.entries(org, 0, 100_000).await.unwrap();
    let mut billed_total = 0;
    for id in ids {
        let j = db.video_job(id).await.unwrap().unwrap();
        let (pre, settle) = entries_of(&all, id);
        assert_eq!(pre.len(), 1, "one pre-deduction for {id}");
        assert_eq!((pre[0].kind.as_str(), pre[0].amount_units), ("charge", -j.estimated_units));
        assert!(settle.len() <= 1, "at most one settling entry for {id}");
        let settled: i64 = settle.iter().map(|e| e.amount_units).sum();
        match j.status.as_str() {
            "completed" => {
                assert_eq!(j.billing_status, "settled");
                let billed = j.billed_units.unwrap();
                assert_eq!(billed, j.video_tokens.unwrap() * UNITS_PER_TOKEN);
                assert_eq!(-j.estimated_units + settled, -billed, "{id} booked to its billed cost");
                if let Some(e) = settle.first() {
                    assert_eq!(e.kind, if billed > j.estimated_units { "charge" } else { "refund" });
                }
                assert_eq!(settle.is_empty(), billed == j.estimated_units);
                billed_total += billed;
            }
            "failed" => {
                assert_eq!(j.billing_status, "refunded");
                assert_eq!(j.billed_units, Some(0));
                assert_eq!(settle.len(), 1);
                assert_eq!((settle[0].kind.as_str(), settle[0].amount_units), ("refund", j.estimated_units));
            }
            other => panic!("job {id} is still {other}"),
        }
    }
    let t = db.totals(org).await.unwrap();
    assert_eq!(t.sum_units, t.balance_units, "the ledger sums to the balance");
    billed_total
}

/// Ledger rows about video jobs (by reference).
pub fn video_entries(all: &[LedgerRow]) -> Vec<&LedgerRow> {
    all.iter().filter(|e| e.reference.starts_with("video:")).collect()
}
