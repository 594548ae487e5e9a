//! The current organization's request log.

use crate::types::{ActivityFilter, ActivityPage, ConsoleError};
use leptos::prelude::*;

/// One page of the request log with the totals of everything the filter matches.
#[server(prefix = "/console/api", endpoint = "activity")]
pub async fn activity(filter: ActivityFilter) -> Result<ActivityPage, ConsoleError> {
    crate::api::call(|b, c| async move { b.activity(&c, filter).await }).await
}

/// Spend by day and model over the last 30 days, and the latest requests.
#[server(prefix = "/console/api", endpoint = "dashboard_activity")]
pub async fn dashboard_activity() -> Result<crate::types::DashboardActivity, ConsoleError> {
    crate::api::call(|b, c| async move { b.dashboard_activity(&c).await }).await
}
