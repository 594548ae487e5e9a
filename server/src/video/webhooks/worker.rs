//! The delivery worker: claims due deliveries (a lease each, so any replica can send any of
//! them and one whose process died is taken over), makes one attempt each, logs it, and
//! schedules the next: doubling waits from `backoff_base_ms` up to `backoff_max_ms`, plus
//! jitter, until a 2xx answer or `give_up_secs` after the job ended.

use super::deliver;
use crate::state::AppState;
use crate::storage::{NewWebhookAttempt, WebhookDeliveryRow, WebhookNext};
use rand::Rng;
use std::time::Duration;

/// Starts the claim loop where the video worker runs (`video.worker`).
pub fn spawn(state: AppState) {
    if !state.config.video.worker {
        return;
    }
    tokio::spawn(run(state));
}

async fn run(state: AppState) {
    let cfg = state.config.video.webhooks.clone();
    // due retries are found by looking again: at least every second, sooner with short backoffs
    let idle = Duration::from_millis((cfg.backoff_base_ms / 2).clamp(10, 1_000));
    let runtime = &state.video.webhooks;
    let permits = runtime.permits.clone();
    loop {
        let _ = tokio::time::timeout(idle, runtime.notified()).await;
        loop {
            let free = permits.available_permits();
            if free == 0 {
                break;
            }
            let claim = uuid::Uuid::new_v4().simple().to_string();
            let now_ms = crate::video::now_ms();
            let due = state.db.claim_webhook_deliveries(&claim, now_ms, now_ms.saturating_add(cfg.lease_ms()), free as i64).await;
            let due = match due {
                Ok(d) => d,
                Err(e) => {
                    tracing::error!(error = %e, "claiming webhook deliveries failed");
                    break;
                }
            };
            let claimed = due.len();
            for d in due {
                let Ok(permit) = permits.clone().try_acquire_owned() else { break };
                let (state, claim) = (state.clone(), claim.clone());
                tokio::spawn(async move {
                    one(&state, d, &claim).await;
                    drop(permit);
                    state.video.webhooks.wake();
                });
            }
            if claimed < free {
                break;
            }
        }
    }
}

/// What follows a failed attempt `n` (1 = the first) that started at `started_ms` and ended at
/// `now_ms`: the next attempt after the backoff (counted from the end), but not after the
/// give-up time. Only an attempt that *started* at or past the give-up time is the last one, so
/// an attempt begun just before it and failing just after it is followed by one at the deadline.
pub fn after_failure(cfg: &super::WebhookConfig, d: &WebhookDeliveryRow, n: i64, started_ms: i64, now_ms: i64) -> WebhookNext {
    let give_up_ms = d.created_at.saturating_add(i64::try_from(cfg.give_up_secs).unwrap_or(i64::MAX)).saturating_mul(1000);
    if started_ms >= give_up_ms {
        return WebhookNext::GiveUp;
    }
    let wait = cfg.backoff_ms(n, |max| rand::thread_rng().gen_range(0..=max));
    WebhookNext::RetryAt(now_ms.saturating_add(wait).min(give_up_ms))
}

async fn one(state: &AppState, d: WebhookDeliveryRow, claim: &str) {
    let n = d.attempts + 1;
    let outcome = deliver::attempt(state, &d).await;
    let next = if outcome.delivered() {
        WebhookNext::Delivered
    } else {
        after_failure(&state.config.video.webhooks, &d, n, outcome.started_at_ms, crate::video::now_ms())
    };
    let a = NewWebhookAttempt {
        attempt: n,
        started_at_ms: outcome.started_at_ms,
        duration_ms: outcome.duration_ms,
        status_code: outcome.status_code.map(i64::from),
        error: outcome.error.clone(),
    };
    match next {
        WebhookNext::Delivered => {
            tracing::info!(delivery_id = %d.id, job_id = %d.job_id, attempt = n, status = ?outcome.status_code, "webhook delivered")
        }
        WebhookNext::RetryAt(at) => tracing::info!(
            delivery_id = %d.id, job_id = %d.job_id, attempt = n, status = ?outcome.status_code, error = ?outcome.error,
            retry_in_ms = at - crate::video::now_ms(), "webhook attempt failed; retrying"
        ),
        WebhookNext::GiveUp => tracing::warn!(
            delivery_id = %d.id, job_id = %d.job_id, attempt = n, status = ?outcome.status_code, error = ?outcome.error,
            "webhook attempt failed; giving up"
        ),
    }
    match state.db.record_webhook_attempt(&d.id, claim, &a, next, crate::clock::now()).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(delivery_id = %d.id, "webhook delivery was taken over by another worker (lease ran out)"),
        Err(e) => tracing::error!(error = %e, delivery_id = %d.id, "recording a webhook attempt failed; it is tried again after its lease"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_stop_at_the_give_up_time() {
        let cfg = super::super::WebhookConfig { backoff_base_ms: 1_000, backoff_max_ms: 60_000, give_up_secs: 100, ..Default::default() };
        let d = WebhookDeliveryRow { created_at: 1_000, ..Default::default() };
        let start = 1_000_000;
        match after_failure(&cfg, &d, 1, start - 5_000, start) {
            WebhookNext::RetryAt(at) => assert!((start + 1_000..=start + 1_200).contains(&at), "{at}"),
            other => panic!("{other:?}"),
        }
        // a wait past the give-up time is cut to it: one last attempt then
        assert_eq!(after_failure(&cfg, &d, 10, 1_098_000, 1_099_000), WebhookNext::RetryAt(1_100_000));
        assert_eq!(after_failure(&cfg, &d, 11, 1_100_000, 1_100_000), WebhookNext::GiveUp);
        assert_eq!(after_failure(&cfg, &d, 12, 2_000_000, 2_000_010), WebhookNext::GiveUp);
    }

    #[test]
    fn an_attempt_that_started_before_the_give_up_time_and_failed_after_it_is_retried_at_it() {
        let cfg = super::super::WebhookConfig { backoff_base_ms: 1_000, backoff_max_ms: 60_000, give_up_secs: 100, ..Default::default() };
        let d = WebhookDeliveryRow { created_at: 1_000, ..Default::default() };
        // started 10 ms before the deadline, ended 5 s after it: one more attempt, due now
        assert_eq!(after_failure(&cfg, &d, 7, 1_099_990, 1_105_000), WebhookNext::RetryAt(1_100_000));
        // started exactly at the deadline: that was the last
        assert_eq!(after_failure(&cfg, &d, 8, 1_100_000, 1_105_000), WebhookNext::GiveUp);
    }
}
