//! `/admin/catalog/{model id}`: change one model's prices, limits, description and status, or
//! reset it to the shipped catalog (administrators only). The form posts normally without
//! JavaScript; errors appear next to their field.

use crate::api::admin::{admin_catalog_model, AdminResetModel, AdminUpdateModel};
use crate::components::{field_error, ActionError, Authed, FormField, Loading, Notice, ShowError};
use crate::types::{CatalogEntryAdmin, ModelKind};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const FIELDS: &[&str] = &[
    "price_input", "price_output", "price_cached_input", "price_cache_write", "price_video", "context", "max_output",
    "description", "status",
];

fn price(p: Option<rust_decimal::Decimal>) -> String {
    p.map(|d| d.normalize().to_string()).unwrap_or_default()
}

fn count(n: u64) -> String {
    if n == 0 { String::new() } else { n.to_string() }
}

#[component]
pub fn AdminCatalogEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let update = ServerAction::<AdminUpdateModel>::new();
    let reset = ServerAction::<AdminResetModel>::new();
    let entry = Resource::new(
        move || (id.get(), update.version().get(), reset.version().get()),
        |(id, _, _)| admin_catalog_model(id),
    );
    view! {
        <Title text="Edit model"/>
        <p class="breadcrumb"><a href="/admin/catalog">"← Catalog and prices"</a></p>
        <Authed let:viewer>
            <Transition fallback=|| view! { <Loading/> }>
                {
                    let csrf = viewer.csrf.clone();
                    move || {
                        let csrf = csrf.clone();
                        Suspend::new(async move {
                            match entry.await {
                                Ok(e) => Either::Left(view! { <EditForm e csrf update reset/> }),
                                Err(err) => Either::Right(view! { <ShowError error=err/> }),
                            }
                        })
                    }
                }
            </Transition>
        </Authed>
    }
}

#[component]
fn EditForm(
    e: CatalogEntryAdmin,
    csrf: String,
    update: ServerAction<AdminUpdateModel>,
    reset: ServerAction<AdminResetModel>,
) -> impl IntoView {
    let m = e.model;
    let video = m.kind == ModelKind::Video;
    let changed = e.change.as_ref().map(|c| c.fields.join(", "));
    let (reset_csrf, reset_id) = (csrf.clone(), m.id.clone());
    view! {
        <header class="page-header">
            <h1>"Edit " <code>{m.id.clone()}</code></h1>
            <p class="lead">
                {format!("Provider {}{}.", m.provider, if e.provider_on { "" } else { " (off: no key configured)" })}
                {changed.map(|f| format!(" Changed in the console: {f}."))}
            </p>
        </header>
        {move || update.value().get().and_then(Result::ok).map(|_| view! {
            <Notice testid="model-saved">"Saved. The next request uses these values."</Notice>
        })}
        {move || reset.value().get().and_then(Result::ok).map(|_| view! {
            <Notice testid="model-reset">"Reset to the shipped catalog and the configuration file."</Notice>
        })}
        <section class="card" aria-labelledby="edit-heading">
            <h2 id="edit-heading">"Prices and limits"</h2>
            <ActionForm action=update attr:data-testid="model-form" attr:novalidate=true>
                <input type="hidden" name="csrf" value=csrf.clone()/>
                <input type="hidden" name="id" value=m.id.clone()/>
                <div class="form-grid">
                    {(!video).then(|| view! {
                        <FormField label="Input price (USD / 1M tokens)" name="price_input" inputmode="decimal" value=price(m.price_input)
                            hint="Empty: unpriced (requests are refused). 0: free." error=field_error(update, "price_input")/>
                        <FormField label="Output price (USD / 1M tokens)" name="price_output" inputmode="decimal" value=price(m.price_output)
                            error=field_error(update, "price_output")/>
                        <FormField label="Cached input price (USD / 1M tokens)" name="price_cached_input" inputmode="decimal"
                            value=price(m.price_cached_input) hint="Empty: the input price." error=field_error(update, "price_cached_input")/>
                        <FormField label="Cache write price (USD / 1M tokens)" name="price_cache_write" inputmode="decimal"
                            value=price(m.price_cache_write) hint="Empty: the input price." error=field_error(update, "price_cache_write")/>
                    })}
                    {video.then(|| view! {
                        <FormField label="Video price (USD / 1M video tokens)" name="price_video" inputmode="decimal" value=price(m.price_video)
                            hint="Empty: unpriced. 0: free." error=field_error(update, "price_video")/>
                    })}
                    <FormField label="Context window (tokens)" name="context" inputmode="numeric" value=count(m.context)
                        hint="Empty when unknown." error=field_error(update, "context")/>
                    <FormField label="Max output (tokens)" name="max_output" inputmode="numeric" value=count(m.max_output)
                        hint="Requests are clamped to it; empty when unknown." error=field_error(update, "max_output")/>
                </div>
                {if video {
                    Either::Left(view! {
                        <input type="hidden" name="price_input" value=""/>
                        <input type="hidden" name="price_output" value=""/>
                        <input type="hidden" name="price_cached_input" value=""/>
                        <input type="hidden" name="price_cache_write" value=""/>
                    })
                } else {
                    Either::Right(view! { <input type="hidden" name="price_video" value=price(m.price_video)/> })
                }}
                <FormField label="Description" name="description" value=m.description.clone() error=field_error(update, "description")/>
                <div class="field">
                    <label for="field-status">"Status"</label>
                    <select id="field-status" name="status" data-testid="model-status">
                        <option value="enabled" selected=e.enabled>"Enabled: listed and callable"</option>
                        <option value="disabled" selected=!e.enabled>"Disabled: answers as an unknown model"</option>
                    </select>
                </div>
                <ActionError action=update fields=FIELDS/>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || update.pending().get()>"Save"</button>
                </div>
            </ActionForm>
        </section>
        {e.change.is_some().then(|| view! {
            <section class="card" aria-labelledby="reset-heading">
                <h2 id="reset-heading">"Reset"</h2>
                <p class="muted">"Drop every change made here; the model is as shipped (and as the configuration file sets it) again."</p>
                <ActionForm action=reset attr:data-testid="reset-form">
                    <input type="hidden" name="csrf" value=reset_csrf/>
                    <input type="hidden" name="id" value=reset_id/>
                    <button type="submit" class="button danger-outline">"Reset to the shipped values"</button>
                </ActionForm>
                <ActionError action=reset/>
            </section>
        })}
    }
}
