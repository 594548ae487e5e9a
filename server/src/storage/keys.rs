//! API keys: creating, finding by keyed hash (the request path's one query), listing,
//! changing, the playground's own keys, spend by period, and the audit log of changes.
//! Uses the names `impl_store!` brings into the backend's module.

macro_rules! impl_keys {
    ($store:ty) => {
        const KEY_COLUMNS: &str = "id, org_id, created_by, name, key_hash, prefix, status, management, budget_units, spend_units, created_at, updated_at, last_used_at, expires_at, budget_reset";

        #[async_trait::async_trait]
        impl Keys for $store {
            async fn insert_key(&self, k: &NewApiKey) -> StoreResult<ApiKeyRow> {
                let sql = format!(
                    "INSERT INTO api_keys (id, org_id, created_by, name, key_hash, prefix, status, management, budget_units, spend_units, created_at, updated_at, expires_at, budget_reset)
                     VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, 0, $9, $9, $10, $11) RETURNING {KEY_COLUMNS}"
                );
                Ok(sqlx::query_as(&sql)
                    .bind(&k.id)
                    .bind(&k.org_id)
                    .bind(&k.created_by)
                    .bind(&k.name)
                    .bind(&k.key_hash)
                    .bind(&k.prefix)
                    .bind(k.management)
                    .bind(k.budget_units)
                    .bind(k.now)
                    .bind(k.expires_at)
                    .bind(&k.budget_reset)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRow>> {
                let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash = $1 AND purpose IS NULL");
                Ok(sqlx::query_as(&sql).bind(key_hash).fetch_optional(&self.pool).await?)
            }

            async fn playground_key(&self, org_id: &str, user_id: &str, now: i64) -> StoreResult<ApiKeyRow> {
                // no secret exists for it: the hash column holds a value no key hashes to
                let id = uuid::Uuid::now_v7().to_string();
                sqlx::query(
                    "INSERT INTO api_keys (id, org_id, created_by, name, key_hash, prefix, status, management, spend_units, created_at, updated_at, purpose)
                     VALUES ($1, $2, $3, 'Console playground', $4, 'playground', 'active', FALSE, 0, $5, $5, 'playground')
                     ON CONFLICT (org_id, created_by) WHERE purpose = 'playground' DO NOTHING",
                )
                .bind(&id)
                .bind(org_id)
                .bind(user_id)
                .bind(format!("playground:{id}"))
                .bind(now)
                .execute(&self.pool)
                .await?;
                let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE org_id = $1 AND created_by = $2 AND purpose = 'playground'");
                Ok(sqlx::query_as(&sql).bind(org_id).bind(user_id).fetch_one(&self.pool).await?)
            }

            async fn key_by_id(&self, org_id: &str, id: &str) -> StoreResult<Option<ApiKeyRow>> {
                let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1 AND org_id = $2 AND purpose IS NULL");
                Ok(sqlx::query_as(&sql).bind(id).bind(org_id).fetch_optional(&self.pool).await?)
            }

            async fn keys_of_org(&self, org_id: &str) -> StoreResult<Vec<ApiKeyRow>> {
                let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE org_id = $1 AND purpose IS NULL ORDER BY created_at DESC, id");
                Ok(sqlx::query_as(&sql).bind(org_id).fetch_all(&self.pool).await?)
            }

            async fn set_key_status(&self, org_id: &str, id: &str, status: &str, now: i64) -> StoreResult<Option<ApiKeyRow>> {
                // a revoked key stays revoked
                let sql = format!(
                    "UPDATE api_keys SET status = $1, updated_at = $2 WHERE id = $3 AND org_id = $4 AND status <> 'revoked' AND purpose IS NULL
                     RETURNING {KEY_COLUMNS}"
                );
                Ok(sqlx::query_as(&sql).bind(status).bind(now).bind(id).bind(org_id).fetch_optional(&self.pool).await?)
            }

            async fn touch_key(&self, id: &str, now: i64) -> StoreResult<()> {
                sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn update_key(&self, org_id: &str, id: &str, c: &KeyChanges, now: i64) -> StoreResult<Option<ApiKeyRow>> {
                // each column keeps its value unless its flag says it changes
                let sql = format!(
                    "UPDATE api_keys SET
                        name = CASE WHEN $1 THEN $2 ELSE name END,
                        status = CASE WHEN $3 THEN $4 ELSE status END,
                        budget_units = CASE WHEN $5 THEN $6 ELSE budget_units END,
                        budget_reset = CASE WHEN $7 THEN $8 ELSE budget_reset END,
                        expires_at = CASE WHEN $9 THEN $10 ELSE expires_at END,
                        updated_at = $11
                     WHERE id = $12 AND org_id = $13 AND status <> 'revoked' AND purpose IS NULL
                     RETURNING {KEY_COLUMNS}"
                );
                Ok(sqlx::query_as(&sql)
                    .bind(c.name.is_some())
                    .bind(c.name.clone().unwrap_or_default())
                    .bind(c.disabled.is_some())
                    .bind(if c.disabled == Some(true) { "disabled" } else { "active" })
                    .bind(c.budget_units.is_some())
                    .bind(c.budget_units.flatten())
                    .bind(c.budget_reset.is_some())
                    .bind(c.budget_reset.clone().flatten())
                    .bind(c.expires_at.is_some())
                    .bind(c.expires_at.flatten())
                    .bind(now)
                    .bind(id)
                    .bind(org_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn key_spend_since(&self, key_id: &str, since: i64) -> StoreResult<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(cost_units), 0) AS BIGINT) FROM request_logs WHERE key_id = $1 AND created_at >= $2",
                )
                .bind(key_id)
                .bind(since)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn audit(&self, e: &NewAudit) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO audit_log (org_id, actor_user_id, actor_key_id, action, target, detail, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&e.org_id)
                .bind(&e.actor_user_id)
                .bind(&e.actor_key_id)
                .bind(&e.action)
                .bind(&e.target)
                .bind(&e.detail)
                .bind(e.now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn audit_entries(&self, org_id: &str, offset: i64, limit: i64) -> StoreResult<Vec<AuditRow>> {
                Ok(sqlx::query_as(
                    "SELECT id, org_id, actor_user_id, actor_key_id, action, target, detail, created_at
                     FROM audit_log WHERE org_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
                )
                .bind(org_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(super) use impl_keys;
