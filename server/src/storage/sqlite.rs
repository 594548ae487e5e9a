//! SQLite: the default. One file under the data folder, WAL mode, writers wait their turn.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // temporary tables and statement journals (a batch insert's RETURNING) in memory:
            // on disk, each log batch created and deleted a file
            .pragma("temp_store", "memory")
            .busy_timeout(Duration::from_secs(30));
        if let Some(dir) = opts.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
            }
        }
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
        Ok(SqliteStore { pool })
    }
}

super::queries::impl_store!(SqliteStore, sqlx::Sqlite);
super::keys::impl_keys!(SqliteStore);
super::ledger::impl_ledger!(SqliteStore);
super::catalog_overrides::impl_catalog_overrides!(SqliteStore);
super::guardrails::impl_guardrails!(SqliteStore);
super::records::impl_records!(SqliteStore, sqlx::Sqlite);
super::video::impl_video_jobs!(SqliteStore, sqlx::Sqlite, "");
super::webhooks::impl_video_webhooks!(SqliteStore, sqlx::Sqlite, "");
super::video_history::impl_video_history!(SqliteStore);

#[async_trait::async_trait]
impl Store for SqliteStore {
    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("../migrations/sqlite").run(&self.pool).await?;
        Ok(())
    }
    fn companion(&self, max_connections: u32) -> crate::storage::Db {
        let opts = (*self.pool.connect_options()).clone();
        std::sync::Arc::new(SqliteStore { pool: SqlitePoolOptions::new().max_connections(max_connections).acquire_timeout(Duration::from_secs(30)).connect_lazy_with(opts) })
    }
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
