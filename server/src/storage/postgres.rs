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
    fn log_writer(&self) -> Box<dyn LogWriter> {
        // two connections of its own, opened on first use (from the writer's thread)
        let opts = (*self.pool.connect_options()).clone();
        let pool = PgPoolOptions::new().max_connections(2).acquire_timeout(Duration::from_secs(30)).connect_lazy_with(opts);
        Box::new(PoolLogWriter(PostgresStore { pool }))
    }
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// The log writer on PostgreSQL: the store's own queries, on the writer's small pool.
struct PoolLogWriter(PostgresStore);

#[async_trait::async_trait]
impl LogWriter for PoolLogWriter {
    async fn record_batch(&mut self, batch: &[RequestRecord]) -> StoreResult<Vec<MovedBalance>> {
        self.0.write_batch(batch).await
    }

    async fn org_balance(&mut self, org_id: &str) -> StoreResult<Option<(i64, i64)>> {
        Ledger::org_balance(&self.0, org_id).await
    }
}
