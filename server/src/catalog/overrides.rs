//! Administrators' changes to one model: which fields, how they are stored (a JSON object of
//! the fields that differ from the base model) and how they are applied.

use super::ModelEntry;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::str::FromStr;

/// The fields the console can change: the console form's own type, shared through `app`.
pub use app::types::ModelChanges as Changes;

/// A model with its changes applied.
pub struct Applied {
    pub entry: ModelEntry,
    pub enabled: bool,
    /// Names of the changed fields.
    pub fields: Vec<String>,
}

fn price(v: Option<Decimal>) -> Value {
    v.map_or(Value::Null, |d| Value::String(d.normalize().to_string()))
}

/// The JSON object of the fields where `changes` differ from `base` (empty: no change).
pub fn diff(base: &ModelEntry, c: &Changes) -> Map<String, Value> {
    let mut m = Map::new();
    for (name, old, new) in [
        ("price_input", base.price_input, c.price_input),
        ("price_output", base.price_output, c.price_output),
        ("price_cached_input", base.price_cached_input, c.price_cached_input),
        ("price_cache_write", base.price_cache_write, c.price_cache_write),
        ("price_video", base.price_video, c.price_video),
    ] {
        if old != new {
            m.insert(name.into(), price(new));
        }
    }
    if base.context != c.context {
        m.insert("context".into(), c.context.into());
    }
    if base.max_output != c.max_output {
        m.insert("max_output".into(), c.max_output.into());
    }
    if base.description != c.description {
        m.insert("description".into(), c.description.clone().into());
    }
    if !c.enabled {
        m.insert("enabled".into(), false.into());
    }
    m
}

fn read_price(k: &str, v: &Value) -> anyhow::Result<Option<Decimal>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => {
            let d = Decimal::from_str(s).map_err(|e| anyhow::anyhow!("{k}: {e}"))?;
            anyhow::ensure!(!d.is_sign_negative(), "{k} is negative");
            Ok(Some(d))
        }
        _ => anyhow::bail!("{k} must be a decimal string or null"),
    }
}

fn read_count(k: &str, v: &Value) -> anyhow::Result<u64> {
    v.as_u64().ok_or_else(|| anyhow::anyhow!("{k} must be a whole number"))
}

/// Applies a stored JSON object of changes to a base model.
pub fn apply(base: &ModelEntry, json: &str) -> anyhow::Result<Applied> {
    let fields: Map<String, Value> = serde_json::from_str(json)?;
    let mut e = base.clone();
    let mut enabled = true;
    for (k, v) in &fields {
        match k.as_str() {
            "price_input" => e.price_input = read_price(k, v)?,
            "price_output" => e.price_output = read_price(k, v)?,
            "price_cached_input" => e.price_cached_input = read_price(k, v)?,
            "price_cache_write" => e.price_cache_write = read_price(k, v)?,
            "price_video" => e.price_video = read_price(k, v)?,
            "context" => e.context = read_count(k, v)?,
            "max_output" => e.max_output = read_count(k, v)?,
            "description" => e.description = v.as_str().ok_or_else(|| anyhow::anyhow!("description must be text"))?.to_string(),
            "enabled" => enabled = v.as_bool().ok_or_else(|| anyhow::anyhow!("enabled must be true or false"))?,
            other => anyhow::bail!("unknown field {other}"),
        }
    }
    e.validate()?;
    Ok(Applied { entry: e, enabled, fields: fields.keys().cloned().collect() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn changes_of(m: &ModelEntry) -> Changes {
        Changes {
            price_input: m.price_input,
            price_output: m.price_output,
            price_cached_input: m.price_cached_input,
            price_cache_write: m.price_cache_write,
            price_video: m.price_video,
            context: m.context,
            max_output: m.max_output,
            description: m.description.clone(),
            enabled: true,
        }
    }

    #[test]
    fn only_changed_fields_are_stored_and_they_apply_back() {
        let catalog = Catalog::load(&[]).expect("catalog");
        let base = catalog.get("openai/gpt-5").expect("model");
        let same = changes_of(base);
        assert!(diff(base, &same).is_empty());
        let mut c = same.clone();
        c.price_input = Decimal::from_str("1.250").ok(); // equal in value: no change
        c.price_output = Decimal::from_str("12.5").ok();
        c.price_cached_input = None;
        c.context = 1000;
        c.enabled = false;
        let d = diff(base, &c);
        assert_eq!(
            serde_json::Value::Object(d.clone()),
            serde_json::json!({"price_output": "12.5", "price_cached_input": null, "context": 1000, "enabled": false})
        );
        let applied = apply(base, &serde_json::Value::Object(d).to_string()).expect("applies");
        assert_eq!(applied.entry.price_output, Decimal::from_str("12.5").ok());
        assert_eq!(applied.entry.price_cached_input, None);
        assert_eq!(applied.entry.price_input, base.price_input);
        assert_eq!(applied.entry.context, 1000);
        assert!(!applied.enabled);
        assert_eq!(applied.fields.len(), 4);
    }

    #[test]
    fn bad_stored_changes_are_refused() {
        let catalog = Catalog::load(&[]).expect("catalog");
        let base = catalog.get("openai/gpt-5").expect("model");
        for bad in [r#"{"price_input": "-1"}"#, r#"{"price_input": 3}"#, r#"{"context": "big"}"#, r#"{"upstream": "x"}"#, "[]"] {
            assert!(apply(base, bad).is_err(), "{bad}");
        }
    }
}
