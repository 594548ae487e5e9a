//! API keys of the current organization.

use crate::types::{ApiKeyInfo, ConsoleError, CreatedKey};
use leptos::prelude::*;

#[server(prefix = "/console/api", endpoint = "list_keys")]
pub async fn list_keys() -> Result<Vec<ApiKeyInfo>, ConsoleError> {
    crate::api::call(|b, c| async move { b.list_keys(&c).await }).await
}

/// `expires_at`: empty, a date `YYYY-MM-DD` (end of that day, UTC) or RFC 3339; `budget`: USD
/// (empty or absent: none); `budget_reset`: `never` | `daily` | `weekly` | `monthly`, only
/// with a budget; `management`: present (a checked box) for a management key. The answer
/// carries the secret: the only time it is ever shown.
#[server(prefix = "/console/api", endpoint = "create_key")]
pub async fn create_key(
    csrf: String,
    name: String,
    expires_at: String,
    budget: Option<String>,
    budget_reset: Option<String>,
    management: Option<String>,
) -> Result<CreatedKey, ConsoleError> {
    let form = crate::types::NewKeyForm {
        name,
        expires_at,
        budget: budget.unwrap_or_default(),
        budget_reset: budget_reset.unwrap_or_default(),
        management: management.is_some_and(|m| !matches!(m.trim(), "" | "false" | "off" | "0")),
    };
    crate::api::call(|b, c| async move { b.create_key(&c, csrf, form).await }).await
}

/// `action`: `disable`, `enable` or `revoke`.
#[server(prefix = "/console/api", endpoint = "change_key")]
pub async fn change_key(csrf: String, key_id: String, action: String) -> Result<ApiKeyInfo, ConsoleError> {
    crate::api::call(|b, c| async move { b.change_key(&c, csrf, key_id, action).await }).await
}
