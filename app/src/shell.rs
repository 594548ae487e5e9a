//! The HTML document and the console's routes.

use crate::pages::{
    admin_codes::AdminCodesPage, admin_users::AdminUsersPage, balance::BalancePage, dashboard::DashboardPage,
    invite::InvitePage, keys::KeysPage, layout::Layout, not_found::NotFound, organization::OrganizationPage,
    setup::SetupPage, sign_in::SignInPage, sign_up::SignUpPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

/// The whole HTML document, rendered by the server around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <link rel="stylesheet" id="leptos" href="/pkg/gateai.css"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The console. Pages under the layout need a session; the sign-in, sign-up and set-up pages
/// do not. Add a page: a file in `pages/`, a route here, an entry in `pages/layout.rs`'s nav.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // `data-hydrated` appears once the page is interactive (browser tests wait for it).
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <Title formatter=|title: String| {
            if title.is_empty() { "Gate.AI console".to_string() } else { format!("{title} · Gate.AI") }
        }/>
        <Router>
            <div id="app" data-hydrated=move || hydrated.get().then_some("true")>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/sign-in") view=SignInPage/>
                    <Route path=path!("/sign-up") view=SignUpPage/>
                    <Route path=path!("/setup") view=SetupPage/>
                    <ParentRoute path=path!("") view=Layout>
                        <Route path=path!("") view=DashboardPage/>
                        <Route path=path!("/keys") view=KeysPage/>
                        <Route path=path!("/balance") view=BalancePage/>
                        <Route path=path!("/organization") view=OrganizationPage/>
                        <Route path=path!("/invite/:token") view=InvitePage/>
                        <Route path=path!("/admin/users") view=AdminUsersPage/>
                        <Route path=path!("/admin/codes") view=AdminCodesPage/>
                    </ParentRoute>
                </Routes>
            </div>
        </Router>
    }
}
