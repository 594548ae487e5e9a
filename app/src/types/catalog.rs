//! Models as the console shows them: the marketplace's list and filter, and the
//! administrators' view and edit of the catalog.

use super::ConsoleError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    Chat,
    Video,
}

/// One catalog model. Prices are USD per million tokens (video: per million video tokens);
/// `None` is unpriced (cached input and cache writes then cost the input price).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub description: String,
    pub use_case: String,
    pub kind: ModelKind,
    /// Context window in tokens; 0 when unknown.
    pub context: u64,
    pub max_output: u64,
    pub image_input: bool,
    pub audio_input: bool,
    pub tools: bool,
    pub reasoning: bool,
    /// `max_tokens` or `max_completion_tokens`.
    pub token_param: String,
    pub price_input: Option<Decimal>,
    pub price_output: Option<Decimal>,
    pub price_cached_input: Option<Decimal>,
    pub price_cache_write: Option<Decimal>,
    pub price_video: Option<Decimal>,
    /// Video models: frames a second (the estimate's frames = duration × fps).
    #[serde(default)]
    pub fps: Option<u32>,
}

impl ModelInfo {
    /// Priced at zero: free to call (with daily limits).
    pub fn is_free(&self) -> bool {
        match self.kind {
            ModelKind::Video => self.price_video.is_some_and(|p| p.is_zero()),
            ModelKind::Chat => {
                self.price_input.is_some_and(|p| p.is_zero()) && self.price_output.is_some_and(|p| p.is_zero())
            }
        }
    }
    /// What a cached input token costs (the input price when the model has no own price).
    pub fn cached_price(&self) -> Option<Decimal> {
        self.price_cached_input.or(self.price_input)
    }
    /// The model's page in the marketplace.
    pub fn href(&self) -> String {
        format!("/models/{}", self.id)
    }
    /// `text`, `text + image`, …
    pub fn modalities(&self) -> String {
        let mut m = vec!["text"];
        if self.image_input {
            m.push("image");
        }
        if self.audio_input {
            m.push("audio");
        }
        m.join(" + ")
    }
}

/// A price per million for people: `$1.25`, `free`, or `—` when unpriced.
pub fn format_price(p: Option<Decimal>) -> String {
    match p {
        None => "—".to_string(),
        Some(p) if p.is_zero() => "free".to_string(),
        Some(p) => {
            let n = p.normalize();
            if n.scale() < 2 {
                let mut r = n;
                r.rescale(2);
                format!("${r}")
            } else {
                format!("${n}")
            }
        }
    }
}

/// `400K`, `1M`, `1.05M`, `8,192`; `—` when unknown.
pub fn format_tokens(n: u64) -> String {
    if n == 0 {
        return "—".into();
    }
    if n >= 1_000_000 && n % 10_000 == 0 {
        let d = Decimal::from(n) / Decimal::from(1_000_000);
        return format!("{}M", d.normalize());
    }
    if n >= 1_000 && n % 1_000 == 0 {
        return format!("{}K", n / 1_000);
    }
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The marketplace's filter, from the page's query string (a GET form, so it works without
/// JavaScript). Values that cannot be read are left out and explained next to their field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelFilter {
    /// Words that must all appear in the id, name, provider, description or use case.
    pub q: String,
    pub provider: String,
    /// `image` or `audio` (every model takes text).
    pub modality: String,
    /// Largest input price per million tokens.
    pub max_price: Option<Decimal>,
    pub min_context: Option<u64>,
    pub tools: bool,
}

/// (field, reason) of a value that could not be read.
pub type FieldErrors = Vec<(&'static str, String)>;

impl ModelFilter {
    /// `get(name)` reads one query parameter.
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> (ModelFilter, FieldErrors) {
        let text = |k: &str| get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        let mut errors = FieldErrors::new();
        let max_price = match text("max_price") {
            s if s.is_empty() => None,
            s => match parse_decimal(&s) {
                Some(d) if !d.is_sign_negative() => Some(d),
                _ => {
                    errors.push(("max_price", "enter a price in USD per million tokens, like 1.50".into()));
                    None
                }
            },
        };
        let min_context = match text("min_context") {
            s if s.is_empty() => None,
            s => match s.replace([',', '_'], "").parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(("min_context", "enter a whole number of tokens, like 128000".into()));
                    None
                }
            },
        };
        let modality = match text("modality").as_str() {
            m @ ("image" | "audio") => m.to_string(),
            _ => String::new(),
        };
        let tools = matches!(text("tools").as_str(), "on" | "true" | "1" | "yes");
        (ModelFilter { q: text("q"), provider: text("provider"), modality, max_price, min_context, tools }, errors)
    }

    pub fn is_empty(&self) -> bool {
        *self == ModelFilter::default()
    }

    pub fn matches(&self, m: &ModelInfo) -> bool {
        let haystack = format!("{} {} {} {} {}", m.id, m.name, m.provider, m.description, m.use_case).to_lowercase();
        let words_ok = self.q.to_lowercase().split_whitespace().all(|w| haystack.contains(w));
        let provider_ok = self.provider.is_empty() || m.provider.eq_ignore_ascii_case(&self.provider);
        let modality_ok = match self.modality.as_str() {
            "image" => m.image_input,
            "audio" => m.audio_input,
            _ => true,
        };
        let price_ok = match self.max_price {
            None => true,
            Some(max) => m.kind == ModelKind::Chat && m.price_input.is_some_and(|p| p <= max),
        };
        let context_ok = self.min_context.is_none_or(|min| m.context >= min);
        words_ok && provider_ok && modality_ok && price_ok && context_ok && (!self.tools || m.tools)
    }
}

/// A plain decimal (digits and at most one dot), as people type prices.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    let plain = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.bytes().filter(|b| *b == b'.').count() <= 1
        && !s.starts_with('.')
        && !s.ends_with('.');
    if !plain {
        return None;
    }
    Decimal::from_str(s).ok()
}

/// Largest price an administrator may set, per million tokens.
const MAX_PRICE: i64 = 1_000_000;

/// A price field of the catalog form: empty is unpriced, else a plain decimal ≥ 0 with at
/// most 6 decimals.
pub fn parse_price(field: &str, s: &str) -> Result<Option<Decimal>, ConsoleError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let Some(d) = parse_decimal(s) else {
        return Err(ConsoleError::invalid(field, "enter a price in USD per million tokens, like 1.25 (0 is free), or leave it empty"));
    };
    if d.normalize().scale() > 6 {
        return Err(ConsoleError::invalid(field, "use at most 6 decimal places"));
    }
    if d > Decimal::from(MAX_PRICE) {
        return Err(ConsoleError::invalid(field, "the price must be at most 1000000 USD per million tokens"));
    }
    Ok(Some(d.normalize()))
}

fn parse_count(field: &str, s: &str) -> Result<u64, ConsoleError> {
    let s = s.trim().replace([',', '_'], "");
    if s.is_empty() {
        return Ok(0);
    }
    match s.parse::<u64>() {
        Ok(n) if n <= 100_000_000 => Ok(n),
        _ => Err(ConsoleError::invalid(field, "enter a whole number of tokens (0 or empty when unknown)")),
    }
}

/// The catalog form as typed by an administrator.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogEdit {
    pub price_input: String,
    pub price_output: String,
    pub price_cached_input: String,
    pub price_cache_write: String,
    pub price_video: String,
    pub context: String,
    pub max_output: String,
    pub description: String,
    /// `enabled` or `disabled`.
    pub status: String,
}

/// The catalog form, read.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelChanges {
    pub price_input: Option<Decimal>,
    pub price_output: Option<Decimal>,
    pub price_cached_input: Option<Decimal>,
    pub price_cache_write: Option<Decimal>,
    pub price_video: Option<Decimal>,
    pub context: u64,
    pub max_output: u64,
    pub description: String,
    pub enabled: bool,
}

impl CatalogEdit {
    /// Reads the form; the first bad field is the error.
    pub fn parse(&self) -> Result<ModelChanges, ConsoleError> {
        let description = self.description.trim().to_string();
        if description.chars().count() > 500 {
            return Err(ConsoleError::invalid("description", "the description must be at most 500 characters"));
        }
        let enabled = match self.status.trim() {
            "enabled" => true,
            "disabled" => false,
            _ => return Err(ConsoleError::invalid("status", "choose enabled or disabled")),
        };
        Ok(ModelChanges {
            price_input: parse_price("price_input", &self.price_input)?,
            price_output: parse_price("price_output", &self.price_output)?,
            price_cached_input: parse_price("price_cached_input", &self.price_cached_input)?,
            price_cache_write: parse_price("price_cache_write", &self.price_cache_write)?,
            price_video: parse_price("price_video", &self.price_video)?,
            context: parse_count("context", &self.context)?,
            max_output: parse_count("max_output", &self.max_output)?,
            description,
            enabled,
        })
    }
}

/// Who changed a model last, and which fields differ from the shipped catalog and the
/// configuration file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogChange {
    pub fields: Vec<String>,
    pub updated_at: String,
    pub updated_by: String,
}

/// A catalog model as administrators see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntryAdmin {
    pub model: ModelInfo,
    pub enabled: bool,
    /// Whether its provider is configured (has a key).
    pub provider_on: bool,
    pub change: Option<CatalogChange>,
}

/// The model page: the model and the URL clients reach this instance at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelPage {
    pub model: ModelInfo,
    pub base_url: String,
}

/// An upstream provider and its health over the last hour (never its key).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderAdminInfo {
    pub id: String,
    pub label: String,
    pub protocol: String,
    pub base_url: String,
    /// Configured with a key.
    pub on: bool,
    /// Enabled catalog models of this provider.
    pub models: u32,
    pub requests_1h: u64,
    pub errors_1h: u64,
    pub avg_latency_ms: Option<u64>,
}

impl ProviderAdminInfo {
    /// `12.5%`, or `—` without requests.
    pub fn error_rate(&self) -> String {
        if self.requests_1h == 0 {
            return "—".into();
        }
        let tenths = (self.errors_1h * 1000 + self.requests_1h / 2) / self.requests_1h;
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod tests;
