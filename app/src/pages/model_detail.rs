//! `/models/{provider}/{model}`: one model (description, prices, limits, capabilities) and
//! copy-paste set-up for curl, the SDKs and the coding tools, filled with this instance's
//! URL and the model id (`crate::snippets`).

use crate::api::models::model_page;
use crate::components::{CopyButton, Loading, ShowError};
use crate::snippets::{snippets, Snippet};
use crate::types::{format_price, format_tokens, ModelInfo, ModelKind, ModelPage};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ModelDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let data = Resource::new(move || id.get(), model_page);
    view! {
        <p class="breadcrumb"><a href="/models">"← All models"</a></p>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => Either::Left(view! { <ModelView page/> }),
                    Err(e) => Either::Right(view! {
                        <Title text="Model not found"/>
                        <h1>"Model not found"</h1>
                        <ShowError error=e/>
                    }),
                }
            })}
        </Transition>
    }
}

#[component]
fn ModelView(page: ModelPage) -> impl IntoView {
    let ModelPage { model: m, base_url } = page;
    let all = snippets(&base_url, &m.id, m.kind);
    view! {
        <Title text=m.name.clone()/>
        <header class="page-header">
            <h1>
                {m.name.clone()}
                {m.is_free().then(|| view! { " " <span class="badge free" data-testid="free-badge">"Free"</span> })}
            </h1>
            <p class="lead" data-testid="model-description">
                {m.description.clone()}
                {(!m.use_case.is_empty()).then(|| format!(" · Use case: {}", m.use_case))}
            </p>
            <p class="model-id">
                <code data-testid="model-id">{m.id.clone()}</code>
                " "
                <CopyButton text=m.id.clone() label="Copy id" aria_label="Copy the model id"/>
            </p>
        </header>
        <div class="grid-2">
            <Facts m=m.clone()/>
            <Prices m=m.clone()/>
        </div>
        <section class="card" aria-labelledby="use-heading">
            <h2 id="use-heading">"Use it"</h2>
            <p class="muted">
                "Replace the key placeholder with one of your API keys ("
                <a href="/keys">"API keys"</a>
                "). Base URLs: " <code data-testid="openai-base">{format!("{base_url}/openai/v1")}</code>
                " (OpenAI protocol), " <code>{format!("{base_url}/anthropic")}</code> " (Anthropic protocol)."
            </p>
            <nav aria-label="Snippets" class="snippet-nav">
                <ul>
                    {all.iter().map(|s| view! { <li><a href=format!("#{}", s.id)>{s.title}</a></li> }).collect_view()}
                </ul>
            </nav>
            {all.into_iter().map(|s| view! { <SnippetBlock s/> }).collect_view()}
        </section>
    }
}

#[component]
fn SnippetBlock(s: Snippet) -> impl IntoView {
    let heading = format!("{}-heading", s.id);
    let labelled_by = heading.clone();
    view! {
        <section class="snippet" id=s.id data-testid=format!("snippet-{}", s.id) aria-labelledby=labelled_by>
            <div class="snippet-head">
                <h3 id=heading>{s.title}</h3>
                <CopyButton text=s.code.clone() aria_label=format!("Copy the {} snippet", s.title)/>
            </div>
            <p class="hint">{s.hint}</p>
            <pre class="code" tabindex="0"><code data-testid="snippet-code">{s.code}</code></pre>
        </section>
    }
}

#[component]
fn Facts(m: ModelInfo) -> impl IntoView {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    view! {
        <section class="card" aria-labelledby="facts-heading">
            <h2 id="facts-heading">"Capabilities"</h2>
            <dl class="facts" data-testid="model-facts">
                <div><dt>"Provider"</dt><dd>{m.provider.clone()}</dd></div>
                <div><dt>"Type"</dt><dd>{if m.kind == ModelKind::Video { "video generation" } else { "chat" }}</dd></div>
                <div><dt>"Context window"</dt><dd data-testid="model-context">{format_tokens(m.context)} " tokens"</dd></div>
                <div><dt>"Max output"</dt><dd data-testid="model-max-output">{format_tokens(m.max_output)} " tokens"</dd></div>
                <div><dt>"Input"</dt><dd>{m.modalities()}</dd></div>
                <div><dt>"Tool calling"</dt><dd>{yes_no(m.tools)}</dd></div>
                <div><dt>"Reasoning"</dt><dd>{yes_no(m.reasoning)}</dd></div>
                <div><dt>"Output limit parameter"</dt><dd><code>{m.token_param.clone()}</code></dd></div>
            </dl>
        </section>
    }
}

#[component]
fn Prices(m: ModelInfo) -> impl IntoView {
    let rows: Vec<(&'static str, String)> = match m.kind {
        ModelKind::Video => vec![("Video tokens", format_price(m.price_video))],
        ModelKind::Chat => vec![
            ("Input", format_price(m.price_input)),
            ("Output", format_price(m.price_output)),
            ("Cached input", format_price(m.cached_price())),
            ("Cache write", format_price(m.price_cache_write.or(m.price_input))),
        ],
    };
    view! {
        <section class="card" aria-labelledby="prices-heading">
            <h2 id="prices-heading">"Prices"</h2>
            <p class="muted">"USD per million tokens, charged per request from your organization's balance."</p>
            <dl class="facts" data-testid="model-prices">
                {rows.into_iter().map(|(label, price)| view! { <div><dt>{label}</dt><dd>{price}</dd></div> }).collect_view()}
            </dl>
        </section>
    }
}
