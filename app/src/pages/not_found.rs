//! Any path no route matches.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <main id="main" class="auth-page">
            <div class="card auth-card" data-testid="not-found">
                <h1>"Page not found"</h1>
                <p>"There is no page at this address."</p>
                <p><a class="button" href="/">"Go to the dashboard"</a></p>
            </div>
        </main>
    }
}
