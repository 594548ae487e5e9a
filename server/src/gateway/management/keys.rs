//! `/api/v1/keys`: list, create, read, change and delete the organization's API keys, in
//! OpenRouter's shapes. A key is addressed by its id (OpenRouter's `hash`). Changes hold from
//! the next request on (the key cache is dropped) and each is audited.

use super::audit;
use super::auth::ManagementKey;
use super::input;
use super::render::{self, Usage};
use crate::accounts::api_keys::KeyOptions;
use crate::clock;
use crate::controls::Period;
use crate::gateway::body::read_json;
use crate::gateway::error::GatewayError;
use crate::http::{api_error, Protocol};
use crate::state::AppState;
use crate::storage::{ApiKeyRow, Db, KeyChanges, StoreError};
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Keys per page of the list, as OpenRouter pages them.
const PAGE: usize = 100;
/// A management body is a handful of fields.
const MAX_BODY_BYTES: usize = 64 * 1024;

fn not_found() -> Response {
    api_error(Protocol::OpenAi, StatusCode::NOT_FOUND, "no such key in this organization")
}

fn internal(e: StoreError) -> Response {
    tracing::error!(error = %e, "management api storage error");
    GatewayError::Internal.render(Protocol::OpenAi)
}

fn bad(param: &str, message: &str) -> Response {
    GatewayError::BadRequest { message: message.into(), param: Some(param.into()) }.render(Protocol::OpenAi)
}

async fn body_object(headers: &HeaderMap, body: Body) -> Result<Map<String, Value>, Response> {
    match read_json(headers, body, MAX_BODY_BYTES).await {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(GatewayError::InvalidJson.render(Protocol::OpenAi)),
        Err(e) => Err(e.render(Protocol::OpenAi)),
    }
}

/// What the key spent in total and in the current UTC day, week and month.
async fn usage_of(db: &Db, row: &ApiKeyRow, now: i64) -> Result<Usage, StoreError> {
    let (daily, weekly, monthly) = tokio::try_join!(
        db.key_spend_since(&row.id, Period::Daily.start(now)),
        db.key_spend_since(&row.id, Period::Weekly.start(now)),
        db.key_spend_since(&row.id, Period::Monthly.start(now)),
    )?;
    Ok(Usage { total: row.spend_units, daily, weekly, monthly })
}

/// A key of the caller's organization that is not revoked.
async fn live_key(db: &Db, org_id: &str, id: &str) -> Result<ApiKeyRow, Response> {
    match db.key_by_id(org_id, id).await {
        Ok(Some(row)) if row.status != "revoked" => Ok(row),
        Ok(_) => Err(not_found()),
        Err(e) => Err(internal(e)),
    }
}

async fn one(db: &Db, row: &ApiKeyRow, status: StatusCode) -> Response {
    match usage_of(db, row, clock::now()).await {
        Ok(u) => render::json(status, render::data(render::key(row, u))),
        Err(e) => internal(e),
    }
}

fn flag(q: &HashMap<String, String>, name: &str) -> Option<Option<bool>> {
    match q.get(name).map(|s| s.trim().to_ascii_lowercase()) {
        None => Some(None),
        Some(s) if s == "true" || s == "1" => Some(Some(true)),
        Some(s) if s.is_empty() || s == "false" || s == "0" => Some(Some(false)),
        Some(_) => None,
    }
}

/// `GET /api/v1/keys?offset=&include_disabled=`: up to 100 keys, newest first; revoked keys
/// never, disabled ones only with `include_disabled=true` (OpenRouter's default).
pub async fn list(
    State(state): State<AppState>,
    ManagementKey(me): ManagementKey,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else { return bad("offset", "the query string could not be read") };
    let offset = match q.get("offset").map(|s| s.trim()) {
        None | Some("") => 0,
        Some(s) => match s.parse::<usize>() {
            Ok(n) => n,
            Err(_) => return bad("offset", "offset must be a whole number, 0 or more"),
        },
    };
    let Some(include_disabled) = flag(&q, "include_disabled") else {
        return bad("include_disabled", "include_disabled must be true or false");
    };
    let include_disabled = include_disabled.unwrap_or(false);
    let mut rows = match state.db.keys_of_org(&me.org_id).await {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    // newest first; ids (UUIDv7) order keys made within the same second
    rows.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
    let page: Vec<ApiKeyRow> = rows
        .into_iter()
        .filter(|r| r.status != "revoked" && (include_disabled || r.status != "disabled"))
        .skip(offset)
        .take(PAGE)
        .collect();
    let now = clock::now();
    let usages = futures::future::try_join_all(page.iter().map(|r| usage_of(&state.db, r, now))).await;
    match usages {
        Ok(us) => {
            let items: Vec<String> = page.iter().zip(us).map(|(r, u)| render::key(r, u)).collect();
            render::json(StatusCode::OK, render::data_list(&items))
        }
        Err(e) => internal(e),
    }
}

/// `POST /api/v1/keys`: 201 with the key and, this once, its secret.
pub async fn create(State(state): State<AppState>, ManagementKey(me): ManagementKey, headers: HeaderMap, body: Body) -> Response {
    let body = match body_object(&headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let new = match input::parse_create(&body, clock::now()) {
        Ok(n) => n,
        Err(e) => return e.error().render(Protocol::OpenAi),
    };
    let options = KeyOptions { expires_at: new.expires_at, budget: new.limit, budget_reset: Some(new.limit_reset), management: false };
    let (row, secret) = match state.keys.create_with(&me.org_id, &me.created_by, &new.name, options).await {
        Ok(made) => made,
        Err(e) => return internal(e),
    };
    let detail = format!(
        "created key {:?} ({}, {}, {})",
        row.name,
        describe_limit(row.budget_units),
        describe_reset(row.budget_reset.as_deref()),
        describe_expiry(row.expires_at),
    );
    audit::record(&state.db, &me, "key.create", &row.id, detail).await;
    let data = render::key(&row, Usage { total: row.spend_units, ..Usage::default() });
    let secret = serde_json::to_string(&secret).unwrap_or_default();
    render::json(StatusCode::CREATED, format!("{{\"data\":{data},\"key\":{secret}}}"))
}

/// `GET /api/v1/keys/{hash}`
pub async fn get_one(State(state): State<AppState>, ManagementKey(me): ManagementKey, Path(hash): Path<String>) -> Response {
    match live_key(&state.db, &me.org_id, &hash).await {
        Ok(row) => one(&state.db, &row, StatusCode::OK).await,
        Err(r) => r,
    }
}

/// `PATCH /api/v1/keys/{hash}`: `name`, `disabled`, `limit`, `limit_reset` (and `expires_at`).
pub async fn update(
    State(state): State<AppState>,
    ManagementKey(me): ManagementKey,
    Path(hash): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match body_object(&headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let changes = match input::parse_update(&body, clock::now()) {
        Ok(c) => c,
        Err(e) => return e.error().render(Protocol::OpenAi),
    };
    let before = match live_key(&state.db, &me.org_id, &hash).await {
        Ok(row) => row,
        Err(r) => return r,
    };
    if input::is_empty(&changes) {
        return one(&state.db, &before, StatusCode::OK).await;
    }
    let row = match state.keys.update(&me.org_id, &before.id, &changes).await {
        Ok(Some(row)) => row,
        Ok(None) => return not_found(),
        Err(e) => return internal(e),
    };
    audit::record(&state.db, &me, "key.update", &row.id, describe_changes(&before, &changes)).await;
    one(&state.db, &row, StatusCode::OK).await
}

/// `DELETE /api/v1/keys/{hash}`: revokes the key for good; it stops working at once.
pub async fn delete(State(state): State<AppState>, ManagementKey(me): ManagementKey, Path(hash): Path<String>) -> Response {
    let before = match live_key(&state.db, &me.org_id, &hash).await {
        Ok(row) => row,
        Err(r) => return r,
    };
    match state.keys.set_status(&me.org_id, &before.id, "revoked").await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(),
        Err(e) => return internal(e),
    }
    audit::record(&state.db, &me, "key.delete", &before.id, format!("revoked key {:?}", before.name)).await;
    render::json(StatusCode::OK, "{\"deleted\":true}".into())
}

fn describe_limit(units: Option<i64>) -> String {
    units.map_or_else(|| "no limit".into(), |u| format!("limit {} USD", render::number(u)))
}

fn describe_reset(reset: Option<&str>) -> String {
    reset.map_or_else(|| "never resets".into(), |r| format!("resets {r}"))
}

fn describe_expiry(at: Option<i64>) -> String {
    at.map_or_else(|| "never expires".into(), |t| format!("expires {}", clock::rfc3339(t)))
}

/// A short text of what changed, old → new, without secrets.
fn describe_changes(before: &ApiKeyRow, c: &KeyChanges) -> String {
    let mut parts = vec![];
    if let Some(name) = &c.name {
        parts.push(format!("name {:?} → {:?}", before.name, name));
    }
    if let Some(d) = c.disabled {
        parts.push(if d { "disabled".into() } else { "enabled".into() });
    }
    if let Some(l) = c.budget_units {
        parts.push(format!("{} → {}", describe_limit(before.budget_units), describe_limit(l)));
    }
    if let Some(r) = &c.budget_reset {
        parts.push(format!("{} → {}", describe_reset(before.budget_reset.as_deref()), describe_reset(r.as_deref())));
    }
    if let Some(e) = c.expires_at {
        parts.push(format!("{} → {}", describe_expiry(before.expires_at), describe_expiry(e)));
    }
    format!("changed key {:?}: {}", before.name, parts.join(", "))
}
