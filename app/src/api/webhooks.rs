//! Video webhooks of the current organization: the signing secret and the delivery log.

use crate::types::{ConsoleError, WebhookSecret, WebhooksPage};
use leptos::prelude::*;

/// The masked secret and one page of deliveries with their attempts (`page` from 1).
#[server(prefix = "/console/api", endpoint = "webhooks")]
pub async fn webhooks(page: u32) -> Result<WebhooksPage, ConsoleError> {
    crate::api::call(|b, c| async move { b.webhooks(&c, page).await }).await
}

/// The whole signing secret (any member of the organization).
#[server(prefix = "/console/api", endpoint = "reveal_webhook_secret")]
pub async fn reveal_webhook_secret() -> Result<WebhookSecret, ConsoleError> {
    crate::api::call(|b, c| async move { b.webhook_secret(&c).await }).await
}

/// Replaces the signing secret (owners and admins); answers the new one.
#[server(prefix = "/console/api", endpoint = "rotate_webhook_secret")]
pub async fn rotate_webhook_secret(csrf: String) -> Result<WebhookSecret, ConsoleError> {
    crate::api::call(|b, c| async move { b.rotate_webhook_secret(&c, csrf).await }).await
}
