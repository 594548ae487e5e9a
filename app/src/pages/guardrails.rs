//! `/guardrails`: the organization's guardrails (budgets per period, model and provider
//! allowlists, rate limits) and whom they apply to: chosen keys, each on its own, and/or the
//! whole organization. Owners and admins create, edit and delete them with plain forms (they
//! post without JavaScript too); members see them read-only. Changes hold from the next request.

use super::guardrail_card::GuardrailCard;
use super::guardrail_form::{FieldErrors, FormScope, GuardrailFields};
use crate::api::guardrails::{list_guardrails, CreateGuardrail, DeleteGuardrail, UpdateGuardrail};
use crate::components::{use_session, ActionError, Authed, Empty, ErrorBox, Loading, PageHeader, ShowError};
use crate::types::{ConsoleError, GuardrailList, GUARDRAIL_FIELDS};
use leptos::either::Either;
use leptos::prelude::*;
use server_fn::ServerFn;

/// The (field, message) of an action's last error when it names a field.
fn field_errors<S>(action: ServerAction<S>) -> FieldErrors
where
    S: ServerFn<Error = ConsoleError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|v| match v {
            Some(Err(e)) => e.field().map(|f| (f.to_string(), e.to_string())),
            _ => None,
        })
    })
}

/// Bumps `saved` and says so in `notice` when the action succeeds (a refusal clears it).
fn on_success<S>(action: ServerAction<S>, saved: RwSignal<u32>, notice: RwSignal<Option<String>>, words: fn(&S::Output) -> String)
where
    S: ServerFn<Error = ConsoleError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Effect::watch(
        move || action.version().get(),
        move |_, _, _| {
            let message = action.value().with_untracked(|v| match v {
                Some(Ok(out)) => Some(words(out)),
                _ => None,
            });
            let worked = message.is_some();
            notice.set(message);
            if worked {
                saved.update(|n| *n += 1);
            }
        },
        false,
    );
}

#[component]
pub fn GuardrailsPage() -> impl IntoView {
    let epoch = use_session().epoch;
    let create = ServerAction::<CreateGuardrail>::new();
    let update = ServerAction::<UpdateGuardrail>::new();
    let delete = ServerAction::<DeleteGuardrail>::new();
    // reload after a change that worked; a refused one keeps what was typed in the form
    let saved = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    on_success(create, saved, notice, |g| format!("Guardrail “{}” created.", g.name));
    on_success(update, saved, notice, |g| format!("Guardrail “{}” saved.", g.name));
    on_success(delete, saved, notice, |_| "Guardrail deleted.".to_string());
    let list = Resource::new(move || (epoch.get(), saved.get()), |_| list_guardrails());

    let form = NodeRef::<leptos::html::Form>::new();
    // after a save the page redraws (and the button that had the focus with it): keyboard
    // users continue from the message that says it worked
    let status = NodeRef::<leptos::html::Div>::new();
    Effect::watch(
        move || saved.get(),
        move |_, _, _| {
            if create.value().with_untracked(|v| matches!(v, Some(Ok(_)))) {
                if let Some(form) = form.get_untracked() {
                    form.reset();
                }
            }
            request_animation_frame(move || {
                if let Some(el) = status.get_untracked() {
                    let _ = el.focus();
                }
            });
        },
        false,
    );

    view! {
        <PageHeader
            title="Guardrails"
            description="Policies for API keys and the whole organization: which models they may call, what they may spend per period, and how fast."
        />
        <Authed let:viewer>
            <div class="status-slot" role="status" tabindex="-1" node_ref=status>
                {move || notice.get().map(|m| view! {
                    <div class="alert alert-success" data-testid="guardrail-saved"><p>{m}</p></div>
                })}
            </div>
            <GuardrailsBody csrf=viewer.csrf list create update delete form/>
        </Authed>
    }
}

#[component]
fn GuardrailsBody(
    csrf: String,
    list: Resource<Result<GuardrailList, ConsoleError>>,
    create: ServerAction<CreateGuardrail>,
    update: ServerAction<UpdateGuardrail>,
    delete: ServerAction<DeleteGuardrail>,
    form: NodeRef<leptos::html::Form>,
) -> impl IntoView {
    // an edit's field errors are shown in its card, the others here
    let page_error = move || {
        let update_error = update.value().with(|v| match v {
            Some(Err(e)) if e.field().is_none_or(|f| !f.contains(':')) => Some(e.to_string()),
            _ => None,
        });
        update_error.or_else(|| delete.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err()).map(ToString::to_string)))
    };
    let update_errors = field_errors(update);
    let create_errors = field_errors(create);
    view! {
        {move || page_error().map(|m| view! { <ErrorBox message=m/> })}
        <Transition fallback=|| view! { <Loading/> }>
            {move || {
                let csrf = csrf.clone();
                Suspend::new(async move {
                    match list.await {
                        Ok(page) => Either::Left(view! {
                            <GuardrailSections page csrf create update delete update_errors create_errors form/>
                        }),
                        Err(e) => Either::Right(view! { <ShowError error=e/> }),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn GuardrailSections(
    page: GuardrailList,
    csrf: String,
    create: ServerAction<CreateGuardrail>,
    update: ServerAction<UpdateGuardrail>,
    delete: ServerAction<DeleteGuardrail>,
    update_errors: FieldErrors,
    create_errors: FieldErrors,
    form: NodeRef<leptos::html::Form>,
) -> impl IntoView {
    let GuardrailList { guardrails, keys, catalog, can_edit } = page;
    let note = if can_edit {
        Either::Left(view! {
            <p class="hint">
                "A request must pass every guardrail that applies to its key: the key's own and the organization's. "
                "Budget periods are in UTC (daily at 00:00, weekly on Mondays, monthly on the 1st)."
            </p>
        })
    } else {
        Either::Right(view! {
            <p class="muted" data-testid="guardrails-read-only">
                "Only owners and admins of this organization can change guardrails."
            </p>
        })
    };
    let cards = if guardrails.is_empty() {
        Either::Left(view! { <Empty testid="guardrails-empty">"No guardrails yet."</Empty> })
    } else {
        Either::Right(
            guardrails
                .into_iter()
                .map(|guardrail| {
                    view! {
                        <GuardrailCard
                            guardrail
                            keys=keys.clone()
                            catalog=catalog.clone()
                            csrf=csrf.clone()
                            can_edit
                            update
                            delete
                            update_errors
                        />
                    }
                })
                .collect_view(),
        )
    };
    let create_form = can_edit.then(|| {
        let scope = FormScope { prefix: "new".into(), guardrail_id: None, errors: create_errors };
        view! {
            <section class="card" aria-labelledby="new-guardrail-heading">
                <h2 id="new-guardrail-heading">"New guardrail"</h2>
                <ActionForm
                    action=create
                    node_ref=form
                    attr:class="guardrail-form"
                    attr:data-testid="create-guardrail-form"
                    attr:novalidate=true
                >
                    <input type="hidden" name="csrf" value=csrf/>
                    <GuardrailFields scope current=None keys catalog/>
                    <button type="submit" class="button" data-testid="create-guardrail" disabled=move || create.pending().get()>
                        "Create guardrail"
                    </button>
                </ActionForm>
                <ActionError action=create fields=GUARDRAIL_FIELDS/>
            </section>
        }
    });
    view! {
        <section aria-labelledby="guardrails-heading" data-testid="guardrail-list">
            <h2 id="guardrails-heading">"Guardrails of this organization"</h2>
            {note}
            {cards}
        </section>
        {create_form}
    }
}
