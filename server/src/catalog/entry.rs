//! One catalog entry and what is derived from it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Chat,
    Video,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Modality {
    Text,
    Image,
    Audio,
}

fn default_input() -> Vec<Modality> {
    vec![Modality::Text]
}
fn default_token_param() -> String {
    "max_tokens".into()
}
fn default_true() -> bool {
    true
}
fn default_quality() -> u8 {
    50
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub id: String,
    pub provider: String,
    pub upstream: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub use_case: String,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default)]
    pub context: u64,
    #[serde(default)]
    pub max_output: u64,
    #[serde(default = "default_input")]
    pub input: Vec<Modality>,
    #[serde(default = "default_true")]
    pub tools: bool,
    #[serde(default)]
    pub reasoning: bool,
    #[serde(default = "default_token_param")]
    pub token_param: String,
    #[serde(default = "default_quality")]
    pub quality: u8,
    /// Frames per second of a video model's output.
    #[serde(default)]
    pub fps: Option<u32>,
    #[serde(default)]
    pub price_input: Option<Decimal>,
    #[serde(default)]
    pub price_output: Option<Decimal>,
    #[serde(default)]
    pub price_cached_input: Option<Decimal>,
    #[serde(default)]
    pub price_cache_write: Option<Decimal>,
    #[serde(default)]
    pub price_video: Option<Decimal>,
}

/// Prices of a chat model in USD per million tokens, complete (cached input defaults to
/// the input price, cache writes to the input price).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prices {
    pub input: Decimal,
    pub output: Decimal,
    pub cached_input: Decimal,
    pub cache_write: Decimal,
}

impl ModelEntry {
    pub fn validate(&self) -> anyhow::Result<()> {
        let ok_id = !self.id.is_empty()
            && self.id.chars().all(|c| c.is_ascii_alphanumeric() || "/-._:".contains(c));
        if !ok_id {
            anyhow::bail!("model id {:?} must be letters, digits and / - . _ :", self.id);
        }
        if self.upstream.is_empty() {
            anyhow::bail!("model {} has no upstream name", self.id);
        }
        if !matches!(self.token_param.as_str(), "max_tokens" | "max_completion_tokens") {
            anyhow::bail!("model {}: token_param must be max_tokens or max_completion_tokens", self.id);
        }
        for p in [self.price_input, self.price_output, self.price_cached_input, self.price_cache_write, self.price_video]
            .into_iter()
            .flatten()
        {
            if p.is_sign_negative() {
                anyhow::bail!("model {} has a negative price", self.id);
            }
        }
        Ok(())
    }

    /// None when the model has no (complete) price: `billing model info not found`.
    pub fn prices(&self) -> Option<Prices> {
        if self.kind == Kind::Video {
            let v = self.price_video?;
            return Some(Prices { input: v, output: v, cached_input: v, cache_write: v });
        }
        let input = self.price_input?;
        let output = self.price_output?;
        Some(Prices {
            input,
            output,
            cached_input: self.price_cached_input.unwrap_or(input),
            cache_write: self.price_cache_write.unwrap_or(input),
        })
    }

    pub fn is_free(&self) -> bool {
        self.prices().is_some_and(|p| p.input.is_zero() && p.output.is_zero())
    }

    pub fn accepts(&self, m: Modality) -> bool {
        self.input.contains(&m)
    }

    pub fn display_name(&self) -> &str {
        if self.name.is_empty() { &self.id } else { &self.name }
    }
}
