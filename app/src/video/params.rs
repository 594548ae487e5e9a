//! The body of `POST /api/v1/videos` (and of the console's video playground), checked field
//! by field as the seed documents it. Each refusal names its field and says what is allowed;
//! the server answers it as a 400 with `data.field`, the playground shows it next to the field
//! before anything is sent.

use super::estimate::{self, ADAPTIVE, RATIOS, RESOLUTIONS};
use serde_json::Value;

pub const MIN_DURATION: i64 = 4;
pub const MAX_DURATION: i64 = 15;
pub const DEFAULT_DURATION: i64 = 5;
pub const DEFAULT_RESOLUTION: &str = "720p";
pub const DEFAULT_RATIO: &str = "16:9";
pub const DEFAULT_SEED: i64 = -1;
pub const MIN_SEED: i64 = -1;
pub const MAX_SEED: i64 = 4_294_967_295;
pub const MAX_PROMPT_CHARS: usize = 10_000;
pub const MAX_METADATA_BYTES: usize = 4_096;
pub const MAX_URL_CHARS: usize = 2_048;
/// The seed's messages for a missing and an unusable model name.
pub const MODEL_REQUIRED: &str = "model field is required";
pub const INVALID_MODEL: &str = "invalid or empty requested model";

/// A valid request, with the defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoParams {
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
}

/// Why a body is refused.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamError {
    ModelRequired,
    InvalidModel,
    /// A field that is not valid, with what to do about it.
    Field { field: &'static str, message: String },
}

impl ParamError {
    /// The field refused (`model` for the two model errors).
    pub fn field(&self) -> &'static str {
        match self {
            ParamError::ModelRequired | ParamError::InvalidModel => "model",
            ParamError::Field { field, .. } => field,
        }
    }

    pub fn message(&self) -> String {
        match self {
            ParamError::ModelRequired => MODEL_REQUIRED.into(),
            ParamError::InvalidModel => INVALID_MODEL.into(),
            ParamError::Field { message, .. } => message.clone(),
        }
    }
}

fn bad(field: &'static str, message: impl Into<String>) -> ParamError {
    ParamError::Field { field, message: message.into() }
}

/// The model name alone (checked first: `model field is required`).
pub fn model_of(body: &Value) -> Result<String, ParamError> {
    match body.get("model") {
        None | Some(Value::Null) => Err(ParamError::ModelRequired),
        Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= 200 => Ok(s.trim().to_string()),
        Some(_) => Err(ParamError::InvalidModel),
    }
}

pub fn parse(body: &Value) -> Result<VideoParams, ParamError> {
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
        None | Some(Value::Null) => DEFAULT_SEED,
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
    Ok(VideoParams { model, prompt, duration, resolution, aspect_ratio, width, height, generate_audio, seed, size, metadata, webhook_url })
}

/// An optional string field that must be one of `allowed`.
fn one_of(body: &Value, field: &'static str, allowed: &[&str]) -> Result<Option<String>, ParamError> {
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

/// A callback address: an absolute http(s) URL with a host. The server's webhook check
/// (`server/src/video/webhooks/address.rs`) then requires https (plain http only where
/// `GATEAI_ALLOW_HTTP_WEBHOOKS` allows it, for tests) and a public address.
fn webhook_url(s: &str) -> Result<String, ParamError> {
    if s.len() > MAX_URL_CHARS {
        return Err(bad("webhook_url", format!("webhook_url is too long: at most {MAX_URL_CHARS} characters")));
    }
    match url::Url::parse(s.trim()) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some_and(|h| !h.is_empty()) => Ok(u.to_string()),
        Ok(_) => Err(bad("webhook_url", "webhook_url must be an https URL")),
        Err(_) => Err(bad("webhook_url", "webhook_url is not a valid URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_of(body: Value) -> Option<&'static str> {
        parse(&body).err().map(|e| e.field())
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
        // http is refused by the server's webhook check (unless allowed for tests), not here
        assert_eq!(m(json!({"webhook_url": "ftp://example.com/x"})), Some("webhook_url"));
        assert_eq!(m(json!({"webhook_url": "https://"})), Some("webhook_url"));
        assert_eq!(m(json!({"webhook_url": "not a url"})), Some("webhook_url"));
        assert_eq!(m(json!({"seed": 4_294_967_295_i64, "size": "1280x720", "aspect_ratio": "adaptive"})), None);
        assert_eq!(parse(&json!({"prompt": "x"})), Err(ParamError::ModelRequired));
        assert_eq!(parse(&json!({"model": "", "prompt": "x"})), Err(ParamError::InvalidModel));
        assert_eq!(ParamError::InvalidModel.field(), "model");
    }

    #[test]
    fn messages_say_what_is_allowed() {
        let msg = |b: Value| parse(&b).err().map(|e| e.message()).unwrap_or_default();
        let base = |k: &str, v: Value| {
            let mut b = json!({"model": "m", "prompt": "p"});
            b[k] = v;
            b
        };
        assert_eq!(msg(base("duration", json!(20))), "duration must be a whole number of seconds from 4 to 15");
        assert_eq!(msg(base("seed", json!(-5))), "seed must be a whole number from -1 to 4294967295");
        assert_eq!(msg(base("aspect_ratio", json!("2:1"))), "aspect_ratio must be one of 16:9, 4:3, 1:1, 3:4, 9:16, 21:9, adaptive");
        assert_eq!(msg(base("size", json!("1281x720"))).split(';').next(), Some("size 1281x720 is not an output size of this model"));
        assert_eq!(msg(json!({"prompt": "p"})), MODEL_REQUIRED);
    }
}
