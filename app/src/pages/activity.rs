//! `/activity`: the organization's request log with filters (key, model, status, UTC days)
//! as a GET form, totals of everything the filter matches, and pages.

use crate::api::activity::activity;
use crate::components::{use_session, Loading, Money, PageHeader, Pager, RequestTable, ShowError};
use crate::types::{ActivityFilter, ActivityPage, KeyChoice};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

type Errors = Vec<(&'static str, String)>;

#[component]
pub fn ActivityPageView() -> impl IntoView {
    let epoch = use_session().epoch;
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        ActivityFilter::from_query(|k| q.get(k))
    });
    let data = Resource::new(move || (epoch.get(), filter.get()), |(_, f)| activity(f.cleaned().0));
    view! {
        <PageHeader title="Activity" description="Every request your organization's keys made: model, tokens, cost and timing."/>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let f = filter.get();
                let errors = f.cleaned().1;
                match data.await {
                    Ok(page) => Either::Left(view! { <ActivityBody filter=f errors page/> }),
                    Err(e) => Either::Right(view! { <ShowError error=e/> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn ActivityBody(filter: ActivityFilter, errors: Errors, page: ActivityPage) -> impl IntoView {
    let t = page.totals.clone();
    let per_page = u64::from(page.per_page.max(1));
    let pages = t.requests.div_ceil(per_page).max(1);
    let current = u64::from(page.page.max(1));
    let prev = (current > 1).then(|| filter.href(page.page - 1));
    let next = (current < pages).then(|| filter.href(page.page + 1));
    view! {
        <FilterForm filter=filter.clone() errors keys=page.keys/>
        <section class="stats" aria-label="Totals of the filtered requests" data-testid="activity-totals">
            <div class="card stat"><p class="stat-label">"Requests"</p><p class="stat-value" data-testid="total-requests">{t.requests}</p></div>
            <div class="card stat"><p class="stat-label">"Errors"</p><p class="stat-value" data-testid="total-errors">{t.errors}</p></div>
            <div class="card stat">
                <p class="stat-label">"Tokens in / out"</p>
                <p class="stat-value" data-testid="total-tokens">{format!("{} / {}", t.input_tokens, t.output_tokens)}</p>
            </div>
            <div class="card stat"><p class="stat-label">"Cost"</p><p class="stat-value"><Money amount=t.cost testid="total-cost"/></p></div>
        </section>
        <section class="card" aria-labelledby="requests-heading">
            <h2 id="requests-heading">"Requests"</h2>
            <RequestTable rows=page.rows caption="Requests, newest first"/>
            <Pager label="Activity pages" prev next info=format!("Page {current} of {pages}")/>
        </section>
    }
}

fn error_view(errors: &Errors, field: &'static str, id: &'static str) -> Option<impl IntoView> {
    errors.iter().find(|(f, _)| *f == field).map(|(_, m)| {
        view! { <p class="field-error" id=format!("{id}-error") role="alert" data-testid="error" data-field=field>{m.clone()}</p> }
    })
}

#[component]
fn FilterForm(filter: ActivityFilter, errors: Errors, keys: Vec<KeyChoice>) -> impl IntoView {
    let bad = |field: &str| errors.iter().any(|(f, _)| *f == field);
    let (from_bad, to_bad, status_bad) = (bad("from"), bad("to"), bad("status"));
    let described = |b: bool, id: &'static str| b.then(|| format!("{id}-error"));
    let ActivityFilter { key, model, status, mut from, mut to, .. } = filter;
    // a date input refuses a value that is not a date (the browser warns): leave it empty
    if from_bad {
        from.clear();
    }
    if to_bad {
        to.clear();
    }
    view! {
        <form method="get" action="/activity" class="card filter-form" role="search" data-testid="activity-filter">
            <div class="field">
                <label for="activity-key">"Key"</label>
                <select id="activity-key" name="key">
                    <option value="" selected=key.is_empty()>"Any key"</option>
                    {keys.into_iter().map(|k| {
                        let selected = k.id == key;
                        view! { <option value=k.id selected=selected>{k.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="activity-model">"Model"</label>
                <input id="activity-model" name="model" type="text" value=model placeholder="e.g. openai/gpt-5"/>
            </div>
            <div class="field" class:has-error=status_bad>
                <label for="activity-status">"Status"</label>
                <select id="activity-status" name="status" aria-describedby=described(status_bad, "activity-status")>
                    <option value="" selected=status.is_empty() || status_bad>"Any status"</option>
                    <option value="ok" selected=status == "ok">"OK"</option>
                    <option value="error" selected=status == "error">"Error"</option>
                </select>
                {error_view(&errors, "status", "activity-status")}
            </div>
            <div class="field" class:has-error=from_bad>
                <label for="activity-from">"From (UTC day)"</label>
                <input id="activity-from" name="from" type="date" value=from aria-invalid=if from_bad { "true" } else { "false" } aria-describedby=described(from_bad, "activity-from")/>
                {error_view(&errors, "from", "activity-from")}
            </div>
            <div class="field" class:has-error=to_bad>
                <label for="activity-to">"To (UTC day, included)"</label>
                <input id="activity-to" name="to" type="date" value=to aria-invalid=if to_bad { "true" } else { "false" } aria-describedby=described(to_bad, "activity-to")/>
                {error_view(&errors, "to", "activity-to")}
            </div>
            <div class="form-actions">
                <button type="submit" class="button">"Apply"</button>
                <a class="button secondary" href="/activity">"Clear"</a>
            </div>
        </form>
    }
}
