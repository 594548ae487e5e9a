//! Error and notice boxes.

use crate::types::ConsoleError;
use leptos::either::Either;
use leptos::prelude::*;
use server_fn::ServerFn;

/// An error in words, announced to screen readers.
#[component]
pub fn ErrorBox(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div class="alert alert-error" role="alert" data-testid="error">
            {message}
        </div>
    }
}

/// A success or information message.
#[component]
pub fn Notice(
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="alert alert-success" role="status" data-testid=testid.unwrap_or("notice")>
            {children()}
        </div>
    }
}

/// A server function's error on a page: "please sign in" gets a link to the sign-in page.
#[component]
pub fn ShowError(error: ConsoleError) -> impl IntoView {
    match error {
        ConsoleError::Unauthorized => Either::Left(view! {
            <div class="alert alert-error" role="alert" data-testid="error">
                "Your session has ended. "
                <a href="/sign-in">"Please sign in"</a>
                " again."
            </div>
        }),
        other => Either::Right(view! { <ErrorBox message=other.to_string()/> }),
    }
}

/// The error of an action, unless it is about one of the form's own `fields` (those are
/// shown next to their field).
#[component]
pub fn ActionError<S>(
    action: ServerAction<S>,
    #[prop(optional)] fields: &'static [&'static str],
) -> impl IntoView
where
    S: ServerFn<Error = ConsoleError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let message = super::form_error(action, fields);
    move || message.get().map(|m| view! { <ErrorBox message=m/> })
}

/// The fallback shown while a part of a page loads.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-live="polite">"Loading…"</p> }
}
