//! Instance administration (administrators only; others get `Forbidden`).

use crate::types::{
    CatalogEntryAdmin, ConsoleError, ProviderAdminInfo, RedemptionCodeInfo, UserAdminInfo,
};
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

/// Every catalog model, enabled or not, with what administrators changed.
#[server(prefix = "/console/api", endpoint = "admin_catalog")]
pub async fn admin_catalog() -> Result<Vec<CatalogEntryAdmin>, ConsoleError> {
    crate::api::call(|b, c| async move { b.admin_catalog(&c).await }).await
}

#[server(prefix = "/console/api", endpoint = "admin_catalog_model")]
pub async fn admin_catalog_model(id: String) -> Result<CatalogEntryAdmin, ConsoleError> {
    crate::api::call(|b, c| async move { b.admin_catalog_model(&c, id).await }).await
}

/// Saves a model's prices, limits, description and status; requests use them at once.
/// Prices are USD per million tokens (empty: unpriced); token counts empty or 0 when unknown.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/console/api", endpoint = "admin_update_model")]
pub async fn admin_update_model(
    csrf: String,
    id: String,
    price_input: String,
    price_output: String,
    price_cached_input: String,
    price_cache_write: String,
    price_video: String,
    context: String,
    max_output: String,
    description: String,
    status: String,
) -> Result<CatalogEntryAdmin, ConsoleError> {
    let edit = crate::types::CatalogEdit {
        price_input,
        price_output,
        price_cached_input,
        price_cache_write,
        price_video,
        context,
        max_output,
        description,
        status,
    };
    crate::api::call(|b, c| async move { b.admin_update_model(&c, csrf, id, edit).await }).await
}

/// Drops every change made in the console: the model is as shipped (and configured) again.
#[server(prefix = "/console/api", endpoint = "admin_reset_model")]
pub async fn admin_reset_model(csrf: String, id: String) -> Result<CatalogEntryAdmin, ConsoleError> {
    crate::api::call(|b, c| async move { b.admin_reset_model(&c, csrf, id).await }).await
}

/// Upstream providers (never their keys) and their last hour.
#[server(prefix = "/console/api", endpoint = "admin_providers")]
pub async fn admin_providers() -> Result<Vec<ProviderAdminInfo>, ConsoleError> {
    crate::api::call(|b, c| async move { b.admin_providers(&c).await }).await
}
