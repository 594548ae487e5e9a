//! The console's playgrounds: `POST /playground/chat` (an OpenAI chat body; the answer
//! streamed as OpenAI server-sent events), the video playground's `/playground/videos…`
//! (`video`), and `GET /playground/me` (who is paying: the organization and its balance, or
//! what a guest has left today). Signed-in users spend their organization's balance; visitors
//! who have not signed in are guests under a daily limit, billed to the guest pool.
//! Requests go through the same pipeline, limits and log as the API.

pub mod caller;
pub mod guest;
pub mod video;
mod video_view;

use crate::controls::Guest;
use crate::gateway::error::GatewayError;
use crate::http::Protocol;
use crate::pipeline::{self, Call};
use crate::state::AppState;
use app::backend::ClientIp;
use app::types::Usd;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use caller::Payer;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;
use tower_sessions::Session;

/// A guest's answer is capped here when it asks for no limit, so its worst case fits the
/// daily allowance of ordinary models.
pub const GUEST_MAX_TOKENS: u64 = 1024;
/// What a guest may send at most (the API's limit is for real clients).
pub(crate) const GUEST_MAX_BODY: usize = 256 * 1024;

fn guests_on(state: &AppState) -> bool {
    state.controls.guests.per_guest > 0
}

/// Who pays for a playground request (with the `Set-Cookie` of a new guest), or why nobody
/// does (guests turned off, storage failing).
pub(crate) async fn payer(state: &AppState, session: &Session, headers: &HeaderMap, ip: &str) -> Result<(Payer, Option<HeaderValue>), GatewayError> {
    let internal = |e: crate::storage::StoreError| {
        tracing::error!(error = %e, "playground caller lookup failed");
        GatewayError::Internal
    };
    if let Some((user, org, org_name)) = caller::signed_in(state, session).await.map_err(internal)? {
        let key = caller::user_key(state, &user, &org).await.map_err(internal)?;
        return Ok((Payer::User { key, org_name }, None));
    }
    if !guests_on(state) {
        return Err(GatewayError::GuestsOff);
    }
    let (guest, set_cookie) = guest::identify(headers, &state.hasher, ip, state.config.https());
    Ok((Payer::Guest { key: caller::guest_pool_key(), guest }, set_cookie))
}

/// `POST /playground/chat`.
pub async fn chat(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    session: Session,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let (payer, set_cookie) = match payer(&state, &session, &headers, &ip).await {
        Ok(p) => p,
        Err(e) => return e.render(Protocol::OpenAi),
    };
    let (key, guest) = payer.into_parts();
    let limit = if guest.is_some() { GUEST_MAX_BODY } else { state.config.gateway.max_body_bytes };
    let mut resp = match crate::gateway::body::read_json(&headers, body, limit).await {
        Ok(mut body) => {
            if guest.is_some() {
                cap_guest_output(&mut body);
            }
            let call = Call {
                client: Protocol::OpenAi,
                body: Arc::new(body),
                key,
                request_id: crate::gateway::chat::request_id(&headers),
                started,
                anthropic_version: None,
                anthropic_beta: None,
                guest,
            };
            pipeline::run(&state, call).await
        }
        Err(e) => e.render(Protocol::OpenAi),
    };
    if let Some(c) = set_cookie {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

/// Sets `max_tokens` for a guest that asked for no output limit.
fn cap_guest_output(body: &mut Value) {
    if let Some(o) = body.as_object_mut() {
        if !o.contains_key("max_tokens") && !o.contains_key("max_completion_tokens") {
            o.insert("max_tokens".into(), json!(GUEST_MAX_TOKENS));
        }
    }
}

/// `GET /playground/me`.
pub async fn me(State(state): State<AppState>, Extension(ClientIp(ip)): Extension<ClientIp>, session: Session, headers: HeaderMap) -> Response {
    let (payer, set_cookie) = match payer(&state, &session, &headers, &ip).await {
        Ok(p) => p,
        Err(_) if !guests_on(&state) => {
            return Json(json!({"signed_in": false, "organization": null, "guest": null, "guests_allowed": false})).into_response()
        }
        Err(e) => return e.render(Protocol::OpenAi),
    };
    let body = match payer {
        Payer::User { org_name, key } => {
            let balance = match state.db.org_balance(&key.org_id).await {
                Ok(b) => b.map(|(units, _)| Usd::from_units(units).to_string()),
                Err(e) => {
                    tracing::error!(error = %e, "balance lookup for the playground failed");
                    return GatewayError::Internal.render(Protocol::OpenAi);
                }
            };
            json!({"signed_in": true, "organization": org_name, "balance_usd": balance, "guest": null, "guests_allowed": guests_on(&state)})
        }
        Payer::Guest { guest, .. } => match guest_allowance(&state, &guest).await {
            Ok(g) => json!({"signed_in": false, "organization": null, "guest": g, "guests_allowed": true}),
            Err(e) => {
                tracing::error!(error = %e, "guest allowance lookup failed");
                return GatewayError::Internal.render(Protocol::OpenAi);
            }
        },
    };
    let mut resp = Json(body).into_response();
    if let Some(c) = set_cookie {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

/// What the guest spent today and what is left of its own and its address's limits (from the
/// request log, which trails the counters by the writer's batch delay).
async fn guest_allowance(state: &AppState, g: &Guest) -> Result<Value, crate::storage::StoreError> {
    use crate::storage::GuestOf;
    let start = crate::controls::Period::Daily.start(crate::clock::now());
    let limits = state.controls.guests;
    let spent = state.db.guest_usage_since(GuestOf::Id(&g.id), true, start).await?;
    let mut remaining = limits.per_guest - spent;
    if limits.per_ip > 0 {
        let by_address = state.db.guest_usage_since(GuestOf::Ip(&g.ip), true, start).await?;
        remaining = remaining.min(limits.per_ip - by_address);
    }
    Ok(json!({
        "spent_usd": Usd::from_units(spent).to_string(),
        "limit_usd": Usd::from_units(limits.per_guest).to_string(),
        "remaining_usd": Usd::from_units(remaining.max(0)).to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guest_without_an_output_limit_gets_one_and_a_set_limit_is_kept() {
        let mut b = json!({"model": "m", "messages": []});
        cap_guest_output(&mut b);
        assert_eq!(b["max_tokens"], json!(GUEST_MAX_TOKENS));
        let mut b = json!({"model": "m", "max_completion_tokens": 5});
        cap_guest_output(&mut b);
        assert!(b.get("max_tokens").is_none());
    }
}
