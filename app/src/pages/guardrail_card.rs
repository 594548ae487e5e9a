//! One guardrail on the Guardrails page: what it limits and whom it applies to, and for owners
//! and admins its edit form and its delete button (each folded in a `<details>`, which opens
//! by keyboard and without JavaScript).

use super::guardrail_form::{FieldErrors, FormScope, GuardrailFields};
use crate::api::guardrails::{DeleteGuardrail, UpdateGuardrail};
use crate::components::{short_time, Money};
use crate::types::{GuardrailInfo, GuardrailKey, ProviderChoice, RESET_CHOICES};
use leptos::either::Either;
use leptos::prelude::*;

fn period_words(period: &str) -> &'static str {
    RESET_CHOICES.iter().find(|(v, _)| *v == period).map_or("Never", |(_, w)| *w)
}

/// `any`, or the entries as code.
fn list_view(list: Option<Vec<String>>, any: &'static str) -> AnyView {
    match list {
        None => view! { <span class="muted">{any}</span> }.into_any(),
        Some(l) if l.is_empty() => view! { <span>"none (an empty list allows nothing)"</span> }.into_any(),
        Some(l) => view! {
            <ul class="inline-list">{l.into_iter().map(|e| view! { <li><code>{e}</code></li> }).collect_view()}</ul>
        }
        .into_any(),
    }
}

fn rates(rpm: Option<i64>, tpm: Option<i64>) -> String {
    let mut parts = Vec::new();
    if let Some(r) = rpm {
        parts.push(format!("{r} requests / min"));
    }
    if let Some(t) = tpm {
        parts.push(format!("{t} tokens / min"));
    }
    if parts.is_empty() { "none".to_string() } else { parts.join(" · ") }
}

#[component]
pub fn GuardrailCard(
    guardrail: GuardrailInfo,
    keys: Vec<GuardrailKey>,
    catalog: Vec<ProviderChoice>,
    csrf: String,
    can_edit: bool,
    update: ServerAction<UpdateGuardrail>,
    delete: ServerAction<DeleteGuardrail>,
    update_errors: FieldErrors,
) -> impl IntoView {
    let g = guardrail.clone();
    let heading_id = format!("guardrail-{}-name", g.id);
    let labelled_by = heading_id.clone();
    let budget = match g.budget {
        Some(b) => Either::Left(view! {
            <Money amount=b/> " · " <span data-testid="guardrail-period">{period_words(&g.period)}</span>
            {g.resets_at.clone().map(|at| {
                let words = short_time(&at);
                view! { <br/><span class="muted small">"resets " <time datetime=at>{words}</time></span> }
            })}
        }),
        None => Either::Right(view! { <span class="muted">"none"</span> }),
    };
    let applies = {
        let keys = g.keys.iter().map(|k| k.name.clone()).collect::<Vec<_>>();
        let org = g.org_assigned.then(|| view! { <span class="badge role" data-testid="guardrail-whole-org">"whole organization"</span> " " });
        let key_list = if keys.is_empty() {
            Either::Left((!g.org_assigned).then(|| view! { <span class="muted">"nothing yet"</span> }))
        } else {
            Either::Right(view! {
                <ul class="inline-list" data-testid="guardrail-keys">
                    {keys.into_iter().map(|k| view! { <li>{k}</li> }).collect_view()}
                </ul>
            })
        };
        view! { {org} {key_list} }
    };
    let edit = can_edit.then(|| {
        let id = g.id.clone();
        let name = g.name.clone();
        let mine = format!(":{id}");
        let open = move || update_errors.with(|e| e.as_ref().is_some_and(|(f, _)| f.ends_with(&mine)));
        let scope = FormScope { prefix: id.clone(), guardrail_id: Some(id.clone()), errors: update_errors };
        let (csrf2, id2, name2) = (csrf.clone(), id.clone(), name.clone());
        let (edit_label, save_label, summary_words) =
            (format!("Edit guardrail {name}"), format!("Save guardrail {name}"), format!("guardrail {name}"));
        let (delete_words, delete_button) = (format!("guardrail {name2}"), format!("Delete guardrail “{name2}”"));
        view! {
            <details class="guardrail-edit" open=open>
                <summary data-testid="edit-guardrail">"Edit " <span class="sr-only">{summary_words}</span></summary>
                <ActionForm
                    action=update
                    attr:class="guardrail-form"
                    attr:data-testid="guardrail-edit-form"
                    attr:novalidate=true
                    attr:aria-label=edit_label
                >
                    <input type="hidden" name="csrf" value=csrf/>
                    <input type="hidden" name="guardrail_id" value=id/>
                    <GuardrailFields scope current=Some(guardrail) keys catalog/>
                    <button type="submit" class="button" data-testid="save-guardrail" aria-label=save_label>
                        "Save"
                    </button>
                </ActionForm>
            </details>
            <details class="guardrail-delete">
                <summary data-testid="delete-guardrail">"Delete… " <span class="sr-only">{delete_words}</span></summary>
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="csrf" value=csrf2/>
                    <input type="hidden" name="guardrail_id" value=id2/>
                    <span class="confirm-text">"Its limits stop applying at once."</span>
                    <button type="submit" class="button danger small" data-testid="confirm-delete-guardrail">
                        {delete_button}
                    </button>
                </ActionForm>
            </details>
        }
    });

    view! {
        <article
            class="card guardrail"
            data-testid="guardrail"
            data-guardrail-name=g.name.clone()
            data-guardrail-id=g.id.clone()
            aria-labelledby=labelled_by
        >
            <h3 id=heading_id>{g.name.clone()}</h3>
            {g.description.clone().map(|d| view! { <p class="muted">{d}</p> })}
            <dl class="facts guardrail-facts">
                <div>
                    <dt>"Budget"</dt>
                    <dd data-testid="guardrail-budget">{budget}</dd>
                </div>
                <div>
                    <dt>"Models"</dt>
                    <dd data-testid="guardrail-models">{list_view(g.allowed_models.clone(), "any model")}</dd>
                </div>
                <div>
                    <dt>"Providers"</dt>
                    <dd data-testid="guardrail-providers">{list_view(g.allowed_providers.clone(), "any provider")}</dd>
                </div>
                <div>
                    <dt>"Rate limits"</dt>
                    <dd data-testid="guardrail-rates">{rates(g.requests_per_minute, g.tokens_per_minute)}</dd>
                </div>
                <div>
                    <dt>"Applies to"</dt>
                    <dd data-testid="guardrail-applies">{applies}</dd>
                </div>
            </dl>
            {edit}
        </article>
    }
}
