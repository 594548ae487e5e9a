//! `/admin/catalog`: every catalog model with its prices, limits and status (administrators
//! only); each links to its edit page.

use crate::api::admin::admin_catalog;
use crate::components::{DataTable, Loading, PageHeader, ShowError, Time};
use crate::types::{format_price, format_tokens, CatalogEntryAdmin, ModelKind};
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn AdminCatalogPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| admin_catalog());
    view! {
        <PageHeader
            title="Catalog and prices"
            description="Prices are USD per million tokens (video: per million video tokens). Changes apply to the next request and are kept in the database."
        />
        <section class="card" aria-labelledby="catalog-heading">
            <h2 id="catalog-heading" class="sr-only">"Models"</h2>
            <Transition fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(entries) => Either::Left(view! { <CatalogTable entries/> }),
                        Err(e) => Either::Right(view! { <ShowError error=e/> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CatalogTable(entries: Vec<CatalogEntryAdmin>) -> impl IntoView {
    view! {
        <DataTable
            headers=vec!["Model (edit)", "Provider", "Status", "Input", "Output", "Cached", "Cache write", "Video", "Context / max output", "Changed"]
            caption="Catalog models"
            testid="catalog"
        >
            {entries.into_iter().map(|e| {
                let m = e.model;
                let edit = format!("/admin/catalog/{}", m.id);
                let status = if e.enabled { "enabled" } else { "disabled" };
                let provider = if e.provider_on { m.provider.clone() } else { format!("{} (off)", m.provider) };
                let video = m.kind == ModelKind::Video;
                view! {
                    <tr data-testid="catalog-row" data-model=m.id.clone() data-status=status>
                        <th scope="row">
                            <a href=edit aria-label=format!("Edit {}", m.id) data-testid="edit-model"><code>{m.id.clone()}</code></a>
                        </th>
                        <td>{provider}</td>
                        <td><span class=format!("badge status-{status}")>{status}</span></td>
                        <td class="num" data-testid="catalog-price-input">{if video { "—".into() } else { format_price(m.price_input) }}</td>
                        <td class="num">{if video { "—".into() } else { format_price(m.price_output) }}</td>
                        <td class="num">{if video { "—".into() } else { format_price(m.cached_price()) }}</td>
                        <td class="num">{if video { "—".into() } else { format_price(m.price_cache_write.or(m.price_input)) }}</td>
                        <td class="num">{if video { format_price(m.price_video) } else { "—".into() }}</td>
                        <td class="num">{format!("{} / {}", format_tokens(m.context), format_tokens(m.max_output))}</td>
                        <td>{match e.change {
                            Some(c) => Either::Left(view! { <Time at=Some(c.updated_at)/> " " <span class="muted">{c.updated_by}</span> }),
                            None => Either::Right(view! { <span class="muted">"as shipped"</span> }),
                        }}</td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}
