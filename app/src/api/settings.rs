//! Organization settings: Settings → Routing, and the audit log.

use crate::types::{AuditPage, ConsoleError, RoutingSettings};
use leptos::prelude::*;

#[server(prefix = "/console/api", endpoint = "get_routing_settings")]
pub async fn get_routing_settings() -> Result<RoutingSettings, ConsoleError> {
    crate::api::call(|b, c| async move { b.routing_settings(&c).await }).await
}

/// `auto_routing`: present (a checked box) for on, absent for off; `preference`: 0 (cheapest)
/// to 1 (best quality). Owners and admins only; it holds from the next request.
#[server(prefix = "/console/api", endpoint = "set_routing_settings")]
pub async fn set_routing_settings(
    csrf: String,
    #[server(default)] auto_routing: Option<String>,
    #[server(default)] preference: String,
) -> Result<RoutingSettings, ConsoleError> {
    let on = crate::types::checked(auto_routing.as_deref());
    crate::api::call(|b, c| async move { b.set_routing_settings(&c, csrf, on, preference).await }).await
}

/// One page of the organization's audit log, newest first (`page` from 1).
#[server(prefix = "/console/api", endpoint = "audit_log")]
pub async fn audit_log(page: u32) -> Result<AuditPage, ConsoleError> {
    crate::api::call(|b, c| async move { b.audit_log(&c, page).await }).await
}
