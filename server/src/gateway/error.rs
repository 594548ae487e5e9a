//! Every error the chat gateway answers, one variant per row of the seed's Troubleshooting
//! tables (message and status in one place), rendered in the caller's envelope.

use crate::http::Protocol;
use app::types::Usd;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// A per-minute limit that refused a request: what it counts, for whom, and when it frees up.
#[derive(Clone, Debug, PartialEq)]
pub struct RateLimit {
    /// True for the organization's limit, false for the key's.
    pub org: bool,
    /// True for tokens per minute, false for requests per minute.
    pub tokens: bool,
    pub limit: i64,
    pub remaining: i64,
    /// Seconds until the current minute's window ends.
    pub retry_after: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GatewayError {
    // authentication
    InvalidApiKey,
    ManagementKeyOnCompletions,
    // routing and model
    ModelNotFound(String),
    ModelRequired,
    InvalidModel,
    UnknownPath,
    NotAChatModel(String),
    NoCapableModel(String),
    // request parameters
    InvalidJson,
    UnreadableBody,
    BodyTooLarge(usize),
    RewriteFailed,
    ImagesUnsupported,
    AudioUnsupported,
    ToolsUnsupported,
    MaxTokensUnsupported,
    BadRequest { message: String, param: Option<String> },
    // billing and balance
    PendingPayment(Usd),
    InDebt,
    BillingNotFound(String),
    BillingAmbiguous(String),
    BillingConfig,
    // quota and rate limits
    KeyBudgetExceeded,
    GuardrailBudgetExceeded,
    OrgGuardrailBudgetExceeded,
    ModelNotAllowed,
    FreeModelGlobalLimit,
    FreeModelDailyLimit,
    GuestDailyLimit,
    /// The operator's guest pool has no credit left.
    GuestPoolEmpty,
    /// A visitor who has not signed in, on a server that turns guests away.
    GuestsOff,
    RateLimited(RateLimit),
    AutoRoutingOff,
    // upstream
    BadGateway,
    UpstreamUnavailable,
    UpstreamError { raw: Option<String> },
    Timeout,
    NoProviderHandler,
    // internal
    Internal,
    ListModelsFailed,
}

impl GatewayError {
    pub fn status(&self) -> StatusCode {
        use GatewayError::*;
        match self {
            InvalidApiKey | GuestsOff => StatusCode::UNAUTHORIZED,
            ManagementKeyOnCompletions => StatusCode::FORBIDDEN,
            ModelNotFound(_) | UnknownPath => StatusCode::NOT_FOUND,
            ModelRequired | InvalidModel | NotAChatModel(_) | NoCapableModel(_) | InvalidJson | UnreadableBody
            | ImagesUnsupported | AudioUnsupported | ToolsUnsupported | MaxTokensUnsupported | BadRequest { .. }
            | AutoRoutingOff | BillingNotFound(_) | BillingAmbiguous(_) => StatusCode::BAD_REQUEST,
            BodyTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            PendingPayment(_) | InDebt => StatusCode::PAYMENT_REQUIRED,
            KeyBudgetExceeded | GuardrailBudgetExceeded | OrgGuardrailBudgetExceeded | FreeModelGlobalLimit
            | FreeModelDailyLimit | GuestDailyLimit | RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ModelNotAllowed => StatusCode::FORBIDDEN,
            BadGateway | UpstreamUnavailable | UpstreamError { .. } | NoProviderHandler => StatusCode::BAD_GATEWAY,
            Timeout => StatusCode::GATEWAY_TIMEOUT,
            GuestPoolEmpty => StatusCode::SERVICE_UNAVAILABLE,
            RewriteFailed | BillingConfig | Internal | ListModelsFailed => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The seed's exact message.
    pub fn message(&self) -> String {
        use GatewayError::*;
        match self {
            InvalidApiKey => "invalid api key".into(),
            ManagementKeyOnCompletions => "management keys cannot call completions; use an API key".into(),
            ModelNotFound(m) => format!("no model config found for: {m}"),
            ModelRequired => "model field is required".into(),
            InvalidModel => "invalid or empty requested model".into(),
            UnknownPath => "unknown api path".into(),
            NotAChatModel(m) => format!("{m} is a video model: use POST /api/v1/videos"),
            NoCapableModel(why) => format!("no available model can serve this request: {why}"),
            InvalidJson => "invalid JSON body".into(),
            UnreadableBody => "failed to read request body".into(),
            BodyTooLarge(limit) => format!("request body too large: the limit is {limit} bytes"),
            RewriteFailed => "failed to rewrite request body".into(),
            ImagesUnsupported => "images are not supported by this model".into(),
            AudioUnsupported => "audio is not supported by this model".into(),
            ToolsUnsupported => "tools are not supported by this model".into(),
            MaxTokensUnsupported => "unsupported parameter: max_tokens".into(),
            BadRequest { message, .. } => message.clone(),
            PendingPayment(amount) => format!("Pending payment {amount} USD — Please top up..."),
            InDebt => "Insufficient balance and account in debt".into(),
            BillingNotFound(m) => format!("billing model info not found for model \"{m}\""),
            BillingAmbiguous(m) => format!("billing model info is ambiguous for model \"{m}\""),
            BillingConfig => "billing configuration error".into(),
            KeyBudgetExceeded => "api key budget quota exceeded".into(),
            GuardrailBudgetExceeded => "guardrail budget limit exceeded".into(),
            OrgGuardrailBudgetExceeded => "organization guardrail budget limit exceeded".into(),
            ModelNotAllowed => "model not allowed by guardrail policy".into(),
            FreeModelGlobalLimit => "The free model usage has reached its daily global limit today.".into(),
            FreeModelDailyLimit => "The free model usage has reached its daily limit today.".into(),
            GuestDailyLimit => "Guest daily spending limit exceeded. Please try again tomorrow or upgrade to a paid plan.".into(),
            GuestPoolEmpty => GUEST_POOL_EMPTY.into(),
            GuestsOff => GUESTS_OFF.into(),
            RateLimited(r) => format!(
                "rate limit exceeded: {} {} per minute for this {}; retry in {} s",
                r.limit,
                if r.tokens { "tokens" } else { "requests" },
                if r.org { "organization" } else { "API key" },
                r.retry_after
            ),
            AutoRoutingOff => AUTO_ROUTING_OFF.into(),
            BadGateway => "bad gateway".into(),
            UpstreamUnavailable => "upstream service unavailable".into(),
            UpstreamError { .. } => "upstream service error".into(),
            Timeout => "request timeout".into(),
            NoProviderHandler => "no provider handler configured for protocol".into(),
            Internal => "internal server error".into(),
            ListModelsFailed => "failed to list models".into(),
        }
    }

    /// OpenAI's `code`, stable for SDK error classes.
    fn code(&self) -> &'static str {
        use GatewayError::*;
        match self {
            InvalidApiKey => "invalid_api_key",
            GuestsOff => "guests_off",
            ModelNotFound(_) => "model_not_found",
            UnknownPath => "unknown_url",
            PendingPayment(_) | InDebt => "insufficient_quota",
            KeyBudgetExceeded | GuardrailBudgetExceeded | OrgGuardrailBudgetExceeded | FreeModelGlobalLimit
            | FreeModelDailyLimit | GuestDailyLimit | GuestPoolEmpty => "quota_exceeded",
            ModelNotAllowed => "model_not_allowed",
            RateLimited(_) => "rate_limit_exceeded",
            AutoRoutingOff => "auto_routing_disabled",
            BodyTooLarge(_) => "request_too_large",
            BadGateway | UpstreamUnavailable | UpstreamError { .. } | NoProviderHandler => "upstream_error",
            Timeout => "timeout",
            RewriteFailed | BillingConfig | Internal | ListModelsFailed => "internal_error",
            _ => "invalid_request",
        }
    }

    fn param(&self) -> Option<&str> {
        use GatewayError::*;
        match self {
            ModelRequired | InvalidModel | ModelNotFound(_) | AutoRoutingOff | ModelNotAllowed => Some("model"),
            MaxTokensUnsupported => Some("max_tokens"),
            ToolsUnsupported => Some("tools"),
            ImagesUnsupported | AudioUnsupported => Some("messages"),
            BadRequest { param, .. } => param.as_deref(),
            _ => None,
        }
    }

    /// The error object inside the envelope, for in-band stream errors too.
    pub fn body(&self, protocol: Protocol) -> Value {
        let status = self.status();
        let mut body = match protocol {
            Protocol::OpenAi => json!({"error": {
                "message": self.message(),
                "type": openai_type(status),
                "param": self.param(),
                "code": self.code(),
            }}),
            Protocol::Anthropic => json!({"type": "error", "error": {
                "type": anthropic_type(status),
                "message": self.message(),
            }}),
        };
        if let GatewayError::UpstreamError { raw: Some(raw) } = self {
            body["error"]["metadata"] = json!({ "raw": raw });
        }
        body
    }

    pub fn render(&self, protocol: Protocol) -> Response {
        let mut resp = (self.status(), axum::Json(self.body(protocol))).into_response();
        // Clients retry 5xx and rate limits on their own; a bad request or a refusal is final.
        let retry = matches!(self.status().as_u16(), 502..=504) || matches!(self, GatewayError::RateLimited(_));
        resp.headers_mut().insert("x-should-retry", HeaderValue::from_static(if retry { "true" } else { "false" }));
        if let GatewayError::RateLimited(r) = self {
            rate_limit_headers(resp.headers_mut(), r, protocol);
        }
        resp
    }
}

/// The message a caller gets for `model: "auto"` while its organization has auto routing off.
pub const AUTO_ROUTING_OFF: &str = "auto routing is turned off for this organization: name a model in the \"model\" field, \
     or turn auto routing on in Console → Settings → Routing";

/// A visitor's playground request when the server turns guests away.
pub const GUESTS_OFF: &str = "sign in to use the playground: guests are turned off on this server";

/// Guests' requests when the operator's guest pool has no credit left (503: ours, not the seed's).
pub const GUEST_POOL_EMPTY: &str = "the guest playground has used up its credit for now: sign up to keep going";

/// `retry-after`, OpenAI's `x-ratelimit-*` and, for Anthropic callers, `anthropic-ratelimit-*`.
fn rate_limit_headers(h: &mut axum::http::HeaderMap, r: &RateLimit, protocol: Protocol) {
    let what = if r.tokens { "tokens" } else { "requests" };
    let mut put = |name: String, value: String| {
        if let (Ok(n), Ok(v)) = (axum::http::HeaderName::try_from(name), HeaderValue::try_from(value)) {
            h.insert(n, v);
        }
    };
    put("retry-after".into(), r.retry_after.to_string());
    put(format!("x-ratelimit-limit-{what}"), r.limit.to_string());
    put(format!("x-ratelimit-remaining-{what}"), r.remaining.max(0).to_string());
    put(format!("x-ratelimit-reset-{what}"), format!("{}s", r.retry_after));
    if protocol == Protocol::Anthropic {
        let reset = crate::clock::rfc3339(crate::clock::now() + r.retry_after as i64);
        put(format!("anthropic-ratelimit-{what}-limit"), r.limit.to_string());
        put(format!("anthropic-ratelimit-{what}-remaining"), r.remaining.max(0).to_string());
        put(format!("anthropic-ratelimit-{what}-reset"), reset);
    }
}

pub fn openai_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 404 | 409 | 413 | 422 => "invalid_request_error",
        401 => "authentication_error",
        402 => "insufficient_quota",
        403 => "permission_error",
        429 => "rate_limit_error",
        502..=504 => "upstream_error",
        _ => "server_error",
    }
}

pub fn anthropic_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 409 | 422 => "invalid_request_error",
        413 => "request_too_large",
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::GatewayError as E;
    use super::*;

    /// The seed's Troubleshooting rows this gateway answers: (variant, status, exact message).
    fn seed_rows() -> Vec<(E, u16, &'static str)> {
        vec![
            (E::InvalidApiKey, 401, "invalid api key"),
            (E::KeyBudgetExceeded, 429, "api key budget quota exceeded"),
            (E::GuardrailBudgetExceeded, 429, "guardrail budget limit exceeded"),
            (E::OrgGuardrailBudgetExceeded, 429, "organization guardrail budget limit exceeded"),
            (E::ModelNotAllowed, 403, "model not allowed by guardrail policy"),
            (E::FreeModelGlobalLimit, 429, "The free model usage has reached its daily global limit today."),
            (E::FreeModelDailyLimit, 429, "The free model usage has reached its daily limit today."),
            (E::GuestDailyLimit, 429, "Guest daily spending limit exceeded. Please try again tomorrow or upgrade to a paid plan."),
            (E::ModelNotFound("a/b".into()), 404, "no model config found for: a/b"),
            (E::ModelRequired, 400, "model field is required"),
            (E::InvalidModel, 400, "invalid or empty requested model"),
            (E::UnknownPath, 404, "unknown api path"),
            (E::InvalidJson, 400, "invalid JSON body"),
            (E::UnreadableBody, 400, "failed to read request body"),
            (E::RewriteFailed, 500, "failed to rewrite request body"),
            (E::ImagesUnsupported, 400, "images are not supported by this model"),
            (E::AudioUnsupported, 400, "audio is not supported by this model"),
            (E::MaxTokensUnsupported, 400, "unsupported parameter: max_tokens"),
            (E::PendingPayment(Usd::from_units(12_345_000_000)), 402, "Pending payment 1.2345000000 USD — Please top up..."),
            (E::InDebt, 402, "Insufficient balance and account in debt"),
            (E::BillingNotFound("a/b".into()), 400, "billing model info not found for model \"a/b\""),
            (E::BillingAmbiguous("a/b".into()), 400, "billing model info is ambiguous for model \"a/b\""),
            (E::BillingConfig, 500, "billing configuration error"),
            (E::BadGateway, 502, "bad gateway"),
            (E::UpstreamUnavailable, 502, "upstream service unavailable"),
            (E::UpstreamError { raw: None }, 502, "upstream service error"),
            (E::Timeout, 504, "request timeout"),
            (E::NoProviderHandler, 502, "no provider handler configured for protocol"),
            (E::Internal, 500, "internal server error"),
            (E::ListModelsFailed, 500, "failed to list models"),
            (E::AutoRoutingOff, 400, AUTO_ROUTING_OFF),
        ]
    }

    #[test]
    fn every_seed_row_has_its_status_and_exact_message_in_both_envelopes() {
        for (e, status, message) in seed_rows() {
            assert_eq!(e.status().as_u16(), status, "{message}");
            assert_eq!(e.message(), message);
            let o = e.body(Protocol::OpenAi);
            assert_eq!(o["error"]["message"], message);
            assert!(o["error"]["type"].is_string() && o["error"]["code"].is_string());
            assert!(o["error"].as_object().is_some_and(|m| m.contains_key("param")));
            let a = e.body(Protocol::Anthropic);
            assert_eq!(a["type"], "error");
            assert_eq!(a["error"]["message"], message);
            assert_eq!(a["error"]["type"], anthropic_type(e.status()));
            let r = e.render(Protocol::OpenAi);
            assert_eq!(r.status().as_u16(), status);
        }
    }

    #[test]
    fn envelope_types_match_what_sdks_expect() {
        assert_eq!(E::InvalidApiKey.body(Protocol::Anthropic)["error"]["type"], "authentication_error");
        assert_eq!(E::InDebt.body(Protocol::Anthropic)["error"]["type"], "billing_error");
        assert_eq!(E::ModelNotFound("x".into()).body(Protocol::Anthropic)["error"]["type"], "not_found_error");
        assert_eq!(E::Timeout.body(Protocol::Anthropic)["error"]["type"], "timeout_error");
        assert_eq!(E::ModelNotFound("x".into()).body(Protocol::OpenAi)["error"]["code"], "model_not_found");
        assert_eq!(E::InvalidApiKey.body(Protocol::OpenAi)["error"]["code"], "invalid_api_key");
    }

    #[test]
    fn a_rate_limit_says_when_to_retry_in_the_callers_headers() {
        let e = E::RateLimited(RateLimit { org: false, tokens: false, limit: 3, remaining: 0, retry_after: 17 });
        assert_eq!(e.status().as_u16(), 429);
        assert_eq!(e.message(), "rate limit exceeded: 3 requests per minute for this API key; retry in 17 s");
        let o = e.render(Protocol::OpenAi);
        let h = o.headers();
        assert_eq!(h["retry-after"], "17");
        assert_eq!(h["x-ratelimit-limit-requests"], "3");
        assert_eq!(h["x-ratelimit-remaining-requests"], "0");
        assert_eq!(h["x-ratelimit-reset-requests"], "17s");
        assert_eq!(h["x-should-retry"], "true");
        assert!(h.get("anthropic-ratelimit-requests-limit").is_none());
        let t = E::RateLimited(RateLimit { org: true, tokens: true, limit: 1000, remaining: 10, retry_after: 5 });
        assert!(t.message().contains("1000 tokens per minute for this organization"));
        let a = t.render(Protocol::Anthropic);
        assert_eq!(a.headers()["anthropic-ratelimit-tokens-limit"], "1000");
        assert_eq!(a.headers()["anthropic-ratelimit-tokens-remaining"], "10");
        assert!(a.headers()["anthropic-ratelimit-tokens-reset"].to_str().unwrap().ends_with('Z'));
        assert_eq!(t.body(Protocol::Anthropic)["error"]["type"], "rate_limit_error");
        assert_eq!(t.body(Protocol::OpenAi)["error"]["code"], "rate_limit_exceeded");
    }
}
