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

#[cfg(test)]
mod tests {
    use super::SqliteStore;
    use crate::storage::{Appended, Ledger, NewLedgerEntry, OrgRow, Store, UserRow, Users};

    /// The index's predicate (written out in the migrations and in `UNIQUE_REFERENCE`) leaves
    /// out exactly the references the log writer makes.
    #[test]
    fn the_unique_reference_predicate_leaves_out_the_request_charge_prefix() {
        let prefix = crate::storage::REQUEST_CHARGE_PREFIX;
        assert_eq!(crate::storage::UNIQUE_REFERENCE, format!("substr(reference, 1, {}) <> '{prefix}'", prefix.len()));
        assert!(crate::storage::request_charge_reference("r1").starts_with(prefix));
    }

    /// Migration 0012 rebuilds the ledger table. On a database with entries from before it,
    /// every entry keeps its id and fields, new ids go on after the highest, the table stays
    /// append-only and a reference other than a request charge's is still booked once.
    #[tokio::test]
    async fn the_ledger_rebuild_keeps_every_entry_and_the_ledgers_rules() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let before = dir.path().join("migrations");
        std::fs::create_dir(&before).expect("a folder for the earlier migrations");
        let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
        for file in std::fs::read_dir(&all).expect("the migrations") {
            let file = file.expect("a migration").path();
            if file.file_name().is_some_and(|n| n.to_string_lossy().as_ref() < "0012") {
                std::fs::copy(&file, before.join(file.file_name().expect("named"))).expect("copy a migration");
            }
        }
        let store = SqliteStore::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.expect("open");
        sqlx::migrate::Migrator::new(before.as_path()).await.expect("read").run(&store.pool).await.expect("migrate to 0011");
        let user = UserRow { id: "u1".into(), email: "a@example.com".into(), password_hash: None, is_admin: false, created_at: 1 };
        let org = OrgRow { id: "org-1".into(), name: "a".into(), personal: true, balance_units: 0, created_at: 1 };
        store.create_user(&user, &org).await.expect("an organization");
        // as 0011 left them, with a gap in the ids (the ids AUTOINCREMENT handed out)
        let rows = [
            (1, "top_up", 1_000, 1_000, "payment:a"),
            (2, "charge", -30, 970, "request:r1"),
            (7, "charge", -20, 950, "request:r2"),
        ];
        for (id, kind, amount, after, reference) in rows {
            sqlx::query(
                "INSERT INTO ledger_entries (id, org_id, kind, amount_units, balance_after_units, reference, note, created_at) VALUES ($1, 'org-1', $2, $3, $4, $5, 'n', 5)",
            )
            .bind(id)
            .bind(kind)
            .bind(amount)
            .bind(after)
            .bind(reference)
            .execute(&store.pool)
            .await
            .expect("an entry from before");
        }
        sqlx::query("UPDATE organizations SET balance_units = 950 WHERE id = 'org-1'").execute(&store.pool).await.expect("its balance");

        store.migrate().await.expect("migrate to the end");
        let kept: Vec<(i64, String, i64, i64, String, String, i64)> =
            sqlx::query_as("SELECT id, kind, amount_units, balance_after_units, reference, note, created_at FROM ledger_entries ORDER BY id")
                .fetch_all(&store.pool)
                .await
                .expect("the entries");
        let want: Vec<_> = rows.iter().map(|(id, kind, amount, after, r)| (*id, kind.to_string(), *amount, *after, r.to_string(), "n".to_string(), 5)).collect();
        assert_eq!(kept, want);

        let entry = |reference: &str| NewLedgerEntry {
            org_id: "org-1".into(),
            kind: "top_up",
            amount_units: 50,
            reference: reference.into(),
            note: String::new(),
            actor_user_id: None,
            now: 9,
        };
        match store.append(&entry("payment:b")).await.expect("a new entry") {
            Appended::New(row) => assert_eq!((row.id, row.balance_after_units), (8, 1_000), "ids go on after the highest"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(store.append(&entry("payment:a")).await.expect("a replay"), Appended::Duplicate(row) if row.id == 1));
        assert!(sqlx::query("UPDATE ledger_entries SET amount_units = 0").execute(&store.pool).await.is_err(), "append-only");
        assert!(sqlx::query("DELETE FROM ledger_entries").execute(&store.pool).await.is_err(), "append-only");
        let totals = store.totals("org-1").await.expect("totals");
        assert_eq!((totals.balance_units, totals.sum_units), (1_000, 1_000));
    }
}
