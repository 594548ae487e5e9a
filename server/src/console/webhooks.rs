//! The Webhooks page: the current organization's signing secret (masked in the page, whole on
//! request to any member, rotated by owners and admins) and its deliveries with their
//! attempts. Every query is bound to the caller's organization.

use super::{internal, ConsoleBackend};
use crate::clock;
use crate::storage::{NewAudit, WebhookAttemptRow, WebhookDeliveryRow, WebhookSecretRow};
use crate::video::webhooks::secret::{self, SecretError};
use app::backend::{Caller, Result};
use app::types::*;

/// Deep pages are refused rather than scanned.
const MAX_PAGE: u32 = 10_000;

fn secret_error(e: SecretError) -> ConsoleError {
    match e {
        SecretError::Unreadable => ConsoleError::Conflict(e.to_string()),
        SecretError::Store(e) => internal(e),
    }
}

/// RFC 3339 of a unix time in milliseconds, with the milliseconds.
fn rfc3339_ms(ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.format(&f).unwrap_or_default()
}

fn attempt_info(a: &WebhookAttemptRow) -> WebhookAttemptInfo {
    let status_code = a.status_code.and_then(|s| u16::try_from(s).ok());
    WebhookAttemptInfo {
        attempt: u32::try_from(a.attempt).unwrap_or(0),
        at: rfc3339_ms(a.started_at_ms),
        duration_ms: u64::try_from(a.duration_ms).unwrap_or(0),
        ok: status_code.is_some_and(|s| (200..300).contains(&s)),
        status_code,
        error: a.error.clone(),
    }
}

fn delivery_info(d: WebhookDeliveryRow, attempts: &[WebhookAttemptRow]) -> WebhookDeliveryInfo {
    let pending = d.status == "pending";
    WebhookDeliveryInfo {
        attempts: attempts.iter().filter(|a| a.delivery_id == d.id).map(attempt_info).collect(),
        next_attempt_at: pending.then(|| rfc3339_ms(d.next_attempt_ms)),
        finished_at: d.finished_at.map(clock::rfc3339),
        created_at: clock::rfc3339(d.created_at),
        id: d.id,
        job_id: d.job_id,
        url: d.url,
        event: d.event,
        status: d.status,
    }
}

fn secret_info(plain: String, row: &WebhookSecretRow) -> WebhookSecret {
    WebhookSecret { secret: plain, created_at: clock::rfc3339(row.created_at), rotated_at: row.rotated_at.map(clock::rfc3339) }
}

pub(super) async fn page(b: &ConsoleBackend, c: &Caller, page: u32) -> Result<WebhooksPage> {
    let ctx = b.require(c).await?;
    let page = page.max(1);
    if page > MAX_PAGE {
        return Err(ConsoleError::invalid("page", format!("pages go up to {MAX_PAGE}")));
    }
    // a secret that no longer opens (the server secret changed) still lets the page offer "rotate"
    let (hint, row) = match secret::current(&b.state, &ctx.org.id).await {
        Ok((plain, row)) => (secret::masked(&plain), row),
        Err(SecretError::Unreadable) => match b.state.db.webhook_secret(&ctx.org.id).await.map_err(internal)? {
            Some(row) => ("cannot be read (the server secret changed): rotate it".to_string(), row),
            None => return Err(internal("webhook secret neither readable nor stored")),
        },
        Err(SecretError::Store(e)) => return Err(internal(e)),
    };
    let per_page = i64::from(WEBHOOK_PAGE);
    let (mut rows, attempts) =
        b.state.db.webhook_deliveries(&ctx.org.id, i64::from(page - 1) * per_page, per_page + 1).await.map_err(internal)?;
    let has_more = rows.len() as i64 > per_page;
    rows.truncate(WEBHOOK_PAGE as usize);
    Ok(WebhooksPage {
        secret_hint: hint,
        secret_created_at: clock::rfc3339(row.created_at),
        secret_rotated_at: row.rotated_at.map(clock::rfc3339),
        can_rotate: ctx.role().can_manage(),
        deliveries: rows.into_iter().map(|d| delivery_info(d, &attempts)).collect(),
        page,
        per_page: WEBHOOK_PAGE,
        has_more,
    })
}

pub(super) async fn reveal(b: &ConsoleBackend, c: &Caller) -> Result<WebhookSecret> {
    let ctx = b.require(c).await?;
    let (plain, row) = secret::current(&b.state, &ctx.org.id).await.map_err(secret_error)?;
    Ok(secret_info(plain, &row))
}

pub(super) async fn rotate(b: &ConsoleBackend, c: &Caller, csrf: &str) -> Result<WebhookSecret> {
    let ctx = b.require(c).await?;
    ctx.require_csrf(csrf)?;
    ctx.require_manager()?;
    let (plain, row) = secret::rotate(&b.state, &ctx.org.id).await.map_err(secret_error)?;
    let entry = NewAudit {
        org_id: ctx.org.id.clone(),
        actor_user_id: Some(ctx.user.id.clone()),
        action: "webhook.rotate_secret".into(),
        target: "webhook signing secret".into(),
        detail: format!("new secret {}", secret::masked(&plain)),
        now: clock::now(),
        ..Default::default()
    };
    if let Err(e) = b.state.db.audit(&entry).await {
        tracing::error!(error = %e, "could not write the audit entry");
    }
    tracing::info!(org_id = %ctx.org.id, "webhook signing secret rotated");
    Ok(secret_info(plain, &row))
}

#[cfg(test)]
mod tests {
    #[test]
    fn milliseconds_are_kept() {
        assert_eq!(super::rfc3339_ms(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(super::rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
    }
}
