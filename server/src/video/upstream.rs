//! The ModelArk (Seedance) task API, as the worker uses it (PROTOCOLS §5): create a task,
//! read a task. The create carries `X-Client-Request-Id: <job id>`, so that a create
//! repeated after a crash names the same job (the test double answers it with the task it
//! made the first time; see the README for what that means with the real upstream).

use crate::providers::{Provider, UpstreamFailure};
use bytes::Bytes;
use serde_json::{Map, Value};
use std::time::Duration;

const TASKS: &str = "/contents/generations/tasks";

/// What one read of a task says.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskState {
    /// Waiting or working (`queued`, `running`, and anything unknown): poll again.
    Pending { status: String },
    Succeeded { video_url: Option<String>, tokens: Option<i64> },
    /// `failed`, `expired`, `cancelled`: the provider's reason, cut short.
    Failed { status: String, reason: String },
}

/// The body as the upstream's create-task call wants it (PROTOCOLS §5.2).
pub fn create_body(job: &crate::storage::VideoJobRow, timeout_secs: u64) -> Value {
    let mut b = Map::new();
    b.insert("model".into(), job.upstream_model.clone().into());
    b.insert("content".into(), serde_json::json!([{"type": "text", "text": job.prompt}]));
    b.insert("resolution".into(), job.resolution.clone().into());
    b.insert("ratio".into(), job.aspect_ratio.clone().into());
    b.insert("duration".into(), job.duration.into());
    b.insert("seed".into(), job.seed.into());
    b.insert("generate_audio".into(), job.generate_audio.into());
    // the upstream drops a task it has not finished by then (3600–259200 s)
    b.insert("execution_expires_after".into(), timeout_secs.clamp(3_600, 259_200).into());
    Value::Object(b)
}

/// Creates the task; returns the upstream's task id.
pub async fn create(provider: &Provider, body: &Value, client_request_id: &str) -> Result<String, UpstreamFailure> {
    let bytes = Bytes::from(body.to_string());
    let resp = provider.post_json(TASKS, bytes, &[("x-client-request-id", client_request_id.to_string())]).await?;
    let v = read_json(resp.response).await?;
    v.get("id").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string).ok_or(UpstreamFailure::Status {
        status: 502,
        retry_after: None,
        message: Some("the upstream's create answer has no task id".into()),
    })
}

/// The path of a task (ids come from the upstream: kept to a path segment).
fn task_path(task_id: &str) -> String {
    let safe: String = task_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    format!("{TASKS}/{safe}")
}

/// Reads the task.
pub async fn get(provider: &Provider, task_id: &str) -> Result<TaskState, UpstreamFailure> {
    let resp = provider.get(&task_path(task_id)).await?;
    Ok(task_state(&read_json(resp.response).await?))
}

/// Cancels the task (PROTOCOLS §5: only a queued task can be; a running one goes on until it
/// ends or its `execution_expires_after`).
pub async fn cancel(provider: &Provider, task_id: &str) -> Result<(), UpstreamFailure> {
    provider.delete(&task_path(task_id)).await.map(|_| ())
}

async fn read_json(resp: reqwest::Response) -> Result<Value, UpstreamFailure> {
    match tokio::time::timeout(Duration::from_secs(30), resp.bytes()).await {
        Err(_) => Err(UpstreamFailure::Timeout),
        Ok(Err(_)) => Err(UpstreamFailure::Connect),
        Ok(Ok(b)) => serde_json::from_slice(&b).map_err(|_| UpstreamFailure::Status {
            status: 502,
            retry_after: None,
            message: Some("the upstream answered with something that is not JSON".into()),
        }),
    }
}

/// Maps a task object (PROTOCOLS §5.3) to what the worker does next; relays' spellings
/// (`pending`, `processing`) are read as queued and running.
pub fn task_state(v: &Value) -> TaskState {
    let status = v.get("status").and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
    match status.as_str() {
        "succeeded" | "success" | "completed" => {
            let usage = v.get("usage");
            let tokens = ["completion_tokens", "total_tokens"]
                .iter()
                .find_map(|k| usage.and_then(|u| u.get(*k)).and_then(Value::as_i64))
                .filter(|t| *t >= 0);
            let video_url = v.get("content").and_then(|c| c.get("video_url")).and_then(Value::as_str).map(str::to_string);
            TaskState::Succeeded { video_url, tokens }
        }
        "failed" | "expired" | "cancelled" | "canceled" => {
            let e = v.get("error");
            let code = e.and_then(|e| e.get("code")).and_then(Value::as_str).unwrap_or("");
            let msg = e.and_then(|e| e.get("message")).and_then(Value::as_str).unwrap_or("");
            let reason = match (code.is_empty(), msg.is_empty()) {
                (true, true) => format!("the upstream task ended as {status}"),
                (false, true) => code.to_string(),
                (true, false) => msg.to_string(),
                (false, false) => format!("{code}: {msg}"),
            };
            TaskState::Failed { status, reason: reason.chars().take(500).collect() }
        }
        "queued" | "pending" => TaskState::Pending { status: "queued".into() },
        _ => TaskState::Pending { status: if status.is_empty() { "running".into() } else { status } },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn task_objects_map_to_next_steps() {
        let ok = json!({"id": "cgt-1", "status": "succeeded", "content": {"video_url": "https://x/v.mp4"},
            "usage": {"completion_tokens": 108900, "total_tokens": 108900}});
        assert_eq!(task_state(&ok), TaskState::Succeeded { video_url: Some("https://x/v.mp4".into()), tokens: Some(108_900) });
        let failed = json!({"status": "failed", "error": {"code": "OutputVideoSensitiveContentDetected", "message": "may contain sensitive information"}});
        assert!(matches!(task_state(&failed), TaskState::Failed { reason, .. } if reason.starts_with("OutputVideoSensitive")));
        assert!(matches!(task_state(&json!({"status": "expired", "error": null})), TaskState::Failed { .. }));
        assert_eq!(task_state(&json!({"status": "pending"})), TaskState::Pending { status: "queued".into() });
        assert_eq!(task_state(&json!({"status": "running"})), TaskState::Pending { status: "running".into() });
    }

    #[test]
    fn the_create_body_is_arks() {
        let job = crate::storage::VideoJobRow {
            upstream_model: "dreamina-seedance-2-0-260128".into(),
            prompt: "a cat".into(),
            duration: 6,
            resolution: "1080p".into(),
            aspect_ratio: "adaptive".into(),
            seed: 42,
            generate_audio: false,
            ..Default::default()
        };
        assert_eq!(
            create_body(&job, 60),
            json!({"model": "dreamina-seedance-2-0-260128", "content": [{"type": "text", "text": "a cat"}], "resolution": "1080p",
                   "ratio": "adaptive", "duration": 6, "seed": 42, "generate_audio": false, "execution_expires_after": 3600})
        );
    }
}
