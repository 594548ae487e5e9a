//! Removes videos whose retention ended (`expires_at`), and forgets Idempotency-Keys older
//! than their retention. Runs in every process; removing twice is harmless.

use crate::state::AppState;
use std::time::Duration;

pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(state.config.video.sweep_secs.max(1)));
        loop {
            every.tick().await;
            sweep(&state).await;
        }
    });
}

/// One pass: every expired file, then the old Idempotency-Keys.
pub async fn sweep(state: &AppState) {
    let now = crate::clock::now();
    loop {
        let ids = match state.db.expired_video_files(now, 100).await {
            Ok(ids) => ids,
            Err(e) => {
                tracing::error!(error = %e, "listing expired videos failed");
                return;
            }
        };
        let n = ids.len();
        for id in ids {
            if let Err(e) = state.video.files.remove(&id).await {
                tracing::error!(error = %e, job_id = %id, "removing an expired video failed");
                return;
            }
            if let Err(e) = state.db.video_file_removed(&id, now).await {
                tracing::error!(error = %e, job_id = %id, "marking an expired video removed failed");
                return;
            }
            tracing::info!(job_id = %id, "expired video removed");
        }
        if n < 100 {
            break;
        }
    }
    let keep = i64::try_from(state.config.video.idempotency_hours.saturating_mul(3600)).unwrap_or(i64::MAX);
    if let Err(e) = state.db.forget_video_idempotency(now.saturating_sub(keep)).await {
        tracing::error!(error = %e, "forgetting old idempotency keys failed");
    }
}
