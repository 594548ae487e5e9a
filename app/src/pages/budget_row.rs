//! One key's row on the Budgets page: budget, period and next reset, spend, remaining, a bar
//! of what is used, and (for owners and admins) the form that changes it.

use crate::api::budgets::SetKeyBudget;
use crate::components::{short_time, Money};
use crate::types::{key_field, KeyBudgetInfo, KeyStatus, Usd, RESET_CHOICES};
use leptos::either::Either;
use leptos::prelude::*;

/// A budget as it goes back into the form: `5`, `0.25` (never ten trailing zeros).
fn plain(amount: Usd) -> String {
    amount.decimal().normalize().to_string()
}

/// The table's columns (the form, when shown, spans them all below the figures).
pub const COLUMNS: &[&str] = &["Key", "Budget", "Period", "Spend this period", "Remaining", "Used"];

fn period_words(period: &str) -> &'static str {
    RESET_CHOICES.iter().find(|(v, _)| *v == period).map_or("Never", |(_, w)| *w)
}

#[component]
pub fn BudgetRow(key: KeyBudgetInfo, csrf: String, can_edit: bool, set: ServerAction<SetKeyBudget>) -> impl IntoView {
    let used = key.used_percent();
    let KeyBudgetInfo { key_id, name, prefix, status, management, budget, period, resets_at, spend, remaining } = key;
    let status_word = status.as_str();
    let badges = view! {
        {management.then(|| view! { <span class="badge role">"management"</span> })}
        {(status != KeyStatus::Active).then(|| view! { <span class=format!("badge status-{status_word}")>{status_word}</span> })}
    };
    let period_cell = view! {
        <span data-testid="budget-period">{period_words(&period)}</span>
        {resets_at.map(|at| {
            let words = short_time(&at);
            view! { <br/><span class="muted small">"resets " <time datetime=at>{words}</time></span> }
        })}
    };
    let used_cell = match used {
        Some(pct) => Either::Left({
            let over = pct >= 100;
            view! {
            <div class="budget-used">
                <progress
                    max="100"
                    value=pct.min(100)
                    aria-label=format!("Budget of key {name} used")
                    class:over=over
                ></progress>
                <span data-testid="budget-used-percent" data-percent=pct.to_string()>
                    {if pct > 100 { "over budget".to_string() } else { format!("{pct}%") }}
                </span>
            </div>
            }
        }),
        None => Either::Right(view! { <span class="muted">"—"</span> }),
    };
    let form = can_edit.then(|| {
        view! {
            <tr class="budget-edit">
                <td colspan=COLUMNS.len().to_string()>
                    <BudgetForm key_id=key_id.clone() name=name.clone() budget period=period.clone() csrf set/>
                </td>
            </tr>
        }
    });
    // one body per key: its figures, then (for owners and admins) the form that changes them
    view! {
        <tbody data-testid="budget-row" data-key-name=name.clone() data-key-id=key_id data-period=period.clone()>
            <tr class="budget-figures" class:editable=can_edit>
                <th scope="row" class="key-name">
                    {name.clone()} " " {badges}
                    <br/>
                    <code class="prefix">{prefix}</code>
                </th>
                <td class="num" data-testid="budget-amount">
                    {match budget {
                        Some(b) => Either::Left(view! { <Money amount=b/> }),
                        None => Either::Right(view! { <span class="muted">"none"</span> }),
                    }}
                </td>
                <td>{period_cell}</td>
                <td class="num" data-testid="budget-spend"><Money amount=spend/></td>
                <td class="num" data-testid="budget-remaining">
                    {match remaining {
                        Some(r) => Either::Left(view! { <Money amount=r/> }),
                        None => Either::Right(view! { <span class="muted">"—"</span> }),
                    }}
                </td>
                <td>{used_cell}</td>
            </tr>
            {form}
        </tbody>
    }
}

/// The message of the action's error when it is about `field` of this key.
fn row_error(set: ServerAction<SetKeyBudget>, field: String) -> Signal<Option<String>> {
    Signal::derive(move || {
        set.value().with(|v| match v {
            Some(Err(e)) if e.field() == Some(field.as_str()) => Some(e.to_string()),
            _ => None,
        })
    })
}

/// Set or clear one key's budget: amount and period, saved together; "Remove" clears both.
#[component]
fn BudgetForm(
    key_id: String,
    name: String,
    budget: Option<Usd>,
    period: String,
    csrf: String,
    set: ServerAction<SetKeyBudget>,
) -> impl IntoView {
    let (budget_id, reset_id) = (format!("budget-{key_id}"), format!("reset-{key_id}"));
    let budget_error = row_error(set, key_field("budget", &key_id));
    let reset_error = row_error(set, key_field("reset", &key_id));
    let (budget_error_id, reset_error_id) = (format!("{budget_id}-error"), format!("{reset_id}-error"));
    let remove = budget.is_some().then(|| {
        let (csrf, key_id, name) = (csrf.clone(), key_id.clone(), name.clone());
        view! {
            <ActionForm action=set attr:class="inline-form">
                <input type="hidden" name="csrf" value=csrf/>
                <input type="hidden" name="key_id" value=key_id/>
                <input type="hidden" name="budget" value=""/>
                <input type="hidden" name="reset" value="never"/>
                <button type="submit" class="button secondary small" aria-label=format!("Remove the budget of key {name}") data-testid="remove-budget">
                    "Remove"
                </button>
            </ActionForm>
        }
    });
    view! {
        <div class="budget-forms">
            <ActionForm action=set attr:class="budget-form" attr:data-testid="budget-form" attr:novalidate=true>
                <input type="hidden" name="csrf" value=csrf/>
                <input type="hidden" name="key_id" value=key_id/>
                <div class="field compact" class:has-error=move || budget_error.with(Option::is_some)>
                    <label for=budget_id.clone()>"Budget (USD)" <span class="sr-only">{format!(" of key {name}")}</span></label>
                    <input
                        id=budget_id
                        name="budget"
                        type="text"
                        inputmode="decimal"
                        autocomplete="off"
                        placeholder="none"
                        value=budget.map(plain)
                        aria-invalid=move || if budget_error.with(Option::is_some) { "true" } else { "false" }
                        aria-describedby={
                            let id = budget_error_id.clone();
                            move || budget_error.with(Option::is_some).then(|| id.clone())
                        }
                    />
                    {move || budget_error.get().map(|m| view! {
                        <p class="field-error" id=budget_error_id.clone() role="alert" data-testid="error" data-field="budget">{m}</p>
                    })}
                </div>
                <div class="field compact" class:has-error=move || reset_error.with(Option::is_some)>
                    <label for=reset_id.clone()>"Resets" <span class="sr-only">{format!(" (key {name})")}</span></label>
                    <select
                        id=reset_id
                        name="reset"
                        aria-invalid=move || if reset_error.with(Option::is_some) { "true" } else { "false" }
                        aria-describedby={
                            let id = reset_error_id.clone();
                            move || reset_error.with(Option::is_some).then(|| id.clone())
                        }
                    >
                        {RESET_CHOICES
                            .iter()
                            .map(|(value, words)| view! { <option value=*value selected=*value == period>{*words}</option> })
                            .collect_view()}
                    </select>
                    {move || reset_error.get().map(|m| view! {
                        <p class="field-error" id=reset_error_id.clone() role="alert" data-testid="error" data-field="reset">{m}</p>
                    })}
                </div>
                <button type="submit" class="button small" aria-label=format!("Save the budget of key {name}") data-testid="save-budget">
                    "Save"
                </button>
            </ActionForm>
            {remove}
        </div>
    }
}
