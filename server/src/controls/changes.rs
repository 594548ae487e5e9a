//! Changing guardrails and routing settings: the one place the console and the management API
//! both go through. Every change is checked (allowlists against the catalog, limits in range),
//! scoped to the organization, audited, and dropped from the policy cache so it holds from the
//! next request.

use super::period::Period;
use super::policy::{self, Guardrail, Policies};
use crate::catalog::Catalog;
use crate::storage::{Db, GuardrailRow, NewAudit, RoutingSettingsRow, StoreError};
use app::types::Usd;

/// Largest budget accepted, in USD (in storage units it must fit an i64).
pub const MAX_LIMIT_USD: i64 = 100_000_000;
/// Largest requests or tokens per minute accepted.
pub const MAX_PER_MINUTE: i64 = 1_000_000_000;
pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Longest allowlist.
pub const MAX_LIST: usize = 500;

/// Who made a change, for the audit log.
#[derive(Clone, Debug)]
pub enum Actor {
    User(String),
    Key(String),
}

/// The fields of a guardrail a change sets. `None` leaves a field as it is; `Some(None)`
/// clears it (no budget, any model, no rate limit).
#[derive(Clone, Debug, Default)]
pub struct GuardrailFields {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    /// The budget in money units (10⁻¹⁰ USD).
    pub limit_units: Option<Option<i64>>,
    /// `Some(Period::Never)` = never resets.
    pub reset_interval: Option<Period>,
    pub allowed_models: Option<Option<Vec<String>>>,
    pub allowed_providers: Option<Option<Vec<String>>>,
    pub requests_per_minute: Option<Option<i64>>,
    pub tokens_per_minute: Option<Option<i64>>,
}

impl GuardrailFields {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.description.is_none()
            && self.limit_units.is_none()
            && self.reset_interval.is_none()
            && self.allowed_models.is_none()
            && self.allowed_providers.is_none()
            && self.requests_per_minute.is_none()
            && self.tokens_per_minute.is_none()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// Bad input: the field, and what to send instead. Nothing was changed.
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &'static str, message: impl Into<String>) -> ChangeError {
    ChangeError::Invalid { field, message: message.into() }
}

/// Checks the fields against the catalog and the ranges, and puts allowlist entries in
/// their canonical form (a model's id for an alias, `provider/*` in lower case).
pub fn check(fields: &mut GuardrailFields, catalog: &Catalog) -> Result<(), ChangeError> {
    if let Some(name) = &mut fields.name {
        *name = name.trim().to_string();
        if name.is_empty() {
            return Err(invalid("name", "name must not be empty"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(invalid("name", format!("name is longer than {MAX_NAME_CHARS} characters")));
        }
    }
    if let Some(Some(d)) = &mut fields.description {
        *d = d.trim().to_string();
        if d.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(invalid("description", format!("description is longer than {MAX_DESCRIPTION_CHARS} characters")));
        }
    }
    if let Some(Some(units)) = fields.limit_units {
        if units < 0 {
            return Err(invalid("limit_usd", "limit_usd must be zero or more (null for no budget)"));
        }
        if units > MAX_LIMIT_USD * 10_i64.pow(app::types::money::SCALE) {
            return Err(invalid("limit_usd", format!("limit_usd must be at most {MAX_LIMIT_USD} USD")));
        }
    }
    for (field, value) in [("requests_per_minute", fields.requests_per_minute), ("tokens_per_minute", fields.tokens_per_minute)] {
        if let Some(Some(n)) = value {
            if !(1..=MAX_PER_MINUTE).contains(&n) {
                return Err(invalid(field, format!("{field} must be between 1 and {MAX_PER_MINUTE} (null for no limit)")));
            }
        }
    }
    let providers: std::collections::BTreeSet<String> = catalog.all().map(|m| m.provider.to_ascii_lowercase()).collect();
    if let Some(Some(list)) = &mut fields.allowed_models {
        if list.len() > MAX_LIST {
            return Err(invalid("allowed_models", format!("allowed_models has more than {MAX_LIST} entries")));
        }
        let mut out = Vec::with_capacity(list.len());
        for entry in list.iter() {
            let entry = entry.trim();
            let canonical = match entry.strip_suffix("/*") {
                Some(p) if providers.contains(&p.to_ascii_lowercase()) => format!("{}/*", p.to_ascii_lowercase()),
                Some(p) => return Err(invalid("allowed_models", format!("unknown provider \"{p}\" in allowed_models: use provider/* with a provider of the catalog"))),
                None => match catalog.get(entry) {
                    Some(m) => m.id.clone(),
                    None => return Err(invalid("allowed_models", format!("unknown model \"{entry}\" in allowed_models: use a model id from GET /openai/v1/models"))),
                },
            };
            if !out.contains(&canonical) {
                out.push(canonical);
            }
        }
        *list = out;
    }
    if let Some(Some(list)) = &mut fields.allowed_providers {
        if list.len() > MAX_LIST {
            return Err(invalid("allowed_providers", format!("allowed_providers has more than {MAX_LIST} entries")));
        }
        let mut out = Vec::with_capacity(list.len());
        for p in list.iter() {
            let p = p.trim().to_ascii_lowercase();
            if !providers.contains(&p) {
                return Err(invalid("allowed_providers", format!("unknown provider \"{p}\" in allowed_providers")));
            }
            if !out.contains(&p) {
                out.push(p);
            }
        }
        *list = out;
    }
    Ok(())
}

fn apply(row: &mut GuardrailRow, f: &GuardrailFields) {
    if let Some(n) = &f.name {
        row.name = n.clone();
    }
    if let Some(d) = &f.description {
        row.description = d.clone().filter(|d| !d.is_empty());
    }
    if let Some(l) = f.limit_units {
        row.limit_units = l;
    }
    if let Some(r) = f.reset_interval {
        row.reset_interval = r.as_reset().map(String::from);
    }
    if let Some(m) = &f.allowed_models {
        row.allowed_models = policy::store_list(m.as_deref());
    }
    if let Some(p) = &f.allowed_providers {
        row.allowed_providers = policy::store_list(p.as_deref());
    }
    if let Some(r) = f.requests_per_minute {
        row.requests_per_minute = r;
    }
    if let Some(t) = f.tokens_per_minute {
        row.tokens_per_minute = t;
    }
}

/// The changes service for one organization.
pub struct Changes<'a> {
    pub db: &'a Db,
    pub policies: &'a Policies,
    pub catalog: std::sync::Arc<Catalog>,
    pub org_id: &'a str,
    pub actor: Actor,
}

impl Changes<'_> {
    async fn audit(&self, action: &str, target: &str, detail: String) {
        let (user, key) = match &self.actor {
            Actor::User(u) => (Some(u.clone()), None),
            Actor::Key(k) => (None, Some(k.clone())),
        };
        let entry = NewAudit {
            org_id: self.org_id.to_string(),
            actor_user_id: user,
            actor_key_id: key,
            action: action.to_string(),
            target: target.to_string(),
            detail,
            now: crate::clock::now(),
        };
        if let Err(e) = self.db.audit(&entry).await {
            tracing::error!(error = %e, action, target, "could not write the audit entry");
        }
    }

    /// The organization's guardrails with their assignments, oldest first.
    pub async fn list(&self) -> Result<Vec<Guardrail>, ChangeError> {
        Ok(policy::guardrails(self.db, self.org_id).await?)
    }

    pub async fn get(&self, id: &str) -> Result<Guardrail, ChangeError> {
        let row = self.db.guardrail(self.org_id, id).await?.ok_or(ChangeError::NotFound)?;
        let keys = self.db.guardrail_keys_of_org(self.org_id).await?;
        Ok(Guardrail::from_row(&row, &keys))
    }

    /// Creates a guardrail; `fields.name` is required.
    pub async fn create(&self, mut fields: GuardrailFields) -> Result<Guardrail, ChangeError> {
        if fields.name.is_none() {
            return Err(invalid("name", "name is required: give the guardrail a name"));
        }
        check(&mut fields, &self.catalog)?;
        let now = crate::clock::now();
        let mut row = GuardrailRow {
            id: uuid::Uuid::now_v7().to_string(),
            org_id: self.org_id.to_string(),
            created_at: now,
            updated_at: now,
            ..Default::default()
        };
        apply(&mut row, &fields);
        self.db.insert_guardrail(&row).await?;
        self.policies.invalidate(self.org_id).await;
        self.audit("guardrail.create", &row.id, describe(&row)).await;
        Ok(Guardrail::from_row(&row, &[]))
    }

    pub async fn update(&self, id: &str, mut fields: GuardrailFields) -> Result<Guardrail, ChangeError> {
        check(&mut fields, &self.catalog)?;
        let mut row = self.db.guardrail(self.org_id, id).await?.ok_or(ChangeError::NotFound)?;
        apply(&mut row, &fields);
        row.updated_at = crate::clock::now();
        if !self.db.update_guardrail(&row).await? {
            return Err(ChangeError::NotFound);
        }
        self.policies.invalidate(self.org_id).await;
        self.audit("guardrail.update", id, describe(&row)).await;
        self.get(id).await
    }

    pub async fn delete(&self, id: &str) -> Result<(), ChangeError> {
        if !self.db.delete_guardrail(self.org_id, id).await? {
            return Err(ChangeError::NotFound);
        }
        self.policies.invalidate(self.org_id).await;
        self.audit("guardrail.delete", id, String::new()).await;
        Ok(())
    }

    /// Assigns the guardrail to keys of the organization. Every id must be one of its keys
    /// (else nothing changes); returns how many were newly assigned.
    pub async fn assign_keys(&self, id: &str, key_ids: &[String]) -> Result<u64, ChangeError> {
        self.db.guardrail(self.org_id, id).await?.ok_or(ChangeError::NotFound)?;
        self.check_keys(key_ids).await?;
        let n = self.db.assign_guardrail_keys(self.org_id, id, key_ids, crate::clock::now()).await?;
        self.policies.invalidate(self.org_id).await;
        self.audit("guardrail.assign_keys", id, key_ids.join(", ")).await;
        Ok(n)
    }

    pub async fn unassign_keys(&self, id: &str, key_ids: &[String]) -> Result<u64, ChangeError> {
        self.db.guardrail(self.org_id, id).await?.ok_or(ChangeError::NotFound)?;
        self.check_keys(key_ids).await?;
        let n = self.db.unassign_guardrail_keys(self.org_id, id, key_ids).await?;
        self.policies.invalidate(self.org_id).await;
        self.audit("guardrail.unassign_keys", id, key_ids.join(", ")).await;
        Ok(n)
    }

    async fn check_keys(&self, key_ids: &[String]) -> Result<(), ChangeError> {
        if key_ids.is_empty() {
            return Err(invalid("key_hashes", "key_hashes must list at least one key"));
        }
        if key_ids.len() > MAX_LIST {
            return Err(invalid("key_hashes", format!("key_hashes has more than {MAX_LIST} entries")));
        }
        for k in key_ids {
            if self.db.key_by_id(self.org_id, k).await?.is_none() {
                return Err(invalid("key_hashes", format!("no key \"{k}\" in this organization")));
            }
        }
        Ok(())
    }

    /// Makes the guardrail apply to the whole organization, or stop applying to it.
    pub async fn assign_org(&self, id: &str, on: bool) -> Result<Guardrail, ChangeError> {
        if !self.db.set_guardrail_org_assigned(self.org_id, id, on, crate::clock::now()).await? {
            return Err(ChangeError::NotFound);
        }
        self.policies.invalidate(self.org_id).await;
        self.audit(if on { "guardrail.assign_org" } else { "guardrail.unassign_org" }, id, String::new()).await;
        self.get(id).await
    }

    pub async fn routing(&self) -> Result<RoutingSettingsRow, ChangeError> {
        Ok(policy::routing_or_default(self.org_id, self.db.routing_settings(self.org_id).await?))
    }

    /// Turns auto routing on or off and/or sets the cost (0) ↔ quality (1) preference.
    pub async fn set_routing(&self, auto_routing: Option<bool>, preference: Option<f64>) -> Result<RoutingSettingsRow, ChangeError> {
        if let Some(p) = preference {
            if !(0.0..=1.0).contains(&p) || p.is_nan() {
                return Err(invalid("preference", "preference must be a number from 0 (cheapest) to 1 (best quality)"));
            }
        }
        let mut row = self.routing().await?;
        if let Some(a) = auto_routing {
            row.auto_routing = a;
        }
        if let Some(p) = preference {
            row.preference = p;
        }
        row.updated_at = crate::clock::now();
        self.db.set_routing_settings(&row).await?;
        self.policies.invalidate(self.org_id).await;
        self.audit(
            "routing.update",
            self.org_id,
            format!("auto routing {}, preference {:.2}", if row.auto_routing { "on" } else { "off" }, row.preference),
        )
        .await;
        Ok(row)
    }
}

/// A short text of a guardrail's settings for the audit log.
fn describe(row: &GuardrailRow) -> String {
    let mut parts = vec![format!("name {}", row.name)];
    if let Some(l) = row.limit_units {
        parts.push(format!("limit {} USD {}", Usd::from_units(l), row.reset_interval.as_deref().unwrap_or("never resets")));
    }
    if let Some(m) = &row.allowed_models {
        parts.push(format!("models {m}"));
    }
    if let Some(p) = &row.allowed_providers {
        parts.push(format!("providers {p}"));
    }
    if let Some(r) = row.requests_per_minute {
        parts.push(format!("{r} rpm"));
    }
    if let Some(t) = row.tokens_per_minute {
        parts.push(format!("{t} tpm"));
    }
    parts.join("; ")
}
