//! In-band stream errors (PROTOCOLS §6.3): once a 200 went out, failures travel inside the stream.

use super::super::sse::{anthropic_frame, openai_frame};
use serde_json::{json, Value};

/// OpenAI in-band error chunk (the SDKs raise on a top-level `error` key).
pub(super) fn openai_error_frame(message: &str, error_type: &str, code: Option<&str>) -> String {
    openai_frame(&json!({"error": {"message": message, "type": error_type, "param": null, "code": code}}))
}

/// Anthropic `event: error`.
pub(super) fn anthropic_error_frame(error_type: &str, message: &str) -> String {
    anthropic_frame("error", &json!({"type": "error", "error": {"type": error_type, "message": message}}))
}

/// The gateway's own failure of an upstream stream (network error, idle timeout), for an OpenAI client.
pub(super) fn openai_upstream_failure(message: &str) -> String {
    openai_error_frame(message, "upstream_error", Some("502"))
}

/// The gateway's own failure of an upstream stream, for an Anthropic client.
pub(super) fn anthropic_upstream_failure(message: &str) -> String {
    anthropic_error_frame("api_error", message)
}

/// The HTTP status an Anthropic error type stands for, as the OpenAI error `code`.
pub(super) fn openai_code_for_anthropic_type(error_type: &str) -> Option<&'static str> {
    Some(match error_type {
        "invalid_request_error" => "400",
        "authentication_error" => "401",
        "billing_error" => "402",
        "permission_error" => "403",
        "not_found_error" => "404",
        "request_too_large" => "413",
        "rate_limit_error" => "429",
        "api_error" => "500",
        "timeout_error" => "504",
        "overloaded_error" => "529",
        _ => return None,
    })
}

/// The Anthropic error type for an OpenAI-style in-band `error` object. Upstream authentication and quota problems
/// are the gateway's, not the client's: they become `api_error`.
pub(super) fn anthropic_type_for_openai_error(error: &Value) -> &'static str {
    let error_type = error.get("type").and_then(Value::as_str).unwrap_or_default();
    let code = match error.get("code") {
        Some(Value::String(code)) => code.clone(),
        Some(Value::Number(code)) => code.to_string(),
        _ => String::new(),
    };
    let says = |needle: &str| error_type.contains(needle) || code.contains(needle);
    if says("rate_limit") || code == "429" {
        "rate_limit_error"
    } else if says("overloaded") || code == "503" || code == "529" {
        "overloaded_error"
    } else if says("timeout") || code == "504" {
        "timeout_error"
    } else if says("invalid_request") || code == "400" {
        "invalid_request_error"
    } else {
        "api_error"
    }
}

/// The message of an error object, or a generic one.
pub(super) fn error_message(error: &Value) -> String {
    match error.get("message").and_then(Value::as_str) {
        Some(message) if !message.is_empty() => message.to_string(),
        _ => "upstream error".to_string(),
    }
}
