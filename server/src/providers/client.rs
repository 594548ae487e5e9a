//! One HTTP call to a provider: URL, authentication headers, the first-byte timeout, and
//! failures sorted into what may be retried.

use super::{Provider, ProviderProtocol};
use bytes::Bytes;
use std::time::Duration;

/// A call that got a success status; the body is still to be read (or streamed).
pub struct UpstreamResponse {
    pub response: reqwest::Response,
}

#[derive(Debug)]
pub enum UpstreamFailure {
    /// No connection (refused, DNS, TLS).
    Connect,
    /// No response headers in time.
    Timeout,
    /// The provider answered with an error status.
    Status { status: u16, retry_after: Option<Duration>, message: Option<String> },
}

impl UpstreamFailure {
    /// Connect errors, timeouts, 408, 409, 429 and 5xx may succeed on a second try.
    pub fn retryable(&self) -> bool {
        match self {
            UpstreamFailure::Connect | UpstreamFailure::Timeout => true,
            UpstreamFailure::Status { status, .. } => matches!(status, 408 | 409 | 429) || *status >= 500,
        }
    }
}

impl Provider {
    fn url(&self, path: &str) -> reqwest::Url {
        let mut url = self.base.clone();
        // `base_url` has no trailing slash; a base of only a host parses with the path "/"
        let joined = format!("{}{}", url.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        url
    }

    /// POSTs a JSON body. `extra` are protocol headers such as `anthropic-beta`.
    pub async fn post_json(&self, path: &str, body: Bytes, extra: &[(&str, String)]) -> Result<UpstreamResponse, UpstreamFailure> {
        let mut req = self.http.post(self.url(path)).header("content-type", "application/json").body(body);
        req = match self.protocol {
            ProviderProtocol::Anthropic => req.header("x-api-key", &self.api_key),
            ProviderProtocol::OpenAi | ProviderProtocol::Ark => req.bearer_auth(&self.api_key),
        };
        for (name, value) in extra {
            req = req.header(*name, value);
        }
        let sent = tokio::time::timeout(self.first_byte_timeout, req.send()).await;
        let response = match sent {
            Err(_) => return Err(UpstreamFailure::Timeout),
            Ok(Err(e)) if e.is_timeout() => return Err(UpstreamFailure::Timeout),
            Ok(Err(_)) => return Err(UpstreamFailure::Connect),
            Ok(Ok(r)) => r,
        };
        let status = response.status();
        if status.is_success() {
            return Ok(UpstreamResponse { response });
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s.min(60.0)));
        let text = tokio::time::timeout(Duration::from_secs(10), response.bytes()).await.ok().and_then(|r| r.ok());
        let message = text.and_then(|b| error_message(&b));
        Err(UpstreamFailure::Status { status: status.as_u16(), retry_after, message })
    }

    /// GETs a path (video task status).
    pub async fn get(&self, path: &str) -> Result<UpstreamResponse, UpstreamFailure> {
        self.send_bare(self.http.get(self.url(path))).await
    }

    /// DELETEs a path (cancelling a video task).
    pub async fn delete(&self, path: &str) -> Result<UpstreamResponse, UpstreamFailure> {
        self.send_bare(self.http.delete(self.url(path))).await
    }

    /// Sends a request without a body, with the key.
    async fn send_bare(&self, req: reqwest::RequestBuilder) -> Result<UpstreamResponse, UpstreamFailure> {
        let req = req.bearer_auth(&self.api_key);
        match tokio::time::timeout(self.first_byte_timeout, req.send()).await {
            Err(_) => Err(UpstreamFailure::Timeout),
            Ok(Err(_)) => Err(UpstreamFailure::Connect),
            Ok(Ok(r)) if r.status().is_success() => Ok(UpstreamResponse { response: r }),
            Ok(Ok(r)) => Err(UpstreamFailure::Status { status: r.status().as_u16(), retry_after: None, message: None }),
        }
    }
}

/// The provider's own error message (both envelopes have `error.message`), cut short; the
/// provider's words about our credentials are never passed on.
fn error_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let m = v.get("error")?.get("message")?.as_str()?;
    let lower = m.to_ascii_lowercase();
    if lower.contains("api key") || lower.contains("api_key") || lower.contains("authorization") || m.contains("sk-") {
        return None;
    }
    Some(m.chars().take(500).collect())
}
