//! `/audit?page=N`: the organization's audit log, newest first: when, who (a person's email or
//! a management key), what was done to what. Every member may read it.

use crate::api::settings::audit_log;
use crate::components::{use_session, DataTable, Empty, Loading, PageHeader, Pager, ShowError, Time};
use crate::types::AuditPage;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let epoch = use_session().epoch;
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query.read().get("page").and_then(|p| p.parse::<u32>().ok()).filter(|p| *p >= 1).unwrap_or(1)
    });
    let entries = Resource::new(move || (epoch.get(), page.get()), |(_, p)| audit_log(p));
    view! {
        <PageHeader
            title="Audit log"
            description="Every change to guardrails, routing settings, budgets and keys of this organization, newest first."
        />
        <section class="card" aria-labelledby="audit-heading">
            <h2 id="audit-heading" class="sr-only">"Changes"</h2>
            <Transition fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(p) if p.entries.is_empty() && p.page == 1 => EitherOf3::A(view! {
                            <Empty testid="audit-empty">"Nothing has been changed yet."</Empty>
                        }),
                        Ok(p) => EitherOf3::B(view! { <AuditTable page=p/> }),
                        Err(e) => EitherOf3::C(view! { <ShowError error=e/> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AuditTable(page: AuditPage) -> impl IntoView {
    let current = page.page.max(1);
    let prev = (current > 1).then(|| format!("/audit?page={}", current - 1));
    let next = page.has_more.then(|| format!("/audit?page={}", current + 1));
    view! {
        <DataTable
            headers=vec!["Time", "Who", "Action", "Target", "Detail"]
            caption="Audit log, newest first"
            testid="audit-list"
        >
            {page
                .entries
                .into_iter()
                .map(|e| {
                    let action = e.action.clone();
                    view! {
                    <tr data-testid="audit-row" data-action=action>
                        <td><Time at=Some(e.at)/></td>
                        <td data-testid="audit-who">{e.who}</td>
                        <td><code>{e.action}</code></td>
                        <td data-testid="audit-target">{e.target}</td>
                        <td class="details" data-testid="audit-detail">{e.detail}</td>
                    </tr>
                    }
                })
                .collect_view()}
        </DataTable>
        <Pager label="Audit log pages" prev next info=format!("Page {current}")/>
    }
}
