//! The console video playground's history: an organization's jobs (made through any of its
//! keys, the playground's too) or one guest's, newest first, a page at a time, with the name
//! and purpose of the key that made each.

use super::video::{VideoJobRow, VIDEO_JOB_COLUMNS};
use super::StoreResult;
use async_trait::async_trait;

#[derive(Clone, Debug, Default, PartialEq, sqlx::FromRow)]
pub struct VideoHistoryRow {
    #[sqlx(flatten)]
    pub job: VideoJobRow,
    /// The key that made the job (None for a guest's job).
    pub key_name: Option<String>,
    /// `playground` for a playground key, None for an API key.
    pub key_purpose: Option<String>,
}

/// Whose jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VideoOwner<'a> {
    /// Every job of the organization.
    Org(&'a str),
    /// The jobs of one guest (cookie id).
    Guest(&'a str),
}

#[async_trait]
pub trait VideoHistory: Send + Sync {
    /// Up to `limit` jobs of `owner` from `offset`, newest first, and how many it has in all.
    async fn video_history(&self, owner: VideoOwner<'_>, offset: i64, limit: i64) -> StoreResult<(Vec<VideoHistoryRow>, i64)>;
    /// One job, with its key's name and purpose (the caller checks whose it is).
    async fn video_history_job(&self, id: &str) -> StoreResult<Option<VideoHistoryRow>>;
}

/// The job columns, named through the alias `j` (the key's columns share some names).
pub(crate) fn job_columns_of_j() -> String {
    VIDEO_JOB_COLUMNS.split(',').map(|c| format!("j.{}", c.trim())).collect::<Vec<_>>().join(", ")
}

macro_rules! impl_video_history {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl crate::storage::VideoHistory for $store {
            async fn video_history(
                &self,
                owner: crate::storage::VideoOwner<'_>,
                offset: i64,
                limit: i64,
            ) -> crate::storage::StoreResult<(Vec<crate::storage::VideoHistoryRow>, i64)> {
                use crate::storage::VideoOwner;
                // the column is one of these two constants, never input
                let (column, value) = match owner {
                    VideoOwner::Org(id) => ("org_id", id),
                    VideoOwner::Guest(id) => ("guest_id", id),
                };
                let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM video_jobs WHERE {column} = $1"))
                    .bind(value)
                    .fetch_one(&self.pool)
                    .await?;
                // newest first: created_at is in seconds, deadline_ms (submit time in ms plus
                // the job timeout) orders jobs of the same second
                let rows = sqlx::query_as(&format!(
                    "SELECT {}, k.name AS key_name, k.purpose AS key_purpose
                     FROM video_jobs j LEFT JOIN api_keys k ON k.id = j.key_id
                     WHERE j.{column} = $1 ORDER BY j.created_at DESC, j.deadline_ms DESC, j.id DESC LIMIT $2 OFFSET $3",
                    crate::storage::video_history::job_columns_of_j()
                ))
                .bind(value)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await?;
                Ok((rows, total))
            }

            async fn video_history_job(&self, id: &str) -> crate::storage::StoreResult<Option<crate::storage::VideoHistoryRow>> {
                Ok(sqlx::query_as(&format!(
                    "SELECT {}, k.name AS key_name, k.purpose AS key_purpose
                     FROM video_jobs j LEFT JOIN api_keys k ON k.id = j.key_id WHERE j.id = $1",
                    crate::storage::video_history::job_columns_of_j()
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }
        }
    };
}

pub(super) use impl_video_history;
