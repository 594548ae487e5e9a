//! The management API, in OpenRouter's shapes so that its SDKs and scripts work:
//! `/api/v1/keys` (list, create, read, change, delete), `/api/v1/guardrails` (the same, and
//! their assignments to keys or to the whole organization) and `/api/v1/settings/routing`,
//! authenticated by a management key. Every change is written to the audit log.

pub mod audit;
pub mod auth;
pub mod guardrail_assignments;
pub mod guardrail_input;
pub mod guardrails;
pub mod input;
pub mod keys;
pub mod render;
pub mod routing_settings;

use crate::state::AppState;
use axum::routing::{get, post, put};
use axum::Router;

/// The management routes, to merge into the API router (before its method fallback).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/keys", get(keys::list).post(keys::create))
        // some clients post to the collection with a trailing slash
        .route("/api/v1/keys/", get(keys::list).post(keys::create))
        .route("/api/v1/keys/{hash}", get(keys::get_one).patch(keys::update).delete(keys::delete))
        .route("/api/v1/guardrails", get(guardrails::list).post(guardrails::create))
        .route("/api/v1/guardrails/", get(guardrails::list).post(guardrails::create))
        .route("/api/v1/guardrails/{id}", get(guardrails::get_one).patch(guardrails::update).delete(guardrails::delete))
        .route("/api/v1/guardrails/assignments/keys", get(guardrail_assignments::list_all_keys))
        .route(
            "/api/v1/guardrails/{id}/assignments/keys",
            get(guardrail_assignments::list_keys).post(guardrail_assignments::assign_keys),
        )
        .route("/api/v1/guardrails/{id}/assignments/keys/remove", post(guardrail_assignments::unassign_keys))
        .route(
            "/api/v1/guardrails/{id}/assignments/organization",
            put(guardrail_assignments::assign_org).delete(guardrail_assignments::unassign_org),
        )
        .route("/api/v1/settings/routing", get(routing_settings::get).patch(routing_settings::update))
}
