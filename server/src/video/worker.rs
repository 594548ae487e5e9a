//! The job worker: claims due jobs from the table (a lease per job), and takes each one step:
//! submit it upstream, or poll it, or copy the finished video and settle, or fail and refund.
//!
//! Never submitted twice: before the create is sent the job is committed as `submitting`;
//! the create carries the job id as client request id, and the upstream task id is stored as
//! soon as it is known. A job found `submitting` (its process died mid-create) is sent again
//! with the same client request id, which names the task made the first time.
//!
//! At most `concurrency` jobs are worked on at once in a process; polls back off from
//! `poll_ms` doubling to `max_poll_ms`; a job past its deadline fails and is refunded.

use super::jobs::counters_after;
use super::upstream::{self, TaskState};
use crate::providers::UpstreamFailure;
use crate::state::AppState;
use crate::storage::{VideoEnd, VideoJobRow, VideoProgress};
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;

/// Starts the claim loop (unless `video.worker` is off).
pub fn spawn(state: AppState) {
    if !state.config.video.worker {
        return;
    }
    tokio::spawn(run(state));
}

async fn run(state: AppState) {
    let cfg = state.config.video.clone();
    let idle = Duration::from_millis(cfg.poll_ms.clamp(10, 1_000));
    let lease_ms = i64::try_from(cfg.lease_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let permits = state.video.permits.clone();
    loop {
        let _ = tokio::time::timeout(idle, state.video.notified()).await;
        loop {
            let free = permits.available_permits();
            if free == 0 {
                break;
            }
            let claim = uuid::Uuid::new_v4().simple().to_string();
            let now_ms = super::now_ms();
            let jobs = match state.db.claim_video_jobs(&claim, now_ms, now_ms.saturating_add(lease_ms), free as i64).await {
                Ok(j) => j,
                Err(e) => {
                    tracing::error!(error = %e, "claiming video jobs failed");
                    break;
                }
            };
            let claimed = jobs.len();
            for job in jobs {
                let Ok(permit) = permits.clone().try_acquire_owned() else { break };
                let state = state.clone();
                let claim = claim.clone();
                tokio::spawn(async move {
                    step_with_lease(&state, job, &claim).await;
                    drop(permit);
                    // a slot is free: look for more work now
                    state.video.wake();
                });
            }
            if claimed < free {
                break;
            }
        }
    }
}

/// One step of one job, renewing its lease while it runs.
async fn step_with_lease(state: &AppState, job: VideoJobRow, claim: &str) {
    let lease = state.config.video.lease_secs.max(1);
    let beat = {
        let (state, id, claim) = (state.clone(), job.id.clone(), claim.to_string());
        tokio::spawn(async move {
            let every = Duration::from_millis(lease.saturating_mul(1000) / 3).max(Duration::from_millis(100));
            loop {
                tokio::time::sleep(every).await;
                let until = super::now_ms().saturating_add(i64::try_from(lease.saturating_mul(1000)).unwrap_or(i64::MAX));
                match state.db.extend_video_claim(&id, &claim, until).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => tracing::warn!(error = %e, job_id = %id, "could not renew a video job's lease"),
                }
            }
        })
    };
    let id = job.id.clone();
    if let Err(e) = step(state, job, claim).await {
        tracing::error!(error = %e, job_id = %id, "video job step failed; it runs again when its lease ends");
    }
    beat.abort();
}

/// The wait before the next poll after `attempts` polls: doubling, capped, with jitter.
fn backoff_ms(state: &AppState, attempts: i64) -> i64 {
    let cfg = &state.config.video;
    let base = cfg.poll_ms.saturating_mul(1u64 << attempts.clamp(0, 16)).min(cfg.max_poll_ms);
    let jitter = rand::thread_rng().gen_range(0..=base / 10);
    i64::try_from(base + jitter).unwrap_or(i64::MAX)
}

type StepResult = Result<(), crate::storage::StoreError>;

async fn step(state: &AppState, job: VideoJobRow, claim: &str) -> StepResult {
    let provider = state.providers.get(&job.provider).cloned();
    if super::now_ms() > job.deadline_ms {
        if let (Some(provider), Some(task)) = (&provider, &job.upstream_task_id) {
            // stop the upstream working (and billing) on a job nobody waits for any more
            match upstream::cancel(provider, task).await {
                Ok(()) => tracing::info!(job_id = %job.id, task = %task, "timed-out video task cancelled upstream"),
                Err(e) => tracing::warn!(job_id = %job.id, task = %task, failure = ?e, "cancelling the timed-out video task failed"),
            }
        }
        let secs = state.config.video.job_timeout_secs;
        return fail(state, &job, claim, format!("video generation timed out after {secs} s")).await;
    }
    let Some(provider) = provider else {
        // the provider was switched off since: wait for it until the deadline
        tracing::warn!(job_id = %job.id, provider = %job.provider, "video provider is off");
        return retry_later(state, &job, claim, &job.status, None).await;
    };
    match job.status.as_str() {
        "queued" | "submitting" => submit(state, &provider, job, claim).await,
        _ => poll(state, &provider, job, claim).await,
    }
}

async fn submit(state: &AppState, provider: &Arc<crate::providers::Provider>, job: VideoJobRow, claim: &str) -> StepResult {
    let now = crate::clock::now();
    if job.status == "queued" {
        // committed before anything is sent: a crash from here on leaves a job to reconcile
        let p = VideoProgress {
            status: "submitting",
            upstream_task_id: None,
            upstream_status: None,
            attempts: job.attempts,
            next_run_ms: job.next_run_ms,
            release: false,
        };
        if !state.db.progress_video_job(&job.id, claim, &p, now).await? {
            return Ok(());
        }
    } else {
        tracing::info!(job_id = %job.id, "video job was submitting when its worker stopped: sending the create again with the same client request id");
    }
    let body = upstream::create_body(&job, state.config.video.job_timeout_secs);
    match upstream::create(provider, &body, &job.id).await {
        Ok(task_id) => {
            tracing::info!(job_id = %job.id, task_id = %task_id, "video task created upstream");
            let p = VideoProgress {
                status: "running",
                upstream_task_id: Some(task_id),
                upstream_status: Some("queued".into()),
                attempts: 0,
                next_run_ms: super::now_ms().saturating_add(backoff_ms(state, 0)),
                release: true,
            };
            state.db.progress_video_job(&job.id, claim, &p, crate::clock::now()).await?;
            Ok(())
        }
        Err(f) if f.retryable() || matches!(f, UpstreamFailure::Status { status: 401 | 403, .. }) => {
            tracing::warn!(job_id = %job.id, failure = ?f, "video create failed; retrying");
            retry_later(state, &job, claim, "submitting", None).await
        }
        Err(f) => {
            let reason = match &f {
                UpstreamFailure::Status { message: Some(m), .. } => format!("the upstream refused the job: {m}"),
                UpstreamFailure::Status { status, .. } => format!("the upstream refused the job (status {status})"),
                _ => "the upstream refused the job".into(),
            };
            fail(state, &job, claim, reason).await
        }
    }
}

async fn poll(state: &AppState, provider: &Arc<crate::providers::Provider>, job: VideoJobRow, claim: &str) -> StepResult {
    let Some(task_id) = job.upstream_task_id.clone() else {
        return fail(state, &job, claim, "the upstream task id was lost".into()).await;
    };
    match upstream::get(provider, &task_id).await {
        Ok(TaskState::Pending { status }) => retry_later(state, &job, claim, "running", Some(status)).await,
        Ok(TaskState::Failed { status, reason }) => {
            tracing::info!(job_id = %job.id, upstream_status = %status, "video task failed upstream");
            fail(state, &job, claim, format!("video generation failed: {reason}")).await
        }
        Ok(TaskState::Succeeded { video_url, tokens }) => complete(state, &job, claim, video_url, tokens).await,
        Err(UpstreamFailure::Status { status: 404, .. }) => {
            fail(state, &job, claim, "the upstream no longer knows the task".into()).await
        }
        Err(f) => {
            tracing::warn!(job_id = %job.id, failure = ?f, "video task poll failed; retrying");
            retry_later(state, &job, claim, "running", None).await
        }
    }
}

/// Copies the video into storage, then settles on the upstream's token count.
async fn complete(state: &AppState, job: &VideoJobRow, claim: &str, url: Option<String>, tokens: Option<i64>) -> StepResult {
    let Some(url) = url else {
        return fail(state, job, claim, "the upstream finished the task without a video".into()).await;
    };
    let max = state.config.video.max_file_bytes;
    let bytes = match state.video.files.save_from(&url, &job.id, max).await {
        Ok(n) => n,
        Err(super::files::FileError::TooLarge(_)) => {
            return fail(state, job, claim, format!("the video is larger than the gateway stores ({max} bytes)")).await;
        }
        Err(e) => {
            tracing::warn!(job_id = %job.id, error = %e, "copying the video failed; retrying");
            return retry_later(state, job, claim, "running", None).await;
        }
    };
    let tokens = tokens.unwrap_or_else(|| {
        tracing::warn!(job_id = %job.id, "the upstream reported no token count: settling on the estimate");
        job.estimated_tokens
    });
    let billed = settled_cost(job, tokens);
    let now = crate::clock::now();
    let expires_at = now.saturating_add(i64::try_from(state.config.video.retention_secs).unwrap_or(i64::MAX));
    let end = VideoEnd::Completed { billed_units: billed, video_tokens: tokens, file_bytes: bytes as i64, expires_at };
    match state.db.finish_video_job(&job.id, claim, &end, now).await? {
        Some(done) => {
            tracing::info!(job_id = %job.id, tokens, billed_units = billed, delta_units = done.delta_units, "video job completed and settled");
            counters_after(state, &done).await;
            finished(state, &done.job).await;
        }
        None => tracing::warn!(job_id = %job.id, "video job was ended by someone else"),
    }
    Ok(())
}

/// The job's cost on `tokens` at the price it was submitted with.
fn settled_cost(job: &VideoJobRow, tokens: i64) -> i64 {
    use std::str::FromStr;
    let cost = rust_decimal::Decimal::from_str(&job.price).ok().and_then(|p| {
        let prices = crate::catalog::Prices { input: p, output: p, cached_input: p, cache_write: p };
        super::estimate::cost(&prices, tokens)
    });
    cost.unwrap_or_else(|| {
        tracing::error!(job_id = %job.id, "cannot price the settled tokens: settling on the estimate");
        job.estimated_units
    })
}

/// Ends the job as failed: the pre-deduction is refunded.
async fn fail(state: &AppState, job: &VideoJobRow, claim: &str, reason: String) -> StepResult {
    let end = VideoEnd::Failed { error: reason.clone() };
    match state.db.finish_video_job(&job.id, claim, &end, crate::clock::now()).await? {
        Some(done) => {
            tracing::info!(job_id = %job.id, reason = %reason, refunded_units = -done.delta_units, "video job failed and refunded");
            counters_after(state, &done).await;
            finished(state, &done.job).await;
        }
        None => tracing::warn!(job_id = %job.id, "video job was ended by someone else"),
    }
    Ok(())
}

/// Gives the job back to the queue, due after the next backoff.
async fn retry_later(state: &AppState, job: &VideoJobRow, claim: &str, status: &str, upstream_status: Option<String>) -> StepResult {
    let status = match status {
        "queued" => "queued",
        "submitting" => "submitting",
        _ => "running",
    };
    let p = VideoProgress {
        status,
        upstream_task_id: None,
        upstream_status,
        attempts: job.attempts + 1,
        next_run_ms: super::now_ms().saturating_add(backoff_ms(state, job.attempts)),
        release: true,
    };
    state.db.progress_video_job(&job.id, claim, &p, crate::clock::now()).await?;
    Ok(())
}

/// A job reached `completed` or `failed` (once). Its webhook delivery, if it has a
/// `webhook_url`, was queued in the same transaction: wake the delivery worker.
async fn finished(state: &AppState, job: &VideoJobRow) {
    if job.webhook_url.is_some() {
        state.video.webhooks.wake();
    }
}
