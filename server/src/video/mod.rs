//! Video generation (the seed's Seedance API): `POST /api/v1/videos` checks, estimates and
//! pre-deducts (`jobs`), the job table is the queue a worker inside the server drains
//! (`worker`, talking to ModelArk through `upstream`), finished videos are copied into the
//! gateway's storage and served through signed links (`files`) until a sweeper removes them
//! (`sweeper`). `request` checks bodies, `estimate` holds the token formula, `view` and
//! `error` the answers, `handlers` the HTTP side; `webhooks` signs and delivers a job's end to
//! its `webhook_url`.

pub mod config;
pub mod error;
pub mod estimate;
pub mod files;
pub mod handlers;
pub mod jobs;
pub mod request;
pub mod sweeper;
pub mod upstream;
pub mod view;
pub mod webhooks;
pub mod worker;

pub use config::VideoConfig;

use crate::state::AppState;
use std::sync::Arc;
use tokio::sync::{Notify, Semaphore};

/// What the video worker shares with the handlers of one process.
pub struct VideoRuntime {
    wake: Notify,
    /// One permit per job this process may work on at once.
    pub permits: Arc<Semaphore>,
    pub files: files::VideoFiles,
    /// The webhook delivery worker's wake-up, slots and resolver.
    pub webhooks: webhooks::WebhookRuntime,
}

impl VideoRuntime {
    pub fn new(cfg: &VideoConfig, data_dir: &std::path::Path) -> anyhow::Result<VideoRuntime> {
        Ok(VideoRuntime {
            wake: Notify::new(),
            permits: Arc::new(Semaphore::new(cfg.concurrency.max(1))),
            files: files::VideoFiles::new(cfg.dir(data_dir), cfg.store.as_deref(), &cfg.s3)?,
            webhooks: webhooks::WebhookRuntime::new(&cfg.webhooks),
        })
    }

    /// Tells the worker there may be work (a new job, a free slot).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) async fn notified(&self) {
        self.wake.notified().await
    }
}

/// Starts the worker and the sweeper (from `http::start`).
pub fn start(state: &AppState) {
    worker::spawn(state.clone());
    sweeper::spawn(state.clone());
    webhooks::start(state);
}

/// Unix time in milliseconds (the queue's clock).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
