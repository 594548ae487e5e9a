//! `/balance?page=N`: the balance, the ledger page by page, and redeeming a code.

use crate::api::money::{dashboard, ledger, RedeemCode};
use crate::components::{
    field_error, use_session, ActionError, Authed, FormField, LedgerTable, Loading, Money, Notice, PageHeader, Pager,
    ShowError,
};
use crate::types::LedgerPage;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn BalancePage() -> impl IntoView {
    let epoch = use_session().epoch;
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query.read().get("page").and_then(|p| p.parse::<u32>().ok()).filter(|p| *p >= 1).unwrap_or(1)
    });
    let redeem = ServerAction::<RedeemCode>::new();
    let summary = Resource::new(move || (epoch.get(), redeem.version().get()), |_| dashboard());
    let entries = Resource::new(move || (epoch.get(), page.get(), redeem.version().get()), |(_, p, _)| ledger(p));
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::watch(
        move || redeem.version().get(),
        move |_, _, _| {
            if redeem.value().with_untracked(|v| matches!(v, Some(Ok(_)))) {
                if let Some(form) = form.get_untracked() {
                    form.reset();
                }
            }
        },
        false,
    );

    view! {
        <PageHeader title="Balance" description="Credits and charges of your organization."/>
        <div class="grid-2">
            <section class="card" aria-labelledby="balance-heading">
                <h2 id="balance-heading">"Current balance"</h2>
                <Transition fallback=|| view! { <Loading/> }>
                    {move || Suspend::new(async move {
                        match summary.await {
                            Ok(d) => Either::Left(view! {
                                <p class="big-figure"><Money amount=d.balance testid="balance"/></p>
                                <p class="muted">
                                    "Credited " <Money amount=d.total_credited/> " · spent " <Money amount=d.total_spent/>
                                </p>
                            }),
                            Err(e) => Either::Right(view! { <ShowError error=e/> }),
                        }
                    })}
                </Transition>
            </section>
            <section class="card" aria-labelledby="redeem-heading">
                <h2 id="redeem-heading">"Redeem a code"</h2>
                <Authed let:viewer>
                    <ActionForm action=redeem node_ref=form attr:data-testid="redeem-form" attr:novalidate=true>
                        <input type="hidden" name="csrf" value=viewer.csrf.clone()/>
                        <ActionError action=redeem fields=&["code"]/>
                        <FormField
                            label="Redemption code"
                            name="code"
                            autocomplete="off"
                            required=true
                            error=field_error(redeem, "code")
                        />
                        <button type="submit" class="button" disabled=move || redeem.pending().get()>"Redeem"</button>
                    </ActionForm>
                    {move || redeem.value().get().and_then(Result::ok).map(|entry| view! {
                        <Notice testid="redeem-success">
                            "Redeemed " <Money amount=entry.amount/> ". New balance: " <Money amount=entry.balance_after/> "."
                        </Notice>
                    })}
                </Authed>
                <p class="hint">"Top-ups by payment appear here once the payment provider confirms them."</p>
            </section>
        </div>
        <section class="card" aria-labelledby="ledger-heading">
            <h2 id="ledger-heading">"Ledger"</h2>
            <Transition fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(p) => Either::Left(view! { <LedgerPageView page=p/> }),
                        Err(e) => Either::Right(view! { <ShowError error=e/> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn LedgerPageView(page: LedgerPage) -> impl IntoView {
    let per_page = u64::from(page.per_page.max(1));
    let pages = page.total.div_ceil(per_page).max(1);
    let current = u64::from(page.page.max(1));
    let prev = (current > 1).then(|| format!("/balance?page={}", current - 1));
    let next = (current < pages).then(|| format!("/balance?page={}", current + 1));
    view! {
        <LedgerTable entries=page.entries caption="Ledger entries, newest first"/>
        <Pager label="Ledger pages" prev next info=format!("Page {current} of {pages} · {} entries", page.total)/>
    }
}
