//! The management API, in OpenRouter's shapes so that its SDKs and scripts work:
//! `/api/v1/keys` (list, create, read, change, delete), authenticated by a management key.
//! Every change is written to the audit log.

pub mod audit;
pub mod auth;
pub mod input;
pub mod keys;
pub mod render;

use crate::state::AppState;
use axum::routing::get;
use axum::Router;

/// The management routes, to merge into the API router (before its method fallback).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/keys", get(keys::list).post(keys::create))
        // some clients post to the collection with a trailing slash
        .route("/api/v1/keys/", get(keys::list).post(keys::create))
        .route("/api/v1/keys/{hash}", get(keys::get_one).patch(keys::update).delete(keys::delete))
}
