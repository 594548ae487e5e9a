//! ModelArk / Seedance video tasks (PROTOCOLS §5): create, poll (`queued` → `running` →
//! `succeeded`|`failed`), and the finished video served at `/files/{id}.mp4`.
//!
//! A create carrying `X-Client-Request-Id` is idempotent here: the same id answers the task it
//! made the first time (and does not count as a new task). Prompt markers: `[[videofail]]`
//! (the task fails), `[[videotokens:N]]` (the task reports N tokens instead of
//! width × height × frames / 1024).

use super::{bearer_ok, json_response, now_secs, UpstreamDouble};
use axum::body::Body;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

#[derive(Clone, Debug)]
pub(crate) struct Task {
    model: String,
    fail: bool,
    /// Tokens to report instead of the computed figure (`[[videotokens:N]]`).
    tokens: Option<u64>,
    polls: usize,
    /// Cancelled by a DELETE while queued.
    cancelled: bool,
    seed: i64,
    resolution: String,
    ratio: String,
    duration: u64,
    frames: u64,
    width: u64,
    height: u64,
    generate_audio: bool,
    service_tier: String,
    created_at: u64,
    updated_at: u64,
}

/// `{"error":{code,message,param,type}}`, Ark's envelope.
fn error(status: u16, code: &str, kind: &str, message: &str) -> Response {
    json_response(status, json!({"error": {"code": code, "message": message, "param": "", "type": kind}}), &[])
}

fn unauthorized() -> Response {
    error(401, "AuthenticationError", "Unauthorized", "The API key in the request is missing or invalid.")
}

/// Output size for a resolution and ratio (Seedance's published table; `adaptive` → 16:9).
pub(crate) fn dimensions(resolution: &str, ratio: &str) -> (u64, u64) {
    let table: &[(&str, [(u64, u64); 6])] = &[
        ("480p", [(864, 480), (736, 544), (640, 640), (544, 736), (480, 864), (960, 416)]),
        ("720p", [(1280, 720), (1112, 834), (960, 960), (834, 1112), (720, 1280), (1470, 630)]),
        ("1080p", [(1920, 1080), (1664, 1248), (1440, 1440), (1248, 1664), (1080, 1920), (2206, 946)]),
    ];
    let row = table.iter().find(|(r, _)| *r == resolution).map_or(table[1].1, |(_, row)| *row);
    let i = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9"].iter().position(|r| *r == ratio).unwrap_or(0);
    row[i]
}

pub(crate) async fn create(d: &UpstreamDouble, h: &HeaderMap, body: Value) -> Response {
    let answer = register(d, h, body);
    // the task exists from here on, even if the caller goes away before the answer
    let delay = d.lock().video_create_delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    answer
}

/// Validates and records the task (or finds the one made with the same client request id).
fn register(d: &UpstreamDouble, h: &HeaderMap, body: Value) -> Response {
    if !bearer_ok(h) {
        return unauthorized();
    }
    let Some(model) = body.get("model").and_then(Value::as_str) else {
        return error(
            400,
            "MissingParameter",
            "BadRequest",
            "The request failed because it is missing one or multiple required parameters. Request ID: model",
        );
    };
    let content = body.get("content").and_then(Value::as_array).cloned().unwrap_or_default();
    if content.is_empty() {
        return error(400, "InvalidParameter", "BadRequest", "The parameter `content` specified in the request is not valid.");
    }
    let prompt: String = content.iter().filter_map(|c| c.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join("\n");
    let resolution = body.get("resolution").and_then(Value::as_str).unwrap_or("720p").to_string();
    let mut ratio = body.get("ratio").and_then(Value::as_str).unwrap_or("16:9").to_string();
    if ratio == "adaptive" {
        ratio = "16:9".into();
    }
    let (frames, duration) = match (body.get("frames").and_then(Value::as_u64), body.get("duration").and_then(Value::as_u64)) {
        (Some(f), _) => (f, (f + 12) / 24),
        (None, d) => (d.unwrap_or(5) * 24 + 1, d.unwrap_or(5)),
    };
    let (width, height) = dimensions(&resolution, &ratio);
    let now = now_secs();
    let client_id = h.get("x-client-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut g = d.lock();
    if let Some(existing) = client_id.as_ref().and_then(|c| g.video_clients.get(c)) {
        return json_response(200, json!({"id": existing}), &[]);
    }
    let n = g.next("cgt");
    let seed = match body.get("seed").and_then(Value::as_i64) {
        Some(s) if s >= 0 => s,
        _ => (n.wrapping_mul(2_654_435_761) % (1 << 32)) as i64,
    };
    let id = format!("cgt-{}-{n}", datetime(now));
    let task = Task {
        model: model.into(),
        fail: prompt.contains("[[videofail]]"),
        tokens: marker_number(&prompt, "[[videotokens:"),
        polls: 0,
        cancelled: false,
        seed,
        resolution,
        ratio,
        duration,
        frames,
        width,
        height,
        generate_audio: body.get("generate_audio").and_then(Value::as_bool).unwrap_or(true),
        service_tier: body.get("service_tier").and_then(Value::as_str).unwrap_or("default").into(),
        created_at: now,
        updated_at: now,
    };
    g.tasks.insert(id.clone(), task);
    if let Some(c) = client_id {
        g.video_clients.insert(c, id.clone());
    }
    g.video_tasks_created += 1;
    json_response(200, json!({"id": id}), &[])
}

fn no_such_task(id: &str) -> Response {
    error(404, "ResourceNotFound", "NotFound", &format!("The specified task {id} is not found."))
}

pub(crate) fn get(d: &UpstreamDouble, h: &HeaderMap, id: &str) -> Response {
    if !bearer_ok(h) {
        return unauthorized();
    }
    let mut g = d.lock();
    let non_terminal = g.video_polls;
    let Some(t) = g.tasks.get_mut(id) else {
        return no_such_task(id);
    };
    t.polls += 1;
    let status = if t.cancelled {
        "cancelled"
    } else if t.polls <= non_terminal {
        if t.polls == 1 {
            "queued"
        } else {
            "running"
        }
    } else if t.fail {
        "failed"
    } else {
        "succeeded"
    };
    let now = now_secs();
    if t.polls <= non_terminal + 1 {
        t.updated_at = now; // the last status change
    }
    let mut out = json!({
        "id": id, "model": t.model, "status": status, "error": null,
        "seed": t.seed, "resolution": t.resolution, "ratio": t.ratio, "duration": t.duration,
        "framespersecond": 24, "generate_audio": t.generate_audio, "service_tier": t.service_tier,
        "execution_expires_after": 172800, "created_at": t.created_at, "updated_at": t.updated_at
    });
    match status {
        "succeeded" => {
            let tokens = t.tokens.unwrap_or(t.width * t.height * t.frames / 1024);
            out["content"] = json!({"video_url": format!("{}/files/{id}.mp4", d.url), "last_frame_url": null});
            out["usage"] = json!({"completion_tokens": tokens, "total_tokens": tokens});
        }
        "failed" => {
            out["error"] = json!({"code": "OutputVideoSensitiveContentDetected",
                "message": "The request failed because the output video may contain sensitive information."});
        }
        _ => {}
    }
    json_response(200, out, &[])
}

/// `DELETE /contents/generations/tasks/{id}`: cancels a queued task (it then reads
/// `cancelled`), removes the record of a finished one; a running task cannot be cancelled.
pub(crate) fn delete(d: &UpstreamDouble, h: &HeaderMap, id: &str) -> Response {
    if !bearer_ok(h) {
        return unauthorized();
    }
    let mut g = d.lock();
    let non_terminal = g.video_polls;
    let Some(t) = g.tasks.get_mut(id) else {
        return no_such_task(id);
    };
    // the status its last read showed (none yet: queued)
    if !t.cancelled && t.polls <= 1 && t.polls < non_terminal + 1 {
        t.cancelled = true;
        t.updated_at = now_secs();
    } else if !t.cancelled && t.polls <= non_terminal {
        return error(409, "InvalidAction.TaskRunning", "Conflict", &format!("The task {id} is running and cannot be cancelled."));
    } else {
        g.tasks.remove(id);
    }
    json_response(200, json!({}), &[])
}

/// `GET /files/{id}.mp4`: a small valid H.264 MP4 (the same for every succeeded task).
pub(crate) fn file(d: &UpstreamDouble, name: &str) -> Response {
    let known = name.strip_suffix(".mp4").is_some_and(|id| d.lock().tasks.contains_key(id));
    if !known {
        return json_response(404, json!({"error": {"code": "NotFound", "message": "no such file"}}), &[]);
    }
    let bytes = super::mp4::sample();
    Response::builder()
        .status(200)
        .header("content-type", "video/mp4")
        .header("content-length", bytes.len())
        .body(Body::from(bytes))
        .expect("response")
}

/// The number after `prefix` (up to `]]`) in `text`.
fn marker_number(text: &str, prefix: &str) -> Option<u64> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    rest[..rest.find("]]")?].trim().parse().ok()
}

/// `YYYYMMDDhhmmss` (UTC) of a unix time, as in Ark task ids.
fn datetime(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // civil-from-days (H. Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}{month:02}{day:02}{:02}{:02}{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn datetime_and_dimensions() {
        assert_eq!(super::datetime(1_743_414_619), "20250331095019");
        assert_eq!(super::dimensions("720p", "16:9"), (1280, 720));
        assert_eq!(1280 * 720 * 121 / 1024, 108_900);
        assert_eq!(super::marker_number("a [[videotokens: 5000]] b", "[[videotokens:"), Some(5000));
        assert_eq!(super::marker_number("a [[videotokens:x]]", "[[videotokens:"), None);
    }
}
