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

pub fn api_error(protocol: Protocol, status: StatusCode, message: &str) -> Response {
    let body = match protocol {
        Protocol::OpenAi => json!({"error": {"message": message, "type": crate::gateway::error::openai_type(status), "param": null, "code": status.as_u16().to_string()}}),
        Protocol::Anthropic => json!({"type": "error", "error": {"type": crate::gateway::error::anthropic_type(status), "message": message}}),
    };
    (status, axum::Json(body)).into_response()
}
