//! Labelled form fields with their error next to them.

use crate::types::ConsoleError;
use leptos::prelude::*;
use server_fn::ServerFn;

/// The message of an action's error when it is about `field`.
pub fn field_error<S>(action: ServerAction<S>, field: &'static str) -> Signal<Option<String>>
where
    S: ServerFn<Error = ConsoleError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|v| match v {
            Some(Err(e)) if e.field() == Some(field) => Some(e.to_string()),
            _ => None,
        })
    })
}

/// The message of an action's error when it is not about one of `fields`.
pub fn form_error<S>(action: ServerAction<S>, fields: &'static [&'static str]) -> Signal<Option<String>>
where
    S: ServerFn<Error = ConsoleError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|v| match v {
            Some(Err(e)) if !e.field().is_some_and(|f| fields.contains(&f)) => Some(e.to_string()),
            _ => None,
        })
    })
}

/// A label, an input, an optional hint and the field's error (`role="alert"`).
#[component]
pub fn FormField(
    /// The words of the label.
    #[prop(into)]
    label: String,
    /// The input's name: the server function's argument.
    name: &'static str,
    /// The element id; defaults to `field-<name>`.
    #[prop(optional)]
    id: Option<String>,
    /// The input type.
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional, into)] placeholder: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    /// HTML `min` (numbers, dates).
    #[prop(optional, into)]
    min: Option<String>,
    /// HTML `step` (numbers).
    #[prop(optional, into)]
    step: Option<String>,
    #[prop(optional)] inputmode: Option<&'static str>,
    /// The error to show next to the field.
    #[prop(optional, into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| format!("field-{name}"));
    let hint = hint.filter(|h| !h.is_empty());
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id, has_hint) = (hint_id.clone(), error_id.clone(), hint.is_some());
        move || {
            let mut ids = Vec::new();
            if has_hint {
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
            <label for=id.clone()>
                {label}
                {(!required).then(|| view! { <span class="optional">" (optional)"</span> })}
            </label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                value=value
                placeholder=placeholder
                min=min
                step=step
                inputmode=inputmode
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            {move || {
                error
                    .get()
                    .map(|m| {
                        view! {
                            <p class="field-error" id=error_id.clone() role="alert" data-testid="error" data-field=name>
                                {m}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// A labelled `<select>`; `options` are (value, words) pairs.
#[component]
pub fn SelectField(
    #[prop(into)] label: String,
    name: &'static str,
    #[prop(optional)] id: Option<String>,
    options: Vec<(&'static str, &'static str)>,
    /// The value selected at first.
    #[prop(optional)]
    selected: Option<&'static str>,
    #[prop(optional, into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| format!("field-{name}"));
    let error_id = format!("{id}-error");
    let described_by = {
        let error_id = error_id.clone();
        move || error.with(Option::is_some).then(|| error_id.clone())
    };
    view! {
        <div class="field" class:has-error=move || error.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=name
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by
            >
                {options
                    .into_iter()
                    .map(|(value, words)| {
                        view! {
                            <option value=value selected=selected == Some(value)>
                                {words}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {move || {
                error
                    .get()
                    .map(|m| {
                        view! {
                            <p class="field-error" id=error_id.clone() role="alert" data-testid="error" data-field=name>
                                {m}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
