//! `/api/v1/guardrails`: list, create, read, change and delete the organization's guardrails,
//! in OpenRouter's shapes plus our `requests_per_minute`, `tokens_per_minute`,
//! `assigned_to_organization` and `key_hashes`. Every change goes through
//! `controls::changes` (checked, audited, in force from the next request).

use super::auth::ManagementKey;
use super::guardrail_input;
use super::input::BadInput;
use super::render::{self, Obj};
use crate::accounts::AuthedKey;
use crate::clock;
use crate::controls::changes::{Actor, ChangeError, Changes};
use crate::controls::policy::Guardrail;
use crate::gateway::body::read_json;
use crate::gateway::error::GatewayError;
use crate::http::{api_error, Protocol};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A management body is a handful of fields (an allowlist of a few hundred ids at most).
const MAX_BODY_BYTES: usize = 256 * 1024;

/// The changes service for the caller's organization, acting as the management key.
pub(super) fn changes<'a>(state: &'a AppState, me: &'a AuthedKey) -> Changes<'a> {
    Changes {
        db: &state.db,
        policies: &state.controls.policies,
        catalog: state.catalog.current(),
        org_id: &me.org_id,
        actor: Actor::Key(me.id.clone()),
    }
}

/// A refused change as the OpenAI error envelope: 400 with `param`, 404, or 500.
pub(super) fn refused(e: ChangeError) -> Response {
    match e {
        ChangeError::Invalid { field, message } => {
            GatewayError::BadRequest { message, param: Some(field.to_string()) }.render(Protocol::OpenAi)
        }
        ChangeError::NotFound => api_error(Protocol::OpenAi, StatusCode::NOT_FOUND, "no such guardrail in this organization"),
        ChangeError::Store(e) => {
            tracing::error!(error = %e, "management api storage error");
            GatewayError::Internal.render(Protocol::OpenAi)
        }
    }
}

pub(super) async fn body_object(headers: &HeaderMap, body: Body) -> Result<Map<String, Value>, Response> {
    match read_json(headers, body, MAX_BODY_BYTES).await {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(GatewayError::InvalidJson.render(Protocol::OpenAi)),
        Err(e) => Err(e.render(Protocol::OpenAi)),
    }
}

/// `offset` and `limit` of a list query, or the 400 that refuses them.
pub(super) fn page_of(query: Result<Query<HashMap<String, String>>, QueryRejection>) -> Result<(usize, usize), BadInput> {
    let Ok(Query(q)) = query else {
        return Err(BadInput { param: "offset", message: "the query string could not be read".into() });
    };
    guardrail_input::page(&q)
}

/// One guardrail as the routes show it; `limit_usd` an exact number.
pub(super) fn render(g: &Guardrail) -> String {
    let mut o = Obj::new();
    o.value("id", &g.id)
        .value("name", &g.name)
        .value("description", &g.description)
        .money("limit_usd", g.limit_units)
        .value("reset_interval", g.reset.as_reset())
        .value("allowed_models", &g.allowed_models)
        .value("allowed_providers", &g.allowed_providers)
        .value("requests_per_minute", g.requests_per_minute)
        .value("tokens_per_minute", g.tokens_per_minute)
        .value("assigned_to_organization", g.org_assigned)
        .value("key_hashes", &g.keys)
        .value("created_at", clock::rfc3339(g.created_at))
        .value("updated_at", clock::rfc3339(g.updated_at));
    o.finish()
}

pub(super) fn one(status: StatusCode, g: &Guardrail) -> Response {
    render::json(status, render::data(render(g)))
}

/// `GET /api/v1/guardrails?offset=&limit=`: oldest first, with `total_count`.
pub async fn list(
    State(state): State<AppState>,
    ManagementKey(me): ManagementKey,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let (offset, limit) = match page_of(query) {
        Ok(p) => p,
        Err(e) => return e.error().render(Protocol::OpenAi),
    };
    match changes(&state, &me).list().await {
        Ok(all) => {
            let items: Vec<String> = all.iter().skip(offset).take(limit).map(render).collect();
            render::json(StatusCode::OK, format!("{{\"data\":[{}],\"total_count\":{}}}", items.join(","), all.len()))
        }
        Err(e) => refused(e),
    }
}

/// `POST /api/v1/guardrails`: 201 with the new guardrail (assigned to nothing yet).
pub async fn create(State(state): State<AppState>, ManagementKey(me): ManagementKey, headers: HeaderMap, body: Body) -> Response {
    let body = match body_object(&headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let fields = match guardrail_input::guardrail_fields(&body) {
        Ok(f) => f,
        Err(e) => return e.error().render(Protocol::OpenAi),
    };
    match changes(&state, &me).create(fields).await {
        Ok(g) => one(StatusCode::CREATED, &g),
        Err(e) => refused(e),
    }
}

/// `GET /api/v1/guardrails/{id}`
pub async fn get_one(State(state): State<AppState>, ManagementKey(me): ManagementKey, Path(id): Path<String>) -> Response {
    match changes(&state, &me).get(&id).await {
        Ok(g) => one(StatusCode::OK, &g),
        Err(e) => refused(e),
    }
}

/// `PATCH /api/v1/guardrails/{id}`: the fields sent change, the others stay; `null` clears.
pub async fn update(
    State(state): State<AppState>,
    ManagementKey(me): ManagementKey,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match body_object(&headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let fields = match guardrail_input::guardrail_fields(&body) {
        Ok(f) => f,
        Err(e) => return e.error().render(Protocol::OpenAi),
    };
    let c = changes(&state, &me);
    // nothing to change: show it as it is, without an audit entry
    let result = if fields.is_empty() { c.get(&id).await } else { c.update(&id, fields).await };
    match result {
        Ok(g) => one(StatusCode::OK, &g),
        Err(e) => refused(e),
    }
}

/// `DELETE /api/v1/guardrails/{id}`: gone with its assignments, at once.
pub async fn delete(State(state): State<AppState>, ManagementKey(me): ManagementKey, Path(id): Path<String>) -> Response {
    match changes(&state, &me).delete(&id).await {
        Ok(()) => render::json(StatusCode::OK, "{\"deleted\":true}".into()),
        Err(e) => refused(e),
    }
}
