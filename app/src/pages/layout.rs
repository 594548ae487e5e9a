//! The console's frame: top bar (organization switcher, who is signed in, sign out), left
//! navigation, and the page in `<main>`. Signed-out visitors are redirected to the sign-in
//! page (a 302 from the server, since the viewer resource is blocking), except on the public
//! pages (the model marketplace), where they get sign-in and sign-up links instead.

use crate::api::org::SwitchOrg;
use crate::api::session::{get_viewer, SignOut};
use crate::components::{refresh_session_on, ActionError, SessionCtx};
use crate::types::{OrgSummary, Viewer};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;

struct NavItem {
    href: &'static str,
    label: &'static str,
    /// Active only on this exact path (the dashboard, at `/`).
    exact: bool,
    testid: &'static str,
}

/// The main navigation, in order. Add a page's entry here once its route exists in `shell.rs`.
const MAIN_NAV: &[NavItem] = &[
    NavItem { href: "/", label: "Dashboard", exact: true, testid: "nav-dashboard" },
    NavItem { href: "/keys", label: "API keys", exact: false, testid: "nav-keys" },
    NavItem { href: "/budgets", label: "Budgets", exact: false, testid: "nav-budgets" },
    NavItem { href: "/models", label: "Models", exact: false, testid: "nav-models" },
    NavItem { href: "/playground", label: "Playground", exact: true, testid: "nav-playground" },
    NavItem { href: "/playground/video", label: "Video playground", exact: false, testid: "nav-video" },
    NavItem { href: "/activity", label: "Activity", exact: false, testid: "nav-activity" },
    NavItem { href: "/balance", label: "Balance", exact: false, testid: "nav-balance" },
    NavItem { href: "/guardrails", label: "Guardrails", exact: false, testid: "nav-guardrails" },
    NavItem { href: "/settings/routing", label: "Settings · Routing", exact: false, testid: "nav-routing" },
    NavItem { href: "/webhooks", label: "Webhooks", exact: false, testid: "nav-webhooks" },
    NavItem { href: "/audit", label: "Audit log", exact: false, testid: "nav-audit" },
    NavItem { href: "/organization", label: "Organization", exact: false, testid: "nav-organization" },
];

/// Shown to instance administrators only.
const ADMIN_NAV: &[NavItem] = &[
    NavItem { href: "/admin/users", label: "Users", exact: false, testid: "nav-admin-users" },
    NavItem { href: "/admin/codes", label: "Redemption codes", exact: false, testid: "nav-admin-codes" },
    NavItem { href: "/admin/providers", label: "Providers", exact: false, testid: "nav-admin-providers" },
    NavItem { href: "/admin/catalog", label: "Catalog & prices", exact: false, testid: "nav-admin-catalog" },
];

/// Pages a signed-out visitor may see: the model marketplace (nothing in it belongs to an
/// organization) and the chat and video playgrounds (guests try models on a small daily
/// allowance).
fn is_public(path: &str) -> bool {
    path == "/models" || path.starts_with("/models/") || path == "/playground" || path == "/playground/video"
}

fn nav_list(items: &'static [NavItem]) -> impl IntoView {
    view! {
        <ul class="nav-list">
            {items
                .iter()
                .map(|item| {
                    view! {
                        <li>
                            <A href=item.href exact=item.exact attr:data-testid=item.testid>
                                {item.label}
                            </A>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
pub fn Layout() -> impl IntoView {
    let epoch = RwSignal::new(0u32);
    let viewer = Resource::new_blocking(move || epoch.get(), |_| get_viewer());
    provide_context(SessionCtx { viewer, epoch });

    let switch = ServerAction::<SwitchOrg>::new();
    let sign_out = ServerAction::<SignOut>::new();
    refresh_session_on(switch);
    let location = use_location();
    let main_ref = NodeRef::<leptos::html::Main>::new();

    let top = move || {
        Suspend::new(async move {
            match viewer.await {
                Ok(Some(v)) => EitherOf3::A(view! { <UserBar viewer=v switch sign_out/> }),
                Ok(None) => {
                    let path = location.pathname.get_untracked();
                    let public = is_public(&path);
                    let here = format!("{path}{}", location.search.get_untracked());
                    let target = if here == "/" {
                        "/sign-in".to_string()
                    } else {
                        format!("/sign-in?next={}", super::encode(&here))
                    };
                    EitherOf3::B(view! {
                        <a class="button small" href=target.clone() data-testid="visitor-sign-in">"Sign in"</a>
                        {public.then(|| view! { <a class="button secondary small" href="/sign-up">"Sign up"</a> })}
                        {(!public).then(|| view! { <Redirect path=target/> })}
                    })
                }
                Err(_) => EitherOf3::C(()),
            }
        })
    };

    let admin_nav = move || {
        Suspend::new(async move {
            let is_admin = matches!(viewer.await, Ok(Some(Viewer { is_admin: true, .. })));
            is_admin.then(|| {
                view! {
                    <h2 class="nav-heading" id="nav-admin">"Admin"</h2>
                    {nav_list(ADMIN_NAV)}
                }
            })
        })
    };

    view! {
        <div class="layout">
            <a
                class="skip-link"
                href="#main"
                on:click=move |ev| {
                    // The router would treat the link as a navigation; move the focus instead.
                    ev.prevent_default();
                    if let Some(main) = main_ref.get_untracked() {
                        let _ = main.focus();
                    }
                }
            >
                "Skip to content"
            </a>
            <header class="topbar">
                <a class="brand" href="/" aria-label="Gate.AI console home">
                    <span class="brand-mark" aria-hidden="true">"G"</span>
                    <span class="brand-name">"Gate.AI"</span>
                </a>
                <div class="topbar-right">
                    <Transition fallback=|| ()>{top}</Transition>
                </div>
            </header>
            <div class="frame">
                <nav class="sidenav" aria-label="Console">
                    {nav_list(MAIN_NAV)}
                    <Transition fallback=|| ()>{admin_nav}</Transition>
                </nav>
                <main id="main" class="content" tabindex="-1" node_ref=main_ref>
                    <ActionError action=switch/>
                    <ActionError action=sign_out/>
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}

/// Organization switcher, signed-in email, sign-out button.
#[component]
fn UserBar(viewer: Viewer, switch: ServerAction<SwitchOrg>, sign_out: ServerAction<SignOut>) -> impl IntoView {
    let Viewer { email, org, orgs, csrf, .. } = viewer;
    let switcher = if orgs.len() > 1 {
        let csrf = csrf.clone();
        Either::Left(view! {
            <ActionForm action=switch attr:class="org-switcher" attr:data-testid="org-switcher">
                <input type="hidden" name="csrf" value=csrf/>
                <label for="org-switch" class="sr-only">"Organization"</label>
                <select id="org-switch" name="org_id" data-testid="org-select">
                    {orgs
                        .into_iter()
                        .map(|o: OrgSummary| {
                            let selected = o.id == org.id;
                            view! {
                                <option value=o.id selected=selected>
                                    {o.name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <button type="submit" class="button secondary small">"Switch"</button>
            </ActionForm>
        })
    } else {
        Either::Right(view! {
            <span class="org-name" data-testid="current-org">{org.name.clone()}</span>
        })
    };
    view! {
        {switcher}
        <span class="viewer-email" data-testid="viewer-email">{email}</span>
        <ActionForm action=sign_out attr:class="sign-out" attr:data-testid="sign-out-form">
            <input type="hidden" name="csrf" value=csrf/>
            <button type="submit" class="button secondary small">"Sign out"</button>
        </ActionForm>
    }
}
