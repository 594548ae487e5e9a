//! `/api/v1/settings/routing`: whether `model: "auto"` is allowed for the organization and
//! its cost (0) ↔ quality (1) preference. Changes go through `controls::changes` (checked,
//! audited, in force from the next request).

use super::auth::ManagementKey;
use super::guardrail_input;
use super::guardrails::{body_object, changes, refused};
use super::render::{self, Obj};
use crate::clock;
use crate::http::Protocol;
use crate::state::AppState;
use crate::storage::RoutingSettingsRow;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

/// `{"data": {"auto_routing", "preference", "updated_at"}}`; `updated_at` is null while the
/// organization has never changed the defaults.
fn show(row: &RoutingSettingsRow) -> Response {
    let mut o = Obj::new();
    o.value("auto_routing", row.auto_routing)
        .value("preference", row.preference)
        .value("updated_at", (row.updated_at > 0).then(|| clock::rfc3339(row.updated_at)));
    render::json(StatusCode::OK, render::data(o.finish()))
}

/// `GET /api/v1/settings/routing`
pub async fn get(State(state): State<AppState>, ManagementKey(me): ManagementKey) -> Response {
    match changes(&state, &me).routing().await {
        Ok(row) => show(&row),
        Err(e) => refused(e),
    }
}

/// `PATCH /api/v1/settings/routing` with `auto_routing` and/or `preference`.
pub async fn update(State(state): State<AppState>, ManagementKey(me): ManagementKey, headers: HeaderMap, body: Body) -> Response {
    let body = match body_object(&headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (auto_routing, preference) = match guardrail_input::routing_patch(&body) {
        Ok(p) => p,
        Err(e) => return e.error().render(Protocol::OpenAi),
    };
    let c = changes(&state, &me);
    // nothing to change: show the settings as they are, without an audit entry
    let result = if auto_routing.is_none() && preference.is_none() { c.routing().await } else { c.set_routing(auto_routing, preference).await };
    match result {
        Ok(row) => show(&row),
        Err(e) => refused(e),
    }
}
