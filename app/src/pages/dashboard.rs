//! `/`: balance, totals and active keys of the current organization; its spend by day and
//! model over the last 30 days, its latest requests and ledger entries.

use crate::api::activity::dashboard_activity;
use crate::api::money::dashboard;
use crate::components::{use_session, FreeUsageSection, LedgerTable, Loading, Money, PageHeader, RequestTable, ShowError, SpendChart};
use crate::types::Usd;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let epoch = use_session().epoch;
    let data = Resource::new(move || epoch.get(), |_| dashboard());
    let requests = Resource::new(move || epoch.get(), |_| dashboard_activity());
    view! {
        <PageHeader title="Dashboard" description="Your organization's balance and recent activity."/>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => Either::Left(view! {
                        <section class="stats" aria-label="Summary">
                            <Stat label="Balance" amount=d.balance testid="balance"/>
                            <Stat label="Total credited" amount=d.total_credited testid="total-credited"/>
                            <Stat label="Total spent" amount=d.total_spent testid="total-spent"/>
                            <div class="card stat">
                                <p class="stat-label">"Active keys"</p>
                                <p class="stat-value" data-testid="active-keys">{d.active_keys}</p>
                                <a class="stat-link" href="/keys">"Manage keys"</a>
                            </div>
                        </section>
                        {d.balance.is_negative().then(|| view! {
                            <div class="alert alert-warning" role="status" data-testid="debt-warning">
                                "Your balance is below zero: API requests are refused until it is topped up. "
                                <a href="/balance">"Top up or redeem a code"</a>
                            </div>
                        })}
                    }),
                    Err(e) => Either::Right(view! { <ShowError error=e/> }),
                }
            })}
        </Transition>
        <FreeUsageSection epoch/>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match requests.await {
                    Ok(a) => Either::Left(view! {
                        <section class="card" aria-labelledby="spend-heading">
                            <div class="card-header">
                                <h2 id="spend-heading">"Spend, last 30 days"</h2>
                                <span class="muted">"by day (UTC) and model"</span>
                            </div>
                            <SpendChart data=a.clone()/>
                        </section>
                        <section class="card" aria-labelledby="recent-requests-heading">
                            <div class="card-header">
                                <h2 id="recent-requests-heading">"Recent activity"</h2>
                                <a href="/activity">"All requests"</a>
                            </div>
                            <RequestTable rows=a.recent caption="The latest requests" compact=true/>
                        </section>
                    }),
                    Err(e) => Either::Right(view! { <ShowError error=e/> }),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                data.await.ok().map(|d| view! {
                    <section class="card" aria-labelledby="recent-ledger-heading">
                        <div class="card-header">
                            <h2 id="recent-ledger-heading">"Recent ledger entries"</h2>
                            <a href="/balance">"Full ledger"</a>
                        </div>
                        <LedgerTable entries=d.recent caption="Recent ledger entries"/>
                    </section>
                })
            })}
        </Transition>
    }
}

#[component]
fn Stat(label: &'static str, amount: Usd, testid: &'static str) -> impl IntoView {
    view! {
        <div class="card stat">
            <p class="stat-label">{label}</p>
            <p class="stat-value"><Money amount testid/></p>
        </div>
    }
}
