//! `POST /api/v1/payments/webhook`

use crate::billing::payments::{self, Outcome, PaymentError, SIGNATURE_HEADER};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::errors::{api_error, Protocol};

pub async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let sig = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let secret = state.config.payment_webhook_secret.as_deref();
    match payments::handle(&state.db, secret, &body, sig).await {
        Ok(o) => {
            let status = match o {
                Outcome::Credited => "credited",
                Outcome::AlreadyCredited => "already_credited",
                Outcome::Ignored => "ignored",
            };
            (StatusCode::OK, Json(json!({"status": status}))).into_response()
        }
        Err(e) => {
            let code = match e {
                PaymentError::NotConfigured => StatusCode::SERVICE_UNAVAILABLE,
                PaymentError::BadSignature => StatusCode::UNAUTHORIZED,
                PaymentError::BadRequest(_) => StatusCode::BAD_REQUEST,
                PaymentError::UnknownOrg => StatusCode::NOT_FOUND,
                PaymentError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            };
            api_error(Protocol::OpenAi, code, &e.to_string())
        }
    }
}
