//! One delivery attempt: the job's status body, signed, POSTed to the checked addresses of the
//! webhook URL. Redirects are not followed and no proxy is used, so the request goes to the
//! addresses checked and nowhere else.

use super::address::{self, Target};
use super::{policy, secret, sign};
use crate::state::AppState;
use crate::storage::WebhookDeliveryRow;
use crate::video::view;
use std::time::{Duration, Instant};

pub const USER_AGENT: &str = "Gate.AI-Webhooks/1";
pub const DELIVERY_HEADER: &str = "x-gateai-delivery";
pub const EVENT_HEADER: &str = "x-gateai-event";
/// Longest error text kept for an attempt.
const MAX_ERROR_CHARS: usize = 300;

/// What one attempt came to.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub started_at_ms: i64,
    pub duration_ms: i64,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why there is no answer, or why a non-2xx answer failed.
    pub error: Option<String>,
}

impl Outcome {
    pub fn delivered(&self) -> bool {
        self.status_code.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The body of a delivery: exactly what `GET /api/v1/videos/{job_id}` answers.
pub async fn body_of(state: &AppState, job_id: &str) -> Result<Vec<u8>, String> {
    match state.db.video_job(job_id).await {
        Ok(Some(job)) => serde_json::to_vec(&view::status(&state.config.public_url(), &job)).map_err(|e| e.to_string()),
        Ok(None) => Err("the job no longer exists".into()),
        Err(e) => {
            tracing::error!(error = %e, job_id, "webhook: reading the job failed");
            Err("the job could not be read".into())
        }
    }
}

/// Makes one attempt; never fails (every failure is an outcome to log).
pub async fn attempt(state: &AppState, d: &WebhookDeliveryRow) -> Outcome {
    let started_at_ms = crate::video::now_ms();
    let clock = Instant::now();
    let (status_code, error) = match send(state, d).await {
        Ok(status) if (200..300).contains(&status) => (Some(status), None),
        Ok(status) if (300..400).contains(&status) => (Some(status), Some(format!("HTTP {status}: redirects are not followed"))),
        Ok(status) => (Some(status), Some(format!("HTTP {status}"))),
        Err(e) => (None, Some(e.chars().take(MAX_ERROR_CHARS).collect())),
    };
    Outcome { started_at_ms, duration_ms: i64::try_from(clock.elapsed().as_millis()).unwrap_or(i64::MAX), status_code, error }
}

async fn send(state: &AppState, d: &WebhookDeliveryRow) -> Result<u16, String> {
    let cfg = &state.config.video.webhooks;
    let timeout = Duration::from_secs(cfg.timeout_secs);
    let body = body_of(state, &d.job_id).await?;
    let (secret, _) = secret::current(state, &d.org_id).await.map_err(|e| {
        tracing::error!(error = %e, org_id = %d.org_id, "webhook: no usable signing secret");
        e.to_string()
    })?;
    // checked again now, after resolution; the request goes to exactly these addresses
    let resolver = state.video.webhooks.resolver();
    let target = tokio::time::timeout(timeout, address::check(&d.url, policy(cfg), resolver.as_ref()))
        .await
        .map_err(|_| "webhook_url host could not be resolved in time".to_string())?
        .map_err(|refusal| format!("not sent: {refusal}"))?;
    let client = pinned_client(&target, timeout).map_err(|e| format!("cannot prepare the request: {}", root_cause(&e)))?;
    let t = crate::clock::now();
    let sent = client
        .post(target.url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(DELIVERY_HEADER, &d.id)
        .header(EVENT_HEADER, &d.event)
        .header(sign::HEADER, sign::header(&secret, t, &body))
        .body(body)
        .send()
        .await;
    match sent {
        Ok(r) => Ok(r.status().as_u16()),
        Err(e) if e.is_timeout() => Err(format!("timed out after {} s", cfg.timeout_secs)),
        Err(e) if e.is_connect() => Err(format!("could not connect: {}", root_cause(&e))),
        Err(e) => Err(format!("request failed: {}", root_cause(&e))),
    }
}

/// A client for one attempt: the URL's host name resolves only to the checked addresses.
fn pinned_client(target: &Target, timeout: Duration) -> reqwest::Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(timeout)
        .timeout(timeout)
        .pool_max_idle_per_host(0)
        .user_agent(USER_AGENT);
    if let Some(domain) = &target.domain {
        b = b.resolve_to_addrs(domain, &target.addrs);
    }
    b.build()
}

/// The innermost cause ("Connection refused (os error 111)"), without the URL.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
