//! A destructive action in two steps: a first button asks, the second (a form's submit
//! button) does it. Keyboard focus moves to the confirming button and back on cancel.

use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn ConfirmStep<F, IV>(
    /// Words of the first button ("Revoke").
    label: &'static str,
    /// Accessible name of the first button ("Revoke key prod").
    #[prop(into)]
    aria_label: String,
    /// The question shown while confirming ("Revoke for good?").
    question: &'static str,
    /// `data-testid` of the first button; the cancel button gets `cancel-<testid>`.
    testid: &'static str,
    /// The confirming form; its submit button does the action.
    confirm: F,
) -> impl IntoView
where
    F: Fn() -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let confirming = RwSignal::new(false);
    let group = NodeRef::<leptos::html::Span>::new();
    let first = NodeRef::<leptos::html::Button>::new();
    let cancel_id = format!("cancel-{testid}");

    let focus_confirm = move || {
        request_animation_frame(move || {
            use leptos::wasm_bindgen::JsCast;
            let button = group
                .get_untracked()
                .and_then(|g| g.query_selector("button[type=submit]").ok().flatten())
                .and_then(|b| b.dyn_into::<leptos::web_sys::HtmlElement>().ok());
            if let Some(b) = button {
                let _ = b.focus();
            }
        })
    };
    let focus_first = move || {
        request_animation_frame(move || {
            if let Some(b) = first.get_untracked() {
                let _ = b.focus();
            }
        })
    };

    move || {
        if confirming.get() {
            Either::Left(view! {
                <span class="confirm" role="group" aria-label=aria_label.clone() node_ref=group>
                    <span class="confirm-text">{question}</span>
                    {confirm()}
                    <button
                        type="button"
                        class="button secondary small"
                        data-testid=cancel_id.clone()
                        on:click=move |_| {
                            confirming.set(false);
                            focus_first();
                        }
                    >
                        "Cancel"
                    </button>
                </span>
            })
        } else {
            Either::Right(view! {
                <button
                    type="button"
                    class="button danger-outline small"
                    node_ref=first
                    data-testid=testid
                    aria-label=aria_label.clone()
                    on:click=move |_| {
                        confirming.set(true);
                        focus_confirm();
                    }
                >
                    {label}
                </button>
            })
        }
    }
}
