//! Webhook deliveries of video jobs and the organizations' signing secrets.
//!
//! A delivery row is written by `finish_video_job` in the transaction that ends its job
//! (`insert_delivery`), so a job never ends without its delivery. The queue works like
//! `video_jobs`: one conditional `UPDATE … WHERE id IN (SELECT … LIMIT n)` sets a lease
//! (PostgreSQL adds `FOR UPDATE SKIP LOCKED`); every attempt is recorded with the claim it was
//! made under, and moves the delivery only while that claim still holds.

use async_trait::async_trait;

#[derive(Clone, Debug, Default, PartialEq, sqlx::FromRow)]
pub struct WebhookDeliveryRow {
    /// `whd_` + 32 hex: the `x-gateai-delivery` header, the same on every attempt.
    pub id: String,
    pub job_id: String,
    pub org_id: String,
    pub url: String,
    /// `video.completed` | `video.failed`.
    pub event: String,
    /// `pending` | `delivered` | `given_up`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub claim: Option<String>,
    pub claimed_until_ms: i64,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// When it was delivered or given up.
    pub finished_at: Option<i64>,
}

pub(crate) const DELIVERY_COLUMNS: &str = "id, job_id, org_id, url, event, status, attempts, next_attempt_ms, claim, \
    claimed_until_ms, last_status_code, last_error, created_at, updated_at, finished_at";

#[derive(Clone, Debug, Default, PartialEq, sqlx::FromRow)]
pub struct WebhookAttemptRow {
    pub id: i64,
    pub delivery_id: String,
    /// 1 for the first.
    pub attempt: i64,
    pub started_at_ms: i64,
    pub duration_ms: i64,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<i64>,
    /// Why the attempt failed without an answer (refused address, connection, timeout…).
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct WebhookSecretRow {
    pub org_id: String,
    /// The secret encrypted under the server secret (see `video::webhooks::secret`).
    pub sealed: String,
    pub created_at: i64,
    pub rotated_at: Option<i64>,
}

/// One attempt made.
#[derive(Clone, Debug, PartialEq)]
pub struct NewWebhookAttempt {
    pub attempt: i64,
    pub started_at_ms: i64,
    pub duration_ms: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
}

/// What follows an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookNext {
    /// A 2xx answer: done.
    Delivered,
    /// Try again at this time (unix ms).
    RetryAt(i64),
    /// No 2xx within the give-up window: stop.
    GiveUp,
}

#[async_trait]
pub trait VideoWebhooks: Send + Sync {
    async fn webhook_secret(&self, org_id: &str) -> crate::storage::StoreResult<Option<WebhookSecretRow>>;
    /// Stores `sealed` as the organization's secret unless it has one; returns the one kept
    /// (so concurrent first uses agree on one secret).
    async fn create_webhook_secret(&self, org_id: &str, sealed: &str, now: i64) -> crate::storage::StoreResult<WebhookSecretRow>;
    /// Replaces the organization's secret (or makes it).
    async fn replace_webhook_secret(&self, org_id: &str, sealed: &str, now: i64) -> crate::storage::StoreResult<WebhookSecretRow>;
    /// Claims up to `limit` pending deliveries due at `now_ms` and not claimed by anyone, for
    /// `claim` until `until_ms`.
    async fn claim_webhook_deliveries(&self, claim: &str, now_ms: i64, until_ms: i64, limit: i64)
        -> crate::storage::StoreResult<Vec<WebhookDeliveryRow>>;
    /// Logs the attempt and, if `claim` still holds the delivery, moves it as `next` says and
    /// releases it; false when the claim was lost (the attempt is logged all the same).
    async fn record_webhook_attempt(
        &self,
        delivery_id: &str,
        claim: &str,
        attempt: &NewWebhookAttempt,
        next: WebhookNext,
        now: i64,
    ) -> crate::storage::StoreResult<bool>;
    async fn webhook_delivery_of_job(&self, job_id: &str) -> crate::storage::StoreResult<Option<WebhookDeliveryRow>>;
    /// The organization's deliveries, newest first, and the attempts of exactly those.
    async fn webhook_deliveries(
        &self,
        org_id: &str,
        offset: i64,
        limit: i64,
    ) -> crate::storage::StoreResult<(Vec<WebhookDeliveryRow>, Vec<WebhookAttemptRow>)>;
}

/// `$lock` is what the claim's inner select ends with (`FOR UPDATE SKIP LOCKED`, or nothing).
macro_rules! impl_video_webhooks {
    ($store:ty, $db:ty, $lock:expr) => {
        /// The delivery of a job that just ended, inside the transaction that ends it; nothing
        /// when the job has no webhook_url or already has its delivery.
        pub(crate) async fn insert_delivery(
            conn: &mut <$db as sqlx::Database>::Connection,
            job: &crate::storage::VideoJobRow,
            now: i64,
        ) -> Result<(), sqlx::Error> {
            let Some(url) = &job.webhook_url else { return Ok(()) };
            let event = if job.status == "completed" { "video.completed" } else { "video.failed" };
            sqlx::query(
                "INSERT INTO video_webhook_deliveries (id, job_id, org_id, url, event, status, attempts, next_attempt_ms,
                   created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $7)
                 ON CONFLICT (job_id) DO NOTHING",
            )
            .bind(format!("whd_{}", uuid::Uuid::new_v4().simple()))
            .bind(&job.id)
            .bind(&job.org_id)
            .bind(url)
            .bind(event)
            .bind(now.saturating_mul(1000))
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }

        #[async_trait::async_trait]
        impl crate::storage::VideoWebhooks for $store {
            async fn webhook_secret(&self, org_id: &str) -> crate::storage::StoreResult<Option<crate::storage::WebhookSecretRow>> {
                Ok(sqlx::query_as("SELECT org_id, sealed, created_at, rotated_at FROM webhook_secrets WHERE org_id = $1")
                    .bind(org_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn create_webhook_secret(
                &self,
                org_id: &str,
                sealed: &str,
                now: i64,
            ) -> crate::storage::StoreResult<crate::storage::WebhookSecretRow> {
                sqlx::query("INSERT INTO webhook_secrets (org_id, sealed, created_at) VALUES ($1, $2, $3) ON CONFLICT (org_id) DO NOTHING")
                    .bind(org_id)
                    .bind(sealed)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                crate::storage::VideoWebhooks::webhook_secret(self, org_id).await?.ok_or(crate::storage::StoreError::NotFound)
            }

            async fn replace_webhook_secret(
                &self,
                org_id: &str,
                sealed: &str,
                now: i64,
            ) -> crate::storage::StoreResult<crate::storage::WebhookSecretRow> {
                Ok(sqlx::query_as(
                    "INSERT INTO webhook_secrets (org_id, sealed, created_at, rotated_at) VALUES ($1, $2, $3, $3)
                     ON CONFLICT (org_id) DO UPDATE SET sealed = excluded.sealed, rotated_at = excluded.rotated_at
                     RETURNING org_id, sealed, created_at, rotated_at",
                )
                .bind(org_id)
                .bind(sealed)
                .bind(now)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn claim_webhook_deliveries(
                &self,
                claim: &str,
                now_ms: i64,
                until_ms: i64,
                limit: i64,
            ) -> crate::storage::StoreResult<Vec<crate::storage::WebhookDeliveryRow>> {
                use crate::storage::webhooks::DELIVERY_COLUMNS;
                let sql = format!(
                    "UPDATE video_webhook_deliveries SET claim = $1, claimed_until_ms = $2
                     WHERE id IN (SELECT id FROM video_webhook_deliveries
                                  WHERE status = 'pending' AND next_attempt_ms <= $3 AND claimed_until_ms <= $3
                                  ORDER BY next_attempt_ms LIMIT $4 {})
                     RETURNING {DELIVERY_COLUMNS}",
                    $lock
                );
                Ok(sqlx::query_as(&sql).bind(claim).bind(until_ms).bind(now_ms).bind(limit).fetch_all(&self.pool).await?)
            }

            async fn record_webhook_attempt(
                &self,
                delivery_id: &str,
                claim: &str,
                a: &crate::storage::NewWebhookAttempt,
                next: crate::storage::WebhookNext,
                now: i64,
            ) -> crate::storage::StoreResult<bool> {
                use crate::storage::WebhookNext;
                let (status, next_ms, finished) = match next {
                    WebhookNext::Delivered => ("delivered", 0, Some(now)),
                    WebhookNext::RetryAt(ms) => ("pending", ms, None),
                    WebhookNext::GiveUp => ("given_up", 0, Some(now)),
                };
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO video_webhook_attempts (delivery_id, attempt, started_at_ms, duration_ms, status_code, error)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(delivery_id)
                .bind(a.attempt)
                .bind(a.started_at_ms)
                .bind(a.duration_ms)
                .bind(a.status_code)
                .bind(&a.error)
                .execute(&mut *tx)
                .await?;
                let moved = sqlx::query(
                    "UPDATE video_webhook_deliveries SET status = $3, attempts = $4, next_attempt_ms = $5, last_status_code = $6,
                       last_error = $7, claim = NULL, claimed_until_ms = 0, updated_at = $8, finished_at = $9
                     WHERE id = $1 AND claim = $2 AND status = 'pending'",
                )
                .bind(delivery_id)
                .bind(claim)
                .bind(status)
                .bind(a.attempt)
                .bind(next_ms)
                .bind(a.status_code)
                .bind(&a.error)
                .bind(now)
                .bind(finished)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
                Ok(moved == 1)
            }

            async fn webhook_delivery_of_job(&self, job_id: &str) -> crate::storage::StoreResult<Option<crate::storage::WebhookDeliveryRow>> {
                use crate::storage::webhooks::DELIVERY_COLUMNS;
                Ok(sqlx::query_as(&format!("SELECT {DELIVERY_COLUMNS} FROM video_webhook_deliveries WHERE job_id = $1"))
                    .bind(job_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn webhook_deliveries(
                &self,
                org_id: &str,
                offset: i64,
                limit: i64,
            ) -> crate::storage::StoreResult<(Vec<crate::storage::WebhookDeliveryRow>, Vec<crate::storage::WebhookAttemptRow>)> {
                use crate::storage::webhooks::DELIVERY_COLUMNS;
                let page = "SELECT id FROM video_webhook_deliveries WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3";
                let deliveries = sqlx::query_as(&format!(
                    "SELECT {DELIVERY_COLUMNS} FROM video_webhook_deliveries WHERE id IN ({page}) ORDER BY created_at DESC, id DESC"
                ))
                .bind(org_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await?;
                let attempts = sqlx::query_as(&format!(
                    "SELECT id, delivery_id, attempt, started_at_ms, duration_ms, status_code, error FROM video_webhook_attempts
                     WHERE delivery_id IN ({page}) ORDER BY delivery_id, started_at_ms, id"
                ))
                .bind(org_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await?;
                Ok((deliveries, attempts))
            }
        }
    };
}

pub(super) use impl_video_webhooks;
