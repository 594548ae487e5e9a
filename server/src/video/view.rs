//! What the API shows of a job: the submit answer and the status answer (the seed's fields),
//! inside the `{"code","msg","data"}` envelope.

use crate::storage::VideoJobRow;
use app::types::Usd;
use serde_json::{json, Value};

pub const CURRENCY: &str = "USD";
const SUBMITTED: &str = "Video job accepted; poll status_url for its progress.";
const BILLING_NOTICE: &str = "The estimated cost is deducted now. When the video is done the job is settled on the tokens \
    the upstream reports (the difference refunded or charged); a job that fails is refunded in full.";

/// The envelope of a success.
pub fn ok(data: Value) -> Value {
    json!({"code": 200, "msg": "", "data": data})
}

/// The status a submit answers: a new job is queued, not yet handed to the upstream.
const ACCEPTED_STATUS: &str = "pending";

/// `pending` (not handed to the upstream yet) / `in_progress` / `completed` / `failed`.
pub fn public_status(job: &VideoJobRow) -> &'static str {
    match job.status.as_str() {
        "queued" | "submitting" => "pending",
        "running" => "in_progress",
        "completed" => "completed",
        _ => "failed",
    }
}

pub fn status_url(base: &str, job: &VideoJobRow) -> String {
    format!("{base}/api/v1/videos/{}", job.id)
}

/// The 202 answer of a submit, and word for word the same for a replay with the same
/// Idempotency-Key, however far the job went since: it describes the acceptance (status
/// `pending`, the balance before and after the pre-deduction), and `status_url` the present.
pub fn submitted(base: &str, job: &VideoJobRow) -> Value {
    let estimate = Usd::from_units(job.estimated_units);
    ok(json!({
        "job_id": job.id,
        "status": ACCEPTED_STATUS,
        "model": job.model,
        "status_url": status_url(base, job),
        "message": SUBMITTED,
        "current_balance": Usd::from_units(job.balance_after_units.saturating_add(job.estimated_units)),
        "estimated_cost": estimate,
        "pre_deduct_amount": estimate,
        "balance_after_estimate": Usd::from_units(job.balance_after_units),
        "currency": CURRENCY,
        "billing_notice": BILLING_NOTICE,
    }))
}

/// The answer of `GET /api/v1/videos/{job_id}`.
pub fn status(base: &str, job: &VideoJobRow) -> Value {
    let completed = job.status == "completed";
    // what the job holds from the balance now: the estimate, the settled cost, or nothing
    let billed = match job.billing_status.as_str() {
        "pre_deducted" => job.estimated_units,
        _ => job.billed_units.unwrap_or(0),
    };
    let metadata: Value = job.metadata.as_deref().and_then(|m| serde_json::from_str(m).ok()).unwrap_or(Value::Null);
    let mut data = json!({
        "job_id": job.id,
        "status": public_status(job),
        "model": job.model,
        "status_url": status_url(base, job),
        "duration": job.duration,
        "resolution": job.resolution,
        "aspect_ratio": job.aspect_ratio,
        "generate_audio": job.generate_audio,
        "size": format!("{}x{}", job.width, job.height),
        "seed": job.seed,
        "estimated_cost": Usd::from_units(job.estimated_units),
        "billed_cost": Usd::from_units(billed),
        "billing_status": job.billing_status,
        "currency": CURRENCY,
        "video_tokens": job.video_tokens,
        "error": job.error,
        "metadata": metadata,
        "expires_at": job.expires_at.map(crate::clock::rfc3339),
        "created_at": crate::clock::rfc3339(job.created_at),
        "completed_at": job.completed_at.map(crate::clock::rfc3339),
    });
    if completed {
        data["download_url"] = Value::String(format!("{base}/api/v1/videos/{}/content", job.id));
    }
    ok(data)
}
