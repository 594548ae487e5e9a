//! Organizations: membership checks, roles, invites.

use super::tokens::{random_hex, Hasher};
use crate::clock;
use crate::storage::{Db, InviteRow, MembershipOrgRow, OrgRow};
use app::types::{OrgSummary, Role};

pub const INVITE_DAYS: i64 = 7;
const INVITE_PURPOSE: &str = "invite";

/// The organization a signed-in user works in: the one picked in the session if still a
/// member, else the personal one, else the first.
pub fn chosen<'a>(orgs: &'a [MembershipOrgRow], wanted: Option<&str>) -> Option<&'a MembershipOrgRow> {
    wanted
        .and_then(|w| orgs.iter().find(|o| o.id == w))
        .or_else(|| orgs.iter().find(|o| o.personal))
        .or_else(|| orgs.first())
}

pub fn summary(id: &str, name: &str, personal: bool, role: &str) -> OrgSummary {
    OrgSummary { id: id.into(), name: name.into(), personal, role: Role::parse(role).unwrap_or(Role::Member) }
}

/// The caller's role in the organization, or None if they are not a member.
pub async fn role_of(db: &Db, org_id: &str, user_id: &str) -> anyhow::Result<Option<Role>> {
    Ok(db.role_in(org_id, user_id).await?.as_deref().and_then(Role::parse))
}

pub fn check_org_name(name: &str) -> Result<String, &'static str> {
    let n = name.trim();
    if n.is_empty() {
        return Err("give the organization a name");
    }
    if n.chars().count() > 80 {
        return Err("the name must be at most 80 characters");
    }
    Ok(n.to_string())
}

pub async fn create_org(db: &Db, owner: &str, name: &str) -> anyhow::Result<OrgRow> {
    let org = OrgRow {
        id: uuid::Uuid::now_v7().to_string(),
        name: name.to_string(),
        personal: false,
        balance_units: 0,
        created_at: clock::now(),
    };
    db.create_org(&org, owner).await?;
    Ok(org)
}

/// Creates an invite; returns the row and the token (part of the link, shown to admins).
pub async fn create_invite(db: &Db, hasher: &Hasher, org_id: &str, by: &str, role: Role) -> anyhow::Result<(InviteRow, String)> {
    let token = random_hex(24);
    let now = clock::now();
    let row = InviteRow {
        id: uuid::Uuid::now_v7().to_string(),
        org_id: org_id.into(),
        token_hash: invite_hash(hasher, &token),
        role: role.as_str().into(),
        created_by: by.into(),
        created_at: now,
        expires_at: now + INVITE_DAYS * 86_400,
        accepted_by: None,
        accepted_at: None,
        revoked: false,
    };
    db.create_invite(&row).await?;
    Ok((row, token))
}

pub fn invite_hash(hasher: &Hasher, token: &str) -> String {
    hasher.hash(INVITE_PURPOSE, token.trim())
}
