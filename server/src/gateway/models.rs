//! Model lists: `GET /openai/v1/models` (OpenAI's list) and `GET /anthropic/v1/models`
//! (Anthropic's paged list, which Claude Code and Claude Desktop use for discovery), and one
//! model by id on each. Only models whose provider is on are listed.

use super::auth::ApiKey;
use super::error::GatewayError;
use crate::catalog::{Kind, ModelEntry};
use crate::http::Protocol;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Catalog entries get a stable "created" date: the day this catalog shipped.
const CREATED: i64 = 1_764_028_800; // 2025-11-25T00:00:00Z
const CREATED_RFC3339: &str = "2025-11-25T00:00:00Z";

fn listed(state: &AppState) -> Vec<Arc<ModelEntry>> {
    state.catalog.current().all().filter(|m| state.providers.is_on(&m.provider)).cloned().collect()
}

fn openai_model(m: &ModelEntry) -> Value {
    json!({
        "id": m.id, "object": "model", "created": CREATED, "owned_by": m.provider,
        "name": m.display_name(), "context_length": m.context,
        "type": if m.kind == Kind::Video { "video" } else { "chat" },
    })
}

fn anthropic_model(m: &ModelEntry) -> Value {
    json!({"type": "model", "id": m.id, "display_name": m.display_name(), "created_at": CREATED_RFC3339})
}

fn auto_entry() -> Value {
    json!({"id": "auto", "object": "model", "created": CREATED, "owned_by": "gateai", "name": "Auto (cheapest capable model)", "type": "chat"})
}

pub async fn openai_list(State(state): State<AppState>, _key: ApiKey) -> Response {
    let mut data: Vec<Value> = vec![auto_entry()];
    data.extend(listed(&state).iter().map(|m| openai_model(m)));
    Json(json!({"object": "list", "data": data})).into_response()
}

pub async fn openai_one(State(state): State<AppState>, _key: ApiKey, Path(id): Path<String>) -> Response {
    if id == "auto" {
        return Json(auto_entry()).into_response();
    }
    match state.catalog.current().get(&id).filter(|m| state.providers.is_on(&m.provider)) {
        Some(m) => Json(openai_model(m)).into_response(),
        None => GatewayError::ModelNotFound(id).render(Protocol::OpenAi),
    }
}

#[derive(Deserialize)]
pub struct Page {
    limit: Option<usize>,
    after_id: Option<String>,
    before_id: Option<String>,
}

pub async fn anthropic_list(State(state): State<AppState>, _key: ApiKey, Query(page): Query<Page>) -> Response {
    let all: Vec<Arc<ModelEntry>> = listed(&state).into_iter().filter(|m| m.kind == Kind::Chat).collect();
    let limit = page.limit.unwrap_or(20).clamp(1, 1000);
    let (start, end) = if let Some(after) = &page.after_id {
        let s = all.iter().position(|m| &m.id == after).map_or(all.len(), |i| i + 1);
        (s, (s + limit).min(all.len()))
    } else if let Some(before) = &page.before_id {
        let e = all.iter().position(|m| &m.id == before).unwrap_or(0);
        (e.saturating_sub(limit), e)
    } else {
        (0, limit.min(all.len()))
    };
    let items: Vec<Value> = all[start..end].iter().map(|m| anthropic_model(m)).collect();
    let has_more = if page.before_id.is_some() { start > 0 } else { end < all.len() };
    Json(json!({
        "data": items,
        "has_more": has_more,
        "first_id": all.get(start).filter(|_| start < end).map(|m| m.id.clone()),
        "last_id": end.checked_sub(1).filter(|_| start < end).and_then(|i| all.get(i)).map(|m| m.id.clone()),
    }))
    .into_response()
}

pub async fn anthropic_one(State(state): State<AppState>, _key: ApiKey, Path(id): Path<String>) -> Response {
    match state.catalog.current().get(&id).filter(|m| state.providers.is_on(&m.provider) && m.kind == Kind::Chat) {
        Some(m) => Json(anthropic_model(m)).into_response(),
        None => GatewayError::ModelNotFound(id).render(Protocol::Anthropic),
    }
}
