//! Creating an API key from the console: name, expiry, an optional budget with its reset
//! period, and whether it is a management key.

use super::budgets::{describe, parse_budget};
use super::{internal, ConsoleBackend};
use crate::accounts::api_keys::{self, KeyOptions};
use crate::clock;
use crate::storage::NewAudit;
use app::backend::{Caller, Result};
use app::types::*;

pub(super) async fn create(b: &ConsoleBackend, c: &Caller, csrf: &str, form: NewKeyForm) -> Result<CreatedKey> {
    let ctx = b.require(c).await?;
    ctx.require_csrf(csrf)?;
    let name = form.name.trim();
    if name.is_empty() {
        return Err(ConsoleError::invalid("name", "give the key a name, so you can tell it apart later"));
    }
    if name.chars().count() > 80 {
        return Err(ConsoleError::invalid("name", "the name must be at most 80 characters"));
    }
    let expires_at = if form.expires_at.trim().is_empty() {
        None
    } else {
        let t = clock::parse_expiry(&form.expires_at)
            .ok_or_else(|| ConsoleError::invalid("expires_at", "use a date like 2027-01-31"))?;
        if t <= clock::now() {
            return Err(ConsoleError::invalid("expires_at", "the expiry date must be in the future"));
        }
        Some(t)
    };
    let (budget, period) = parse_budget(&form.budget, &form.budget_reset, "budget", "budget_reset")?;
    if form.management {
        // a management key manages every key of the organization
        ctx.require_manager()?;
        if budget.is_some() {
            return Err(ConsoleError::invalid("budget", "a management key cannot call models, so it takes no budget"));
        }
    }
    let options = KeyOptions { expires_at, budget, budget_reset: Some(period), management: form.management };
    let (row, secret) = b.state.keys.create_with(&ctx.org.id, &ctx.user.id, name, options).await.map_err(internal)?;
    let kind = if row.management { "management key" } else { "key" };
    let entry = NewAudit {
        org_id: ctx.org.id.clone(),
        actor_user_id: Some(ctx.user.id.clone()),
        action: "key.create".into(),
        target: row.id.clone(),
        detail: format!("created {kind} {:?} (budget {})", row.name, describe(row.budget_units, row.budget_reset.as_deref())),
        now: clock::now(),
        ..Default::default()
    };
    if let Err(e) = b.state.db.audit(&entry).await {
        tracing::error!(error = %e, "could not write the audit entry");
    }
    Ok(CreatedKey { info: api_keys::info(&row, ctx.user.email.clone()), secret })
}
