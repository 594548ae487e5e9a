//! The body of `POST /api/v1/videos`, checked field by field as the seed documents it (the
//! rules are `app::video::params`, shared with the console), its hash for `Idempotency-Key`,
//! and that header. Each refusal names its field; nothing is charged or queued for a body
//! that fails here.

use super::error::VideoError;
use app::video::params::{self, ParamError, VideoParams};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// A valid request, with the defaults filled in (`app::video::params` checks the fields, so
/// the console's video playground refuses a field with the same words before sending it).
#[derive(Clone, Debug, PartialEq)]
pub struct VideoRequest {
    pub params: VideoParams,
    /// SHA-256 of the body with its keys sorted: "the same body" for `Idempotency-Key`.
    pub hash: String,
}

impl std::ops::Deref for VideoRequest {
    type Target = VideoParams;
    fn deref(&self) -> &VideoParams {
        &self.params
    }
}

impl From<ParamError> for VideoError {
    fn from(e: ParamError) -> Self {
        match e {
            ParamError::ModelRequired => VideoError::ModelRequired,
            ParamError::InvalidModel => VideoError::InvalidModel,
            ParamError::Field { field, message } => VideoError::Field { field, message },
        }
    }
}

fn bad(field: &'static str, message: impl Into<String>) -> VideoError {
    VideoError::Field { field, message: message.into() }
}

pub fn parse(body: &Value) -> Result<VideoRequest, VideoError> {
    let params = params::parse(body)?;
    Ok(VideoRequest { params, hash: body_hash(body) })
}

/// The `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub fn idempotency_key(raw: Option<&axum::http::HeaderValue>) -> Result<Option<String>, VideoError> {
    let Some(v) = raw else { return Ok(None) };
    let ok = v.to_str().ok().map(str::trim).filter(|s| {
        !s.is_empty() && s.len() <= MAX_IDEMPOTENCY_KEY_CHARS && s.bytes().all(|b| (0x21..=0x7e).contains(&b))
    });
    match ok {
        Some(s) => Ok(Some(s.to_string())),
        None => Err(bad("Idempotency-Key", format!("Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible ASCII characters"))),
    }
}

/// SHA-256 hex of the body written with sorted keys and no spaces.
pub fn body_hash(body: &Value) -> String {
    let mut out = String::new();
    canonical(body, &mut out);
    hex::encode(Sha256::digest(out.as_bytes()))
}

fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                canonical(&m[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::error::GatewayError;
    use serde_json::json;

    #[test]
    fn defaults_and_refusals_come_from_the_shared_rules() {
        let r = parse(&json!({"model": "bytedance/seedance-2.0", "prompt": "a dog"})).ok();
        assert_eq!(r.as_ref().map(|r| (r.duration, r.width, r.height, r.seed)), Some((5, 1280, 720, -1)));
        match parse(&json!({"model": "m", "prompt": "x", "duration": 16})) {
            Err(VideoError::Field { field, message }) => {
                assert_eq!((field, message.as_str()), ("duration", "duration must be a whole number of seconds from 4 to 15"))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse(&json!({"prompt": "x"})), Err(VideoError::ModelRequired)));
        assert!(matches!(parse(&json!({"model": "", "prompt": "x"})), Err(VideoError::InvalidModel)));
        // the console says the seed's words for the model too
        assert_eq!(ParamError::ModelRequired.message(), GatewayError::ModelRequired.message());
        assert_eq!(ParamError::InvalidModel.message(), GatewayError::InvalidModel.message());
    }

    #[test]
    fn same_body_means_same_fields_whatever_their_order() {
        let a = json!({"model": "m", "prompt": "p", "metadata": {"a": 1, "b": [1, {"c": 2, "d": 3}]}});
        let b: Value = serde_json::from_str(r#"{"metadata":{"b":[1,{"d":3,"c":2}],"a":1},"prompt":"p","model":"m"}"#).unwrap_or_default();
        assert_eq!(body_hash(&a), body_hash(&b));
        assert_ne!(body_hash(&a), body_hash(&json!({"model": "m", "prompt": "q"})));
        assert_eq!(parse(&a).map(|r| r.hash).ok(), Some(body_hash(&b)));
    }

    #[test]
    fn idempotency_keys_are_visible_ascii() {
        let h = |s: &str| axum::http::HeaderValue::from_str(s).ok();
        assert_eq!(idempotency_key(h("abc-123").as_ref()).ok().flatten().as_deref(), Some("abc-123"));
        assert!(idempotency_key(h("").as_ref()).is_err());
        assert!(idempotency_key(h(&"k".repeat(256)).as_ref()).is_err());
        assert!(idempotency_key(None).is_ok_and(|k| k.is_none()));
    }
}
