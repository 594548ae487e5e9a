//! The model marketplace: the catalog's models whose provider is on. Open to signed-out
//! visitors too (nothing in it belongs to an organization).

use crate::types::{ConsoleError, ModelInfo};
use leptos::prelude::*;

/// Every chat and video model that can be called on this instance, in catalog order.
#[server(prefix = "/console/api", endpoint = "list_models")]
pub async fn list_models() -> Result<Vec<ModelInfo>, ConsoleError> {
    crate::api::call(|b, c| async move { b.list_models(&c).await }).await
}

/// One model with the URL clients reach this instance at (for the snippets).
#[server(prefix = "/console/api", endpoint = "model_page")]
pub async fn model_page(id: String) -> Result<crate::types::ModelPage, ConsoleError> {
    crate::api::call(|b, c| async move { b.model_page(&c, id).await }).await
}

/// The signed-in person's free-model requests today and the daily limits (None for a visitor).
#[server(prefix = "/console/api", endpoint = "free_usage")]
pub async fn free_usage() -> Result<Option<crate::types::FreeUsage>, ConsoleError> {
    crate::api::call(|b, c| async move { b.free_usage(&c).await }).await
}
