//! `/keys`: create API keys (the secret is shown once), list them, disable / enable / revoke.

use crate::api::keys::{list_keys, ChangeKey, CreateKey};
use crate::components::{
    field_error, use_session, ActionError, Authed, ConfirmStep, CopyButton, DataTable, Empty, FormField, Loading, Money,
    Notice, PageHeader, SelectField, ShowError, Time,
};
use crate::types::{ApiKeyInfo, CreatedKey, KeyStatus, RESET_CHOICES};
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn KeysPage() -> impl IntoView {
    let epoch = use_session().epoch;
    let create = ServerAction::<CreateKey>::new();
    let change = ServerAction::<ChangeKey>::new();
    let keys = Resource::new(
        move || (epoch.get(), create.version().get(), change.version().get()),
        |_| list_keys(),
    );
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::watch(
        move || create.version().get(),
        move |_, _, _| {
            if create.value().with_untracked(|v| matches!(v, Some(Ok(_)))) {
                if let Some(form) = form.get_untracked() {
                    form.reset();
                }
            }
        },
        false,
    );

    view! {
        <PageHeader
            title="API keys"
            description="Keys let programs call the gateway for your organization. Treat them like passwords."
        />
        <Authed let:viewer>
            <KeysBody csrf=viewer.csrf create change keys form/>
        </Authed>
    }
}

#[component]
fn KeysBody(
    csrf: String,
    create: ServerAction<CreateKey>,
    change: ServerAction<ChangeKey>,
    keys: Resource<Result<Vec<ApiKeyInfo>, crate::types::ConsoleError>>,
    form: NodeRef<leptos::html::Form>,
) -> impl IntoView {
    let list_csrf = csrf.clone();
    view! {
            {move || create.value().get().and_then(Result::ok).map(|created| view! { <NewKey created/> })}
            <section class="card" aria-labelledby="create-key-heading">
                <h2 id="create-key-heading">"Create a key"</h2>
                <ActionForm action=create node_ref=form attr:class="form-row" attr:data-testid="create-key-form" attr:novalidate=true>
                    <input type="hidden" name="csrf" value=csrf/>
                    <FormField
                        label="Name"
                        name="name"
                        required=true
                        placeholder="e.g. production backend"
                        error=field_error(create, "name")
                    />
                    <FormField
                        label="Expires on"
                        name="expires_at"
                        kind="date"
                        hint="The key stops working at the end of this day (UTC)."
                        error=field_error(create, "expires_at")
                    />
                    <FormField
                        label="Budget (USD)"
                        name="budget"
                        inputmode="decimal"
                        autocomplete="off"
                        placeholder="e.g. 25"
                        hint="Requests past it get 429 until it resets."
                        error=field_error(create, "budget")
                    />
                    <SelectField
                        label="Resets"
                        name="budget_reset"
                        options=RESET_CHOICES.to_vec()
                        selected="never"
                        error=field_error(create, "budget_reset")
                    />
                    <div class="field checkbox-field">
                        <div class="checkbox-line">
                            <input
                                id="field-management"
                                name="management"
                                type="checkbox"
                                value="on"
                                aria-describedby="field-management-hint"
                            />
                            <label for="field-management">"Management key"</label>
                        </div>
                        <p class="hint" id="field-management-hint">
                            "Cannot call models; for the management API (owners and admins)."
                        </p>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="button" disabled=move || create.pending().get()>"Create key"</button>
                    </div>
                </ActionForm>
                <ActionError action=create fields=&["name", "expires_at", "budget", "budget_reset"]/>
            </section>
            <section class="card" aria-labelledby="key-list-heading">
                <h2 id="key-list-heading">"Keys"</h2>
                <ActionError action=change/>
                <Transition fallback=|| view! { <Loading/> }>
                    {
                        move || {
                            let csrf = list_csrf.clone();
                            Suspend::new(async move {
                                match keys.await {
                                    Ok(list) if list.is_empty() => Either::Left(Either::Left(view! {
                                        <Empty testid="keys-empty">"No keys yet. Create one above."</Empty>
                                    })),
                                    Ok(list) => Either::Left(Either::Right(view! {
                                        <KeyTable keys=list csrf change/>
                                    })),
                                    Err(e) => Either::Right(view! { <ShowError error=e/> }),
                                }
                            })
                        }
                    }
                </Transition>
            </section>
    }
}

/// The secret of a key just created: shown once, with a copy button.
#[component]
fn NewKey(created: CreatedKey) -> impl IntoView {
    let CreatedKey { info, secret } = created;
    view! {
        <Notice testid="new-key">
            <p>
                <strong>{format!("Key “{}” created.", info.name)}</strong>
                " Copy it now: this is the only time it is shown."
            </p>
            <div class="secret-box">
                <code class="secret" data-testid="new-key-secret">{secret.clone()}</code>
                <CopyButton text=secret aria_label="Copy the new key"/>
            </div>
        </Notice>
    }
}

#[component]
fn KeyTable(keys: Vec<ApiKeyInfo>, csrf: String, change: ServerAction<ChangeKey>) -> impl IntoView {
    view! {
        <DataTable
            headers=vec!["Name", "Key", "Status", "Created", "Last used", "Expires", "Budget", "Spend", "Actions"]
            caption="API keys of this organization"
            testid="key-list"
        >
            {keys
                .into_iter()
                .map(|key| view! { <KeyRow key csrf=csrf.clone() change/> })
                .collect_view()}
        </DataTable>
    }
}

#[component]
fn KeyRow(key: ApiKeyInfo, csrf: String, change: ServerAction<ChangeKey>) -> impl IntoView {
    let ApiKeyInfo { id, name, prefix, status, created_at, last_used_at, expires_at, budget, budget_reset, spend, management, .. } =
        key;
    let status_word = status.as_str();

    // One small form per action, so each works as a plain form post too.
    let action_form = {
        let (id, csrf, name) = (id.clone(), csrf.clone(), name.clone());
        move |action: &'static str, words: &'static str, class: &'static str| {
            let (id, csrf) = (id.clone(), csrf.clone());
            view! {
                <ActionForm action=change attr:class="inline-form">
                    <input type="hidden" name="csrf" value=csrf.clone()/>
                    <input type="hidden" name="key_id" value=id.clone()/>
                    <input type="hidden" name="action" value=action/>
                    <button
                        type="submit"
                        class=class
                        data-testid=format!("{action}-key")
                        aria-label=format!("{words} key {name}")
                    >
                        {words}
                    </button>
                </ActionForm>
            }
        }
    };
    let toggle = match status {
        KeyStatus::Active => Some(action_form("disable", "Disable", "button secondary small")),
        KeyStatus::Disabled => Some(action_form("enable", "Enable", "button secondary small")),
        KeyStatus::Revoked | KeyStatus::Expired => None,
    };
    let revoke = (status != KeyStatus::Revoked).then(|| {
        let (id, csrf) = (id.clone(), csrf.clone());
        view! {
            <ConfirmStep
                label="Revoke"
                aria_label=format!("Revoke key {name}")
                question="Revoke for good?"
                testid="revoke-key"
                confirm=move || {
                    let (csrf, id) = (csrf.clone(), id.clone());
                    view! {
                    <ActionForm action=change attr:class="inline-form">
                        <input type="hidden" name="csrf" value=csrf.clone()/>
                        <input type="hidden" name="key_id" value=id.clone()/>
                        <input type="hidden" name="action" value="revoke"/>
                        <button type="submit" class="button danger small" data-testid="confirm-revoke-key">
                            "Yes, revoke"
                        </button>
                    </ActionForm>
                    }
                }
            />
        }
    });
    let row_name = name.clone();

    view! {
        <tr data-testid="key-row" data-key-name=name data-status=status_word>
            <th scope="row" class="key-name">
                {row_name}
                {management.then(|| view! { " " <span class="badge role" data-testid="management-key">"management"</span> })}
            </th>
            <td><code class="prefix">{prefix}</code></td>
            <td><span class=format!("badge status-{status_word}") data-testid="key-status">{status_word}</span></td>
            <td><Time at=Some(created_at)/></td>
            <td><Time at=last_used_at empty="never"/></td>
            <td><Time at=expires_at empty="never"/></td>
            <td class="num">
                {match budget {
                    Some(b) => Either::Left(view! {
                        <Money amount=b/>
                        {budget_reset.map(|r| view! { " " <span class="muted">{r}</span> })}
                    }),
                    None => Either::Right(view! { <span class="muted">"none"</span> }),
                }}
            </td>
            <td class="num" data-testid="key-spend"><Money amount=spend/></td>
            <td class="actions">{toggle}{revoke}</td>
        </tr>
    }
}
