//! Settings → Routing: auto routing on or off and its cost ↔ quality preference, changed by
//! owners and admins through `controls::changes` (checked, audited, in force from the next
//! request); members read them.

use super::guardrails::changes;
use super::{internal, ConsoleBackend};
use crate::clock;
use crate::controls::changes::ChangeError;
use crate::storage::RoutingSettingsRow;
use app::backend::{Caller, Result};
use app::types::{ConsoleError, RoutingSettings};

fn settings(row: &RoutingSettingsRow, can_edit: bool) -> RoutingSettings {
    RoutingSettings {
        auto_routing: row.auto_routing,
        preference: row.preference,
        updated_at: (row.updated_at > 0).then(|| clock::rfc3339(row.updated_at)),
        can_edit,
    }
}

fn refused(e: ChangeError) -> ConsoleError {
    match e {
        ChangeError::Invalid { field, message } => ConsoleError::invalid(field, message),
        ChangeError::NotFound => ConsoleError::not_found("no such organization"),
        ChangeError::Store(e) => internal(e),
    }
}

pub(super) async fn get(b: &ConsoleBackend, c: &Caller) -> Result<RoutingSettings> {
    let ctx = b.require(c).await?;
    let row = changes(b, &ctx).routing().await.map_err(refused)?;
    Ok(settings(&row, ctx.role().can_manage()))
}

pub(super) async fn set(b: &ConsoleBackend, c: &Caller, csrf: &str, auto_routing: bool, preference: &str) -> Result<RoutingSettings> {
    let ctx = b.require(c).await?;
    ctx.require_csrf(csrf)?;
    if !ctx.role().can_manage() {
        return Err(ConsoleError::forbidden("only owners and admins of this organization can change routing settings"));
    }
    // what is not a number is refused by the service with the words for the range
    let preference = match preference.trim() {
        "" => None,
        typed => Some(typed.parse::<f64>().unwrap_or(f64::NAN)),
    };
    let service = changes(b, &ctx);
    let current = service.routing().await.map_err(refused)?;
    if current.auto_routing == auto_routing && preference.is_none_or(|p| p == current.preference) {
        return Ok(settings(&current, true));
    }
    let row = service.set_routing(Some(auto_routing), preference).await.map_err(refused)?;
    Ok(settings(&row, true))
}
