//! The organization's guardrails hold for video jobs as for chat: a model outside the
//! allowlist is refused (403) and a requests-per-minute limit answers 429 with `retry-after`,
//! in the video envelope, before anything is charged, queued or sent upstream.

use super::*;
use crate::both;
use gateai::controls::changes::{Actor, Changes, GuardrailFields};

/// Makes a guardrail with `fields` and assigns it to the whole organization.
async fn org_guardrail(gw: &Gw, mut fields: GuardrailFields) {
    fields.name = Some("video test".into());
    let c = Changes {
        db: &gw.app.db,
        policies: &gw.app.state.controls.policies,
        catalog: gw.app.state.catalog.current(),
        org_id: &gw.org,
        actor: Actor::User("test".into()),
    };
    let g = c.create(fields).await.unwrap();
    c.assign_org(&g.id, true).await.unwrap();
}

async fn nothing_charged_or_queued(gw: &Gw, jobs: usize) {
    let all = gw.app.db.entries(&gw.org, 0, 1000).await.unwrap();
    let pre = video_entries(&all).into_iter().filter(|e| !e.reference.ends_with(":settle")).count();
    assert_eq!(pre, jobs, "one pre-deduction per accepted job only");
    let creates = gw.up.requests().iter().filter(|r| r.method == "POST" && r.path.ends_with("/contents/generations/tasks")).count();
    assert!(creates <= jobs, "{creates} upstream tasks for {jobs} jobs");
}

both!(a_video_model_outside_the_allowlist_is_refused_with_nothing_charged, |b| async move {
    let gw = video_gateway(b, "100", |_| {}).await;
    org_guardrail(&gw, GuardrailFields { allowed_models: Some(Some(vec!["openai/*".into()])), ..Default::default() }).await;
    let r = submit(&gw, &body("a forbidden clip")).await;
    assert_eq!((r.status, r.body["code"].as_i64()), (403, Some(403)), "{}", r.text);
    assert_eq!(r.body["msg"], "model not allowed by guardrail policy", "{}", r.text);
    assert_eq!(gw.balance_units().await, 1_000_000_000_000);
    nothing_charged_or_queued(&gw, 0).await;
});

both!(a_requests_per_minute_guardrail_answers_429_with_retry_after, |b| async move {
    let gw = video_gateway(b, "100", |_| {}).await;
    org_guardrail(&gw, GuardrailFields { requests_per_minute: Some(Some(2)), ..Default::default() }).await;
    // well inside one minute
    let s = gateai::clock::now().rem_euclid(60);
    if s >= 45 {
        tokio::time::sleep(Duration::from_secs((61 - s) as u64)).await;
    }
    let ids = [submit_ok(&gw, &body("one")).await, submit_ok(&gw, &body("two")).await];
    let r = submit(&gw, &body("three")).await;
    assert_eq!((r.status, r.body["code"].as_i64()), (429, Some(429)), "{}", r.text);
    assert!(r.body["msg"].as_str().unwrap().starts_with("rate limit exceeded: 2 requests per minute"), "{}", r.text);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "retry-after {retry}");
    for id in &ids {
        wait_done(&gw, id).await;
    }
    nothing_charged_or_queued(&gw, 2).await;
    check_books(&gw, &ids).await;
});
