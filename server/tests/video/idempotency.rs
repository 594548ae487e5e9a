//! `Idempotency-Key`: the same key and body answer the job made the first time (no second
//! charge, no second upstream task), another body gets 409, keys are per API key, and 20
//! submissions at once with one key make one job.

use super::*;
use crate::both;
use serde_json::json;
use std::sync::Arc;

both!(the_same_key_and_body_return_the_same_job_and_charge_once, |b| async move {
    let gw = video_gateway(b, "100", |_| {}).await;
    let first = submit_as(&gw, &gw.key, &json!({"model": MODEL, "prompt": "a red kite", "duration": 4}), Some("order-17")).await;
    assert_eq!(first.status, 202, "{}", first.text);
    let id = first.body["data"]["job_id"].as_str().unwrap().to_string();
    // the same fields in another order are the same body
    let again: Value = serde_json::from_str(&format!(r#"{{"duration":4,"prompt":"a red kite","model":"{MODEL}"}}"#)).unwrap();
    let second = submit_as(&gw, &gw.key, &again, Some("order-17")).await;
    assert_eq!(second.status, 202, "{}", second.text);
    assert_eq!(second.body, first.body, "a replay answers what the first submit answered");
    // another body under the same key: 409
    let other = submit_as(&gw, &gw.key, &json!({"model": MODEL, "prompt": "a blue kite", "duration": 4}), Some("order-17")).await;
    assert_eq!((other.status, other.body["code"].as_i64()), (409, Some(409)), "{}", other.text);
    assert!(other.body["msg"].as_str().unwrap().contains("Idempotency-Key"));
    // another API key has its own keys
    let user = gw.app.db.keys_of_org(&gw.org).await.unwrap()[0].created_by.clone();
    let (_, key2) = gw.app.state.keys.create(&gw.org, &user, "second", None, None, false).await.unwrap();
    let theirs = submit_as(&gw, &key2, &again, Some("order-17")).await;
    assert_eq!(theirs.status, 202, "{}", theirs.text);
    assert_ne!(theirs.body["data"]["job_id"], first.body["data"]["job_id"]);
    let theirs_id = theirs.body["data"]["job_id"].as_str().unwrap().to_string();
    wait_done(&gw, &id).await;
    wait_done_as(&gw, &key2, &theirs_id).await;
    // still the same job after it completed
    let late = submit_as(&gw, &gw.key, &again, Some("order-17")).await;
    assert_eq!(late.body, first.body, "a replay after the job completed still answers what the first submit answered");
    assert_eq!(video_entries(&ledger(&gw).await).iter().filter(|e| e.reference == format!("video:{id}")).count(), 1);
    assert_eq!(gw.up.video_tasks_created(), 2);
    check_books(&gw, &[id, theirs_id]).await;
});

both!(twenty_parallel_submissions_with_one_key_make_one_job, |b| async move {
    let gw = Arc::new(video_gateway(b, "100", |_| {}).await);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let gw = gw.clone();
            tokio::spawn(async move { submit_as(&gw, &gw.key, &body("twenty at once"), Some("burst-1")).await })
        })
        .collect();
    let mut ids = std::collections::BTreeSet::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, 202, "{}", r.text);
        ids.insert(r.body["data"]["job_id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 1, "one job: {ids:?}");
    let id = ids.into_iter().next().unwrap();
    wait_done(&gw, &id).await;
    let all = ledger(&gw).await;
    assert_eq!(video_entries(&all).iter().filter(|e| e.kind == "charge" && e.reference == format!("video:{id}")).count(), 1);
    assert_eq!(gw.up.video_tasks_created(), 1);
    let billed = check_books(&gw, &[id]).await;
    assert_eq!(gw.balance_units().await, 1_000_000_000_000 - billed);
});

// Keys are remembered for the configured time (at least 24 h), then the sweeper forgets them.
both!(idempotency_keys_are_forgotten_after_their_retention, |b| async move {
    let gw = video_gateway(b, "100", |_| {}).await;
    let id = submit_ok(&gw, &body("x")).await;
    let first = submit_as(&gw, &gw.key, &body("kept"), Some("k-1")).await;
    let kept = first.body["data"]["job_id"].as_str().unwrap().to_string();
    // a day later (as the sweeper sees it): still known
    let now = gateai::clock::now();
    assert_eq!(gw.app.db.forget_video_idempotency(now - 24 * 3600).await.unwrap(), 0);
    assert!(gw.app.db.video_job_by_idempotency(&job(&gw, &kept).await.key_id, "k-1").await.unwrap().is_some());
    // past the retention: forgotten, and the key makes a new job
    assert_eq!(gw.app.db.forget_video_idempotency(now + 1).await.unwrap(), 1);
    let again = submit_as(&gw, &gw.key, &body("kept"), Some("k-1")).await;
    assert_ne!(again.body["data"]["job_id"].as_str(), Some(kept.as_str()));
    let newer = again.body["data"]["job_id"].as_str().unwrap().to_string();
    for j in [&id, &kept, &newer] {
        wait_done(&gw, j).await;
    }
    check_books(&gw, &[id, kept, newer]).await;
});
