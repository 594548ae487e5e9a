//! The Webhooks page: the organization's signing secret and the log of video-job webhook
//! deliveries with every attempt.

use serde::{Deserialize, Serialize};

/// Deliveries per page of the log.
pub const WEBHOOK_PAGE: u32 = 20;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhooksPage {
    /// The secret with all but its end hidden (`whsec_…1a2b`); the whole one is asked for apart.
    pub secret_hint: String,
    /// RFC 3339.
    pub secret_created_at: String,
    pub secret_rotated_at: Option<String>,
    /// Owners and admins may rotate the secret.
    pub can_rotate: bool,
    /// Newest first.
    pub deliveries: Vec<WebhookDeliveryInfo>,
    /// From 1.
    pub page: u32,
    pub per_page: u32,
    /// Whether an older page exists.
    pub has_more: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookDeliveryInfo {
    /// The `x-gateai-delivery` header of every attempt.
    pub id: String,
    pub job_id: String,
    pub url: String,
    /// `video.completed` | `video.failed`.
    pub event: String,
    /// `pending` | `delivered` | `given_up`.
    pub status: String,
    /// RFC 3339: when the job ended.
    pub created_at: String,
    /// When the next attempt is due (pending deliveries only).
    pub next_attempt_at: Option<String>,
    /// When it was delivered or given up.
    pub finished_at: Option<String>,
    /// Oldest first.
    pub attempts: Vec<WebhookAttemptInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookAttemptInfo {
    /// 1 for the first.
    pub attempt: u32,
    /// RFC 3339 with milliseconds.
    pub at: String,
    pub duration_ms: u64,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why the attempt failed, when it did.
    pub error: Option<String>,
    /// A 2xx answer.
    pub ok: bool,
}

/// The whole signing secret (shown on request to members of the organization).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookSecret {
    pub secret: String,
    pub created_at: String,
    pub rotated_at: Option<String>,
}
