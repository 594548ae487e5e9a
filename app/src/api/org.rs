//! Organizations: switching, creating, members, invites.

use crate::types::{ConsoleError, InviteInfo, OrgSummary};
use leptos::prelude::*;

/// Makes `org_id` the organization the console works in.
#[server(prefix = "/console/api", endpoint = "switch_org")]
pub async fn switch_org(csrf: String, org_id: String) -> Result<(), ConsoleError> {
    crate::api::call(|b, c| async move { b.switch_org(&c, csrf, org_id).await }).await
}

#[server(prefix = "/console/api", endpoint = "create_org")]
pub async fn create_org(csrf: String, name: String) -> Result<OrgSummary, ConsoleError> {
    crate::api::call(|b, c| async move { b.create_org(&c, csrf, name).await }).await
}

/// The current organization with its members and open invites.
#[server(prefix = "/console/api", endpoint = "org_details")]
pub async fn org_details() -> Result<crate::types::OrgDetails, ConsoleError> {
    crate::api::call(|b, c| async move { b.org_details(&c).await }).await
}

/// `role`: `owner`, `admin` or `member`.
#[server(prefix = "/console/api", endpoint = "create_invite")]
pub async fn create_invite(csrf: String, role: String) -> Result<InviteInfo, ConsoleError> {
    crate::api::call(|b, c| async move { b.create_invite(&c, csrf, role).await }).await
}

#[server(prefix = "/console/api", endpoint = "revoke_invite")]
pub async fn revoke_invite(csrf: String, invite_id: String) -> Result<(), ConsoleError> {
    crate::api::call(|b, c| async move { b.revoke_invite(&c, csrf, invite_id).await }).await
}

/// Joins the organization of the invite `token` (from the `/invite/:token` link).
#[server(prefix = "/console/api", endpoint = "accept_invite")]
pub async fn accept_invite(csrf: String, token: String) -> Result<OrgSummary, ConsoleError> {
    crate::api::call(|b, c| async move { b.accept_invite(&c, csrf, token).await }).await
}

#[server(prefix = "/console/api", endpoint = "set_member_role")]
pub async fn set_member_role(csrf: String, user_id: String, role: String) -> Result<(), ConsoleError> {
    crate::api::call(|b, c| async move { b.set_member_role(&c, csrf, user_id, role).await }).await
}

#[server(prefix = "/console/api", endpoint = "remove_member")]
pub async fn remove_member(csrf: String, user_id: String) -> Result<(), ConsoleError> {
    crate::api::call(|b, c| async move { b.remove_member(&c, csrf, user_id).await }).await
}
