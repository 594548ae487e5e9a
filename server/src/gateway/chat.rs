//! `POST /openai/v1/chat/completions`, `POST /anthropic/v1/messages` and
//! `POST /anthropic/v1/messages/count_tokens`: authenticate, read the body, hand it to the
//! pipeline.

use super::auth::ApiKey;
use super::body::read_json;
use super::error::GatewayError;
use crate::http::Protocol;
use crate::pipeline::{self, Call};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(String::from)
}

/// The request's id, as the request-id layer set it (a fresh one if it is missing).
pub fn request_id(headers: &HeaderMap) -> String {
    header(headers, "x-request-id").unwrap_or_else(crate::http::new_request_id)
}

async fn chat(state: AppState, protocol: Protocol, key: ApiKey, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let body = match read_json(&headers, body, state.config.gateway.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return e.render(protocol),
    };
    let call = Call {
        client: protocol,
        body: Arc::new(body),
        key: key.0,
        request_id: request_id(&headers),
        started,
        anthropic_version: header(&headers, "anthropic-version"),
        anthropic_beta: header(&headers, "anthropic-beta"),
        guest: None,
    };
    pipeline::run(&state, call).await
}

pub async fn openai_chat_completions(State(state): State<AppState>, key: ApiKey, headers: HeaderMap, body: Body) -> Response {
    chat(state, Protocol::OpenAi, key, headers, body).await
}

pub async fn anthropic_messages(State(state): State<AppState>, key: ApiKey, headers: HeaderMap, body: Body) -> Response {
    chat(state, Protocol::Anthropic, key, headers, body).await
}

/// Claude Code calls this often (context meter, compaction): a real tokenizer count over
/// system, messages and tools — never a zero for a non-empty request. Free, not logged.
pub async fn anthropic_count_tokens(State(state): State<AppState>, _key: ApiKey, headers: HeaderMap, body: Body) -> Response {
    let p = Protocol::Anthropic;
    let body = match read_json(&headers, body, state.config.gateway.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return e.render(p),
    };
    if let Err(e) = crate::pipeline::summary::summarize(p, &body) {
        return e.render(p);
    }
    if let Err(e) = crate::translate::request::anthropic_validate(&body, false) {
        return GatewayError::BadRequest { message: e.message, param: e.param }.render(p);
    }
    // a long conversation takes milliseconds to tokenize: off the async workers
    match tokio::task::spawn_blocking(move || crate::translate::estimate::anthropic_request_tokens(&body)).await {
        Ok(n) => axum::Json(json!({ "input_tokens": n })).into_response(),
        Err(_) => GatewayError::Internal.render(p),
    }
}
