//! Reading a JSON request body: size limit (413), content type, JSON object.

use super::error::GatewayError;
use axum::body::Body;
use axum::http::HeaderMap;
use serde_json::Value;

/// Content types a JSON body may come with: none, JSON, text, or curl's default form type
/// (`curl -d` sends JSON labelled as a form); anything else is refused.
fn acceptable_content_type(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(axum::http::header::CONTENT_TYPE) else { return true };
    let Ok(ct) = ct.to_str() else { return false };
    let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime.is_empty()
        || mime == "application/json"
        || mime.ends_with("+json")
        || mime == "text/plain"
        || mime == "application/x-www-form-urlencoded"
}

pub async fn read_json(headers: &HeaderMap, body: Body, limit: usize) -> Result<Value, GatewayError> {
    if !acceptable_content_type(headers) {
        return Err(GatewayError::UnreadableBody);
    }
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(GatewayError::BodyTooLarge(limit));
    }
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(e) => {
            // axum reports the limit as a LengthLimitError somewhere in the source chain
            let mut too_large = false;
            let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(err) = cur {
                too_large |= err.to_string().contains("length limit");
                cur = err.source();
            }
            return Err(if too_large { GatewayError::BodyTooLarge(limit) } else { GatewayError::UnreadableBody });
        }
    };
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| GatewayError::InvalidJson)?;
    if !v.is_object() {
        return Err(GatewayError::InvalidJson);
    }
    Ok(v)
}
