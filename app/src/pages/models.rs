//! `/models`: the model marketplace. Search and filters are a GET form (the query string),
//! so the page works before and without JavaScript; the list is filtered by the same
//! `ModelFilter` on the server and in the browser.

use crate::api::models::{free_usage, list_models};
use crate::components::{use_session, FreeUsageCard, Loading, PageHeader, ShowError};
use crate::types::catalog::FieldErrors;
use crate::types::{format_price, format_tokens, FreeUsage, ModelFilter, ModelInfo, ModelKind};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ModelsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        ModelFilter::parse(|k| q.get(k))
    });
    let models = Resource::new(|| (), |_| list_models());
    // the signed-in person's free-model requests today (None for a visitor)
    let epoch = use_session().epoch;
    let free = Resource::new(move || epoch.get(), |_| free_usage());
    view! {
        <PageHeader
            title="Models"
            description="Every model this gateway can call, with its prices per million tokens. Call any of them with one API key, over the OpenAI or the Anthropic protocol."
        />
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let (f, errors) = filter.get();
                let usage = free.await.ok().flatten();
                match models.await {
                    Ok(all) => Either::Left(view! { <Marketplace all filter=f errors usage/> }),
                    Err(e) => Either::Right(view! { <ShowError error=e/> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn Marketplace(all: Vec<ModelInfo>, filter: ModelFilter, errors: FieldErrors, usage: Option<FreeUsage>) -> impl IntoView {
    // the free-model counters, when this gateway has free models
    let usage = usage.filter(|_| all.iter().any(ModelInfo::is_free));
    let mut providers: Vec<String> = all.iter().map(|m| m.provider.clone()).collect();
    providers.dedup();
    providers.sort();
    providers.dedup();
    let shown: Vec<ModelInfo> = all.into_iter().filter(|m| filter.matches(m)).collect();
    let count = shown.len();
    view! {
        {usage.map(|usage| view! { <FreeUsageCard usage/> })}
        <FilterForm filter providers errors/>
        <p class="muted result-count" data-testid="model-count" aria-live="polite">
            {if count == 1 { "1 model".to_string() } else { format!("{count} models") }}
        </p>
        {if shown.is_empty() {
            Either::Left(view! {
                <p class="empty" data-testid="models-empty">
                    "No model matches these filters. " <a href="/models">"Show all models"</a>
                </p>
            })
        } else {
            Either::Right(view! {
                <ul class="model-grid" data-testid="model-list">
                    {shown.into_iter().map(|m| view! { <ModelCard m/> }).collect_view()}
                </ul>
            })
        }}
    }
}

fn error_for(errors: &FieldErrors, field: &str) -> Option<String> {
    errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.clone())
}

#[component]
fn FilterForm(filter: ModelFilter, providers: Vec<String>, errors: FieldErrors) -> impl IntoView {
    let price_error = error_for(&errors, "max_price");
    let context_error = error_for(&errors, "min_context");
    let ModelFilter { q, provider, modality, max_price, min_context, tools } = filter;
    let raw_price = max_price.map(|d| d.to_string()).unwrap_or_default();
    let raw_context = min_context.map(|n| n.to_string()).unwrap_or_default();
    view! {
        <form method="get" action="/models" class="card filter-form" role="search" data-testid="model-filter">
            <div class="field grow">
                <label for="models-q">"Search"</label>
                <input id="models-q" name="q" type="search" value=q placeholder="name, provider or use case"/>
            </div>
            <div class="field">
                <label for="models-provider">"Provider"</label>
                <select id="models-provider" name="provider">
                    <option value="" selected=provider.is_empty()>"Any provider"</option>
                    {providers.into_iter().map(|p| {
                        let selected = p == provider;
                        let words = p.clone();
                        view! { <option value=p selected=selected>{words}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="models-modality">"Input"</label>
                <select id="models-modality" name="modality">
                    <option value="" selected=modality.is_empty()>"Any input"</option>
                    <option value="image" selected=modality == "image">"Images"</option>
                    <option value="audio" selected=modality == "audio">"Audio"</option>
                </select>
            </div>
            <FilterInput id="models-max-price" name="max_price" label="Max input price (USD / 1M)" value=raw_price error=price_error inputmode="decimal"/>
            <FilterInput id="models-min-context" name="min_context" label="Min context (tokens)" value=raw_context error=context_error inputmode="numeric"/>
            <div class="field checkbox">
                <input id="models-tools" name="tools" type="checkbox" value="on" checked=tools/>
                <label for="models-tools">"Tool calling"</label>
            </div>
            <div class="form-actions">
                <button type="submit" class="button">"Filter"</button>
                <a class="button secondary" href="/models">"Clear"</a>
            </div>
        </form>
    }
}

/// A text input with its error beside it (filters are read, not posted, so no action).
#[component]
fn FilterInput(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    value: String,
    error: Option<String>,
    inputmode: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let invalid = error.is_some();
    view! {
        <div class="field" class:has-error=invalid>
            <label for=id>{label}</label>
            <input
                id=id
                name=name
                type="text"
                inputmode=inputmode
                value=value
                aria-invalid=if invalid { "true" } else { "false" }
                aria-describedby=invalid.then(|| error_id.clone())
            />
            {error.map(|m| view! { <p class="field-error" id=error_id role="alert" data-testid="error" data-field=name>{m}</p> })}
        </div>
    }
}

#[component]
fn ModelCard(m: ModelInfo) -> impl IntoView {
    let href = m.href();
    let free = m.is_free();
    let prices = match m.kind {
        ModelKind::Video => Either::Left(view! {
            <div><dt>"Video"</dt><dd>{format_price(m.price_video)} " / 1M video tokens"</dd></div>
        }),
        ModelKind::Chat => Either::Right(view! {
            <div><dt>"Input"</dt><dd data-testid="price-input">{format_price(m.price_input)}</dd></div>
            <div><dt>"Output"</dt><dd>{format_price(m.price_output)}</dd></div>
            <div><dt>"Cached input"</dt><dd>{format_price(m.cached_price())}</dd></div>
        }),
    };
    view! {
        <li class="card model-card" data-testid="model-card" data-model=m.id.clone() data-provider=m.provider.clone()>
            <div class="model-card-head">
                <h2><a href=href>{m.name.clone()}</a></h2>
                {free.then(|| view! { <span class="badge free" data-testid="free-badge">"Free"</span> })}
                {(m.kind == ModelKind::Video).then(|| view! { <span class="badge">"Video"</span> })}
            </div>
            <p class="model-id"><code>{m.id.clone()}</code></p>
            <p class="model-desc">{m.description.clone()} {(!m.use_case.is_empty()).then(|| format!(" · {}", m.use_case))}</p>
            <dl class="model-facts">
                <div><dt>"Provider"</dt><dd>{m.provider.clone()}</dd></div>
                <div><dt>"Context"</dt><dd>{format_tokens(m.context)}</dd></div>
                <div><dt>"Accepts"</dt><dd>{m.modalities()}</dd></div>
                <div><dt>"Tools"</dt><dd>{if m.tools { "yes" } else { "no" }}</dd></div>
            </dl>
            <p class="muted price-caption">"USD per 1M tokens"</p>
            <dl class="model-prices">{prices}</dl>
        </li>
    }
}
