//! Signed webhooks of video jobs, end to end on SQLite and PostgreSQL: a local receiver gets
//! the job's status body with a valid signature; failures are retried with growing waits and
//! every attempt is logged; private addresses are refused at submit (nothing charged or
//! queued) and again at delivery after resolution (DNS rebinding); a SIGKILLed server still
//! delivers after its restart; the README's Python and Node verifiers accept a real delivery;
//! the console shows an organization only its own secret and deliveries.
#![allow(dead_code, clippy::unwrap_used)]

mod addresses;
mod console;
mod delivery;
mod readme;
mod receiver;
mod restart;

use super::*;
use gateai::storage::{WebhookAttemptRow, WebhookDeliveryRow};
pub use receiver::{closed_url, Captured, Receiver};

/// Resolves every name to 127.0.0.1: a test whose webhook_url names a real domain (the
/// seed's example) never sends anything off this machine.
pub struct Loopback;

#[async_trait::async_trait]
impl gateai::video::webhooks::address::Resolve for Loopback {
    async fn lookup(&self, _host: &str, port: u16) -> std::io::Result<Vec<std::net::SocketAddr>> {
        Ok(vec![std::net::SocketAddr::from(([127, 0, 0, 1], port))])
    }
}

/// Local receivers: private addresses and plain http allowed, short waits between attempts.
pub fn local_receivers(c: &mut Config) {
    c.video.webhooks.allow_private = true;
    c.video.webhooks.allow_http = true;
    c.video.webhooks.backoff_base_ms = 100;
    c.video.webhooks.backoff_max_ms = 5_000;
    c.video.webhooks.timeout_secs = 2;
}

/// A funded gateway whose webhooks may go to local receivers, then `tweak`.
pub async fn webhook_gateway(b: Backend, tweak: impl FnOnce(&mut Config)) -> Gw {
    video_gateway(b, "100", move |c| {
        local_receivers(c);
        tweak(c);
    })
    .await
}

pub fn body_with_hook(prompt: &str, url: &str) -> Value {
    json!({"model": MODEL, "prompt": prompt, "webhook_url": url})
}

/// The organization's signing secret (made on first need).
pub async fn org_secret(gw: &Gw) -> String {
    gateai::video::webhooks::secret::current(&gw.app.state, &gw.org).await.unwrap().0
}

/// The delivery of job `id` with its attempts, oldest first.
pub async fn delivery_of(gw: &Gw, id: &str) -> Option<(WebhookDeliveryRow, Vec<WebhookAttemptRow>)> {
    let (rows, attempts) = gw.app.db.webhook_deliveries(&gw.org, 0, 1_000).await.unwrap();
    let d = rows.into_iter().find(|d| d.job_id == id)?;
    let mut mine: Vec<_> = attempts.into_iter().filter(|a| a.delivery_id == d.id).collect();
    mine.sort_by_key(|a| a.attempt);
    Some((d, mine))
}

/// Waits until the delivery of job `id` satisfies `done`.
pub async fn wait_delivery(
    gw: &Gw,
    id: &str,
    what: &str,
    done: impl Fn(&WebhookDeliveryRow, &[WebhookAttemptRow]) -> bool,
) -> (WebhookDeliveryRow, Vec<WebhookAttemptRow>) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some((d, a)) = delivery_of(gw, id).await {
            if done(&d, &a) {
                return (d, a);
            }
            assert!(tokio::time::Instant::now() < deadline, "{what}: {d:?} {a:?}");
        } else {
            assert!(tokio::time::Instant::now() < deadline, "{what}: job {id} has no delivery");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Asserts the delivery is signed with `secret` (now) and carries `x-gateai-delivery`.
pub fn assert_signed(c: &Captured, secret: &str, delivery_id: &str) {
    let sig = c.header("x-gateai-signature");
    assert!(gateai::video::webhooks::sign::verify(secret, &sig, &c.body, gateai::clock::now()), "bad signature {sig}");
    assert_eq!(c.header("x-gateai-delivery"), delivery_id);
    assert_eq!(c.header("content-type"), "application/json");
    assert_eq!(c.header("user-agent"), "Gate.AI-Webhooks/1");
}
