//! The audit log page: who changed what in the organization (guardrails, routing, budgets,
//! keys), newest first, with people and keys by name. Every member may read it.

use super::{internal, ConsoleBackend};
use crate::clock;
use crate::storage::AuditRow;
use app::backend::{Caller, Result};
use app::types::{AuditEntryInfo, AuditPage, AUDIT_PAGE};
use std::collections::HashMap;

pub(super) async fn page(b: &ConsoleBackend, c: &Caller, page: u32) -> Result<AuditPage> {
    let ctx = b.require(c).await?;
    let db = &b.state.db;
    let page = page.max(1);
    let per_page = i64::from(AUDIT_PAGE);
    let mut rows = db.audit_entries(&ctx.org.id, i64::from(page - 1) * per_page, per_page + 1).await.map_err(internal)?;
    let has_more = rows.len() as i64 > per_page;
    rows.truncate(AUDIT_PAGE as usize);

    // names of what the entries point at, when it still exists
    let keys: HashMap<String, String> =
        db.keys_of_org(&ctx.org.id).await.map_err(internal)?.into_iter().map(|k| (k.id, k.name)).collect();
    let guardrails: HashMap<String, String> =
        db.guardrails_of_org(&ctx.org.id).await.map_err(internal)?.into_iter().map(|g| (g.id, g.name)).collect();
    let mut emails: HashMap<String, String> = HashMap::new();
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let who = match (&row.actor_user_id, &row.actor_key_id) {
            (Some(u), _) => {
                if !emails.contains_key(u) {
                    let email = b.email_of(u).await;
                    emails.insert(u.clone(), if email.is_empty() { format!("user {u}") } else { email });
                }
                emails.get(u).cloned().unwrap_or_default()
            }
            (None, Some(k)) => format!("key {}", keys.get(k).map_or(k.as_str(), String::as_str)),
            (None, None) => "system".to_string(),
        };
        entries.push(entry(row, who, &keys, &guardrails));
    }
    Ok(AuditPage { entries, page, per_page: AUDIT_PAGE, has_more })
}

fn entry(row: AuditRow, who: String, keys: &HashMap<String, String>, guardrails: &HashMap<String, String>) -> AuditEntryInfo {
    let target = if row.action.starts_with("guardrail.") {
        guardrails.get(&row.target).map_or_else(|| row.target.clone(), |n| format!("guardrail {n}"))
    } else if row.action.starts_with("key.") {
        keys.get(&row.target).map_or_else(|| row.target.clone(), |n| format!("key {n}"))
    } else if row.action.starts_with("routing.") {
        "routing settings".to_string()
    } else {
        row.target.clone()
    };
    // assignments list key ids: name the keys
    let detail = if row.action.ends_with("assign_keys") {
        row.detail.split(", ").map(|id| keys.get(id).map_or(id, String::as_str)).collect::<Vec<_>>().join(", ")
    } else {
        row.detail
    };
    AuditEntryInfo { at: clock::rfc3339(row.created_at), who, action: row.action, target, detail }
}
