//! Key budgets of the current organization (the Budgets page).

use crate::types::{ConsoleError, KeyBudgetInfo, KeyBudgets};
use leptos::prelude::*;

/// Every key that is not revoked: budget, period, spend this period, remaining.
#[server(prefix = "/console/api", endpoint = "list_budgets")]
pub async fn list_budgets() -> Result<KeyBudgets, ConsoleError> {
    crate::api::call(|b, c| async move { b.key_budgets(&c).await }).await
}

/// Sets (or, with an empty `budget`, clears) a key's budget in USD and its reset period
/// (`never` | `daily` | `weekly` | `monthly`). Owners and admins only; the next request
/// already counts against the new budget.
#[server(prefix = "/console/api", endpoint = "set_key_budget")]
pub async fn set_key_budget(csrf: String, key_id: String, budget: String, reset: Option<String>) -> Result<KeyBudgetInfo, ConsoleError> {
    let reset = reset.unwrap_or_default();
    crate::api::call(|b, c| async move { b.set_key_budget(&c, csrf, key_id, budget, reset).await }).await
}
