//! Server functions: the console's only way to the server.
//!
//! One file per area. Every function is a thin wrapper: get the [`Caller`] (session + client
//! address), call one [`Backend`] method, answer. The endpoint of each is
//! `/console/api/<function name>` and never changes (browser tests and scripts use them).
//! State-changing functions take the `csrf` token of [`crate::types::Viewer`] (forms send it as
//! a hidden input); signing in, signing up and first-admin set-up are covered by SameSite
//! cookies and the server's Origin check instead.
//!
//! Server-function structs are named after the functions (`ListKeys`, `CreateKey`, …); some
//! share a name with a type in [`crate::types`] (`Dashboard`, `OrgDetails`, …), so import
//! them from their module, not with a glob.
//!
//! [`Backend`]: crate::backend::Backend
//! [`Caller`]: crate::backend::Caller

pub mod activity;
pub mod admin;
pub mod budgets;
pub mod guardrails;
pub mod keys;
pub mod models;
pub mod money;
pub mod org;
pub mod playground;
pub mod session;
pub mod settings;
pub mod webhooks;
pub mod video_playground;

/// Where the server functions are mounted (the server routes `/console/api/*` to them).
pub const API_PREFIX: &str = "/console/api";

#[cfg(feature = "ssr")]
pub use self::ssr::{answer, call, caller, safe_next};

#[cfg(feature = "ssr")]
mod ssr {
    use super::API_PREFIX;
    use crate::backend::{Caller, ClientIp, SharedBackend};
    use crate::types::ConsoleError;
    use axum::http::{header::ACCEPT, request::Parts, StatusCode};
    use leptos::prelude::use_context;
    use std::future::Future;

    /// The backend (Leptos context provided by the server) and who is calling.
    pub async fn caller() -> Result<(SharedBackend, Caller), ConsoleError> {
        let Some(backend) = use_context::<SharedBackend>() else {
            leptos::logging::error!("console: no Backend in the Leptos context");
            return Err(ConsoleError::Internal);
        };
        let session = leptos_axum::extract::<tower_sessions::Session>().await.map_err(|e| {
            leptos::logging::error!("console: no session on the request: {e}");
            ConsoleError::Internal
        })?;
        let ip = use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<ClientIp>().map(|ip| ip.0.clone()))
            .unwrap_or_default();
        Ok((backend, Caller { session, ip }))
    }

    /// Gives an error its HTTP status (`ConsoleError::status()`), so a bad input really answers
    /// 4xx. Only for server-function calls made by the console's own client or a script: a
    /// plain HTML form post (before the page hydrated) is redirected back to the page with the
    /// error in the URL by leptos, and a server function called while rendering a page must
    /// not change that page's status.
    pub fn answer<T>(result: Result<T, ConsoleError>) -> Result<T, ConsoleError> {
        if let Err(error) = &result {
            set_error_status(error);
        }
        result
    }

    fn set_error_status(error: &ConsoleError) {
        let Some(parts) = use_context::<Parts>() else { return };
        if !parts.uri.path().starts_with(API_PREFIX) {
            return;
        }
        let accepts_html = parts
            .headers
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if accepts_html {
            return;
        }
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }

    /// Runs one backend call for the current caller and answers (see [`answer`]).
    pub async fn call<T, F, Fut>(f: F) -> Result<T, ConsoleError>
    where
        F: FnOnce(SharedBackend, Caller) -> Fut,
        Fut: Future<Output = Result<T, ConsoleError>>,
    {
        let result = match caller().await {
            Ok((backend, caller)) => f(backend, caller).await,
            Err(e) => Err(e),
        };
        answer(result)
    }

    /// A local path to go to after signing in (`next`), or the dashboard. Only same-site
    /// absolute paths are accepted, so the parameter cannot send anyone elsewhere.
    pub fn safe_next(next: Option<String>) -> String {
        match next {
            Some(n)
                if n.starts_with('/')
                    && !n.starts_with("//")
                    && !n.contains('\\')
                    && !n.chars().any(char::is_control) =>
            {
                n
            }
            _ => "/".to_string(),
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::safe_next;

    #[test]
    fn next_only_goes_to_local_paths() {
        assert_eq!(safe_next(Some("/invite/abc".into())), "/invite/abc");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(Some(String::new())), "/");
        assert_eq!(safe_next(None), "/");
    }
}
