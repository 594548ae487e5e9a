//! Error bodies of the API, in the caller's protocol.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `/openai/…` and Gate.AI's own `/api/v1/…`: `{"error":{"message","type","param","code"}}`
    OpenAi,
    /// `/anthropic/…`: `{"type":"error","error":{"type","message"}}`
    Anthropic,
}

impl Protocol {
    pub fn of_path(path: &str) -> Protocol {
        if path.starts_with("/anthropic") { Protocol::Anthropic } else { Protocol::OpenAi }
    }
}

fn openai_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 404 | 409 | 413 | 422 => "invalid_request_error",
        401 => "authentication_error",
        402 => "insufficient_quota",
        403 => "permission_error",
        429 => "rate_limit_error",
        502 | 503 | 504 => "upstream_error",
        _ => "server_error",
    }
}

fn anthropic_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 409 | 413 | 422 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        503 | 529 => "overloaded_error",
        504 => "timeout_error",
        _ => "api_error",
    }
}

pub fn api_error(protocol: Protocol, status: StatusCode, message: &str) -> Response {
    let body = match protocol {
        Protocol::OpenAi => json!({"error": {"message": message, "type": openai_type(status), "param": null, "code": status.as_u16().to_string()}}),
        Protocol::Anthropic => json!({"type": "error", "error": {"type": anthropic_type(status), "message": message}}),
    };
    (status, axum::Json(body)).into_response()
}
