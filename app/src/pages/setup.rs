//! `/setup?token=…`: create the first administrator with the one-time token the server
//! printed at its first start.

use super::auth::{AuthCard, CredentialFields};
use crate::api::session::SetupAdmin;
use crate::components::{ActionError, ErrorBox};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SetupPage() -> impl IntoView {
    let action = ServerAction::<SetupAdmin>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    view! {
        <AuthCard title="Set up Gate.AI">
            {move || {
                let token = token();
                if token.is_empty() {
                    Either::Left(view! {
                        <ErrorBox message="This set-up link has no token. Open the link the server printed at its first start."/>
                    })
                } else {
                    Either::Right(view! {
                        <p class="lead">"Create the first administrator account."</p>
                        <ActionForm action=action attr:data-testid="setup-form" attr:novalidate=true>
                            <ActionError action fields=&["email", "password"]/>
                            <input type="hidden" name="token" value=token/>
                            <CredentialFields action password_autocomplete="new-password"/>
                            <button type="submit" class="button block" disabled=move || action.pending().get()>
                                "Create administrator"
                            </button>
                        </ActionForm>
                    })
                }
            }}
        </AuthCard>
    }
}
