//! API keys: `sk-or-v1-` + 64 hex characters, shown once; stored as a keyed hash and a
//! display prefix. Lookup on the request path hits an in-memory cache first.

use super::tokens::{random_hex, Hasher};
use crate::clock;
use crate::storage::{ApiKeyRow, Db, NewApiKey, StoreError};
use app::types::{ApiKeyInfo, KeyStatus, Usd};
use moka::sync::Cache;
use std::sync::Arc;
use std::time::Duration;

pub const KEY_PREFIX: &str = "sk-or-v1-";
const HASH_PURPOSE: &str = "api-key";

/// A key as the request path needs it.
#[derive(Clone, Debug)]
pub struct AuthedKey {
    pub id: String,
    pub org_id: String,
    pub created_by: String,
    pub name: String,
    pub prefix: String,
    pub management: bool,
    pub budget_units: Option<i64>,
    pub budget_period: crate::controls::Period,
    pub spend_units: i64,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

impl AuthedKey {
    /// A key the key lookups do not list (the guest pool's, a user's playground key seen by
    /// the video worker): no budget, no expiry, nothing spent yet.
    pub fn unlisted(id: &str, org_id: &str, name: &str, created_at: i64) -> AuthedKey {
        AuthedKey {
            id: id.into(),
            org_id: org_id.into(),
            created_by: String::new(),
            name: name.into(),
            prefix: String::new(),
            management: false,
            budget_units: None,
            budget_period: crate::controls::Period::Never,
            spend_units: 0,
            expires_at: None,
            created_at,
        }
    }
}

/// How a new key is made beyond its name.
#[derive(Clone, Debug, Default)]
pub struct KeyOptions {
    pub expires_at: Option<i64>,
    pub budget: Option<Usd>,
    /// When the budget starts again (UTC); `None` = never.
    pub budget_reset: Option<crate::controls::Period>,
    pub management: bool,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyAuthError {
    /// Unknown, revoked, disabled or expired: all answer 401 `invalid api key`.
    #[error("invalid api key")]
    Invalid,
    #[error("storage unavailable")]
    Storage,
}

/// Shape check before any lookup: cheap rejection of garbage.
pub fn looks_like_key(s: &str) -> bool {
    s.len() == KEY_PREFIX.len() + 64
        && s.starts_with(KEY_PREFIX)
        && s[KEY_PREFIX.len()..].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

pub fn generate() -> String {
    format!("{KEY_PREFIX}{}", random_hex(32))
}

pub fn display_prefix(secret: &str) -> String {
    let hex = &secret[KEY_PREFIX.len()..];
    format!("{KEY_PREFIX}{}…{}", &hex[..4], &hex[hex.len() - 4..])
}

#[derive(Clone)]
pub struct ApiKeys {
    db: Db,
    hasher: Hasher,
    /// key hash → key (None: known not to exist). Entries live briefly and are dropped on
    /// every change made through this process.
    cache: Cache<String, Option<Arc<ApiKeyRow>>>,
    /// last time `last_used_at` was written per key, to write it at most once a minute.
    touched: Cache<String, ()>,
}

impl ApiKeys {
    pub fn new(db: Db, hasher: Hasher) -> Self {
        ApiKeys {
            db,
            hasher,
            cache: Cache::builder().max_capacity(100_000).time_to_live(Duration::from_secs(10)).build(),
            touched: Cache::builder().max_capacity(100_000).time_to_live(Duration::from_secs(60)).build(),
        }
    }

    /// The same keys without a cache (benchmarks measure the database path with it).
    pub fn new_uncached_for_bench(other: &ApiKeys) -> Self {
        ApiKeys {
            db: other.db.clone(),
            hasher: other.hasher.clone(),
            cache: Cache::builder().max_capacity(0).build(),
            touched: other.touched.clone(),
        }
    }

    pub fn hash(&self, secret: &str) -> String {
        self.hasher.hash(HASH_PURPOSE, secret)
    }

    /// Creates a key; returns the stored row and the secret (to show once).
    pub async fn create(
        &self,
        org_id: &str,
        user_id: &str,
        name: &str,
        expires_at: Option<i64>,
        budget: Option<Usd>,
        management: bool,
    ) -> Result<(ApiKeyRow, String), StoreError> {
        self.create_with(org_id, user_id, name, KeyOptions { expires_at, budget, budget_reset: None, management }).await
    }

    /// Creates a key with every option; returns the stored row and the secret (to show once).
    pub async fn create_with(&self, org_id: &str, user_id: &str, name: &str, o: KeyOptions) -> Result<(ApiKeyRow, String), StoreError> {
        let KeyOptions { expires_at, budget, budget_reset, management } = o;
        let secret = generate();
        let row = self
            .db
            .insert_key(&NewApiKey {
                id: uuid::Uuid::now_v7().to_string(),
                org_id: org_id.to_string(),
                created_by: user_id.to_string(),
                name: name.to_string(),
                key_hash: self.hash(&secret),
                prefix: display_prefix(&secret),
                management,
                budget_units: budget.and_then(|b| b.to_units()),
                budget_reset: budget_reset.and_then(|p| p.as_reset()).map(String::from),
                expires_at,
                now: clock::now(),
            })
            .await?;
        self.cache.invalidate(&row.key_hash);
        Ok((row, secret))
    }

    pub async fn set_status(&self, org_id: &str, id: &str, status: &str) -> Result<Option<ApiKeyRow>, StoreError> {
        let row = self.db.set_key_status(org_id, id, status, clock::now()).await?;
        if let Some(r) = &row {
            self.cache.invalidate(&r.key_hash);
        }
        Ok(row)
    }

    /// Changes a key of `org_id` (not revoked); the change holds from the next request on.
    pub async fn update(&self, org_id: &str, id: &str, changes: &crate::storage::KeyChanges) -> Result<Option<ApiKeyRow>, StoreError> {
        let row = self.db.update_key(org_id, id, changes, clock::now()).await?;
        if let Some(r) = &row {
            self.cache.invalidate(&r.key_hash);
        }
        Ok(row)
    }

    /// The request path: shape check, keyed hash, cache or one indexed query, status check.
    pub async fn authenticate(&self, secret: &str) -> Result<AuthedKey, KeyAuthError> {
        if !looks_like_key(secret) {
            return Err(KeyAuthError::Invalid);
        }
        let hash = self.hash(secret);
        let row = match self.cache.get(&hash) {
            Some(hit) => hit,
            None => {
                let fetched = self.db.key_by_hash(&hash).await.map_err(|e| {
                    tracing::error!(error = %e, "key lookup failed");
                    KeyAuthError::Storage
                })?;
                let fetched = fetched.map(Arc::new);
                self.cache.insert(hash, fetched.clone());
                fetched
            }
        };
        let row = row.ok_or(KeyAuthError::Invalid)?;
        let now = clock::now();
        if status_of(&row, now) != KeyStatus::Active {
            return Err(KeyAuthError::Invalid);
        }
        if !self.touched.contains_key(&row.id) {
            self.touched.insert(row.id.clone(), ());
            let (db, id) = (self.db.clone(), row.id.clone());
            tokio::spawn(async move {
                if let Err(e) = db.touch_key(&id, now).await {
                    tracing::warn!(error = %e, "could not record key use");
                }
            });
        }
        Ok(authed(&row))
    }
}

/// A stored key as the request path carries it.
pub fn authed(row: &ApiKeyRow) -> AuthedKey {
    AuthedKey {
        id: row.id.clone(),
        org_id: row.org_id.clone(),
        created_by: row.created_by.clone(),
        name: row.name.clone(),
        prefix: row.prefix.clone(),
        management: row.management,
        budget_units: row.budget_units,
        budget_period: crate::controls::admission::stored_period(row.budget_reset.as_deref()),
        spend_units: row.spend_units,
        expires_at: row.expires_at,
        created_at: row.created_at,
    }
}

pub fn status_of(row: &ApiKeyRow, now: i64) -> KeyStatus {
    match row.status.as_str() {
        "revoked" => KeyStatus::Revoked,
        "disabled" => KeyStatus::Disabled,
        _ if row.expires_at.is_some_and(|e| e <= now) => KeyStatus::Expired,
        _ => KeyStatus::Active,
    }
}

pub fn info(row: &ApiKeyRow, created_by_email: String) -> ApiKeyInfo {
    ApiKeyInfo {
        id: row.id.clone(),
        name: row.name.clone(),
        prefix: row.prefix.clone(),
        status: status_of(row, clock::now()),
        created_at: clock::rfc3339(row.created_at),
        last_used_at: row.last_used_at.map(clock::rfc3339),
        expires_at: row.expires_at.map(clock::rfc3339),
        budget: row.budget_units.map(Usd::from_units),
        budget_reset: row.budget_reset.clone(),
        spend: Usd::from_units(row.spend_units),
        created_by: created_by_email,
        management: row.management,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_the_documented_shape() {
        let k = generate();
        assert!(looks_like_key(&k), "{k}");
        assert_eq!(k.len(), 9 + 64);
        assert_ne!(generate(), k);
        let p = display_prefix(&k);
        assert!(p.starts_with("sk-or-v1-") && p.contains('…'));
        assert!(!p.contains(&k[9..40]));
    }

    #[test]
    fn shape_check_rejects_garbage() {
        assert!(!looks_like_key(""));
        assert!(!looks_like_key("sk-or-v1-xyz"));
        assert!(!looks_like_key(&format!("sk-or-v1-{}", "G".repeat(64))));
        assert!(!looks_like_key(&format!("sk-or-v1-{}", "A".repeat(64))));
        assert!(!looks_like_key(&format!("sk-xx-v1-{}", "a".repeat(64))));
    }
}
