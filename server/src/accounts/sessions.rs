//! tower-sessions' store on top of our storage trait, so sessions live in the same database
//! (SQLite or PostgreSQL) as everything else.

use crate::storage::{Db, SessionRow};
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        DbSessionStore { db }
    }

    fn row(record: &Record) -> Result<SessionRow> {
        Ok(SessionRow {
            id: record.id.to_string(),
            data: serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?,
            expiry_date: record.expiry_date.unix_timestamp(),
        })
    }

    /// Deletes expired sessions every `every`.
    pub fn spawn_purge(&self, every: std::time::Duration) {
        let db = self.db.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                if let Err(e) = db.sessions_purge(crate::clock::now()).await {
                    tracing::warn!(error = %e, "session purge failed");
                }
            }
        });
    }
}

fn backend(e: crate::storage::StoreError) -> Error {
    Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        loop {
            if self.db.session_insert(&Self::row(record)?).await.map_err(backend)? {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.db.session_save(&Self::row(record)?).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(row) = self.db.session_load(&id.to_string(), crate::clock::now()).await.map_err(backend)? else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expiry_date).map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.db.session_delete(&id.to_string()).await.map_err(backend)
    }
}
