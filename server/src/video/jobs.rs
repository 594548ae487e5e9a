//! Submitting a job (checks, estimate, admission, the job and its pre-deduction in one
//! transaction, Idempotency-Key) for an API key or for the console's video playground (a
//! user's playground key, or a guest through the guest pool), reading a key's job, and
//! keeping admission's counters true when a job's money moves.

use super::error::VideoError;
use super::{estimate, request};
use crate::accounts::AuthedKey;
use crate::catalog::Kind;
use crate::controls::admission::balance_counter;
use crate::controls::{Demand, Guest};
use crate::gateway::error::GatewayError;
use crate::providers::ProviderProtocol;
use crate::state::AppState;
use crate::storage::{StoreError, VideoFinished, VideoJobRow};
use serde_json::Value;

fn internal(e: StoreError) -> VideoError {
    tracing::error!(error = %e, "video job storage failed");
    VideoError::Gateway(GatewayError::Internal)
}

/// The job an Idempotency-Key already made: returned when the body is the same.
fn replay(job: VideoJobRow, req: &request::VideoRequest) -> Result<VideoJobRow, VideoError> {
    if job.request_hash == req.hash {
        Ok(job)
    } else {
        Err(VideoError::IdempotencyMismatch)
    }
}

/// Checks the body, estimates, reserves and pre-deducts; returns the new job, or the job the
/// same Idempotency-Key made before with the same body.
pub async fn submit(state: &AppState, key: &AuthedKey, idempotency: Option<String>, body: &Value) -> Result<VideoJobRow, VideoError> {
    submit_as(state, key, None, idempotency, body).await
}

/// [`submit`] for a guest of the console's video playground when `guest` is given (`key` is
/// then the guest pool's): the estimate is reserved against the guest's daily limits too, and
/// the job and its log row name the guest. Guests send no Idempotency-Key (they all share
/// the pool's key, which scopes those keys), so one given with a guest is ignored.
pub async fn submit_as(
    state: &AppState,
    key: &AuthedKey,
    guest: Option<&Guest>,
    idempotency: Option<String>,
    body: &Value,
) -> Result<VideoJobRow, VideoError> {
    let idempotency = idempotency.filter(|_| guest.is_none());
    if key.management {
        return Err(GatewayError::ManagementKeyOnCompletions.into());
    }
    let req = request::parse(body)?;
    if let Some(k) = &idempotency {
        if let Some(job) = state.db.video_job_by_idempotency(&key.id, k).await.map_err(internal)? {
            return replay(job, &req);
        }
    }
    let catalog = state.catalog.current();
    let model = catalog
        .get(&req.model)
        .filter(|m| state.providers.is_on(&m.provider))
        .cloned()
        .ok_or_else(|| GatewayError::ModelNotFound(req.model.clone()))?;
    if model.kind != Kind::Video {
        return Err(VideoError::ChatModel(model.id.clone()));
    }
    let prices = model.prices().ok_or_else(|| GatewayError::BillingNotFound(model.id.clone()))?;
    let fps = model.fps.filter(|f| *f > 0).ok_or(GatewayError::BillingConfig)?;
    if state.providers.get(&model.provider).is_none_or(|p| p.protocol != ProviderProtocol::Ark) {
        return Err(GatewayError::NoProviderHandler.into());
    }
    let policy = state.controls.policies.get(&state.db, &key.org_id).await.map_err(internal)?;
    if !policy.allows(&key.id, &model) {
        return Err(GatewayError::ModelNotAllowed.into());
    }
    // https, and a public address after resolution: refused before anything is reserved
    if let Some(url) = &req.webhook_url {
        super::webhooks::check_submitted(state, url).await?;
    }
    // frames = duration × fps; tokens = width × height × frames / 1024
    let tokens = estimate::job_tokens(req.width, req.height, req.duration, fps);
    let cost = estimate::cost(&prices, tokens).ok_or(GatewayError::BillingConfig)?;
    let demand = Demand { cost, tokens: 0, free: model.is_free() };
    let hold = match state.controls.admit_as(&state.db, &state.recorder, key, guest, &policy, demand).await {
        Ok(h) => h,
        Err(e @ (GatewayError::PendingPayment(_) | GatewayError::InDebt)) => {
            let balance = state.db.org_balance(&key.org_id).await.ok().flatten().map_or(0, |(b, _)| b);
            return Err(VideoError::Payment { error: e, estimated_units: cost, balance_units: balance });
        }
        Err(e) => return Err(e.into()),
    };
    let cfg = &state.config.video;
    let (now, now_ms) = (crate::clock::now(), super::now_ms());
    let row = VideoJobRow {
        id: super::files::new_job_id(),
        org_id: key.org_id.clone(),
        key_id: key.id.clone(),
        idempotency_key: idempotency.clone(),
        request_hash: req.hash.clone(),
        model: model.id.clone(),
        provider: model.provider.clone(),
        upstream_model: model.upstream.clone(),
        prompt: req.prompt.clone(),
        duration: req.duration,
        resolution: req.resolution.clone(),
        aspect_ratio: req.aspect_ratio.clone(),
        width: i64::from(req.width),
        height: i64::from(req.height),
        generate_audio: req.generate_audio,
        seed: req.seed,
        size: req.size.clone(),
        metadata: req.metadata.clone(),
        webhook_url: req.webhook_url.clone(),
        price: prices.output.normalize().to_string(),
        estimated_tokens: tokens,
        estimated_units: cost,
        billing_status: "pre_deducted".into(),
        status: "queued".into(),
        next_run_ms: now_ms,
        deadline_ms: now_ms.saturating_add(i64::try_from(cfg.job_timeout_secs.saturating_mul(1000)).unwrap_or(i64::MAX)),
        created_at: now,
        updated_at: now,
        guest_id: guest.map(|g| g.id.clone()),
        guest_ip: guest.map(|g| g.ip.clone()),
        ..VideoJobRow::default()
    };
    match state.db.insert_video_job(&row).await {
        Ok((job, moved)) => {
            // the estimate is in the ledger now: the counters stop carrying it as a reservation
            hold.settle(cost, 0);
            if let Err(e) = state.controls.counters.set_balance(&balance_counter(&moved.org_id), moved.balance, moved.version, cost).await {
                tracing::error!(error = %e, "could not update the balance counter after a video pre-deduction");
            }
            tracing::info!(job_id = %job.id, model = %job.model, estimated_units = cost, "video job accepted");
            state.video.wake();
            Ok(job)
        }
        // a concurrent submit with the same Idempotency-Key won: answer with its job
        Err(StoreError::Conflict(_)) => {
            drop(hold);
            let k = idempotency.unwrap_or_default();
            match state.db.video_job_by_idempotency(&key.id, &k).await.map_err(internal)? {
                Some(job) => replay(job, &req),
                None => Err(GatewayError::Internal.into()),
            }
        }
        Err(e) => Err(internal(e)),
    }
}

/// The key's job `id`; another key's job, an unknown id or a malformed one is not found.
pub async fn of_key(state: &AppState, key: &AuthedKey, id: &str) -> Result<VideoJobRow, VideoError> {
    if !super::files::is_job_id(id) {
        return Err(VideoError::NotFound);
    }
    match state.db.video_job(id).await.map_err(internal)? {
        Some(job) if job.key_id == key.id => Ok(job),
        _ => Err(VideoError::NotFound),
    }
}

/// After a job ended: the balance counter takes the ledger's balance, and the budget
/// counters move from the estimate to what was settled.
pub async fn counters_after(state: &AppState, done: &VideoFinished) {
    if let Some(m) = &done.balance {
        if let Err(e) = state.controls.counters.set_balance(&balance_counter(&m.org_id), m.balance, m.version, 0).await {
            tracing::error!(error = %e, "could not update the balance counter after a video settlement");
        }
    }
    if done.delta_units == 0 {
        return;
    }
    let job = &done.job;
    let guest = job.guest_id.clone().map(|id| Guest { id, ip: job.guest_ip.clone().unwrap_or_default() });
    let key = if guest.is_some() {
        crate::playground::caller::guest_pool_key()
    } else {
        match state.db.key_by_id(&job.org_id, &job.key_id).await {
            Ok(Some(row)) => crate::accounts::api_keys::authed(&row),
            // a key no lookup finds: a playground key (no budget of its own)
            Ok(None) => unlisted_key(job),
            Err(e) => {
                tracing::error!(error = %e, "key lookup after a video settlement failed");
                return;
            }
        }
    };
    match state.controls.policies.get(&state.db, &job.org_id).await {
        Ok(policy) => state.controls.adjust_spend(&key, guest.as_ref(), &policy, job.created_at, done.delta_units).await,
        Err(e) => tracing::error!(error = %e, "policy lookup after a video settlement failed"),
    }
}

/// The key of a job made through a key the lookups do not list (a user's playground key):
/// no budget; the organization's guardrails still count its spend.
fn unlisted_key(job: &VideoJobRow) -> AuthedKey {
    AuthedKey::unlisted(&job.key_id, &job.org_id, "", job.created_at)
}
