//! Errors of the video API, in its own envelope: `{"code": <HTTP status>, "msg": "…",
//! "data": null | {…}}`. A refused field is named in `data.field`; a 402 carries the
//! estimated cost and the current balance.

use crate::gateway::error::GatewayError;
use app::types::Usd;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum VideoError {
    /// A row of the seed's tables (auth, model, billing, limits, internal).
    Gateway(GatewayError),
    ModelRequired,
    InvalidModel,
    /// A field of the body (or the Idempotency-Key header) that is not valid.
    Field { field: &'static str, message: String },
    /// A chat model named on the video endpoint.
    ChatModel(String),
    /// The balance does not cover the estimate.
    Payment { error: GatewayError, estimated_units: i64, balance_units: i64 },
    /// The Idempotency-Key was used before with another body.
    IdempotencyMismatch,
    /// No such job for this key (or an id that cannot be one).
    NotFound,
    /// The job has not completed: no video yet.
    NotReady,
    /// The job failed: there is no video.
    JobFailed,
    /// The video's retention ended.
    Expired,
    /// A download link that is not signed by this gateway or is out of date.
    BadLink,
}

impl From<GatewayError> for VideoError {
    fn from(e: GatewayError) -> Self {
        VideoError::Gateway(e)
    }
}

impl VideoError {
    pub fn status(&self) -> StatusCode {
        match self {
            VideoError::Gateway(e) | VideoError::Payment { error: e, .. } => e.status(),
            VideoError::ModelRequired | VideoError::InvalidModel | VideoError::Field { .. } | VideoError::ChatModel(_) => {
                StatusCode::BAD_REQUEST
            }
            VideoError::IdempotencyMismatch | VideoError::NotReady | VideoError::JobFailed => StatusCode::CONFLICT,
            VideoError::NotFound => StatusCode::NOT_FOUND,
            VideoError::Expired => StatusCode::GONE,
            VideoError::BadLink => StatusCode::FORBIDDEN,
        }
    }

    pub fn message(&self) -> String {
        match self {
            VideoError::Gateway(e) | VideoError::Payment { error: e, .. } => e.message(),
            VideoError::ModelRequired => GatewayError::ModelRequired.message(),
            VideoError::InvalidModel => GatewayError::InvalidModel.message(),
            VideoError::Field { message, .. } => message.clone(),
            VideoError::ChatModel(m) => {
                format!("{m} is a chat model: use POST /openai/v1/chat/completions or /anthropic/v1/messages")
            }
            VideoError::IdempotencyMismatch => {
                "Idempotency-Key was already used with a different request body; use a new key for a new job".into()
            }
            VideoError::NotFound => "video job not found".into(),
            VideoError::NotReady => "video job not completed yet: the video is not available for download".into(),
            VideoError::JobFailed => "video job failed: there is no video to download".into(),
            VideoError::Expired => "video content has expired and is no longer available".into(),
            VideoError::BadLink => "invalid or expired download link: ask GET /api/v1/videos/{job_id}/content for a new one".into(),
        }
    }

    fn data(&self) -> Value {
        match self {
            VideoError::Field { field, .. } => json!({"field": field}),
            VideoError::ModelRequired | VideoError::InvalidModel | VideoError::ChatModel(_) => json!({"field": "model"}),
            VideoError::Payment { estimated_units, balance_units, .. } => json!({
                "estimated_cost": Usd::from_units(*estimated_units),
                "current_balance": Usd::from_units(*balance_units),
                "currency": "USD",
            }),
            _ => Value::Null,
        }
    }
}

impl IntoResponse for VideoError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut r = (status, axum::Json(json!({"code": status.as_u16(), "msg": self.message(), "data": self.data()}))).into_response();
        if let VideoError::Gateway(GatewayError::RateLimited(l)) = &self {
            if let Ok(v) = HeaderValue::from_str(&l.retry_after.to_string()) {
                r.headers_mut().insert("retry-after", v);
            }
        }
        r
    }
}
