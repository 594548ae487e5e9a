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

/// What the caller's organization allows: the guardrails' allowlists, whether `auto` may be
/// used, and how auto routing weighs cost against quality.
pub struct Rules<'a> {
    /// None when no allowlist applies.
    pub allowed: Option<&'a (dyn Fn(&ModelEntry) -> bool + Sync)>,
    pub auto_routing: bool,
    /// 0 = cheapest first … 1 = best quality first.
    pub preference: f64,
}

impl Default for Rules<'_> {
    fn default() -> Self {
        Rules { allowed: None, auto_routing: true, preference: 0.0 }
    }
}

impl Rules<'_> {
    fn allows(&self, m: &ModelEntry) -> bool {
        self.allowed.is_none_or(|f| f(m))
    }
}

/// `requested`: the `model` field (or `auto`); `fallbacks`: the rest of an OpenRouter-style
/// `models` list. A model outside the allowlists is refused before anything is sent; `auto`
/// and fallbacks choose only among allowed models.
pub fn choose(
    catalog: &Catalog,
    providers: &Providers,
    requested: &str,
    fallbacks: &[String],
    needs: &Needs,
    rules: &Rules,
) -> Result<Route, GatewayError> {
    if requested.eq_ignore_ascii_case("auto") {
        if !rules.auto_routing {
            return Err(GatewayError::AutoRoutingOff);
        }
        return auto(catalog, providers, needs, rules);
    }
    let first = catalog
        .get(requested)
        .filter(|m| m.kind != Kind::Chat || providers.is_on(&m.provider))
        .ok_or_else(|| GatewayError::ModelNotFound(requested.to_string()))?;
    if !rules.allows(first) {
        return Err(GatewayError::ModelNotAllowed);
    }
    check_serves(first, needs)?;
    let mut models = vec![first.clone()];
    for name in fallbacks {
        if let Some(m) = catalog.get(name) {
            let dup = models.iter().any(|x| x.id == m.id);
            if !dup && usable(m, providers) && rules.allows(m) && check_serves(m, needs).is_ok() {
                models.push(m.clone());
            }
        }
    }
    Ok(Route { models, reason: None })
}

fn auto(catalog: &Catalog, providers: &Providers, needs: &Needs, rules: &Rules) -> Result<Route, GatewayError> {
    let able: Vec<&Arc<ModelEntry>> = catalog
        .all()
        .filter(|m| usable(m, providers) && m.prices().is_some())
        .filter(|m| check_serves(m, needs).is_ok() && fits_context(m, needs))
        .collect();
    let any_able = !able.is_empty();
    let mut capable: Vec<&Arc<ModelEntry>> = able.into_iter().filter(|m| rules.allows(m)).collect();
    if capable.is_empty() && any_able {
        return Err(GatewayError::ModelNotAllowed);
    }
    if capable.is_empty() {
        let mut what = vec![];
        if needs.images { what.push("image input") }
        if needs.audio { what.push("audio input") }
        if needs.tools { what.push("tools") }
        let why = if what.is_empty() { format!("about {} input tokens", needs.input_tokens) } else { what.join(", ") };
        return Err(GatewayError::NoCapableModel(why));
    }
    let p = rules.preference.clamp(0.0, 1.0);
    if p > 0.0 {
        let score = ranking(&capable, needs, p);
        capable.sort_by(|a, b| score(a).total_cmp(&score(b)).then(a.id.cmp(&b.id)));
    } else {
        capable.sort_by(|a, b| {
            expected_cost(a, needs).cmp(&expected_cost(b, needs)).then(b.quality.cmp(&a.quality)).then(a.id.cmp(&b.id))
        });
    }
    let mut needs_words = vec![];
    if needs.images { needs_words.push("images") }
    if needs.audio { needs_words.push("audio") }
    if needs.tools { needs_words.push("tools") }
    let reason = format!(
        "{} of {} capable models{}; ~{} input tokens",
        if p > 0.0 { format!("best for cost/quality preference {p:.2}") } else { "cheapest".to_string() },
        capable.len(),
        if needs_words.is_empty() { String::new() } else { format!(" with {}", needs_words.join("+")) },
        needs.input_tokens
    );
    Ok(Route { models: capable.into_iter().take(3).cloned().collect(), reason: Some(reason) })
}

/// A score to sort by (lower first) mixing cost and quality: `p` = 0 weighs only the
/// expected cost (on a log scale across the candidates), 1 only the catalog's quality.
fn ranking(models: &[&Arc<ModelEntry>], needs: &Needs, p: f64) -> impl Fn(&ModelEntry) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    let cost = {
        let needs = needs.clone();
        move |m: &ModelEntry| expected_cost(m, &needs).to_f64().unwrap_or(f64::MAX).max(1e-12).ln()
    };
    let (mut cmin, mut cmax, mut qmin, mut qmax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for m in models {
        let c = cost(m);
        cmin = cmin.min(c);
        cmax = cmax.max(c);
        qmin = qmin.min(f64::from(m.quality));
        qmax = qmax.max(f64::from(m.quality));
    }
    let span = |lo: f64, hi: f64| if hi > lo { hi - lo } else { 1.0 };
    let (cspan, qspan) = (span(cmin, cmax), span(qmin, qmax));
    move |m: &ModelEntry| (1.0 - p) * (cost(m) - cmin) / cspan - p * (f64::from(m.quality) - qmin) / qspan
}
