//! The video API over HTTP, thin: authenticate (errors in the video envelope), call `jobs`,
//! render with `view`.
//!
//! - `POST /api/v1/videos` → 202 (a replay of an Idempotency-Key too)
//! - `GET /api/v1/videos/{job_id}` → 200, the job's status
//! - `GET /api/v1/videos/{job_id}/content` → 302 to a signed link, 409 before completion,
//!   410 after `expires_at`
//! - `GET /api/v1/videos/{job_id}/file?expires=…&signature=…` → the MP4 (Range supported);
//!   the signature is the authorization, no API key

use super::error::VideoError;
use super::{files, jobs, view};
use crate::accounts::{AuthedKey, KeyAuthError};
use crate::gateway::auth::presented_key;
use crate::gateway::error::GatewayError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

/// Largest body of a submit: a prompt and a small metadata object.
const MAX_BODY_BYTES: usize = 1 << 20;

/// The calling key, for the video API (its 401 is in the video envelope).
pub struct VideoKey(pub AuthedKey);

impl FromRequestParts<AppState> for VideoKey {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let refused = |e: GatewayError| VideoError::Gateway(e).into_response();
        let Some(secret) = presented_key(parts) else { return Err(refused(GatewayError::InvalidApiKey)) };
        match state.keys.authenticate(secret).await {
            Ok(k) => Ok(VideoKey(k)),
            Err(KeyAuthError::Invalid) => Err(refused(GatewayError::InvalidApiKey)),
            Err(KeyAuthError::Storage) => Err(refused(GatewayError::Internal)),
        }
    }
}

pub async fn submit_video(State(state): State<AppState>, VideoKey(key): VideoKey, headers: HeaderMap, body: Body) -> Response {
    let idempotency = match super::request::idempotency_key(headers.get("idempotency-key")) {
        Ok(k) => k,
        Err(e) => return e.into_response(),
    };
    let limit = MAX_BODY_BYTES.min(state.config.gateway.max_body_bytes);
    let body = match crate::gateway::body::read_json(&headers, body, limit).await {
        Ok(v) => v,
        Err(e) => return VideoError::Gateway(e).into_response(),
    };
    match jobs::submit(&state, &key, idempotency, &body).await {
        Ok(job) => (StatusCode::ACCEPTED, Json(view::submitted(&state.config.public_url(), &job))).into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn get_video(State(state): State<AppState>, VideoKey(key): VideoKey, id: Result<Path<String>, PathRejection>) -> Response {
    let Ok(Path(id)) = id else { return VideoError::NotFound.into_response() };
    match jobs::of_key(&state, &key, &id).await {
        Ok(job) => Json(view::status(&state.config.public_url(), &job)).into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn get_video_content(
    State(state): State<AppState>,
    VideoKey(key): VideoKey,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else { return VideoError::NotFound.into_response() };
    let job = match jobs::of_key(&state, &key, &id).await {
        Ok(job) => job,
        Err(e) => return e.into_response(),
    };
    match job.status.as_str() {
        "completed" => {}
        "failed" => return VideoError::JobFailed.into_response(),
        _ => return VideoError::NotReady.into_response(),
    }
    let now = crate::clock::now();
    let Some(expires_at) = job.expires_at.filter(|e| *e > now && job.file_present) else {
        return VideoError::Expired.into_response();
    };
    let link_until = now.saturating_add(i64::try_from(state.config.video.link_secs).unwrap_or(i64::MAX)).min(expires_at);
    let location = format!("{}{}", state.config.public_url(), files::signed_path(&state.hasher, &job.id, link_until));
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[derive(Deserialize)]
pub struct FileLink {
    expires: i64,
    signature: String,
}

pub async fn get_video_file(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    link: Result<Query<FileLink>, QueryRejection>,
    req: Request,
) -> Response {
    let Ok(Path(id)) = id else { return VideoError::NotFound.into_response() };
    if !files::is_job_id(&id) {
        return VideoError::NotFound.into_response();
    }
    let Ok(Query(link)) = link else { return VideoError::BadLink.into_response() };
    let now = crate::clock::now();
    if link.expires < now || !files::verify(&state.hasher, &id, link.expires, &link.signature) {
        return VideoError::BadLink.into_response();
    }
    let job = match state.db.video_job(&id).await {
        Ok(Some(job)) if job.status == "completed" => job,
        Ok(_) => return VideoError::NotFound.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "video job lookup failed");
            return VideoError::Gateway(GatewayError::Internal).into_response();
        }
    };
    if !job.file_present || job.expires_at.is_none_or(|e| e <= now) {
        return VideoError::Expired.into_response();
    }
    match state.video.files.serve(&id, req).await {
        Ok(r) if r.status() == StatusCode::NOT_FOUND => VideoError::Expired.into_response(),
        Ok(mut r) => {
            let max_age = (link.expires - now).max(0);
            if let Ok(v) = HeaderValue::from_str(&format!("private, max-age={max_age}")) {
                r.headers_mut().insert(header::CACHE_CONTROL, v);
            }
            r
        }
        Err(e) => {
            tracing::error!(error = %e, job_id = %id, "serving a video failed");
            VideoError::Gateway(GatewayError::Internal).into_response()
        }
    }
}
