//! Guardrails of the current organization (the Guardrails page).
//!
//! The forms send lists as `allowed_models[]=…` (one checked box each); an absent list or
//! limit is empty (any model, no limit), an absent `org_assigned` box is off.

use crate::types::{ConsoleError, GuardrailInfo, GuardrailList};
use leptos::prelude::*;

/// The guardrails, the keys that are not revoked and the catalog by provider.
#[server(prefix = "/console/api", endpoint = "list_guardrails")]
pub async fn list_guardrails() -> Result<GuardrailList, ConsoleError> {
    crate::api::call(|b, c| async move { b.guardrails(&c).await }).await
}

/// Creates a guardrail: name (required), description, budget `limit_usd` (USD, empty for
/// none) with `reset_interval` (`never` | `daily` | `weekly` | `monthly`), allowlists, rate
/// limits, the keys it applies to and whether it applies to the whole organization. Owners
/// and admins only; it holds from the next request.
#[server(prefix = "/console/api", endpoint = "create_guardrail")]
#[allow(clippy::too_many_arguments)]
pub async fn create_guardrail(
    csrf: String,
    #[server(default)] name: String,
    #[server(default)] description: String,
    #[server(default)] limit_usd: String,
    #[server(default)] reset_interval: String,
    #[server(default)] allowed_models: Vec<String>,
    #[server(default)] allowed_providers: Vec<String>,
    #[server(default)] requests_per_minute: String,
    #[server(default)] tokens_per_minute: String,
    #[server(default)] keys: Vec<String>,
    #[server(default)] org_assigned: Option<String>,
) -> Result<GuardrailInfo, ConsoleError> {
    let form = crate::types::GuardrailForm {
        name,
        description,
        limit_usd,
        reset_interval,
        allowed_models,
        allowed_providers,
        requests_per_minute,
        tokens_per_minute,
        keys,
        org_assigned: crate::types::checked(org_assigned.as_deref()),
    };
    crate::api::call(|b, c| async move { b.save_guardrail(&c, csrf, None, form).await }).await
}

/// Replaces a guardrail's settings with the form's (the same fields as `create_guardrail`):
/// every field is sent, an empty one clears. Keys not offered (revoked) keep their assignment.
#[server(prefix = "/console/api", endpoint = "update_guardrail")]
#[allow(clippy::too_many_arguments)]
pub async fn update_guardrail(
    csrf: String,
    guardrail_id: String,
    #[server(default)] name: String,
    #[server(default)] description: String,
    #[server(default)] limit_usd: String,
    #[server(default)] reset_interval: String,
    #[server(default)] allowed_models: Vec<String>,
    #[server(default)] allowed_providers: Vec<String>,
    #[server(default)] requests_per_minute: String,
    #[server(default)] tokens_per_minute: String,
    #[server(default)] keys: Vec<String>,
    #[server(default)] org_assigned: Option<String>,
) -> Result<GuardrailInfo, ConsoleError> {
    let form = crate::types::GuardrailForm {
        name,
        description,
        limit_usd,
        reset_interval,
        allowed_models,
        allowed_providers,
        requests_per_minute,
        tokens_per_minute,
        keys,
        org_assigned: crate::types::checked(org_assigned.as_deref()),
    };
    crate::api::call(|b, c| async move { b.save_guardrail(&c, csrf, Some(guardrail_id), form).await }).await
}

/// Deletes a guardrail with its assignments. Owners and admins only.
#[server(prefix = "/console/api", endpoint = "delete_guardrail")]
pub async fn delete_guardrail(csrf: String, guardrail_id: String) -> Result<(), ConsoleError> {
    crate::api::call(|b, c| async move { b.delete_guardrail(&c, csrf, guardrail_id).await }).await
}
