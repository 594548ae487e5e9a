//! Video jobs as the console's video playground shows them (`GET /playground/videos…`),
//! written by the server and read by the page.

use super::Usd;
use serde::{Deserialize, Serialize};

/// One job: its parameters, how far it got, what it costs and, once done, its video.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VideoJobInfo {
    pub job_id: String,
    /// The API's status: `pending`, `in_progress`, `completed` or `failed`.
    pub status: String,
    /// How far the job got: `queued`, `submitting` (being handed to the upstream),
    /// `running` (the upstream is making it), `completed` or `failed`.
    pub stage: String,
    pub model: String,
    pub prompt: String,
    pub duration: i64,
    pub resolution: String,
    pub aspect_ratio: String,
    /// `WxH`, the size made (or estimated, before the job is done).
    pub size: String,
    pub seed: i64,
    pub generate_audio: bool,
    pub estimated_cost: Usd,
    /// What the job holds from the balance: the estimate, then the settled cost, or 0.
    pub billed_cost: Usd,
    /// `pre_deducted`, `settled` or `refunded`.
    pub billing_status: String,
    pub video_tokens: Option<i64>,
    pub error: Option<String>,
    /// What made it: `Playground`, or the API key's name.
    pub source: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub completed_at: Option<String>,
    pub expires_at: Option<String>,
    /// A signed link to the gateway's copy of the video (same origin), while it is kept.
    pub video_url: Option<String>,
}

impl VideoJobInfo {
    /// The job will not move any more.
    pub fn is_over(&self) -> bool {
        matches!(self.status.as_str(), "completed" | "failed")
    }

    /// The name a download is saved under.
    pub fn file_name(&self) -> String {
        format!("{}.mp4", self.job_id)
    }
}

/// A page of jobs, newest first: the organization's (every key's, the playground's too) for
/// a signed-in person, a guest's own for a guest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VideoHistory {
    pub jobs: Vec<VideoJobInfo>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

/// Jobs on one page of the history.
pub const VIDEO_HISTORY_PAGE: u32 = 10;
