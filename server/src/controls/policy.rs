//! Guardrails and routing settings as the request path sees them: one `OrgPolicy` per
//! organization, read from the database on first use and kept for a few seconds. A change
//! made in this process (console, management API) drops the organization's entry, so it
//! holds from the next request; another process sees it within `TTL`.

use super::period::Period;
use crate::catalog::ModelEntry;
use crate::storage::{Db, GuardrailKeyRow, GuardrailRow, RoutingSettingsRow, StoreResult};
use moka::future::Cache;
use std::sync::Arc;
use std::time::Duration;

/// How long another process's change may take to be seen here.
pub const TTL: Duration = Duration::from_secs(5);

/// The default cost (0) ↔ quality (1) preference of auto routing: cheapest first.
pub const DEFAULT_PREFERENCE: f64 = 0.0;

/// Whom a guardrail limits: each assigned key on its own, or the organization as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Key,
    Org,
}

/// One guardrail, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Guardrail {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub limit_units: Option<i64>,
    pub reset: Period,
    /// Model ids and `provider/*` patterns; None = any.
    pub allowed_models: Option<Vec<String>>,
    /// Provider ids; None = any.
    pub allowed_providers: Option<Vec<String>>,
    pub requests_per_minute: Option<i64>,
    pub tokens_per_minute: Option<i64>,
    pub org_assigned: bool,
    /// Ids of the keys it is assigned to.
    pub keys: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A JSON array of strings as stored, or None.
pub fn parse_list(s: Option<&str>) -> Option<Vec<String>> {
    s.map(|s| serde_json::from_str::<Vec<String>>(s).unwrap_or_default())
}

pub fn store_list(list: Option<&[String]>) -> Option<String> {
    list.map(|l| serde_json::to_string(l).unwrap_or_else(|_| "[]".into()))
}

impl Guardrail {
    pub fn from_row(row: &GuardrailRow, assignments: &[GuardrailKeyRow]) -> Guardrail {
        Guardrail {
            id: row.id.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            limit_units: row.limit_units,
            reset: super::admission::stored_period(row.reset_interval.as_deref()),
            allowed_models: parse_list(row.allowed_models.as_deref()),
            allowed_providers: parse_list(row.allowed_providers.as_deref()),
            requests_per_minute: row.requests_per_minute,
            tokens_per_minute: row.tokens_per_minute,
            org_assigned: row.org_assigned,
            keys: assignments.iter().filter(|a| a.guardrail_id == row.id).map(|a| a.key_id.clone()).collect(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }

    /// Whether the model passes both allowlists (an absent list allows everything).
    pub fn allows(&self, model: &ModelEntry) -> bool {
        let by_model = self.allowed_models.as_ref().is_none_or(|list| list.iter().any(|p| pattern_matches(p, model)));
        let by_provider = self
            .allowed_providers
            .as_ref()
            .is_none_or(|list| list.iter().any(|p| p.eq_ignore_ascii_case(&model.provider)));
        by_model && by_provider
    }
}

/// `provider/*` matches every model of that provider; anything else is an exact model id.
pub fn pattern_matches(pattern: &str, model: &ModelEntry) -> bool {
    match pattern.strip_suffix("/*") {
        Some(provider) => provider.eq_ignore_ascii_case(&model.provider),
        None => pattern.eq_ignore_ascii_case(&model.id),
    }
}

/// Everything an organization has set that the request path checks.
#[derive(Clone, Debug)]
pub struct OrgPolicy {
    pub guardrails: Vec<Arc<Guardrail>>,
    pub auto_routing: bool,
    pub preference: f64,
}

impl Default for OrgPolicy {
    fn default() -> Self {
        OrgPolicy { guardrails: vec![], auto_routing: true, preference: DEFAULT_PREFERENCE }
    }
}

impl OrgPolicy {
    /// The guardrails that apply to a request of `key_id`, with whom each limits.
    pub fn for_key<'a>(&'a self, key_id: &'a str) -> impl Iterator<Item = (Scope, &'a Guardrail)> + 'a {
        self.guardrails.iter().flat_map(move |g| {
            let org = g.org_assigned.then_some((Scope::Org, g.as_ref()));
            let key = g.keys.iter().any(|k| k == key_id).then_some((Scope::Key, g.as_ref()));
            org.into_iter().chain(key)
        })
    }

    /// Whether every guardrail that applies to the key allows the model.
    pub fn allows(&self, key_id: &str, model: &ModelEntry) -> bool {
        self.for_key(key_id).all(|(_, g)| g.allows(model))
    }

    /// Whether any allowlist applies to the key at all (the fast path skips the checks).
    pub fn restricts(&self, key_id: &str) -> bool {
        self.for_key(key_id).any(|(_, g)| g.allowed_models.is_some() || g.allowed_providers.is_some())
    }
}

pub struct Policies {
    cache: Cache<String, Arc<OrgPolicy>>,
}

impl Default for Policies {
    fn default() -> Self {
        Policies { cache: Cache::builder().max_capacity(100_000).time_to_live(TTL).build() }
    }
}

impl Policies {
    /// The organization's policy, from the cache or the database. Requests arriving together
    /// for an organization not in the cache wait for one read.
    pub async fn get(&self, db: &Db, org_id: &str) -> StoreResult<Arc<OrgPolicy>> {
        if let Some(p) = self.cache.get(org_id).await {
            return Ok(p);
        }
        self.cache
            .try_get_with_by_ref(org_id, async { load(db, org_id).await.map(Arc::new) })
            .await
            .map_err(|e| crate::storage::StoreError::Other(e.to_string()))
    }

    /// Forgets the organization's policy: the next request reads it again.
    pub async fn invalidate(&self, org_id: &str) {
        self.cache.invalidate(org_id).await;
    }
}

/// An organization's guardrails with their key assignments, oldest first.
pub async fn guardrails(db: &Db, org_id: &str) -> StoreResult<Vec<Guardrail>> {
    let rows = db.guardrails_of_org(org_id).await?;
    let assignments = if rows.is_empty() { vec![] } else { db.guardrail_keys_of_org(org_id).await? };
    Ok(rows.iter().map(|r| Guardrail::from_row(r, &assignments)).collect())
}

/// Reads an organization's guardrails, their assignments and its routing settings.
pub async fn load(db: &Db, org_id: &str) -> StoreResult<OrgPolicy> {
    let guardrails = guardrails(db, org_id).await?;
    let routing = db.routing_settings(org_id).await?;
    Ok(OrgPolicy {
        guardrails: guardrails.into_iter().map(Arc::new).collect(),
        auto_routing: routing.as_ref().is_none_or(|r| r.auto_routing),
        preference: routing.as_ref().map_or(DEFAULT_PREFERENCE, |r| r.preference),
    })
}

/// The routing settings of an organization with the defaults filled in.
pub fn routing_or_default(org_id: &str, row: Option<RoutingSettingsRow>) -> RoutingSettingsRow {
    row.unwrap_or(RoutingSettingsRow { org_id: org_id.to_string(), auto_routing: true, preference: DEFAULT_PREFERENCE, updated_at: 0 })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn model(id: &str, provider: &str) -> ModelEntry {
        let mut m: ModelEntry = toml::from_str(&format!("id = \"{id}\"\nprovider = \"{provider}\"\nupstream = \"x\"")).unwrap();
        m.id = id.into();
        m
    }

    fn guardrail(models: Option<&[&str]>, providers: Option<&[&str]>) -> Guardrail {
        Guardrail {
            id: "g".into(),
            name: "g".into(),
            description: None,
            limit_units: None,
            reset: Period::Never,
            allowed_models: models.map(|l| l.iter().map(|s| s.to_string()).collect()),
            allowed_providers: providers.map(|l| l.iter().map(|s| s.to_string()).collect()),
            requests_per_minute: None,
            tokens_per_minute: None,
            org_assigned: false,
            keys: vec!["k1".into()],
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn allowlists_take_exact_ids_and_provider_patterns() {
        let gpt = model("openai/gpt-5", "openai");
        let claude = model("anthropic/claude-haiku-4.5", "anthropic");
        let g = guardrail(Some(&["anthropic/*", "openai/gpt-5-mini"]), None);
        assert!(g.allows(&claude));
        assert!(!g.allows(&gpt));
        assert!(guardrail(Some(&["OpenAI/GPT-5"]), None).allows(&gpt));
        assert!(guardrail(None, None).allows(&gpt));
        assert!(!guardrail(Some(&[]), None).allows(&gpt), "an empty list allows nothing");
        // both lists must pass
        let both = guardrail(Some(&["openai/*", "anthropic/*"]), Some(&["anthropic"]));
        assert!(both.allows(&claude) && !both.allows(&gpt));
    }

    #[test]
    fn a_key_gets_its_own_guardrails_and_the_organizations() {
        let mut mine = guardrail(Some(&["anthropic/*"]), None);
        mine.keys = vec!["k1".into()];
        let mut org = guardrail(Some(&["anthropic/claude-haiku-4.5", "openai/*"]), None);
        org.id = "o".into();
        org.keys = vec![];
        org.org_assigned = true;
        let p = OrgPolicy { guardrails: vec![Arc::new(mine), Arc::new(org)], ..Default::default() };
        let scopes: Vec<_> = p.for_key("k1").map(|(s, g)| (s, g.id.clone())).collect();
        assert_eq!(scopes, vec![(Scope::Key, "g".to_string()), (Scope::Org, "o".to_string())]);
        assert_eq!(p.for_key("k2").count(), 1);
        let haiku = model("anthropic/claude-haiku-4.5", "anthropic");
        let sonnet = model("anthropic/claude-sonnet-4.6", "anthropic");
        let gpt = model("openai/gpt-5", "openai");
        assert!(p.allows("k1", &haiku));
        assert!(!p.allows("k1", &sonnet), "the organization's list also applies");
        assert!(!p.allows("k1", &gpt), "the key's list also applies");
        assert!(p.allows("k2", &gpt));
        assert!(p.restricts("k2"));
    }
}
