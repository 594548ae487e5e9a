//! Balance, ledger and redemption codes of the current organization.

use crate::types::{ConsoleError, LedgerEntryInfo, LedgerPage};
use leptos::prelude::*;

/// Balance, totals, active keys and the latest ledger entries.
#[server(prefix = "/console/api", endpoint = "dashboard")]
pub async fn dashboard() -> Result<crate::types::Dashboard, ConsoleError> {
    crate::api::call(|b, c| async move { b.dashboard(&c).await }).await
}

/// One page of the ledger, newest first; `page` starts at 1.
#[server(prefix = "/console/api", endpoint = "ledger")]
pub async fn ledger(page: u32) -> Result<LedgerPage, ConsoleError> {
    crate::api::call(|b, c| async move { b.ledger(&c, page).await }).await
}

#[server(prefix = "/console/api", endpoint = "redeem_code")]
pub async fn redeem_code(csrf: String, code: String) -> Result<LedgerEntryInfo, ConsoleError> {
    crate::api::call(|b, c| async move { b.redeem_code(&c, csrf, code).await }).await
}
