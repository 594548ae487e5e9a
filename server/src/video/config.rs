//! Settings of video generation (`[video]` in the TOML file, `GATEAI_VIDEO_*` in the
//! environment; the README lists them).

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VideoConfig {
    /// Run the job worker in this process (a replica may serve the API only).
    pub worker: bool,
    /// Jobs this process works on at once (submitting, polling, downloading).
    pub concurrency: usize,
    /// First wait between two polls of a job; doubles each poll up to `max_poll_ms`.
    pub poll_ms: u64,
    pub max_poll_ms: u64,
    /// A job not finished this long after it was submitted fails and is refunded.
    pub job_timeout_secs: u64,
    /// How long a worker holds a job it claimed without renewing; a job whose process died
    /// is claimed again after it.
    pub lease_secs: u64,
    /// How long a finished video is kept and served (its `expires_at`).
    pub retention_secs: u64,
    /// Lifetime of a signed download link made by `/content`.
    pub link_secs: u64,
    /// How often expired files are removed.
    pub sweep_secs: u64,
    /// Largest video file copied from the upstream.
    pub max_file_bytes: u64,
    /// How long an `Idempotency-Key` is remembered (at least 24 h).
    pub idempotency_hours: u64,
    /// Where finished videos are stored; default `<data_dir>/videos`.
    pub dir: Option<PathBuf>,
    /// An S3-compatible bucket for finished videos instead of `dir`: `s3://bucket/prefix`.
    pub store: Option<String>,
    /// How to reach and sign in to that bucket (`[video.s3]`).
    pub s3: S3Config,
    /// Signed webhooks of finished jobs (`[video.webhooks]`).
    pub webhooks: super::webhooks::WebhookConfig,
}

impl Default for VideoConfig {
    fn default() -> Self {
        VideoConfig {
            worker: true,
            concurrency: 8,
            poll_ms: 2_000,
            max_poll_ms: 30_000,
            job_timeout_secs: 3_600,
            lease_secs: 60,
            retention_secs: 30 * 86_400,
            link_secs: 3_600,
            sweep_secs: 600,
            max_file_bytes: 2 << 30,
            idempotency_hours: 24,
            dir: None,
            store: None,
            s3: S3Config::default(),
            webhooks: Default::default(),
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub(crate) fn parse<T: std::str::FromStr>(name: &str, into: &mut T) -> anyhow::Result<()> {
    if let Some(v) = env(name) {
        *into = v.trim().parse().map_err(|_| anyhow::anyhow!("{name} has an invalid value: {v}"))?;
    }
    Ok(())
}

impl VideoConfig {
    /// Environment variables over the file's values.
    pub fn apply_env(&mut self) -> anyhow::Result<()> {
        parse("GATEAI_VIDEO_WORKER", &mut self.worker)?;
        parse("GATEAI_VIDEO_CONCURRENCY", &mut self.concurrency)?;
        parse("GATEAI_VIDEO_POLL_MS", &mut self.poll_ms)?;
        parse("GATEAI_VIDEO_MAX_POLL_MS", &mut self.max_poll_ms)?;
        parse("GATEAI_VIDEO_JOB_TIMEOUT_SECS", &mut self.job_timeout_secs)?;
        parse("GATEAI_VIDEO_LEASE_SECS", &mut self.lease_secs)?;
        parse("GATEAI_VIDEO_RETENTION_SECS", &mut self.retention_secs)?;
        parse("GATEAI_VIDEO_LINK_SECS", &mut self.link_secs)?;
        parse("GATEAI_VIDEO_SWEEP_SECS", &mut self.sweep_secs)?;
        parse("GATEAI_VIDEO_MAX_FILE_BYTES", &mut self.max_file_bytes)?;
        parse("GATEAI_VIDEO_IDEMPOTENCY_HOURS", &mut self.idempotency_hours)?;
        if let Some(v) = env("GATEAI_VIDEO_DIR") {
            self.dir = Some(v.into());
        }
        if let Some(v) = env("GATEAI_VIDEO_STORE") {
            self.store = Some(v.trim().to_string());
        }
        self.s3.apply_env()?;
        self.webhooks.apply_env()
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.concurrency == 0 {
            anyhow::bail!("video.concurrency must be at least 1");
        }
        if self.poll_ms == 0 || self.max_poll_ms < self.poll_ms {
            anyhow::bail!("video.poll_ms must be positive and at most video.max_poll_ms");
        }
        if self.lease_secs == 0 || self.job_timeout_secs == 0 || self.retention_secs == 0 || self.link_secs == 0 || self.sweep_secs == 0 {
            anyhow::bail!("video lease, job timeout, retention, link and sweep times must be positive");
        }
        if let Some(store) = &self.store {
            if !store.starts_with("s3://") || store.len() <= "s3://".len() {
                anyhow::bail!("video.store must be s3://bucket[/prefix], not {store}");
            }
        }
        if self.idempotency_hours < 24 {
            anyhow::bail!("video.idempotency_hours must be at least 24");
        }
        self.webhooks.validate()
    }

    /// The folder videos are stored in.
    pub fn dir(&self, data_dir: &Path) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| data_dir.join("videos"))
    }
}

/// Where an S3-compatible `video.store` is and how to sign in (`[video.s3]`, `GATEAI_S3_*`).
/// Unset fields fall back to the usual `AWS_*` variables (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`…).
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3Config {
    /// e.g. `http://127.0.0.1:9000` for MinIO; AWS when unset.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// Allow a plain-http endpoint (a store on the local network).
    pub allow_http: bool,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id.as_ref().map(|_| "<set>"))
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| "<set>"))
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

impl S3Config {
    fn apply_env(&mut self) -> anyhow::Result<()> {
        for (name, field) in [
            ("GATEAI_S3_ENDPOINT", &mut self.endpoint),
            ("GATEAI_S3_REGION", &mut self.region),
            ("GATEAI_S3_ACCESS_KEY_ID", &mut self.access_key_id),
            ("GATEAI_S3_SECRET_ACCESS_KEY", &mut self.secret_access_key),
        ] {
            if let Some(v) = env(name) {
                *field = Some(v.trim().to_string());
            }
        }
        parse("GATEAI_S3_ALLOW_HTTP", &mut self.allow_http)
    }
}
