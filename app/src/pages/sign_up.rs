//! `/sign-up`: create an account with email + password, or an OAuth provider.

use super::auth::{next_param, AuthCard, CredentialFields, OAuthButtons};
use crate::api::session::SignUp;
use crate::components::ActionError;
use leptos::prelude::*;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let next = next_param();
    let sign_in_href = move || match next.get() {
        Some(n) => format!("/sign-in?next={}", super::encode(&n)),
        None => "/sign-in".to_string(),
    };
    view! {
        <AuthCard title="Create your account">
            <ActionForm action=action attr:data-testid="sign-up-form" attr:novalidate=true>
                <ActionError action fields=&["email", "password"]/>
                <input type="hidden" name="next" value=move || next.get().unwrap_or_default()/>
                <CredentialFields action password_autocomplete="new-password" password_hint="Use a long password you do not use anywhere else."/>
                <button type="submit" class="button block" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating account…" } else { "Create account" }}
                </button>
            </ActionForm>
            <OAuthButtons/>
            <p class="switch-auth">"Already have an account? " <a href=sign_in_href>"Sign in"</a></p>
        </AuthCard>
    }
}
