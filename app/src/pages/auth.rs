//! Shared pieces of the pages for signed-out visitors (sign in, sign up, set-up).

use crate::api::session::oauth_providers;
use crate::components::{field_error, FormField};
use leptos::prelude::*;
use leptos_meta::Title;

/// A centred card on a plain page, with the product name above it.
#[component]
pub fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title/>
        <main id="main" class="auth-page">
            <div class="auth-brand">
                <span class="brand-mark" aria-hidden="true">"G"</span>
                <span class="brand-name">"Gate.AI"</span>
            </div>
            <div class="card auth-card">
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}

/// The email and password fields of the sign-in, sign-up and set-up forms, with their errors
/// from `action` shown next to them.
#[component]
pub fn CredentialFields<S>(
    action: ServerAction<S>,
    /// `new-password` (sign-up, set-up) or `current-password` (sign-in).
    password_autocomplete: &'static str,
    #[prop(optional, into)] password_hint: Option<String>,
) -> impl IntoView
where
    S: server_fn::ServerFn<Error = crate::types::ConsoleError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    view! {
        <FormField label="Email" name="email" kind="email" autocomplete="email" required=true error=field_error(action, "email")/>
        <FormField
            label="Password"
            name="password"
            kind="password"
            autocomplete=password_autocomplete
            required=true
            hint=password_hint.unwrap_or_default()
            error=field_error(action, "password")
        />
    }
}

/// "Continue with …" links, one per configured OAuth provider (the server does the rest).
#[component]
pub fn OAuthButtons() -> impl IntoView {
    let providers = Resource::new(|| (), |_| oauth_providers());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let providers = providers.await.unwrap_or_default();
                (!providers.is_empty()).then(|| {
                    view! {
                        <div class="oauth" data-testid="oauth-buttons">
                            <p class="divider"><span>"or"</span></p>
                            {providers
                                .into_iter()
                                .map(|p| {
                                    view! {
                                        <a
                                            class="button secondary block"
                                            href=format!("/auth/oauth/{}/start", p.id)
                                            data-testid=format!("oauth-{}", p.id)
                                        >
                                            {format!("Continue with {}", p.label)}
                                        </a>
                                    }
                                })
                                .collect_view()}
                        </div>
                    }
                })
            })}
        </Suspense>
    }
}

/// The `next` query parameter (where to go after signing in), if it is a local path.
pub fn next_param() -> Signal<Option<String>> {
    let query = leptos_router::hooks::use_query_map();
    Signal::derive(move || {
        query
            .read()
            .get("next")
            .filter(|n| n.starts_with('/') && !n.starts_with("//"))
    })
}
