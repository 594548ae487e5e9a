//! Deliveries: the signed status body, a failed job's too, retries until a 2xx with every
//! attempt logged, growing waits while the receiver is down, and giving up at the deadline.

use super::*;
use crate::both;

both!(a_finished_job_is_posted_signed_with_its_status_body, |b| async move {
    let rx = Receiver::start().await;
    let gw = webhook_gateway(b, |_| {}).await;
    let id = submit_ok(&gw, &body_with_hook("a dog on a beach", &rx.url("/hooks/video?src=test"))).await;
    let done = wait_done(&gw, &id).await;
    assert_eq!(done["status"], "completed");
    let (d, attempts) = wait_delivery(&gw, &id, "delivered once", |d, _| d.status == "delivered").await;
    let seen = rx.wait_for(1).await;
    assert_eq!(seen.len(), 1, "one POST");
    let c = &seen[0];
    assert_eq!(c.path, "/hooks/video");
    assert_signed(c, &org_secret(&gw).await, &d.id);
    assert_eq!(c.header("x-gateai-event"), "video.completed");
    // the body is what GET /api/v1/videos/{id} answers
    let get = status(&gw, &id).await;
    assert_eq!(c.json(), get.body);
    assert_eq!(c.json()["data"]["job_id"], id.as_str());
    assert_eq!(c.json()["data"]["billing_status"], "settled");
    // the log: one attempt, answered 200
    assert!(d.id.starts_with("whd_") && d.id.len() == 36, "{}", d.id);
    assert_eq!((d.attempts, d.last_status_code, d.last_error.as_deref()), (1, Some(200), None));
    assert!(d.finished_at.is_some());
    assert_eq!(attempts.len(), 1);
    assert_eq!((attempts[0].attempt, attempts[0].status_code, attempts[0].error.as_deref()), (1, Some(200), None));
    // nothing more is sent
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(rx.seen().len(), 1);
    // a job without webhook_url has no delivery
    let plain = submit_ok(&gw, &body("no hook")).await;
    wait_done(&gw, &plain).await;
    assert!(gw.app.db.webhook_delivery_of_job(&plain).await.unwrap().is_none());
});

both!(a_failed_job_is_delivered_too, |b| async move {
    let rx = Receiver::start().await;
    let gw = webhook_gateway(b, |_| {}).await;
    let id = submit_ok(&gw, &body_with_hook("[[videofail]] a cat", &rx.url("/hook"))).await;
    assert_eq!(wait_done(&gw, &id).await["status"], "failed");
    let (d, _) = wait_delivery(&gw, &id, "delivered", |d, _| d.status == "delivered").await;
    let c = &rx.wait_for(1).await[0];
    assert_signed(c, &org_secret(&gw).await, &d.id);
    assert_eq!(c.header("x-gateai-event"), "video.failed");
    assert_eq!(c.json()["data"]["status"], "failed");
    assert_eq!(c.json()["data"]["billing_status"], "refunded");
    assert_eq!(c.json(), status(&gw, &id).await.body);
});

both!(errors_are_retried_until_a_2xx_and_every_attempt_is_logged, |b| async move {
    let rx = Receiver::start().await;
    rx.answer(&[500, 500]);
    let gw = webhook_gateway(b, |_| {}).await;
    let id = submit_ok(&gw, &body_with_hook("retry me", &rx.url("/hook"))).await;
    let (d, attempts) = wait_delivery(&gw, &id, "delivered on the third attempt", |d, _| d.status == "delivered").await;
    let codes: Vec<_> = attempts.iter().map(|a| (a.attempt, a.status_code, a.error.clone())).collect();
    assert_eq!(
        codes,
        vec![(1, Some(500), Some("HTTP 500".into())), (2, Some(500), Some("HTTP 500".into())), (3, Some(200), None)]
    );
    assert_eq!((d.attempts, d.last_status_code), (3, Some(200)));
    let seen = rx.seen();
    assert_eq!(seen.len(), 3);
    // the same delivery id and body each time (receivers dedupe on the id), signed each time
    let secret = org_secret(&gw).await;
    for c in &seen {
        assert_signed(c, &secret, &d.id);
        assert_eq!(c.body, seen[0].body);
    }
    // waits of about 100 ms, then 200 ms (base 100 ms, doubling, up to a fifth more)
    let gap1 = seen[1].at - seen[0].at;
    let gap2 = seen[2].at - seen[1].at;
    assert!(gap1 >= Duration::from_millis(100), "{gap1:?}");
    assert!(gap2 >= Duration::from_millis(200), "{gap2:?}");
    let starts: Vec<i64> = attempts.iter().map(|a| a.started_at_ms).collect();
    assert!(starts[1] - starts[0] >= 100 && starts[2] - starts[1] >= 200, "{starts:?}");
});

both!(a_receiver_that_is_down_gets_attempts_further_and_further_apart, |b| async move {
    let url = closed_url().await;
    let gw = webhook_gateway(b, |_| {}).await;
    let id = submit_ok(&gw, &body_with_hook("nobody home", &url)).await;
    let (d, attempts) = wait_delivery(&gw, &id, "five failed attempts", |_, a| a.len() >= 5).await;
    assert_eq!(d.status, "pending", "still retrying");
    for a in &attempts {
        assert_eq!(a.status_code, None);
        let e = a.error.clone().unwrap_or_default();
        assert!(e.starts_with("could not connect"), "{e}");
    }
    // each wait about doubles: 100, 200, 400, 800 ms (each at most a fifth more)
    let starts: Vec<i64> = attempts.iter().map(|a| a.started_at_ms).collect();
    let gaps: Vec<i64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    for (i, g) in gaps.iter().enumerate() {
        let wait = 100 << i;
        assert!(*g >= wait, "gap {i} is {g} ms, want at least {wait}: {gaps:?}");
    }
    // (no upper bound per gap: on a loaded machine the worker's polling may add to any of them;
    // the unit tests pin the schedule itself)
    assert!(starts[4] - starts[0] < 30_000, "{gaps:?}");
    // the next attempt is scheduled after the last one, and further out than the last wait
    let (d, attempts) = delivery_of(&gw, &id).await.unwrap();
    if d.status == "pending" && d.attempts as usize == attempts.len() {
        let last = attempts.last().unwrap();
        assert!(d.next_attempt_ms - last.started_at_ms >= 100 << (attempts.len() - 1), "{d:?}");
    }
});

both!(a_delivery_without_a_2xx_is_given_up_at_the_deadline, |b| async move {
    let url = closed_url().await;
    let gw = webhook_gateway(b, |c| c.video.webhooks.give_up_secs = 2).await;
    let id = submit_ok(&gw, &body_with_hook("give up", &url)).await;
    let (d, attempts) = wait_delivery(&gw, &id, "given up", |d, _| d.status == "given_up").await;
    assert!(attempts.len() >= 3, "{attempts:?}");
    assert_eq!(d.attempts as usize, attempts.len());
    assert!(d.finished_at.is_some());
    // the last attempt is made at the deadline (the job's end + 2 s), not before
    let last = attempts.last().unwrap().started_at_ms;
    assert!(last >= (d.created_at + 2) * 1000, "{last} vs {}", d.created_at);
    let n = attempts.len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(delivery_of(&gw, &id).await.unwrap().1.len(), n, "no attempt after giving up");
});
