//! Guardrails, their assignments to keys or to the whole organization, and each
//! organization's routing settings. Small tables, read per organization into the policy
//! cache (`crate::controls::policy`), written by the console and the management API.

use super::StoreResult;
use async_trait::async_trait;

#[derive(Clone, Debug, Default, PartialEq, sqlx::FromRow)]
pub struct GuardrailRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub description: Option<String>,
    /// Budget per period in money units; None = no budget.
    pub limit_units: Option<i64>,
    /// `daily` | `weekly` | `monthly`; None = never resets.
    pub reset_interval: Option<String>,
    /// JSON array of model ids and `provider/*` patterns; None = any model.
    pub allowed_models: Option<String>,
    /// JSON array of provider ids; None = any provider.
    pub allowed_providers: Option<String>,
    pub requests_per_minute: Option<i64>,
    pub tokens_per_minute: Option<i64>,
    /// Applies to the organization's traffic as a whole.
    pub org_assigned: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct GuardrailKeyRow {
    pub guardrail_id: String,
    pub key_id: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct RoutingSettingsRow {
    pub org_id: String,
    pub auto_routing: bool,
    pub preference: f64,
    pub updated_at: i64,
}

#[async_trait]
pub trait Guardrails: Send + Sync {
    async fn guardrails_of_org(&self, org_id: &str) -> StoreResult<Vec<GuardrailRow>>;
    async fn guardrail(&self, org_id: &str, id: &str) -> StoreResult<Option<GuardrailRow>>;
    async fn insert_guardrail(&self, row: &GuardrailRow) -> StoreResult<()>;
    /// Replaces the editable fields of the organization's guardrail `row.id`; false when none.
    async fn update_guardrail(&self, row: &GuardrailRow) -> StoreResult<bool>;
    /// Deletes the guardrail and its assignments; false when the organization has none by that id.
    async fn delete_guardrail(&self, org_id: &str, id: &str) -> StoreResult<bool>;
    /// Every key assignment of the organization's guardrails.
    async fn guardrail_keys_of_org(&self, org_id: &str) -> StoreResult<Vec<GuardrailKeyRow>>;
    /// Assigns the guardrail to those of `key_ids` that are keys of the organization; returns
    /// how many were newly assigned. Nothing happens when the guardrail is not the organization's.
    async fn assign_guardrail_keys(&self, org_id: &str, id: &str, key_ids: &[String], now: i64) -> StoreResult<u64>;
    /// Removes those assignments; returns how many there were.
    async fn unassign_guardrail_keys(&self, org_id: &str, id: &str, key_ids: &[String]) -> StoreResult<u64>;
    /// Sets whether the guardrail applies to the whole organization; false when none by that id.
    async fn set_guardrail_org_assigned(&self, org_id: &str, id: &str, on: bool, now: i64) -> StoreResult<bool>;
    /// What the organization spent on requests made at or after `since`.
    async fn org_spend_since(&self, org_id: &str, since: i64) -> StoreResult<i64>;
    async fn routing_settings(&self, org_id: &str) -> StoreResult<Option<RoutingSettingsRow>>;
    async fn set_routing_settings(&self, row: &RoutingSettingsRow) -> StoreResult<()>;
}

macro_rules! impl_guardrails {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl crate::storage::Guardrails for $store {
            async fn guardrails_of_org(&self, org_id: &str) -> StoreResult<Vec<crate::storage::GuardrailRow>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    crate::storage::guardrails::guardrail_columns!(),
                    " FROM guardrails WHERE org_id = $1 ORDER BY created_at, id"
                ))
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn guardrail(&self, org_id: &str, id: &str) -> StoreResult<Option<crate::storage::GuardrailRow>> {
                Ok(sqlx::query_as(concat!("SELECT ", crate::storage::guardrails::guardrail_columns!(), " FROM guardrails WHERE org_id = $1 AND id = $2"))
                    .bind(org_id)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn insert_guardrail(&self, r: &crate::storage::GuardrailRow) -> StoreResult<()> {
                sqlx::query(concat!(
                    "INSERT INTO guardrails (",
                    crate::storage::guardrails::guardrail_columns!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
                ))
                .bind(&r.id)
                .bind(&r.org_id)
                .bind(&r.name)
                .bind(&r.description)
                .bind(r.limit_units)
                .bind(&r.reset_interval)
                .bind(&r.allowed_models)
                .bind(&r.allowed_providers)
                .bind(r.requests_per_minute)
                .bind(r.tokens_per_minute)
                .bind(r.org_assigned)
                .bind(r.created_at)
                .bind(r.updated_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn update_guardrail(&self, r: &crate::storage::GuardrailRow) -> StoreResult<bool> {
                let n = sqlx::query(
                    "UPDATE guardrails SET name = $3, description = $4, limit_units = $5, reset_interval = $6,
                       allowed_models = $7, allowed_providers = $8, requests_per_minute = $9,
                       tokens_per_minute = $10, updated_at = $11
                     WHERE org_id = $1 AND id = $2",
                )
                .bind(&r.org_id)
                .bind(&r.id)
                .bind(&r.name)
                .bind(&r.description)
                .bind(r.limit_units)
                .bind(&r.reset_interval)
                .bind(&r.allowed_models)
                .bind(&r.allowed_providers)
                .bind(r.requests_per_minute)
                .bind(r.tokens_per_minute)
                .bind(r.updated_at)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(n > 0)
            }

            async fn delete_guardrail(&self, org_id: &str, id: &str) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "DELETE FROM guardrail_keys WHERE guardrail_id IN (SELECT id FROM guardrails WHERE org_id = $1 AND id = $2)",
                )
                .bind(org_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let n = sqlx::query("DELETE FROM guardrails WHERE org_id = $1 AND id = $2")
                    .bind(org_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(n > 0)
            }

            async fn guardrail_keys_of_org(&self, org_id: &str) -> StoreResult<Vec<crate::storage::GuardrailKeyRow>> {
                Ok(sqlx::query_as(
                    "SELECT gk.guardrail_id, gk.key_id, gk.created_at FROM guardrail_keys gk
                     JOIN guardrails g ON g.id = gk.guardrail_id
                     WHERE g.org_id = $1 ORDER BY gk.created_at, gk.key_id",
                )
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn assign_guardrail_keys(&self, org_id: &str, id: &str, key_ids: &[String], now: i64) -> StoreResult<u64> {
                let mut tx = self.pool.begin().await?;
                let mut n = 0;
                for key_id in key_ids {
                    n += sqlx::query(
                        "INSERT INTO guardrail_keys (guardrail_id, key_id, created_at)
                         SELECT g.id, k.id, $4 FROM guardrails g JOIN api_keys k ON k.org_id = g.org_id
                         WHERE g.org_id = $1 AND g.id = $2 AND k.id = $3
                         ON CONFLICT (guardrail_id, key_id) DO NOTHING",
                    )
                    .bind(org_id)
                    .bind(id)
                    .bind(key_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
                Ok(n)
            }

            async fn unassign_guardrail_keys(&self, org_id: &str, id: &str, key_ids: &[String]) -> StoreResult<u64> {
                let mut tx = self.pool.begin().await?;
                let mut n = 0;
                for key_id in key_ids {
                    n += sqlx::query(
                        "DELETE FROM guardrail_keys WHERE key_id = $3 AND guardrail_id IN
                           (SELECT id FROM guardrails WHERE org_id = $1 AND id = $2)",
                    )
                    .bind(org_id)
                    .bind(id)
                    .bind(key_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
                Ok(n)
            }

            async fn set_guardrail_org_assigned(&self, org_id: &str, id: &str, on: bool, now: i64) -> StoreResult<bool> {
                let n = sqlx::query("UPDATE guardrails SET org_assigned = $3, updated_at = $4 WHERE org_id = $1 AND id = $2")
                    .bind(org_id)
                    .bind(id)
                    .bind(on)
                    .bind(now)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(n > 0)
            }

            async fn org_spend_since(&self, org_id: &str, since: i64) -> StoreResult<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(cost_units), 0) AS BIGINT) FROM request_logs WHERE org_id = $1 AND created_at >= $2",
                )
                .bind(org_id)
                .bind(since)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn routing_settings(&self, org_id: &str) -> StoreResult<Option<crate::storage::RoutingSettingsRow>> {
                Ok(sqlx::query_as("SELECT org_id, auto_routing, preference, updated_at FROM org_routing WHERE org_id = $1")
                    .bind(org_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn set_routing_settings(&self, r: &crate::storage::RoutingSettingsRow) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO org_routing (org_id, auto_routing, preference, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (org_id) DO UPDATE
                     SET auto_routing = excluded.auto_routing, preference = excluded.preference, updated_at = excluded.updated_at",
                )
                .bind(&r.org_id)
                .bind(r.auto_routing)
                .bind(r.preference)
                .bind(r.updated_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }
    };
}

macro_rules! guardrail_columns {
    () => {
        "id, org_id, name, description, limit_units, reset_interval, allowed_models, allowed_providers, \
         requests_per_minute, tokens_per_minute, org_assigned, created_at, updated_at"
    };
}

pub(crate) use guardrail_columns;
pub(super) use impl_guardrails;
