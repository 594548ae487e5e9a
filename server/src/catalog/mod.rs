//! The model catalog: every model the gateway knows, with its provider, upstream name,
//! capabilities, quirks and prices. Shipped as data (`models.toml`), overridden and extended
//! by the operator's `[[models]]` entries; kept in memory, read without locks on the hot path.

mod entry;
pub mod live;
pub mod overrides;

pub use entry::{Kind, Modality, ModelEntry, Prices};
pub use live::LiveCatalog;

use std::collections::HashMap;
use std::sync::Arc;

const SHIPPED: &str = include_str!("models.toml");

#[derive(serde::Deserialize)]
struct CatalogFile {
    #[serde(default)]
    models: Vec<ModelEntry>,
}

/// All models, by id and by alias.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    models: Vec<Arc<ModelEntry>>,
    by_name: HashMap<String, usize>,
}

impl Catalog {
    /// The shipped catalog with the operator's entries applied: an entry with a known id
    /// replaces the shipped one field by field (fields it leaves out keep their value).
    pub fn load(overrides: &[toml::Value]) -> anyhow::Result<Catalog> {
        let shipped: CatalogFile = toml::from_str(SHIPPED)?;
        let mut models: Vec<ModelEntry> = shipped.models;
        for raw in overrides {
            let id = raw
                .get("id")
                .and_then(|v| v.as_str())
                .ok_or_else(|| anyhow::anyhow!("a [[models]] entry has no id"))?
                .to_string();
            match models.iter().position(|m| m.id == id) {
                Some(i) => {
                    let mut merged = toml::Value::try_from(&models[i])?;
                    if let (Some(base), Some(patch)) = (merged.as_table_mut(), raw.as_table()) {
                        for (k, v) in patch {
                            base.insert(k.clone(), v.clone());
                        }
                    }
                    models[i] = merged.try_into().map_err(|e| anyhow::anyhow!("model {id}: {e}"))?;
                }
                None => models.push(raw.clone().try_into().map_err(|e| anyhow::anyhow!("model {id}: {e}"))?),
            }
        }
        Catalog::from_entries(models)
    }

    pub fn from_entries(models: Vec<ModelEntry>) -> anyhow::Result<Catalog> {
        let mut by_name = HashMap::new();
        for (i, m) in models.iter().enumerate() {
            m.validate()?;
            if by_name.insert(m.id.to_ascii_lowercase(), i).is_some() {
                anyhow::bail!("model {} is listed twice", m.id);
            }
        }
        // Aliases never shadow an id.
        for (i, m) in models.iter().enumerate() {
            for a in &m.aliases {
                by_name.entry(a.to_ascii_lowercase()).or_insert(i);
            }
        }
        Ok(Catalog { models: models.into_iter().map(Arc::new).collect(), by_name })
    }

    /// By id or alias, case-insensitively.
    pub fn get(&self, name: &str) -> Option<&Arc<ModelEntry>> {
        self.by_name.get(&name.to_ascii_lowercase()).map(|&i| &self.models[i])
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<ModelEntry>> {
        self.models.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalog_has_every_seed_model_with_prices() {
        let c = Catalog::load(&[]).expect("catalog");
        for id in [
            "openai/gpt-5.2", "openai/gpt-5", "openai/gpt-5-mini", "openai/gpt-5-nano", "openai/gpt-4.1",
            "openai/gpt-4.1-nano", "anthropic/claude-opus-4.6", "anthropic/claude-sonnet-4.6",
            "anthropic/claude-sonnet-4.5", "anthropic/claude-haiku-4.5", "google/gemini-3.1-pro",
            "google/gemini-2.5-pro", "deepseek/deepseek-v3.2", "deepseek/deepseek-v3.1", "x-ai/grok-4",
            "x-ai/grok-4.1-fast", "moonshotai/kimi-k2.5", "z-ai/glm-5", "z-ai/glm-5-turbo",
            "z-ai/glm-4.7-flash", "minimax/minimax-m2.5", "bytedance/seedance-2.0",
        ] {
            let m = c.get(id).unwrap_or_else(|| panic!("{id} missing"));
            assert!(m.prices().is_some(), "{id} has no price");
        }
        assert_eq!(c.all().count(), 22);
        assert_eq!(c.get("claude-haiku-4-5-20251001").map(|m| m.id.as_str()), Some("anthropic/claude-haiku-4.5"));
        assert!(c.get("z-ai/glm-4.7-flash").is_some_and(|m| m.is_free()));
    }

    #[test]
    fn operator_entries_override_fields_and_add_models() {
        let patch: toml::Value = toml::from_str(
            r#"
            [[models]]
            id = "openai/gpt-5"
            price_input = "2"
            [[models]]
            id = "local/llama"
            provider = "local"
            upstream = "llama-3"
            context = 8192
            max_output = 2048
            price_input = "0"
            price_output = "0"
            "#,
        )
        .expect("toml");
        let list = patch.get("models").and_then(|m| m.as_array()).cloned().expect("models");
        let c = Catalog::load(&list).expect("catalog");
        let gpt5 = c.get("openai/gpt-5").expect("gpt-5");
        assert_eq!(gpt5.price_input.map(|p| p.to_string()), Some("2".into()));
        assert_eq!(gpt5.price_output.map(|p| p.to_string()), Some("10".into()));
        assert_eq!(c.get("local/llama").map(|m| m.upstream.as_str()), Some("llama-3"));
    }
}
