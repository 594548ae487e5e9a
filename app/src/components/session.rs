//! Who is signed in, for the pages inside the console layout.
//!
//! The layout creates one blocking [`Resource`] for the viewer (so the server can answer a
//! signed-out visitor with a redirect before sending the page) and provides it with an
//! `epoch`: every change of session or organization bumps it, and every page resource that
//! depends on the organization tracks it, so it loads again.

use super::{Loading, ShowError};
use crate::types::{ConsoleError, Viewer};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use server_fn::ServerFn;
use std::sync::Arc;

#[derive(Clone, Copy)]
pub struct SessionCtx {
    pub viewer: Resource<Result<Option<Viewer>, ConsoleError>>,
    /// Bumped when the session or the current organization changes.
    pub epoch: RwSignal<u32>,
}

/// The session context of the console layout.
pub fn use_session() -> SessionCtx {
    expect_context::<SessionCtx>()
}

/// Bumps the session epoch whenever `action` succeeds (organization switched, created, joined).
pub fn refresh_session_on<S>(action: ServerAction<S>)
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let epoch = use_session().epoch;
    Effect::watch(
        move || action.version().get(),
        move |_, _, _| {
            if action.value().with_untracked(|v| matches!(v, Some(Ok(_)))) {
                epoch.update(|n| *n += 1);
            }
        },
        false,
    );
}

/// Renders `children` with the signed-in [`Viewer`]; a visitor gets a sign-in prompt (the
/// layout has already redirected them on the server).
#[component]
pub fn Authed<F, IV>(children: F) -> impl IntoView
where
    F: Fn(Viewer) -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let viewer = use_session().viewer;
    let children = Arc::new(children);
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match viewer.await {
                        Ok(Some(v)) => EitherOf3::A(children(v).into_any()),
                        Ok(None) => EitherOf3::B(view! { <SignInPrompt/> }),
                        Err(e) => EitherOf3::C(view! { <ShowError error=e/> }),
                    }
                })
            }}
        </Transition>
    }
}

/// What a signed-out visitor sees on a console page.
#[component]
pub fn SignInPrompt() -> impl IntoView {
    view! {
        <div class="card prompt" data-testid="sign-in-prompt">
            <p>"You need to be signed in to see this page."</p>
            <p>
                <a class="button" href="/sign-in">"Sign in"</a>
                " "
                <a class="button secondary" href="/sign-up">"Create an account"</a>
            </p>
        </div>
    }
}
