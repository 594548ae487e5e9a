//! The console's video playground (`/playground/video`), over the video API's own path:
//!
//! - `POST /playground/videos`: the body of `POST /api/v1/videos`, checked, estimated,
//!   reserved and pre-deducted by the same code (`video::jobs`) → `202` with the job
//!   ([`VideoJobInfo`]); refusals in the video API's envelope (`data.field` names a refused
//!   field). A signed-in user's job goes through the user's playground key in the chosen
//!   organization; a guest's through the guest pool, under the guest's daily limits (and
//!   without `webhook_url`: deliveries are signed with the organization's secret).
//! - `GET /playground/videos?page=N`: the history, newest first ([`VideoHistory`]): every
//!   job of the organization (all of its keys), or a guest's own.
//! - `GET /playground/videos/{job_id}`: one job, for polling; a job of another organization
//!   or another guest is `404` as an unknown one.

use super::caller::Payer;
use super::video_view::info;
use crate::gateway::error::GatewayError;
use crate::state::AppState;
use crate::storage::{StoreError, VideoOwner};
use crate::video::error::VideoError;
use crate::video::{files, jobs};
use app::backend::ClientIp;
use app::types::{VideoHistory, VIDEO_HISTORY_PAGE};
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use tower_sessions::Session;

/// Largest body a signed-in user may send (a prompt and a small metadata object).
const MAX_BODY_BYTES: usize = 1 << 20;
/// Deliveries are signed with the organization's secret, which a guest has no way to read.
pub const GUEST_WEBHOOK: &str = "sign in to use webhook_url: deliveries are signed with your organization's webhook secret";

fn internal(e: StoreError) -> VideoError {
    tracing::error!(error = %e, "video playground storage failed");
    VideoError::Gateway(GatewayError::Internal)
}

/// The answer, with the new guest's cookie when one was made.
fn with_cookie(mut resp: Response, set_cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = set_cookie {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

async fn payer(state: &AppState, session: &Session, headers: &HeaderMap, ip: &str) -> Result<(Payer, Option<HeaderValue>), Response> {
    super::payer(state, session, headers, ip).await.map_err(|e| VideoError::Gateway(e).into_response())
}

/// `POST /playground/videos`.
pub async fn submit(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    session: Session,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (payer, set_cookie) = match payer(&state, &session, &headers, &ip).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let (key, guest) = payer.into_parts();
    let limit = if guest.is_some() { super::GUEST_MAX_BODY } else { MAX_BODY_BYTES.min(state.config.gateway.max_body_bytes) };
    let resp = async {
        let body = crate::gateway::body::read_json(&headers, body, limit).await?;
        if guest.is_some() && body.get("webhook_url").is_some_and(|u| !u.is_null()) {
            return Err(VideoError::Field { field: "webhook_url", message: GUEST_WEBHOOK.into() });
        }
        let job = jobs::submit_as(&state, &key, guest.as_ref(), None, &body).await?;
        let row = state.db.video_history_job(&job.id).await.map_err(internal)?.ok_or(VideoError::NotFound)?;
        Ok::<_, VideoError>((StatusCode::ACCEPTED, Json(info(&state, &row))).into_response())
    }
    .await
    .unwrap_or_else(IntoResponse::into_response);
    with_cookie(resp, set_cookie)
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    page: Option<u32>,
}

/// `GET /playground/videos?page=N` (pages from 1).
pub async fn history(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    session: Session,
    headers: HeaderMap,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> Response {
    let (payer, set_cookie) = match payer(&state, &session, &headers, &ip).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let page = query.ok().and_then(|Query(q)| q.page).unwrap_or(1).clamp(1, 100_000);
    let owner = match &payer {
        Payer::User { key, .. } => VideoOwner::Org(&key.org_id),
        Payer::Guest { guest, .. } => VideoOwner::Guest(&guest.id),
    };
    let per_page = VIDEO_HISTORY_PAGE;
    let offset = i64::from(page - 1) * i64::from(per_page);
    let resp = match state.db.video_history(owner, offset, i64::from(per_page)).await {
        Ok((rows, total)) => Json(VideoHistory {
            jobs: rows.iter().map(|r| info(&state, r)).collect(),
            page,
            per_page,
            total: u64::try_from(total).unwrap_or(0),
        })
        .into_response(),
        Err(e) => internal(e).into_response(),
    };
    with_cookie(resp, set_cookie)
}

/// `GET /playground/videos/{job_id}`: only the caller's organization's jobs, or a guest's own.
pub async fn job(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    session: Session,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let (payer, set_cookie) = match payer(&state, &session, &headers, &ip).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let resp = match id {
        Ok(Path(id)) if files::is_job_id(&id) => match state.db.video_history_job(&id).await {
            Ok(Some(row)) if owns(&payer, &row.job) => Json(info(&state, &row)).into_response(),
            Ok(_) => VideoError::NotFound.into_response(),
            Err(e) => internal(e).into_response(),
        },
        _ => VideoError::NotFound.into_response(),
    };
    with_cookie(resp, set_cookie)
}

/// A user sees every job of the organization it works in; a guest only its own.
fn owns(payer: &Payer, job: &crate::storage::VideoJobRow) -> bool {
    match payer {
        Payer::User { key, .. } => job.org_id == key.org_id && !key.org_id.is_empty(),
        Payer::Guest { guest, .. } => job.guest_id.as_deref() == Some(guest.id.as_str()),
    }
}
