//! The body of `POST /api/v1/videos`, checked field by field as the seed documents it. Each
//! refusal names its field; nothing is charged or queued for a body that fails here.

use super::error::VideoError;
use super::estimate::{self, ADAPTIVE, RATIOS, RESOLUTIONS};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const MIN_DURATION: i64 = 4;
pub const MAX_DURATION: i64 = 15;
pub const DEFAULT_DURATION: i64 = 5;
pub const DEFAULT_RESOLUTION: &str = "720p";
pub const DEFAULT_RATIO: &str = "16:9";
pub const MIN_SEED: i64 = -1;
pub const MAX_SEED: i64 = 4_294_967_295;
pub const MAX_PROMPT_CHARS: usize = 10_000;
pub const MAX_METADATA_BYTES: usize = 4_096;
pub const MAX_URL_CHARS: usize = 2_048;
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// A valid request, with the defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoRequest {
    pub model: String,
    pub prompt: String,
    pub duration: i64,
    pub resolution: String,
    pub aspect_ratio: String,
    pub width: u32,
    pub height: u32,
    pub generate_audio: bool,
    pub seed: i64,
    /// As sent (`WxH`), when sent.
    pub size: Option<String>,
    /// The JSON object, as sent.
    pub metadata: Option<String>,
    pub webhook_url: Option<String>,
    /// SHA-256 of the body with its keys sorted: "the same body" for `Idempotency-Key`.
    pub hash: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> VideoError {
    VideoError::Field { field, message: message.into() }
}

/// The model name alone (checked first: `model field is required`).
pub fn model_of(body: &Value) -> Result<String, VideoError> {
    match body.get("model") {
        None | Some(Value::Null) => Err(VideoError::ModelRequired),
        Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= 200 => Ok(s.trim().to_string()),
        Some(_) => Err(VideoError::InvalidModel),
    }
}

pub fn parse(body: &Value) -> Result<VideoRequest, VideoError> {
    let model = model_of(body)?;
    let prompt = match body.get("prompt") {
        None | Some(Value::Null) => return Err(bad("prompt", "prompt is required: describe the video")),
        Some(Value::String(s)) if s.trim().is_empty() => return Err(bad("prompt", "prompt must not be empty")),
        Some(Value::String(s)) if s.chars().count() > MAX_PROMPT_CHARS => {
            return Err(bad("prompt", format!("prompt is too long: at most {MAX_PROMPT_CHARS} characters")))
        }
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(bad("prompt", "prompt must be a string")),
    };
    let duration = match body.get("duration") {
        None | Some(Value::Null) => DEFAULT_DURATION,
        Some(v) => match v.as_i64() {
            Some(d) if (MIN_DURATION..=MAX_DURATION).contains(&d) => d,
            _ => return Err(bad("duration", format!("duration must be a whole number of seconds from {MIN_DURATION} to {MAX_DURATION}"))),
        },
    };
    let resolution = one_of(body, "resolution", &RESOLUTIONS)?;
    let mut ratios: Vec<&str> = RATIOS.to_vec();
    ratios.push(ADAPTIVE);
    let aspect_ratio = one_of(body, "aspect_ratio", &ratios)?;
    let generate_audio = match body.get("generate_audio") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("generate_audio", "generate_audio must be true or false")),
    };
    let seed = match body.get("seed") {
        None | Some(Value::Null) => -1,
        Some(v) => match v.as_i64() {
            Some(s) if (MIN_SEED..=MAX_SEED).contains(&s) => s,
            _ => return Err(bad("seed", format!("seed must be a whole number from {MIN_SEED} to {MAX_SEED}"))),
        },
    };
    // an exact size picks the resolution and ratio; given together they must agree
    let (size, resolution, aspect_ratio) = match body.get("size") {
        None | Some(Value::Null) => {
            (None, resolution.unwrap_or(DEFAULT_RESOLUTION.into()), aspect_ratio.unwrap_or(DEFAULT_RATIO.into()))
        }
        Some(Value::String(s)) => {
            let (w, h) = parse_size(s).ok_or_else(|| bad("size", "size must be WIDTHxHEIGHT in pixels, like 1280x720"))?;
            let (r, a) = estimate::size_of(w, h).ok_or_else(|| {
                bad("size", format!("size {w}x{h} is not an output size of this model; use one of {}", estimate::all_sizes().join(", ")))
            })?;
            if resolution.as_deref().is_some_and(|x| x != r) || aspect_ratio.as_deref().is_some_and(|x| x != a && x != ADAPTIVE) {
                return Err(bad("size", format!("size {w}x{h} is {r} at {a}: it disagrees with resolution or aspect_ratio")));
            }
            (Some(format!("{w}x{h}")), r.to_string(), a.to_string())
        }
        Some(_) => return Err(bad("size", "size must be a string like 1280x720")),
    };
    let (width, height) = match (&size, estimate::dimensions(&resolution, &aspect_ratio)) {
        (Some(s), _) => parse_size(s).unwrap_or_default(),
        (None, Some(d)) => d,
        (None, None) => return Err(bad("resolution", "resolution must be 480p, 720p or 1080p")),
    };
    let metadata = match body.get("metadata") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => {
            let text = v.to_string();
            if text.len() > MAX_METADATA_BYTES {
                return Err(bad("metadata", format!("metadata is too large: at most {MAX_METADATA_BYTES} bytes of JSON")));
            }
            Some(text)
        }
        Some(_) => return Err(bad("metadata", "metadata must be a JSON object")),
    };
    let webhook_url = match body.get("webhook_url") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(webhook_url(s)?),
        Some(_) => return Err(bad("webhook_url", "webhook_url must be a string")),
    };
    Ok(VideoRequest {
        model,
        prompt,
        duration,
        resolution,
        aspect_ratio,
        width,
        height,
        generate_audio,
        seed,
        size,
        metadata,
        webhook_url,
        hash: body_hash(body),
    })
}

/// An optional string field that must be one of `allowed`.
fn one_of(body: &Value, field: &'static str, allowed: &[&str]) -> Result<Option<String>, VideoError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Some(s.clone())),
        Some(_) => Err(bad(field, format!("{field} must be one of {}", allowed.join(", ")))),
    }
}

/// `1280x720` → (1280, 720): digits only, 2 to 5 of them each side.
fn parse_size(s: &str) -> Option<(u32, u32)> {
    let (w, h) = s.trim().split_once(['x', 'X'])?;
    let num = |p: &str| -> Option<u32> {
        if (2..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) { p.parse().ok() } else { None }
    };
    Some((num(w)?, num(h)?))
}

/// A callback address: an absolute https URL. (Delivery, and the check that it does not
/// point into a private network, belong to the webhook sender.)
fn webhook_url(s: &str) -> Result<String, VideoError> {
    if s.len() > MAX_URL_CHARS {
        return Err(bad("webhook_url", format!("webhook_url is too long: at most {MAX_URL_CHARS} characters")));
    }
    match url::Url::parse(s.trim()) {
        Ok(u) if u.scheme() == "https" && u.host_str().is_some_and(|h| !h.is_empty()) => Ok(u.to_string()),
        Ok(_) => Err(bad("webhook_url", "webhook_url must be an https URL")),
        Err(_) => Err(bad("webhook_url", "webhook_url is not a valid URL")),
    }
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
    use serde_json::json;

    fn field_of(body: Value) -> Option<&'static str> {
        match parse(&body) {
            Err(VideoError::Field { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn defaults_and_the_seed_example() {
        let r = parse(&json!({"model": "bytedance/seedance-2.0", "prompt": "a dog"})).ok();
        let r = r.as_ref();
        assert_eq!(r.map(|r| (r.duration, r.resolution.as_str(), r.aspect_ratio.as_str(), r.seed)), Some((5, "720p", "16:9", -1)));
        assert_eq!(r.map(|r| (r.width, r.height, r.generate_audio)), Some((1280, 720, true)));
        let seed_example = json!({"model": "bytedance/seedance-2.0", "prompt": "A golden retriever", "duration": 6,
            "resolution": "720p", "aspect_ratio": "16:9", "generate_audio": false, "seed": -1,
            "metadata": {"source": "playground"}, "webhook_url": "https://example.com/webhooks/gateai-video"});
        assert!(parse(&seed_example).is_ok());
    }

    #[test]
    fn every_bad_field_is_named() {
        let m = |extra: Value| {
            let mut b = json!({"model": "bytedance/seedance-2.0", "prompt": "x"});
            for (k, v) in extra.as_object().cloned().unwrap_or_default() {
                b[k] = v;
            }
            field_of(b)
        };
        assert_eq!(m(json!({"prompt": ""})), Some("prompt"));
        assert_eq!(m(json!({"prompt": 3})), Some("prompt"));
        assert_eq!(m(json!({"duration": 3})), Some("duration"));
        assert_eq!(m(json!({"duration": 16})), Some("duration"));
        assert_eq!(m(json!({"duration": 5.5})), Some("duration"));
        assert_eq!(m(json!({"duration": "5"})), Some("duration"));
        assert_eq!(m(json!({"resolution": "4k"})), Some("resolution"));
        assert_eq!(m(json!({"aspect_ratio": "2:1"})), Some("aspect_ratio"));
        assert_eq!(m(json!({"generate_audio": "yes"})), Some("generate_audio"));
        assert_eq!(m(json!({"seed": -2})), Some("seed"));
        assert_eq!(m(json!({"seed": 4_294_967_296_i64})), Some("seed"));
        assert_eq!(m(json!({"size": "1280*720"})), Some("size"));
        assert_eq!(m(json!({"size": "1000x1000"})), Some("size"));
        assert_eq!(m(json!({"size": "1280x720", "resolution": "1080p"})), Some("size"));
        assert_eq!(m(json!({"metadata": [1]})), Some("metadata"));
        assert_eq!(m(json!({"metadata": {"x": "y".repeat(5000)}})), Some("metadata"));
        assert_eq!(m(json!({"webhook_url": "http://example.com/x"})), Some("webhook_url"));
        assert_eq!(m(json!({"webhook_url": "not a url"})), Some("webhook_url"));
        assert_eq!(m(json!({"seed": 4_294_967_295_i64, "size": "1280x720", "aspect_ratio": "adaptive"})), None);
        assert!(matches!(parse(&json!({"prompt": "x"})), Err(VideoError::ModelRequired)));
        assert!(matches!(parse(&json!({"model": "", "prompt": "x"})), Err(VideoError::InvalidModel)));
    }

    #[test]
    fn same_body_means_same_fields_whatever_their_order() {
        let a = json!({"model": "m", "prompt": "p", "metadata": {"a": 1, "b": [1, {"c": 2, "d": 3}]}});
        let b: Value = serde_json::from_str(r#"{"metadata":{"b":[1,{"d":3,"c":2}],"a":1},"prompt":"p","model":"m"}"#).unwrap_or_default();
        assert_eq!(body_hash(&a), body_hash(&b));
        assert_ne!(body_hash(&a), body_hash(&json!({"model": "m", "prompt": "q"})));
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
