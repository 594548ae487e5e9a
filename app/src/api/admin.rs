//! Instance administration (administrators only; others get `Forbidden`).

use crate::types::{ConsoleError, RedemptionCodeInfo, UserAdminInfo};
use leptos::prelude::*;

#[server(prefix = "/console/api", endpoint = "admin_users")]
pub async fn admin_users() -> Result<Vec<UserAdminInfo>, ConsoleError> {
    crate::api::call(|b, c| async move { b.admin_users(&c).await }).await
}

#[server(prefix = "/console/api", endpoint = "admin_codes")]
pub async fn admin_codes() -> Result<Vec<RedemptionCodeInfo>, ConsoleError> {
    crate::api::call(|b, c| async move { b.admin_codes(&c).await }).await
}

/// Creates `count` codes worth `amount` USD each; the answer is the only place the codes
/// appear in full.
#[server(prefix = "/console/api", endpoint = "admin_create_codes")]
pub async fn admin_create_codes(csrf: String, amount: String, count: String) -> Result<Vec<RedemptionCodeInfo>, ConsoleError> {
    crate::api::call(|b, c| async move { b.admin_create_codes(&c, csrf, amount, count).await }).await
}
