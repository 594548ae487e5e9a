//! Signing in and out, first-admin set-up, and who is signed in.

use crate::types::{ConsoleError, OAuthProviderInfo, Viewer};
use leptos::prelude::*;

/// The signed-in person, or `None` for a visitor.
#[server(prefix = "/console/api", endpoint = "get_viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, ConsoleError> {
    crate::api::call(|b, c| async move { b.viewer(&c).await }).await
}

/// Signs in with email + password, then goes to `next` (a local path) or the dashboard.
#[server(prefix = "/console/api", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<Viewer, ConsoleError> {
    let viewer = crate::api::call(|b, c| async move { b.sign_in(&c, email, password).await }).await?;
    leptos_axum::redirect(&crate::api::safe_next(next));
    Ok(viewer)
}

/// Creates an account (and its personal organization), signs in, goes to `next` or the dashboard.
#[server(prefix = "/console/api", endpoint = "sign_up")]
pub async fn sign_up(email: String, password: String, next: Option<String>) -> Result<Viewer, ConsoleError> {
    let viewer = crate::api::call(|b, c| async move { b.sign_up(&c, email, password).await }).await?;
    leptos_axum::redirect(&crate::api::safe_next(next));
    Ok(viewer)
}

/// Ends the session and goes to the sign-in page.
#[server(prefix = "/console/api", endpoint = "sign_out")]
pub async fn sign_out(csrf: String) -> Result<(), ConsoleError> {
    crate::api::call(|b, c| async move { b.sign_out(&c, csrf).await }).await?;
    leptos_axum::redirect("/sign-in");
    Ok(())
}

/// Creates the first administrator with the one-time token printed at first start.
#[server(prefix = "/console/api", endpoint = "setup_admin")]
pub async fn setup_admin(token: String, email: String, password: String) -> Result<Viewer, ConsoleError> {
    let viewer = crate::api::call(|b, c| async move { b.setup_admin(&c, token, email, password).await }).await?;
    leptos_axum::redirect("/");
    Ok(viewer)
}

/// The OAuth providers the sign-in page offers (configured ones only).
#[server(prefix = "/console/api", endpoint = "oauth_providers")]
pub async fn oauth_providers() -> Result<Vec<OAuthProviderInfo>, ConsoleError> {
    crate::api::call(|b, _| async move { Ok(b.oauth_providers()) }).await
}
