//! Signed webhooks of video jobs. A job submitted with a `webhook_url` gets one delivery when
//! it ends (completed or failed): a POST of its status body (the answer of
//! `GET /api/v1/videos/{id}`) signed with the organization's secret.
//!
//! - `address`: the URL rule (https, public addresses only), checked at submit and before
//!   every attempt, and the addresses an attempt connects to;
//! - `sign`: the `x-gateai-signature` header;
//! - `secret`: each organization's secret, sealed at rest;
//! - `deliver`: one attempt; `worker`: the queue (`video_webhook_deliveries`, written with the
//!   job's end), retries with exponential backoff and jitter until a 2xx or the give-up time.
//!
//! At least once: an attempt cut short by a crash is tried again after its lease; receivers
//! dedupe by `x-gateai-delivery` (one id per job, the same on every attempt).

pub mod address;
pub mod config;
pub mod deliver;
pub mod secret;
pub mod sign;
pub mod worker;

pub use config::WebhookConfig;

use super::error::VideoError;
use crate::state::AppState;
use address::{Policy, Refusal, Resolver};
use std::sync::{Arc, RwLock};
use tokio::sync::{Notify, Semaphore};

/// What the delivery worker shares with the rest of one process.
pub struct WebhookRuntime {
    wake: Notify,
    /// One permit per delivery this process may send at once.
    pub permits: Arc<Semaphore>,
    resolver: RwLock<Resolver>,
}

impl WebhookRuntime {
    pub fn new(cfg: &WebhookConfig) -> WebhookRuntime {
        WebhookRuntime {
            wake: Notify::new(),
            permits: Arc::new(Semaphore::new(cfg.concurrency.max(1))),
            resolver: RwLock::new(Arc::new(address::SystemResolver)),
        }
    }

    /// Tells the worker there may be a delivery due (a job just ended, a slot is free).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) async fn notified(&self) {
        self.wake.notified().await
    }

    /// The resolver host names are checked with (the system's, unless a test set another).
    pub fn resolver(&self) -> Resolver {
        match self.resolver.read() {
            Ok(r) => r.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the resolver (tests: names that resolve differently at submit and delivery).
    pub fn set_resolver(&self, resolver: Resolver) {
        match self.resolver.write() {
            Ok(mut r) => *r = resolver,
            Err(poisoned) => *poisoned.into_inner() = resolver,
        }
    }
}

pub fn policy(cfg: &WebhookConfig) -> Policy {
    Policy { allow_private: cfg.allow_private, allow_http: cfg.allow_http }
}

/// The submit-time check of a job's `webhook_url` (after DNS resolution): a refusal is a
/// `400` naming `webhook_url`, before anything is reserved, charged or queued.
pub async fn check_submitted(state: &AppState, url: &str) -> Result<(), VideoError> {
    let resolver = state.video.webhooks.resolver();
    match address::check(url, policy(&state.config.video.webhooks), resolver.as_ref()).await {
        Ok(_) => Ok(()),
        Err(refusal) => {
            if let Refusal::NotPublic { ip, kind, .. } = &refusal {
                tracing::info!(ip = %ip, kind, "video submit refused: webhook_url points to a non-public address");
            }
            Err(VideoError::Field { field: "webhook_url", message: refusal.to_string() })
        }
    }
}

/// Starts the delivery worker (from `video::start`).
pub fn start(state: &AppState) {
    worker::spawn(state.clone());
}
