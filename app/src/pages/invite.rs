//! `/invite/:token`: a signed-in person accepts an invitation to an organization.
//! (Signed-out visitors are sent to sign in first and come back here.)

use crate::api::org::AcceptInvite;
use crate::components::{refresh_session_on, ActionError, Authed, Notice, PageHeader};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let accept = ServerAction::<AcceptInvite>::new();
    refresh_session_on(accept);
    view! {
        <PageHeader title="Invitation"/>
        <Authed let:viewer>
            <section class="card narrow">
                {
                let signed_in_as = format!("You are signed in as {}.", viewer.email);
                let csrf = viewer.csrf.clone();
                move || match accept.value().get() {
                    Some(Ok(org)) => leptos::either::Either::Left(view! {
                        <Notice testid="invite-accepted">
                            <p>{format!("You joined “{}” as {}.", org.name, org.role.as_str())}</p>
                            <p><a href="/organization">"Go to the organization page"</a></p>
                        </Notice>
                    }),
                    _ => leptos::either::Either::Right({
                        let (csrf, signed_in_as) = (csrf.clone(), signed_in_as.clone());
                        view! {
                        <p>"You have been invited to join an organization on Gate.AI."</p>
                        <p class="muted">{signed_in_as}</p>
                        <ActionError action=accept/>
                        <ActionForm action=accept attr:data-testid="accept-invite-form">
                            <input type="hidden" name="csrf" value=csrf/>
                            <input type="hidden" name="token" value=token/>
                            <button type="submit" class="button" disabled=move || accept.pending().get()>
                                "Accept invitation"
                            </button>
                        </ActionForm>
                    }}),
                }
                }
            </section>
        </Authed>
    }
}
