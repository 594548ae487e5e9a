//! `/budgets`: what each API key may spend per period and what it spent in the current one.
//! Owners and admins set or clear a key's budget row by row (a plain form each, so it works
//! without JavaScript); members see the same table read-only.

use super::budget_row::{BudgetRow, COLUMNS};
use crate::api::budgets::{list_budgets, SetKeyBudget};
use crate::components::{use_session, Authed, Empty, ErrorBox, Loading, PageHeader, ShowError};
use crate::types::{ConsoleError, KeyBudgets};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

#[component]
pub fn BudgetsPage() -> impl IntoView {
    let epoch = use_session().epoch;
    let set = ServerAction::<SetKeyBudget>::new();
    // reload after a save that worked; a refused one keeps what was typed in the form
    let saved = RwSignal::new(0u32);
    Effect::watch(
        move || set.version().get(),
        move |_, _, _| {
            if set.value().with_untracked(|v| matches!(v, Some(Ok(_)))) {
                saved.update(|n| *n += 1);
            }
        },
        false,
    );
    let budgets = Resource::new(move || (epoch.get(), saved.get()), |_| list_budgets());

    view! {
        <PageHeader
            title="Budgets"
            description="Cap what each API key may spend. A key past its budget gets 429 until the budget resets or is raised."
        />
        <Authed let:viewer>
            <BudgetsBody csrf=viewer.csrf set budgets/>
        </Authed>
    }
}

#[component]
fn BudgetsBody(
    csrf: String,
    set: ServerAction<SetKeyBudget>,
    budgets: Resource<Result<KeyBudgets, ConsoleError>>,
) -> impl IntoView {
    // errors about one key's field are shown next to that field, the others here
    let page_error = move || {
        set.value().with(|v| match v {
            Some(Err(e)) if e.field().is_none_or(|f| !f.contains(':')) => Some(e.to_string()),
            _ => None,
        })
    };
    let saved = move || {
        set.value().with(|v| match v {
            Some(Ok(k)) => Some(format!("Budget of key “{}” saved.", k.name)),
            _ => None,
        })
    };
    // a save redraws the table (and the button that had the focus): keyboard users continue
    // from the message that says it worked
    let status = NodeRef::<leptos::html::Div>::new();
    Effect::watch(
        move || set.version().get(),
        move |_, _, _| {
            if set.value().with_untracked(|v| matches!(v, Some(Ok(_)))) {
                request_animation_frame(move || {
                    if let Some(el) = status.get_untracked() {
                        let _ = el.focus();
                    }
                });
            }
        },
        false,
    );
    view! {
        <section class="card" aria-labelledby="budgets-heading">
            <h2 id="budgets-heading">"Key budgets"</h2>
            <p class="muted">
                "Periods are in UTC: daily budgets reset at 00:00, weekly ones on Mondays, monthly ones on the 1st. "
                "A budget that never resets counts everything the key ever spent."
            </p>
            {move || page_error().map(|m| view! { <ErrorBox message=m/> })}
            <div class="status-slot" role="status" tabindex="-1" node_ref=status>
                {move || saved().map(|m| view! {
                    <div class="alert alert-success" data-testid="budget-saved"><p>{m}</p></div>
                })}
            </div>
            <Transition fallback=|| view! { <Loading/> }>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match budgets.await {
                            Ok(b) if b.keys.is_empty() => EitherOf3::A(view! {
                                <Empty testid="budgets-empty">
                                    "No keys yet. " <a href="/keys">"Create one on the API keys page"</a> "."
                                </Empty>
                            }),
                            Ok(b) => EitherOf3::B(view! { <BudgetTable budgets=b csrf set/> }),
                            Err(e) => EitherOf3::C(view! { <ShowError error=e/> }),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn BudgetTable(budgets: KeyBudgets, csrf: String, set: ServerAction<SetKeyBudget>) -> impl IntoView {
    let KeyBudgets { keys, can_edit } = budgets;
    let note = if can_edit {
        Either::Left(view! {
            <p class="hint">"Leave the budget empty (and the period Never) for no budget. Changes hold from the next request."</p>
        })
    } else {
        Either::Right(view! {
            <p class="muted" data-testid="budgets-read-only">
                "Only owners and admins of this organization can change budgets."
            </p>
        })
    };
    // not a DataTable: each key is its own <tbody> (figures, then its form)
    view! {
        {note}
        <div class="table-wrap">
            <table class="table budget-table" data-testid="budget-list">
                <caption class="sr-only">"Budgets of this organization's API keys"</caption>
                <thead>
                    <tr>{COLUMNS.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr>
                </thead>
                {keys
                    .into_iter()
                    .map(|key| view! { <BudgetRow key csrf=csrf.clone() can_edit set/> })
                    .collect_view()}
            </table>
        </div>
    }
}
