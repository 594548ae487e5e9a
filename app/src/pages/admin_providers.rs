//! `/admin/providers`: the upstream providers (never their keys) and their last hour from the
//! request log: requests, error rate, mean latency (administrators only).

use crate::api::admin::admin_providers;
use crate::components::{DataTable, Loading, PageHeader, ShowError};
use crate::types::ProviderAdminInfo;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn AdminProvidersPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| admin_providers());
    view! {
        <PageHeader
            title="Providers"
            description="Upstream providers and their health over the last hour. A provider is on when its API key is set (environment or configuration file)."
        />
        <section class="card" aria-labelledby="providers-heading">
            <h2 id="providers-heading" class="sr-only">"Providers"</h2>
            <Transition fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(providers) => Either::Left(view! { <ProviderTable providers/> }),
                        Err(e) => Either::Right(view! { <ShowError error=e/> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ProviderTable(providers: Vec<ProviderAdminInfo>) -> impl IntoView {
    view! {
        <DataTable
            headers=vec!["Provider", "Status", "Requests (1 h)", "Error rate (1 h)", "Mean latency (1 h)", "Models", "Protocol", "Base URL"]
            caption="Upstream providers"
            testid="providers"
        >
            {providers.into_iter().map(|p| {
                let state = if p.on { "on" } else { "off" };
                let rate = p.error_rate();
                view! {
                    <tr data-testid="provider-row" data-provider=p.id.clone() data-state=state>
                        <th scope="row">{p.label.clone()} {(p.label != p.id).then(|| view! { " " <code>{p.id.clone()}</code> })}</th>
                        <td><span class=format!("badge status-{state}")>{state}</span></td>
                        <td class="num" data-testid="provider-requests">{p.requests_1h}</td>
                        <td class="num">{rate}</td>
                        <td class="num">{p.avg_latency_ms.map_or_else(|| "—".to_string(), |ms| format!("{ms} ms"))}</td>
                        <td class="num">{p.models}</td>
                        <td>{p.protocol.clone()}</td>
                        <td><code>{p.base_url.clone()}</code></td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}
