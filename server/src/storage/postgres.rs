//! PostgreSQL: for several replicas sharing one database.

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;

pub struct PostgresStore {
    pub(crate) pool: PgPool,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        // GATEAI_DB_POOL: connections per process (32); several processes share the server's limit
        let size = std::env::var("GATEAI_DB_POOL").ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(32);
        let pool = PgPoolOptions::new()
            .max_connections(size)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await?;
        Ok(PostgresStore { pool })
    }
}

super::queries::impl_store!(PostgresStore, sqlx::Postgres);
super::keys::impl_keys!(PostgresStore);
super::ledger::impl_ledger!(PostgresStore);
super::catalog_overrides::impl_catalog_overrides!(PostgresStore);
super::guardrails::impl_guardrails!(PostgresStore);
super::records::impl_records!(PostgresStore, sqlx::Postgres);
super::video::impl_video_jobs!(PostgresStore, sqlx::Postgres, "FOR UPDATE SKIP LOCKED");
super::webhooks::impl_video_webhooks!(PostgresStore, sqlx::Postgres, "FOR UPDATE SKIP LOCKED");
super::video_history::impl_video_history!(PostgresStore);

#[async_trait::async_trait]
impl Store for PostgresStore {
    fn backend_name(&self) -> &'static str {
        "postgres"
    }
    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("../migrations/postgres").run(&self.pool).await?;
        Ok(())
    }
    fn companion(&self, max_connections: u32) -> crate::storage::Db {
        let opts = (*self.pool.connect_options()).clone();
        std::sync::Arc::new(PostgresStore { pool: PgPoolOptions::new().max_connections(max_connections).acquire_timeout(Duration::from_secs(30)).connect_lazy_with(opts) })
    }
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
