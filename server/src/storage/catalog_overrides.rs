//! Catalog changes made by administrators: one row per model holding the changed fields as a
//! JSON object (see `crate::catalog::live`). Tiny table, read whole.

use super::StoreResult;
use async_trait::async_trait;

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CatalogOverrideRow {
    pub model_id: String,
    /// JSON object of the changed fields.
    pub fields: String,
    pub updated_at: i64,
    pub updated_by: Option<String>,
}

#[async_trait]
pub trait CatalogOverrides: Send + Sync {
    /// Every row, by model id.
    async fn catalog_overrides(&self) -> StoreResult<Vec<CatalogOverrideRow>>;
    /// Inserts or replaces the model's row.
    async fn put_catalog_override(&self, row: &CatalogOverrideRow) -> StoreResult<()>;
    /// False when the model had no row.
    async fn delete_catalog_override(&self, model_id: &str) -> StoreResult<bool>;
}

macro_rules! impl_catalog_overrides {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl crate::storage::CatalogOverrides for $store {
            async fn catalog_overrides(&self) -> StoreResult<Vec<crate::storage::CatalogOverrideRow>> {
                Ok(sqlx::query_as(
                    "SELECT model_id, fields, updated_at, updated_by FROM catalog_overrides ORDER BY model_id",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn put_catalog_override(&self, row: &crate::storage::CatalogOverrideRow) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO catalog_overrides (model_id, fields, updated_at, updated_by) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (model_id) DO UPDATE
                     SET fields = excluded.fields, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                )
                .bind(&row.model_id)
                .bind(&row.fields)
                .bind(row.updated_at)
                .bind(&row.updated_by)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn delete_catalog_override(&self, model_id: &str) -> StoreResult<bool> {
                let n = sqlx::query("DELETE FROM catalog_overrides WHERE model_id = $1")
                    .bind(model_id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(n > 0)
            }
        }
    };
}

pub(super) use impl_catalog_overrides;
