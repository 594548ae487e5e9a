//! SQLite: the default. One file under the data folder, WAL mode, writers wait their turn.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    /// `record_batch`'s own connection (rusqlite), for callers other than the log writer,
    /// which has its own ([`Store::log_writer`]).
    batches: Arc<Mutex<SqliteBatchWriter>>,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            // the log writer opens the file from a connection of its own
            return Err(sqlx::Error::Configuration("an in-memory SQLite database cannot be used; name a file (sqlite://data/gateai.db)".into()));
        }
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
        let batches = Arc::new(Mutex::new(batch_writer(&pool)));
        Ok(SqliteStore { pool, batches })
    }

    /// `Records::record_batch`: the log writer's code on a blocking thread.
    pub(crate) async fn write_batch(&self, batch: &[RequestRecord]) -> StoreResult<Vec<MovedBalance>> {
        let (writer, batch) = (self.batches.clone(), batch.to_vec());
        let written = tokio::task::spawn_blocking(move || writer.lock().unwrap_or_else(PoisonError::into_inner).record_batch(&batch));
        Ok(written.await.map_err(|e| StoreError::Other(format!("the batch writer stopped: {e}")))??)
    }
}

/// A batch writer on the pool's database file (it connects on first use).
fn batch_writer(pool: &SqlitePool) -> SqliteBatchWriter {
    SqliteBatchWriter::new(pool.connect_options().get_filename().to_path_buf())
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
    fn log_writer(&self) -> Box<dyn LogWriter> {
        Box::new(batch_writer(&self.pool))
    }
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
