//! Instance administration of the catalog (prices, limits, description, status) and the
//! providers' view. Administrators only; a change is saved, then the live catalog is rebuilt
//! so that the next request uses it.

use super::models::model_info;
use super::{internal, ConsoleBackend, Ctx};
use crate::catalog::live::AdminEntry;
use crate::catalog::overrides::{self, Changes};
use crate::clock;
use crate::config::BUILTIN_PROVIDERS;
use crate::storage::CatalogOverrideRow;
use app::backend::{Caller, Result};
use app::types::*;
use std::collections::{BTreeSet, HashMap};

impl ConsoleBackend {
    async fn admin(&self, c: &Caller) -> Result<Ctx> {
        let ctx = self.require(c).await?;
        ctx.require_instance_admin()?;
        Ok(ctx)
    }

    async fn admin_entry(&self, e: &AdminEntry, emails: &mut HashMap<String, String>) -> CatalogEntryAdmin {
        let change = match &e.change {
            Some(row) => {
                let by = match &row.updated_by {
                    Some(uid) => {
                        if !emails.contains_key(uid) {
                            let email = self.email_of(uid).await;
                            emails.insert(uid.clone(), email);
                        }
                        emails.get(uid).cloned().unwrap_or_default()
                    }
                    None => String::new(),
                };
                Some(CatalogChange { fields: e.changed_fields.clone(), updated_at: clock::rfc3339(row.updated_at), updated_by: by })
            }
            None => None,
        };
        CatalogEntryAdmin {
            model: model_info(&e.entry),
            enabled: e.enabled,
            provider_on: self.state.providers.is_on(&e.entry.provider),
            change,
        }
    }

    async fn admin_entry_by_id(&self, id: &str) -> Result<CatalogEntryAdmin> {
        let snapshot = self.state.catalog.snapshot();
        let e = snapshot
            .entries
            .iter()
            .find(|e| e.entry.id.eq_ignore_ascii_case(id.trim()))
            .ok_or_else(|| ConsoleError::not_found(format!("no model {} in the catalog", id.trim())))?;
        Ok(self.admin_entry(e, &mut HashMap::new()).await)
    }
}

pub(super) async fn list(b: &ConsoleBackend, c: &Caller) -> Result<Vec<CatalogEntryAdmin>> {
    b.admin(c).await?;
    let snapshot = b.state.catalog.snapshot();
    let mut emails = HashMap::new();
    let mut out = Vec::with_capacity(snapshot.entries.len());
    for e in &snapshot.entries {
        out.push(b.admin_entry(e, &mut emails).await);
    }
    Ok(out)
}

pub(super) async fn one(b: &ConsoleBackend, c: &Caller, id: &str) -> Result<CatalogEntryAdmin> {
    b.admin(c).await?;
    b.admin_entry_by_id(id).await
}

pub(super) async fn update(b: &ConsoleBackend, c: &Caller, csrf: &str, id: &str, edit: &CatalogEdit) -> Result<CatalogEntryAdmin> {
    let ctx = b.require(c).await?;
    ctx.require_csrf(csrf)?;
    ctx.require_instance_admin()?;
    let base = b.state.catalog.base(id.trim()).ok_or_else(|| ConsoleError::not_found(format!("no model {} in the catalog", id.trim())))?;
    let changes: Changes = edit.parse()?;
    let fields = serde_json::Value::Object(overrides::diff(base, &changes)).to_string();
    // the same check the live catalog makes, before anything is saved
    overrides::apply(base, &fields).map_err(|e| ConsoleError::invalid("form", format!("these values cannot be used: {e}")))?;
    let db = &b.state.db;
    if fields == "{}" {
        db.delete_catalog_override(&base.id).await.map_err(internal)?;
    } else {
        let row = CatalogOverrideRow { model_id: base.id.clone(), fields: fields.clone(), updated_at: clock::now(), updated_by: Some(ctx.user.id.clone()) };
        db.put_catalog_override(&row).await.map_err(internal)?;
    }
    tracing::info!(model = %base.id, by = %ctx.user.email, changes = %fields, "catalog model changed");
    b.state.catalog.reload(db).await.map_err(internal)?;
    b.admin_entry_by_id(&base.id).await
}

pub(super) async fn reset(b: &ConsoleBackend, c: &Caller, csrf: &str, id: &str) -> Result<CatalogEntryAdmin> {
    let ctx = b.require(c).await?;
    ctx.require_csrf(csrf)?;
    ctx.require_instance_admin()?;
    let base = b.state.catalog.base(id.trim()).ok_or_else(|| ConsoleError::not_found(format!("no model {} in the catalog", id.trim())))?;
    let db = &b.state.db;
    db.delete_catalog_override(&base.id).await.map_err(internal)?;
    tracing::info!(model = %base.id, by = %ctx.user.email, "catalog model reset");
    b.state.catalog.reload(db).await.map_err(internal)?;
    b.admin_entry_by_id(&base.id).await
}

/// A base URL without user, password or query (whatever an operator put there).
fn shown_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string().trim_end_matches('/').to_string()
        }
        Err(_) => String::new(),
    }
}

pub(super) async fn providers(b: &ConsoleBackend, c: &Caller) -> Result<Vec<ProviderAdminInfo>> {
    b.admin(c).await?;
    let state = &b.state;
    let health = state.db.provider_health(clock::now() - 3600).await.map_err(internal)?;
    let catalog = state.catalog.current();
    let mut ids: BTreeSet<String> = BUILTIN_PROVIDERS.iter().map(|p| p.0.to_string()).collect();
    ids.extend(state.config.providers.keys().cloned());
    ids.extend(state.providers.all().map(|p| p.id.clone()));
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let builtin = BUILTIN_PROVIDERS.iter().find(|p| p.0 == id);
        let cfg = state.config.providers.get(&id);
        let (label, protocol, base_url, on) = match state.providers.get(&id) {
            Some(p) => (p.label.clone(), p.protocol.as_str().to_string(), p.base_url.clone(), true),
            None => (
                cfg.and_then(|c| c.label.clone()).unwrap_or_else(|| id.clone()),
                cfg.and_then(|c| c.protocol.clone()).or_else(|| builtin.map(|b| b.1.to_string())).unwrap_or_else(|| "openai".into()),
                cfg.and_then(|c| c.base_url.clone()).or_else(|| builtin.map(|b| b.4.to_string())).unwrap_or_default(),
                false,
            ),
        };
        let h = health.iter().find(|h| h.provider == id);
        out.push(ProviderAdminInfo {
            models: catalog.all().filter(|m| m.provider == id).count() as u32,
            requests_1h: h.map_or(0, |h| u64::try_from(h.requests).unwrap_or(0)),
            errors_1h: h.map_or(0, |h| u64::try_from(h.errors).unwrap_or(0)),
            avg_latency_ms: h.map(|h| u64::try_from(h.avg_latency_ms).unwrap_or(0)),
            base_url: shown_url(&base_url),
            id,
            label,
            protocol,
            on,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base_urls_are_shown_without_credentials() {
        assert_eq!(super::shown_url("https://user:pw@api.example.com/v1/?key=abc#x"), "https://api.example.com/v1");
        assert_eq!(super::shown_url("http://127.0.0.1:9400/v1"), "http://127.0.0.1:9400/v1");
        assert_eq!(super::shown_url("not a url"), "");
    }
}
