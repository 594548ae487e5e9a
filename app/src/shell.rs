//! The HTML document and the console's routes.

use crate::pages::{
    activity::ActivityPageView, admin_catalog::AdminCatalogPage, admin_catalog_edit::AdminCatalogEditPage,
    admin_codes::AdminCodesPage, admin_providers::AdminProvidersPage, admin_users::AdminUsersPage, audit::AuditLogPage,
    balance::BalancePage, budgets::BudgetsPage, dashboard::DashboardPage, invite::InvitePage, keys::KeysPage, layout::Layout,
    model_detail::ModelDetailPage, models::ModelsPage, not_found::NotFound, organization::OrganizationPage, playground::PlaygroundPage,
    routing_settings::RoutingSettingsPage, setup::SetupPage, sign_in::SignInPage, sign_up::SignUpPage,
    guardrails::GuardrailsPage, video_playground::VideoPlaygroundPage, webhooks::WebhooksPageView,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

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

/// The console. Pages under the layout need a session, except the model marketplace
/// (`/models…`, open to visitors like OpenRouter's) and the chat and video playgrounds (guests); the
/// sign-in, sign-up and set-up pages do not. Add a page: a file in `pages/`, a route here, an entry in `pages/layout.rs`'s nav.
///
/// Every route renders `SsrMode::Async`: the server sends complete HTML (all data loaded), so
/// pages read and forms post without JavaScript too, and a signed-out visitor gets a real
/// 302 to the sign-in page. The console's data is a few local queries, so the wait is short.
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
                    <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-up") view=SignUpPage ssr=SsrMode::Async/>
                    <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async/>
                    <ParentRoute path=path!("") view=Layout ssr=SsrMode::Async>
                        <Route path=path!("") view=DashboardPage ssr=SsrMode::Async/>
                        <Route path=path!("/keys") view=KeysPage ssr=SsrMode::Async/>
                        <Route path=path!("/budgets") view=BudgetsPage ssr=SsrMode::Async/>
                        <Route path=path!("/guardrails") view=GuardrailsPage ssr=SsrMode::Async/>
                        <Route path=path!("/settings/routing") view=RoutingSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("/audit") view=AuditLogPage ssr=SsrMode::Async/>
                        <Route path=path!("/webhooks") view=WebhooksPageView ssr=SsrMode::Async/>
                        <Route path=path!("/models") view=ModelsPage ssr=SsrMode::Async/>
                        <Route path=path!("/models/*id") view=ModelDetailPage ssr=SsrMode::Async/>
                        <Route path=path!("/playground") view=PlaygroundPage ssr=SsrMode::Async/>
                        <Route path=path!("/playground/video") view=VideoPlaygroundPage ssr=SsrMode::Async/>
                        <Route path=path!("/activity") view=ActivityPageView ssr=SsrMode::Async/>
                        <Route path=path!("/balance") view=BalancePage ssr=SsrMode::Async/>
                        <Route path=path!("/organization") view=OrganizationPage ssr=SsrMode::Async/>
                        <Route path=path!("/invite/:token") view=InvitePage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/users") view=AdminUsersPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/codes") view=AdminCodesPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/catalog") view=AdminCatalogPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/catalog/*id") view=AdminCatalogEditPage ssr=SsrMode::Async/>
                        <Route path=path!("/admin/providers") view=AdminProvidersPage ssr=SsrMode::Async/>
                    </ParentRoute>
                </Routes>
            </div>
        </Router>
    }
}
