//! API-key authentication for the gateway: `Authorization: Bearer <key>` or `x-api-key`.

use crate::accounts::{AuthedKey, KeyAuthError};
use super::error::GatewayError;
use crate::http::Protocol;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;

/// The calling key, already checked (active, not expired).
pub struct ApiKey(pub AuthedKey);

/// The key as sent: Bearer first, then `x-api-key` (Anthropic clients).
pub fn presented_key(parts: &Parts) -> Option<&str> {
    let bearer = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    bearer.or_else(|| parts.headers.get("x-api-key").and_then(|v| v.to_str().ok()).map(str::trim))
}

impl FromRequestParts<AppState> for ApiKey {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let protocol = Protocol::of_path(parts.uri.path());
        let Some(secret) = presented_key(parts) else {
            return Err(GatewayError::InvalidApiKey.render(protocol));
        };
        match state.keys.authenticate(secret).await {
            Ok(k) => Ok(ApiKey(k)),
            Err(KeyAuthError::Invalid) => Err(GatewayError::InvalidApiKey.render(protocol)),
            Err(KeyAuthError::Storage) => Err(GatewayError::Internal.render(protocol)),
        }
    }
}
