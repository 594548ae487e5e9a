//! API keys of the current organization.

use crate::types::{ApiKeyInfo, ConsoleError, CreatedKey};
use leptos::prelude::*;

#[server(prefix = "/console/api", endpoint = "list_keys")]
pub async fn list_keys() -> Result<Vec<ApiKeyInfo>, ConsoleError> {
    crate::api::call(|b, c| async move { b.list_keys(&c).await }).await
}

/// `expires_at`: empty, a date `YYYY-MM-DD` (end of that day, UTC) or RFC 3339. The answer
/// carries the secret: the only time it is ever shown.
#[server(prefix = "/console/api", endpoint = "create_key")]
pub async fn create_key(csrf: String, name: String, expires_at: String) -> Result<CreatedKey, ConsoleError> {
    crate::api::call(|b, c| async move { b.create_key(&c, csrf, name, expires_at).await }).await
}

/// `action`: `disable`, `enable` or `revoke`.
#[server(prefix = "/console/api", endpoint = "change_key")]
pub async fn change_key(csrf: String, key_id: String, action: String) -> Result<ApiKeyInfo, ConsoleError> {
    crate::api::call(|b, c| async move { b.change_key(&c, csrf, key_id, action).await }).await
}
