//! A video job as the console's video playground shows it ([`VideoJobInfo`]): the API's
//! fields, how far the job got, what made it, and a signed same-origin link to the stored
//! video while it is kept (the `<video>` plays it, the download button saves it).

use crate::state::AppState;
use crate::storage::{VideoHistoryRow, VideoJobRow};
use crate::video::{files, view};
use app::types::{Usd, VideoJobInfo};

/// What made the job: the playground (a user's playground key, or a guest), or an API key.
fn source(row: &VideoHistoryRow) -> String {
    if row.job.guest_id.is_some() || row.key_purpose.as_deref() == Some("playground") {
        return "Playground".into();
    }
    match row.key_name.as_deref() {
        Some(name) => format!("API key “{name}”"),
        None => "API key".into(),
    }
}

/// The signed link to the job's video, when it is stored and not expired.
fn video_link(state: &AppState, job: &VideoJobRow, now: i64) -> Option<String> {
    let expires_at = job.expires_at.filter(|e| *e > now && job.file_present && job.status == "completed")?;
    let until = now.saturating_add(i64::try_from(state.config.video.link_secs).unwrap_or(i64::MAX)).min(expires_at);
    Some(files::signed_path(&state.hasher, &job.id, until))
}

pub(super) fn info(state: &AppState, row: &VideoHistoryRow) -> VideoJobInfo {
    let job = &row.job;
    // what the job holds from the balance now: the estimate, the settled cost, or nothing
    let billed = match job.billing_status.as_str() {
        "pre_deducted" => job.estimated_units,
        _ => job.billed_units.unwrap_or(0),
    };
    VideoJobInfo {
        job_id: job.id.clone(),
        status: view::public_status(job).into(),
        stage: job.status.clone(),
        model: job.model.clone(),
        prompt: job.prompt.clone(),
        duration: job.duration,
        resolution: job.resolution.clone(),
        aspect_ratio: job.aspect_ratio.clone(),
        size: format!("{}x{}", job.width, job.height),
        seed: job.seed,
        generate_audio: job.generate_audio,
        estimated_cost: Usd::from_units(job.estimated_units),
        billed_cost: Usd::from_units(billed),
        billing_status: job.billing_status.clone(),
        video_tokens: job.video_tokens,
        error: job.error.clone(),
        source: source(row),
        created_at: crate::clock::rfc3339(job.created_at),
        completed_at: job.completed_at.map(crate::clock::rfc3339),
        expires_at: job.expires_at.map(crate::clock::rfc3339),
        video_url: video_link(state, job, crate::clock::now()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_names_the_playground_or_the_key() {
        let mut row = VideoHistoryRow { key_name: Some("ci".into()), ..VideoHistoryRow::default() };
        assert_eq!(source(&row), "API key “ci”");
        row.key_purpose = Some("playground".into());
        assert_eq!(source(&row), "Playground");
        let guest = VideoHistoryRow { job: VideoJobRow { guest_id: Some("g".into()), ..VideoJobRow::default() }, ..VideoHistoryRow::default() };
        assert_eq!(source(&guest), "Playground");
    }
}
