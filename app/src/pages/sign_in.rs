//! `/sign-in`: email + password, or an OAuth provider.

use super::auth::{next_param, AuthCard, CredentialFields, OAuthButtons};
use crate::api::session::SignIn;
use crate::components::ActionError;
use leptos::prelude::*;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let next = next_param();
    let sign_up_href = move || match next.get() {
        Some(n) => format!("/sign-up?next={}", super::encode(&n)),
        None => "/sign-up".to_string(),
    };
    view! {
        <AuthCard title="Sign in">
            <ActionForm action=action attr:data-testid="sign-in-form" attr:novalidate=true>
                <ActionError action fields=&["email", "password"]/>
                <input type="hidden" name="next" value=move || next.get().unwrap_or_default()/>
                <CredentialFields action password_autocomplete="current-password"/>
                <button type="submit" class="button block" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <OAuthButtons/>
            <p class="switch-auth">"New to Gate.AI? " <a href=sign_up_href>"Create an account"</a></p>
        </AuthCard>
    }
}
