//! Whom a guardrail limits: `/api/v1/guardrails/{id}/assignments/keys` (list, bulk assign,
//! bulk unassign with `…/remove`, in OpenRouter's shapes) and our organization-wide
//! assignment at `/api/v1/guardrails/{id}/assignments/organization` (PUT on, DELETE off).
//! A guardrail on the organization limits the organization's traffic as a whole.

use super::auth::ManagementKey;
use super::guardrail_input;
use super::guardrails::{body_object, changes, one, page_of, refused};
use super::render::{self, Obj};
use crate::clock;
use crate::http::Protocol;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::collections::HashMap;

/// `GET …/assignments/keys?offset=&limit=`: the keys the guardrail is assigned to, oldest
/// assignment first, as `{"data": [{id, key_hash, guardrail_id, key_name, key_label,
/// assigned_by, created_at}], "total_count": n}`. An assignment has no id of its own here:
/// `id` is the key's (unique within the guardrail); `assigned_by` is in the audit log, not here.
pub async fn list_keys(
    State(state): State<AppState>,
    ManagementKey(me): ManagementKey,
    Path(id): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    // 404 for a guardrail of another organization (or none)
    if let Err(e) = changes(&state, &me).get(&id).await {
        return refused(e);
    }
    key_assignments(&state, &me.org_id, Some(&id), query).await
}

/// `GET /api/v1/guardrails/assignments/keys`: every key assignment of every guardrail of the
/// organization (OpenRouter's "list all key assignments"), paged with `offset` and `limit`.
pub async fn list_all_keys(
    State(state): State<AppState>,
    ManagementKey(me): ManagementKey,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    key_assignments(&state, &me.org_id, None, query).await
}

/// The organization's key assignments, of one guardrail or of all, as OpenRouter lists them.
async fn key_assignments(
    state: &AppState,
    org_id: &str,
    guardrail: Option<&str>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let (offset, limit) = match page_of(query) {
        Ok(p) => p,
        Err(e) => return e.error().render(Protocol::OpenAi),
    };
    let (assignments, keys) = match tokio::try_join!(state.db.guardrail_keys_of_org(org_id), state.db.keys_of_org(org_id)) {
        Ok(both) => both,
        Err(e) => return refused(e.into()),
    };
    let chosen: Vec<_> = assignments.iter().filter(|a| guardrail.is_none_or(|g| a.guardrail_id == g)).collect();
    let items: Vec<String> = chosen
        .iter()
        .skip(offset)
        .take(limit)
        .map(|a| {
            let key = keys.iter().find(|k| k.id == a.key_id);
            let mut o = Obj::new();
            o.value("id", &a.key_id)
                .value("key_hash", &a.key_id)
                .value("guardrail_id", &a.guardrail_id)
                .value("key_name", key.map(|k| &k.name))
                .value("key_label", key.map(|k| &k.prefix))
                .value("assigned_by", Option::<String>::None)
                .value("created_at", clock::rfc3339(a.created_at));
            o.finish()
        })
        .collect();
    render::json(StatusCode::OK, format!("{{\"data\":[{}],\"total_count\":{}}}", items.join(","), chosen.len()))
}

async fn key_hashes(headers: &HeaderMap, body: Body) -> Result<Vec<String>, Response> {
    let body = body_object(headers, body).await?;
    guardrail_input::key_hashes(&body).map_err(|e| e.error().render(Protocol::OpenAi))
}

/// `POST …/assignments/keys` with `{"key_hashes": […]}` → `{"assigned_count": n}`, the keys
/// newly assigned (one already assigned counts 0). Every hash must be a key of the
/// organization, else 400 and nothing changes.
pub async fn assign_keys(
    State(state): State<AppState>,
    ManagementKey(me): ManagementKey,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let hashes = match key_hashes(&headers, body).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    match changes(&state, &me).assign_keys(&id, &hashes).await {
        Ok(n) => render::json(StatusCode::OK, format!("{{\"assigned_count\":{n}}}")),
        Err(e) => refused(e),
    }
}

/// `POST …/assignments/keys/remove` with `{"key_hashes": […]}` → `{"unassigned_count": n}`.
pub async fn unassign_keys(
    State(state): State<AppState>,
    ManagementKey(me): ManagementKey,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let hashes = match key_hashes(&headers, body).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    match changes(&state, &me).unassign_keys(&id, &hashes).await {
        Ok(n) => render::json(StatusCode::OK, format!("{{\"unassigned_count\":{n}}}")),
        Err(e) => refused(e),
    }
}

/// `PUT …/assignments/organization`: the guardrail limits the whole organization; answers
/// with the guardrail.
pub async fn assign_org(State(state): State<AppState>, ManagementKey(me): ManagementKey, Path(id): Path<String>) -> Response {
    set_org(&state, &me, &id, true).await
}

/// `DELETE …/assignments/organization`: it no longer does.
pub async fn unassign_org(State(state): State<AppState>, ManagementKey(me): ManagementKey, Path(id): Path<String>) -> Response {
    set_org(&state, &me, &id, false).await
}

async fn set_org(state: &AppState, me: &crate::accounts::AuthedKey, id: &str, on: bool) -> Response {
    match changes(state, me).assign_org(id, on).await {
        Ok(g) => one(StatusCode::OK, &g),
        Err(e) => refused(e),
    }
}
