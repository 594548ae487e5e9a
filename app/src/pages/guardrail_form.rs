//! The fields of a guardrail's create and edit forms: name, description, budget and reset,
//! the model allowlist picked from the catalog (by provider, with `provider/*` for all of a
//! provider's models), allowed providers, rate limits, the keys it applies to and the whole
//! organization. Plain inputs and checkboxes: the form posts without JavaScript too.

use crate::types::{guardrail_field, GuardrailInfo, GuardrailKey, KeyStatus, ProviderChoice, Usd, RESET_CHOICES};
use leptos::prelude::*;

/// The error of the form's last post: (field as the server named it, message).
pub type FieldErrors = Signal<Option<(String, String)>>;

/// What the fields need: ids unique on the page, which errors are theirs, what to pick from.
#[derive(Clone)]
pub struct FormScope {
    /// Element ids start with this (`new`, or the guardrail's id).
    pub prefix: String,
    /// The guardrail an edit form changes (its errors name it); None on the create form.
    pub guardrail_id: Option<String>,
    pub errors: FieldErrors,
}

impl FormScope {
    fn id(&self, field: &str) -> String {
        format!("g-{}-{field}", self.prefix)
    }

    /// The message of the last error when it is about `field` of this form.
    fn error(&self, field: &'static str) -> Signal<Option<String>> {
        let wanted = match &self.guardrail_id {
            Some(g) => guardrail_field(field, g),
            None => field.to_string(),
        };
        let errors = self.errors;
        Signal::derive(move || errors.with(|e| e.as_ref().filter(|(f, _)| *f == wanted).map(|(_, m)| m.clone())))
    }
}

/// A budget as it goes back into the form: `5`, `0.25` (never ten trailing zeros).
fn plain(amount: Usd) -> String {
    amount.decimal().normalize().to_string()
}

fn error_line(scope: &FormScope, field: &'static str, error: Signal<Option<String>>) -> impl IntoView {
    let id = format!("{}-error", scope.id(field));
    move || {
        error.get().map(|m| {
            view! { <p class="field-error" id=id.clone() role="alert" data-testid="error" data-field=field>{m}</p> }
        })
    }
}

/// A labelled one-line input with its error.
fn text_field(
    scope: &FormScope,
    field: &'static str,
    label: &'static str,
    value: Option<String>,
    hint: Option<&'static str>,
    inputmode: Option<&'static str>,
) -> impl IntoView {
    let id = scope.id(field);
    let error = scope.error(field);
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:has-error=move || error.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=field
                type="text"
                autocomplete="off"
                inputmode=inputmode
                value=value
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            {error_line(scope, field, error)}
        </div>
    }
}

/// A group of checkboxes with a legend, a hint and the group's error.
fn check_group(
    scope: &FormScope,
    field: &'static str,
    legend: &'static str,
    hint: &'static str,
    class: &'static str,
    boxes: AnyView,
) -> impl IntoView {
    let error = scope.error(field);
    let (hint_id, error_id) = (format!("{}-hint", scope.id(field)), format!("{}-error", scope.id(field)));
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || if error.with(Option::is_some) { format!("{hint_id} {error_id}") } else { hint_id.clone() }
    };
    view! {
        <fieldset class=format!("field check-group {class}") class:has-error=move || error.with(Option::is_some) aria-describedby=described>
            <legend>{legend}</legend>
            <p class="hint" id=hint_id>{hint}</p>
            {boxes}
            {error_line(scope, field, error)}
        </fieldset>
    }
}

fn check_box(name: &'static str, value: String, checked: bool, label: AnyView, testid: &'static str) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" name=name value=value.clone() checked=checked data-testid=testid data-value=value/>
            <span>{label}</span>
        </label>
    }
}

fn contains(list: &Option<Vec<String>>, value: &str) -> bool {
    list.as_ref().is_some_and(|l| l.iter().any(|v| v.eq_ignore_ascii_case(value)))
}

/// Every field of a guardrail form, filled with `current` (an edit) or empty (create).
#[component]
pub fn GuardrailFields(
    scope: FormScope,
    current: Option<GuardrailInfo>,
    keys: Vec<GuardrailKey>,
    catalog: Vec<ProviderChoice>,
) -> impl IntoView {
    let c = current.clone();
    let models = c.as_ref().and_then(|g| g.allowed_models.clone());
    let providers = c.as_ref().and_then(|g| g.allowed_providers.clone());
    let period = c.as_ref().map_or_else(|| "never".to_string(), |g| g.period.clone());
    let assigned: Vec<String> = c.as_ref().map(|g| g.keys.iter().map(|k| k.id.clone()).collect()).unwrap_or_default();
    let org_assigned = c.as_ref().is_some_and(|g| g.org_assigned);

    // entries of the allowlist the catalog no longer has: shown so they can be taken out
    let known: Vec<String> = catalog
        .iter()
        .flat_map(|p| std::iter::once(p.pattern()).chain(p.models.iter().map(|m| m.id.clone())))
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let stale: Vec<String> =
        models.iter().flatten().filter(|m| !known.contains(&m.to_ascii_lowercase())).cloned().collect();

    let picker = {
        let groups = catalog
            .iter()
            .map(|p| {
                let all = check_box(
                    "allowed_models[]",
                    p.pattern(),
                    contains(&models, &p.pattern()),
                    view! { "All " {p.provider.clone()} " models " <code>{p.pattern()}</code> }.into_any(),
                    "allowed-model",
                );
                let each = p
                    .models
                    .iter()
                    .map(|m| {
                        check_box(
                            "allowed_models[]",
                            m.id.clone(),
                            contains(&models, &m.id),
                            view! { {m.name.clone()} " " <code>{m.id.clone()}</code> }.into_any(),
                            "allowed-model",
                        )
                    })
                    .collect_view();
                view! {
                    <div class="picker-group" role="group" aria-label=format!("Models of {}", p.provider)>
                        <p class="picker-provider">{p.provider.clone()}</p>
                        {all}
                        {each}
                    </div>
                }
            })
            .collect_view();
        let stale = (!stale.is_empty()).then(|| {
            let each = stale
                .into_iter()
                .map(|m| check_box("allowed_models[]", m.clone(), true, view! { <code>{m}</code> }.into_any(), "allowed-model"))
                .collect_view();
            view! {
                <div class="picker-group" role="group" aria-label="Not in the catalog any more">
                    <p class="picker-provider">"Not in the catalog any more"</p>
                    {each}
                </div>
            }
        });
        view! { <div class="picker">{groups}{stale}</div> }.into_any()
    };

    let provider_boxes = catalog
        .iter()
        .map(|p| {
            check_box(
                "allowed_providers[]",
                p.provider.clone(),
                contains(&providers, &p.provider),
                view! { {p.provider.clone()} }.into_any(),
                "allowed-provider",
            )
        })
        .collect_view();
    let provider_boxes = view! { <div class="check-row">{provider_boxes}</div> }.into_any();

    let key_boxes = if keys.is_empty() {
        view! { <p class="muted">"No keys yet. " <a href="/keys">"Create one on the API keys page"</a> "."</p> }.into_any()
    } else {
        keys.iter()
            .map(|k| {
                let label = view! {
                    {k.name.clone()} " " <code class="prefix">{k.prefix.clone()}</code>
                    {k.management.then(|| view! { " " <span class="badge role">"management"</span> })}
                    {(k.status != KeyStatus::Active).then(|| view! { " " <span class="badge">{k.status.as_str()}</span> })}
                }
                .into_any();
                check_box("keys[]", k.id.clone(), assigned.contains(&k.id), label, "guardrail-key")
            })
            .collect_view()
            .into_any()
    };

    let reset_id = scope.id("reset_interval");
    let reset_error = scope.error("reset_interval");
    let org_id = scope.id("org_assigned");
    let description_id = scope.id("description");
    let description_error = scope.error("description");

    view! {
        <div class="form-grid">
            {text_field(&scope, "name", "Name", c.as_ref().map(|g| g.name.clone()), None, None)}
            <div class="field" class:has-error=move || description_error.with(Option::is_some)>
                <label for=description_id.clone()>"Description " <span class="optional">"(optional)"</span></label>
                <input
                    id=description_id
                    name="description"
                    type="text"
                    autocomplete="off"
                    value=c.as_ref().and_then(|g| g.description.clone())
                    aria-invalid=move || if description_error.with(Option::is_some) { "true" } else { "false" }
                />
                {error_line(&scope, "description", description_error)}
            </div>
            {text_field(
                &scope,
                "limit_usd",
                "Budget (USD)",
                c.as_ref().and_then(|g| g.budget).map(plain),
                Some("Empty: no budget. Past it requests get 429 until it resets."),
                Some("decimal"),
            )}
            <div class="field" class:has-error=move || reset_error.with(Option::is_some)>
                <label for=reset_id.clone()>"Resets"</label>
                <select
                    id=reset_id
                    name="reset_interval"
                    aria-invalid=move || if reset_error.with(Option::is_some) { "true" } else { "false" }
                >
                    {RESET_CHOICES
                        .iter()
                        .map(|(value, words)| view! { <option value=*value selected=*value == period>{*words}</option> })
                        .collect_view()}
                </select>
                {error_line(&scope, "reset_interval", reset_error)}
            </div>
            {text_field(
                &scope,
                "requests_per_minute",
                "Requests per minute",
                c.as_ref().and_then(|g| g.requests_per_minute).map(|n| n.to_string()),
                Some("Empty: no limit."),
                Some("numeric"),
            )}
            {text_field(
                &scope,
                "tokens_per_minute",
                "Tokens per minute",
                c.as_ref().and_then(|g| g.tokens_per_minute).map(|n| n.to_string()),
                Some("Empty: no limit."),
                Some("numeric"),
            )}
        </div>
        {check_group(
            &scope,
            "allowed_models",
            "Allowed models",
            "None checked: any model. “All … models” also allows the provider's models added later.",
            "models",
            picker,
        )}
        {check_group(&scope, "allowed_providers", "Allowed providers", "None checked: any provider.", "providers", provider_boxes)}
        {check_group(
            &scope,
            "keys",
            "Applies to these keys",
            "Each checked key has its own budget and rate limits under this guardrail.",
            "keys",
            key_boxes,
        )}
        <div class="field checkbox-field org-toggle">
            <div class="checkbox-line">
                <input
                    id=org_id.clone()
                    name="org_assigned"
                    type="checkbox"
                    value="on"
                    checked=org_assigned
                    data-testid="guardrail-org"
                    aria-describedby=format!("{org_id}-hint")
                />
                <label for=org_id.clone()>"Applies to the whole organization"</label>
            </div>
            <p class="hint" id=format!("{org_id}-hint")>
                "Every key of the organization: one budget and one rate limit shared by all of them."
            </p>
        </div>
    }
}
