//! The video playground's side of the server's `/playground/videos…` endpoints (called with
//! `fetch`, like the chat playground's):
//!
//! - `POST /playground/videos`: the body of `POST /api/v1/videos` → `202` with the job
//!   ([`VideoJobInfo`]), or an error in the video API's envelope `{"code","msg","data"}`
//!   (`data.field` names a refused field);
//! - `GET /playground/videos?page=N` → [`VideoHistory`]; `GET /playground/videos/{job_id}` →
//!   [`VideoJobInfo`] (polled until the job is over).
//!
//! The form's fields become the request body here, and the body is checked by the same rules
//! as the server's (`crate::video::params`) and priced by the same formula
//! (`crate::video::estimate`). Plain data, so it runs (and is tested) off the browser too.

use crate::types::{ModelInfo, Usd, VideoHistory, VideoJobInfo};
use crate::video::estimate::{cost_units, job_tokens};
use crate::video::params::{self, ParamError, VideoParams, DEFAULT_DURATION, DEFAULT_SEED};
use serde_json::{Map, Value};

pub const VIDEOS_URL: &str = "/playground/videos";

pub fn job_url(id: &str) -> String {
    format!("{VIDEOS_URL}/{id}")
}

pub fn history_url(page: u32) -> String {
    format!("{VIDEOS_URL}?page={page}")
}

/// The form as typed. Empty optional fields are left out of the body (the API's defaults
/// apply); `resolution` and `aspect_ratio` are empty for "the default".
#[derive(Clone, Debug, PartialEq)]
pub struct VideoForm {
    pub model: String,
    pub prompt: String,
    pub duration: String,
    pub resolution: String,
    pub aspect_ratio: String,
    pub size: String,
    pub seed: String,
    pub generate_audio: bool,
    pub metadata: String,
    pub webhook_url: String,
}

impl Default for VideoForm {
    fn default() -> Self {
        VideoForm {
            model: String::new(),
            prompt: String::new(),
            duration: DEFAULT_DURATION.to_string(),
            resolution: String::new(),
            aspect_ratio: String::new(),
            size: String::new(),
            seed: DEFAULT_SEED.to_string(),
            generate_audio: true,
            metadata: String::new(),
            webhook_url: String::new(),
        }
    }
}

/// A number as typed: a JSON number when it is one (a fraction stays a fraction, for the
/// rules to refuse), else the text itself (refused as not a number).
fn number(text: &str) -> Value {
    let t = text.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Value::from(n);
    }
    match t.parse::<f64>().ok().filter(|f| f.is_finite()).and_then(serde_json::Number::from_f64) {
        Some(n) => Value::Number(n),
        None => Value::String(t.to_string()),
    }
}

impl VideoForm {
    /// The request body, each field as typed.
    pub fn body(&self) -> Result<Value, ParamError> {
        let mut b = Map::new();
        b.insert("model".into(), Value::String(self.model.trim().to_string()));
        b.insert("prompt".into(), Value::String(self.prompt.clone()));
        let optional = [
            ("duration", number(&self.duration), self.duration.trim().is_empty()),
            ("resolution", Value::String(self.resolution.clone()), self.resolution.is_empty()),
            ("aspect_ratio", Value::String(self.aspect_ratio.clone()), self.aspect_ratio.is_empty()),
            ("size", Value::String(self.size.trim().to_string()), self.size.trim().is_empty()),
            ("seed", number(&self.seed), self.seed.trim().is_empty()),
            ("webhook_url", Value::String(self.webhook_url.trim().to_string()), self.webhook_url.trim().is_empty()),
        ];
        for (name, value, empty) in optional {
            if !empty {
                b.insert(name.into(), value);
            }
        }
        b.insert("generate_audio".into(), Value::Bool(self.generate_audio));
        if !self.metadata.trim().is_empty() {
            let m: Value = serde_json::from_str(&self.metadata).map_err(|_| ParamError::Field {
                field: "metadata",
                message: "metadata must be a JSON object".into(),
            })?;
            b.insert("metadata".into(), m);
        }
        Ok(Value::Object(b))
    }

    /// The body and what it asks for, or the first field the rules refuse.
    pub fn check(&self) -> Result<(Value, VideoParams), ParamError> {
        let body = self.body()?;
        let p = params::parse(&body)?;
        Ok((body, p))
    }

    /// What the job would ask for, whatever the prompt (so the estimate shows before one is
    /// written); None while another field is refused.
    pub fn priced_params(&self) -> Option<VideoParams> {
        let mut f = self.clone();
        if f.prompt.trim().is_empty() {
            f.prompt = "-".into();
        }
        f.check().ok().map(|(_, p)| p)
    }
}

/// What a job will cost before it runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoEstimate {
    pub tokens: i64,
    pub frames: i64,
    pub cost: Usd,
}

/// The estimate of `p` on `model` (its fps and price per million video tokens), the figure
/// the server pre-deducts.
pub fn estimate(p: &VideoParams, model: &ModelInfo) -> Option<VideoEstimate> {
    let fps = model.fps.filter(|f| *f > 0)?;
    let tokens = job_tokens(p.width, p.height, p.duration, fps);
    let units = cost_units(model.price_video?, tokens)?;
    Some(VideoEstimate { tokens, frames: p.duration * i64::from(fps), cost: Usd::from_units(units) })
}

/// A refusal of the server: the field it names (if any) and its message.
pub fn refusal(status: u16, body: &str) -> (Option<String>, String) {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        if let Some(msg) = v.get("msg").and_then(Value::as_str).filter(|m| !m.trim().is_empty()) {
            let field = v.pointer("/data/field").and_then(Value::as_str).map(str::to_string);
            return (field, msg.to_string());
        }
    }
    (None, super::playground::error_text(status, body))
}

pub fn parse_job(body: &str) -> Option<VideoJobInfo> {
    serde_json::from_str(body).ok()
}

pub fn parse_history(body: &str) -> Option<VideoHistory> {
    serde_json::from_str(body).ok()
}

/// `1280×720 · 16:9 · 5 s · audio`: a job's settings in a few words.
pub fn settings_words(j: &VideoJobInfo) -> String {
    let (w, h) = j.size.split_once('x').unwrap_or((&j.size, ""));
    let audio = if j.generate_audio { " · audio" } else { "" };
    format!("{w}×{h} · {} · {} s{audio}", j.aspect_ratio, j.duration)
}

/// 108000 → `108,000`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ModelKind;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn seedance() -> ModelInfo {
        ModelInfo {
            id: "bytedance/seedance-2.0".into(),
            name: "Seedance 2.0".into(),
            provider: "bytedance".into(),
            description: String::new(),
            use_case: String::new(),
            kind: ModelKind::Video,
            context: 0,
            max_output: 0,
            image_input: false,
            audio_input: false,
            tools: false,
            reasoning: false,
            token_param: String::new(),
            price_input: None,
            price_output: None,
            price_cached_input: None,
            price_cache_write: None,
            price_video: Decimal::from_str("7.7").ok(),
            fps: Some(24),
        }
    }

    fn form() -> VideoForm {
        VideoForm { model: "bytedance/seedance-2.0".into(), prompt: "a dog".into(), ..VideoForm::default() }
    }

    #[test]
    fn the_default_form_is_the_default_job_and_its_estimate() {
        let (body, p) = form().check().unwrap();
        assert_eq!(body, serde_json::json!({"model": "bytedance/seedance-2.0", "prompt": "a dog", "duration": 5, "seed": -1, "generate_audio": true}));
        let e = estimate(&p, &seedance()).unwrap();
        assert_eq!((e.tokens, e.frames, e.cost.to_string().as_str()), (108_000, 120, "0.8316000000"));
        let big = VideoForm { duration: "15".into(), resolution: "1080p".into(), ..form() };
        let e = estimate(&big.check().unwrap().1, &seedance()).unwrap();
        assert_eq!((e.tokens, e.cost.to_string().as_str()), (729_000, "5.6133000000"));
        assert!(estimate(&p, &ModelInfo { fps: None, ..seedance() }).is_none(), "no fps, no estimate");
    }

    #[test]
    fn every_field_goes_into_the_body_as_typed() {
        let f = VideoForm {
            duration: "6".into(),
            resolution: "720p".into(),
            aspect_ratio: "adaptive".into(),
            size: " 1280x720 ".into(),
            seed: "4294967295".into(),
            generate_audio: false,
            metadata: r#"{"source": "playground"}"#.into(),
            webhook_url: "https://example.com/hook".into(),
            ..form()
        };
        let (body, p) = f.check().unwrap();
        assert_eq!(body["size"], "1280x720");
        assert_eq!(body["metadata"]["source"], "playground");
        assert_eq!((p.duration, p.seed, p.generate_audio, p.aspect_ratio.as_str()), (6, 4_294_967_295, false, "16:9"));
        assert_eq!(p.webhook_url.as_deref(), Some("https://example.com/hook"));
    }

    #[test]
    fn refusals_name_the_field_with_the_servers_words() {
        let refused = |f: VideoForm| f.check().err().map(|e| (e.field(), e.message()));
        assert_eq!(
            refused(VideoForm { duration: "20".into(), ..form() }),
            Some(("duration", "duration must be a whole number of seconds from 4 to 15".into()))
        );
        assert_eq!(refused(VideoForm { duration: "5.5".into(), ..form() }).map(|r| r.0), Some("duration"));
        assert_eq!(refused(VideoForm { seed: "abc".into(), ..form() }).map(|r| r.0), Some("seed"));
        assert_eq!(refused(VideoForm { metadata: "{not json".into(), ..form() }), Some(("metadata", "metadata must be a JSON object".into())));
        assert_eq!(refused(VideoForm { metadata: "[1]".into(), ..form() }), Some(("metadata", "metadata must be a JSON object".into())));
        assert_eq!(refused(VideoForm { prompt: "  ".into(), ..form() }).map(|r| r.0), Some("prompt"));
        assert_eq!(refused(VideoForm { size: "1000x1000".into(), ..form() }).map(|r| r.0), Some("size"));
        assert_eq!(refused(VideoForm { webhook_url: "ftp://example.com".into(), ..form() }).map(|r| r.0), Some("webhook_url"));
        // the estimate shows before a prompt is written, not while another field is refused
        assert!(VideoForm { prompt: String::new(), ..form() }.priced_params().is_some());
        assert!(VideoForm { duration: "3".into(), ..form() }.priced_params().is_none());
    }

    #[test]
    fn server_refusals_and_words() {
        let body = r#"{"code":400,"msg":"duration must be a whole number of seconds from 4 to 15","data":{"field":"duration"}}"#;
        assert_eq!(refusal(400, body), (Some("duration".into()), "duration must be a whole number of seconds from 4 to 15".into()));
        let limit = r#"{"code":429,"msg":"Guest daily spending limit exceeded. Please try again tomorrow or upgrade to a paid plan.","data":null}"#;
        assert_eq!(refusal(429, limit).0, None);
        assert_eq!(refusal(502, ""), (None, "The server answered 502.".into()));
        assert_eq!(thousands(108_000), "108,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        let j = VideoJobInfo { size: "1280x720".into(), aspect_ratio: "16:9".into(), duration: 5, generate_audio: true, ..VideoJobInfo::default() };
        assert_eq!(settings_words(&j), "1280×720 · 16:9 · 5 s · audio");
    }
}
