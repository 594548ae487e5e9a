//! Which model answers a request. An explicit model is checked against what the request
//! needs; `auto` picks, in this first form, the cheapest model that can serve the request
//! (modalities, tools, context incl. the output it may produce), quality breaking ties.
//! The choice goes through `choose`, one small interface a smarter router can replace.

use crate::catalog::{Catalog, Kind, Modality, ModelEntry};
use crate::gateway::error::GatewayError;
use crate::providers::Providers;
use rust_decimal::Decimal;
use std::sync::Arc;

/// What a request needs from a model (computed once from the body).
#[derive(Clone, Debug, Default)]
pub struct Needs {
    pub images: bool,
    pub audio: bool,
    pub tools: bool,
    /// Rough input size in tokens.
    pub input_tokens: u64,
    /// The output limit the client asked for, if any.
    pub max_output: Option<u64>,
}

/// The models to try in order, and why the first was chosen when the gateway chose it.
#[derive(Clone, Debug)]
pub struct Route {
    pub models: Vec<Arc<ModelEntry>>,
    pub reason: Option<String>,
}

/// A model the caller may use through the gateway: its provider is on and it is priced
/// (an unpriced model is still routable; billing refuses it with its own message).
fn usable(m: &ModelEntry, providers: &Providers) -> bool {
    m.kind == Kind::Chat && providers.is_on(&m.provider)
}

/// Why the model cannot serve the request, in the seed's words.
pub fn check_serves(m: &ModelEntry, needs: &Needs) -> Result<(), GatewayError> {
    if m.kind != Kind::Chat {
        return Err(GatewayError::NotAChatModel(m.id.clone()));
    }
    if needs.images && !m.accepts(Modality::Image) {
        return Err(GatewayError::ImagesUnsupported);
    }
    if needs.audio && !m.accepts(Modality::Audio) {
        return Err(GatewayError::AudioUnsupported);
    }
    if needs.tools && !m.tools {
        return Err(GatewayError::ToolsUnsupported);
    }
    Ok(())
}

fn fits_context(m: &ModelEntry, needs: &Needs) -> bool {
    if m.context == 0 {
        return true;
    }
    let out = needs.max_output.unwrap_or(0).min(if m.max_output > 0 { m.max_output } else { u64::MAX });
    needs.input_tokens.saturating_add(out) <= m.context
}

/// Expected cost in USD-per-million·tokens units, for ranking only.
fn expected_cost(m: &ModelEntry, needs: &Needs) -> Decimal {
    let Some(p) = m.prices() else { return Decimal::MAX };
    let out = Decimal::from(needs.max_output.unwrap_or(500).min(2000));
    Decimal::from(needs.input_tokens) * p.input + out * p.output
}

/// `requested`: the `model` field (or `auto`); `fallbacks`: the rest of an OpenRouter-style
/// `models` list.
pub fn choose(
    catalog: &Catalog,
    providers: &Providers,
    requested: &str,
    fallbacks: &[String],
    needs: &Needs,
) -> Result<Route, GatewayError> {
    if requested.eq_ignore_ascii_case("auto") {
        return auto(catalog, providers, needs);
    }
    let first = catalog
        .get(requested)
        .filter(|m| m.kind != Kind::Chat || providers.is_on(&m.provider))
        .ok_or_else(|| GatewayError::ModelNotFound(requested.to_string()))?;
    check_serves(first, needs)?;
    let mut models = vec![first.clone()];
    for name in fallbacks {
        if let Some(m) = catalog.get(name) {
            let dup = models.iter().any(|x| x.id == m.id);
            if !dup && usable(m, providers) && check_serves(m, needs).is_ok() {
                models.push(m.clone());
            }
        }
    }
    Ok(Route { models, reason: None })
}

fn auto(catalog: &Catalog, providers: &Providers, needs: &Needs) -> Result<Route, GatewayError> {
    let mut capable: Vec<&Arc<ModelEntry>> = catalog
        .all()
        .filter(|m| usable(m, providers) && m.prices().is_some())
        .filter(|m| check_serves(m, needs).is_ok() && fits_context(m, needs))
        .collect();
    if capable.is_empty() {
        let mut what = vec![];
        if needs.images { what.push("image input") }
        if needs.audio { what.push("audio input") }
        if needs.tools { what.push("tools") }
        let why = if what.is_empty() { format!("about {} input tokens", needs.input_tokens) } else { what.join(", ") };
        return Err(GatewayError::NoCapableModel(why));
    }
    capable.sort_by(|a, b| {
        expected_cost(a, needs).cmp(&expected_cost(b, needs)).then(b.quality.cmp(&a.quality)).then(a.id.cmp(&b.id))
    });
    let mut needs_words = vec![];
    if needs.images { needs_words.push("images") }
    if needs.audio { needs_words.push("audio") }
    if needs.tools { needs_words.push("tools") }
    let reason = format!(
        "cheapest of {} capable models{}; ~{} input tokens",
        capable.len(),
        if needs_words.is_empty() { String::new() } else { format!(" with {}", needs_words.join("+")) },
        needs.input_tokens
    );
    Ok(Route { models: capable.into_iter().take(3).cloned().collect(), reason: Some(reason) })
}
