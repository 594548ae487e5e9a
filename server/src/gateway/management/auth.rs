//! The management key extractor: 401 without a valid key, 403 for an ordinary key.

use crate::accounts::{AuthedKey, KeyAuthError};
use crate::gateway::auth::presented_key;
use crate::gateway::error::GatewayError;
use crate::http::{api_error, Protocol};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;

pub const NEEDS_MANAGEMENT_KEY: &str =
    "this route needs a management key; create one in Console → API keys or with gateai admin create-key --management";

/// The calling management key, checked (active, not expired, `management = true`).
pub struct ManagementKey(pub AuthedKey);

impl FromRequestParts<AppState> for ManagementKey {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(secret) = presented_key(parts) else {
            return Err(GatewayError::InvalidApiKey.render(Protocol::OpenAi));
        };
        match state.keys.authenticate(secret).await {
            Ok(k) if k.management => Ok(ManagementKey(k)),
            Ok(_) => Err(api_error(Protocol::OpenAi, StatusCode::FORBIDDEN, NEEDS_MANAGEMENT_KEY)),
            Err(KeyAuthError::Invalid) => Err(GatewayError::InvalidApiKey.render(Protocol::OpenAi)),
            Err(KeyAuthError::Storage) => Err(GatewayError::Internal.render(Protocol::OpenAi)),
        }
    }
}
