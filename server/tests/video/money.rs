//! The money of a job: the estimate pre-deducted at submit as one ledger entry, settled on
//! the tokens the upstream reports (one charge or one refund for the difference), refunded in
//! full on failure; admission's counters (balance, key budget) follow every move.

use super::*;
use crate::both;
use gateai::storage::KeyChanges;
use std::sync::Arc;

const ESTIMATE: i64 = DEFAULT_TOKENS * UNITS_PER_TOKEN; // 0.8316 USD

both!(a_completed_job_is_settled_on_the_upstream_tokens_with_one_charge, |b| async move {
    let gw = video_gateway(b, "100", |_| {}).await;
    let id = submit_ok(&gw, &body("waves on a rocky shore")).await;
    let d = wait_done(&gw, &id).await;
    assert_eq!(d["status"], "completed");
    assert_eq!(d["billing_status"], "settled");
    assert_eq!(d["estimated_cost"], "0.8316000000");
    // the double made 121 frames: 108 900 tokens × 7.7 USD/M
    assert_eq!(d["video_tokens"], DOUBLE_TOKENS);
    assert_eq!(d["billed_cost"], "0.8385300000");
    let all = ledger(&gw).await;
    let (pre, settle) = entries_of(&all, &id);
    assert_eq!(pre[0].amount_units, -ESTIMATE);
    assert_eq!(settle.len(), 1);
    assert_eq!((settle[0].kind.as_str(), settle[0].amount_units), ("charge", -(DOUBLE_TOKENS - DEFAULT_TOKENS) * UNITS_PER_TOKEN));
    assert_eq!(gw.balance_units().await, 1_000_000_000_000 - DOUBLE_TOKENS * UNITS_PER_TOKEN);
    check_books(&gw, std::slice::from_ref(&id)).await;
    // the key's spend and the request log hold the settled cost
    let key = gw.app.db.keys_of_org(&gw.org).await.unwrap().remove(0);
    assert_eq!(key.spend_units, DOUBLE_TOKENS * UNITS_PER_TOKEN);
    let logs = gw.logs().await;
    let row = logs.iter().find(|l| l.id == id).unwrap();
    assert_eq!((row.status, row.cost_units, row.output_tokens), (200, DOUBLE_TOKENS * UNITS_PER_TOKEN, DOUBLE_TOKENS));
});

both!(fewer_tokens_than_estimated_are_refunded_with_one_refund, |b| async move {
    let gw = video_gateway(b, "100", |_| {}).await;
    let id = submit_ok(&gw, &body("a quiet street [[videotokens:50000]]")).await;
    let d = wait_done(&gw, &id).await;
    assert_eq!((d["status"].as_str(), d["billing_status"].as_str()), (Some("completed"), Some("settled")));
    assert_eq!(d["billed_cost"], "0.3850000000");
    let all = ledger(&gw).await;
    let (_, settle) = entries_of(&all, &id);
    assert_eq!(settle.len(), 1);
    assert_eq!((settle[0].kind.as_str(), settle[0].amount_units), ("refund", ESTIMATE - 50_000 * UNITS_PER_TOKEN));
    assert_eq!(gw.balance_units().await, 1_000_000_000_000 - 50_000 * UNITS_PER_TOKEN);
    check_books(&gw, &[id]).await;
});

both!(a_failed_job_is_refunded_in_full_once, |b| async move {
    let gw = video_gateway(b, "100", |_| {}).await;
    let id = submit_ok(&gw, &body("something the upstream refuses [[videofail]]")).await;
    let d = wait_done(&gw, &id).await;
    assert_eq!((d["status"].as_str(), d["billing_status"].as_str()), (Some("failed"), Some("refunded")));
    assert_eq!(d["billed_cost"], "0.0000000000");
    assert!(d["error"].as_str().unwrap().contains("OutputVideoSensitiveContentDetected"), "{d}");
    assert!(d.get("download_url").is_none());
    assert_eq!(gw.balance_units().await, 1_000_000_000_000);
    check_books(&gw, std::slice::from_ref(&id)).await;
    let key = gw.app.db.keys_of_org(&gw.org).await.unwrap().remove(0);
    assert_eq!(key.spend_units, 0);
    // a failed job has no video
    let r = get_as(&gw, &gw.key, &format!("/api/v1/videos/{id}/content")).await;
    assert_eq!((r.status, r.body["code"].as_i64()), (409, Some(409)));
});

// The balance counter sees the pre-deduction at once and the refund when the job fails.
both!(the_balance_counter_follows_pre_deductions_and_refunds, |b| async move {
    let gw = video_gateway(b, "1", |_| {}).await;
    gw.up.set_video_polls(10);
    let failing = submit_ok(&gw, &body("doomed [[videofail]]")).await;
    // 0.1684 USD left: a second job does not fit while the first holds its estimate
    let r = submit(&gw, &body("second")).await;
    assert_eq!(r.status, 402, "{}", r.text);
    assert_eq!(r.body["data"]["current_balance"], "0.1684000000");
    wait_done(&gw, &failing).await;
    // refunded: it fits again
    let id = submit_ok(&gw, &body("second, again")).await;
    wait_done(&gw, &id).await;
    check_books(&gw, &[failing, id]).await;
});

// A key budget of three estimates, ten submissions at once: three jobs, seven refusals.
both!(a_key_budget_holds_under_parallel_submissions, |b| async move {
    let gw = Arc::new(video_gateway(b, "100", |_| {}).await);
    let key = gw.app.db.keys_of_org(&gw.org).await.unwrap().remove(0);
    let changes = KeyChanges { budget_units: Some(Some(3 * ESTIMATE)), ..Default::default() };
    gw.app.state.keys.update(&gw.org, &key.id, &changes).await.unwrap().unwrap();
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let gw = gw.clone();
            tokio::spawn(async move { submit(&gw, &body(&format!("clip {i} [[videotokens:1000]]"))).await })
        })
        .collect();
    let mut ids = vec![];
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            202 => ids.push(r.body["data"]["job_id"].as_str().unwrap().to_string()),
            429 => assert_eq!(r.body["msg"], "api key budget quota exceeded", "{}", r.text),
            s => panic!("unexpected {s}: {}", r.text),
        }
    }
    assert_eq!(ids.len(), 3);
    for id in &ids {
        wait_done(&gw, id).await;
    }
    check_books(&gw, &ids).await;
    // settled far below the estimate: the budget counter gave the difference back
    let r = submit(&gw, &body("one more [[videotokens:1000]]")).await;
    assert_eq!(r.status, 202, "{}", r.text);
});

// A job past its deadline fails and is refunded in full, and its upstream task is cancelled
// (a queued task can be: the upstream then neither works on it nor bills it).
both!(a_timed_out_job_is_refunded_and_its_upstream_task_cancelled, |b| async move {
    let gw = video_gateway(b, "100", |c| {
        c.video.job_timeout_secs = 1;
        // the first look at the task comes after the deadline: it is still queued upstream
        c.video.poll_ms = 3_000;
        c.video.max_poll_ms = 3_000;
    })
    .await;
    gw.up.set_video_polls(1000);
    let id = submit_ok(&gw, &body("a clip that takes too long")).await;
    let d = wait_done(&gw, &id).await;
    assert_eq!((d["status"].as_str(), d["billing_status"].as_str()), (Some("failed"), Some("refunded")), "{d}");
    assert!(d["error"].as_str().unwrap().contains("timed out after 1 s"), "{d}");
    assert_eq!(gw.balance_units().await, 1_000_000_000_000);
    check_books(&gw, std::slice::from_ref(&id)).await;
    let task = job(&gw, &id).await.upstream_task_id.unwrap();
    let deletes: Vec<_> = gw.up.requests().into_iter().filter(|r| r.method == "DELETE").map(|r| r.path).collect();
    assert_eq!(deletes, vec![format!("/api/v3/contents/generations/tasks/{task}")]);
    let upstream = gw
        .http
        .get(format!("{}/contents/generations/tasks/{task}", gw.up.ark_base()))
        .bearer_auth(testkit::upstream::UPSTREAM_KEY)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(upstream["status"], "cancelled", "{upstream}");
});
