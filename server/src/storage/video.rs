//! Video jobs: the job row is the queue entry, the bill and the file's record at once.
//!
//! Money moves only in two transactions per job, both with the job row: the submit (job,
//! pre-deduction as one ledger charge `video:<id>`, its request-log row, the key's spend) and
//! the end (status, one settling entry `video:<id>:settle` — a charge or a refund, never
//! both — the log row's cost, the key's spend). The end is guarded by
//! `billing_status = 'pre_deducted'`, so a job is settled or refunded exactly once.
//!
//! Claiming is one conditional `UPDATE … WHERE id IN (SELECT … LIMIT n)` that sets a lease;
//! PostgreSQL adds `FOR UPDATE SKIP LOCKED` to the inner select, SQLite needs nothing more
//! (one writer at a time). Every later write of the worker names its claim, so a worker whose
//! lease ran out cannot move a job another worker now holds.

use super::MovedBalance;
use async_trait::async_trait;

#[derive(Clone, Debug, Default, PartialEq, sqlx::FromRow)]
pub struct VideoJobRow {
    pub id: String,
    pub org_id: String,
    pub key_id: String,
    pub idempotency_key: Option<String>,
    pub request_hash: String,
    pub model: String,
    pub provider: String,
    pub upstream_model: String,
    pub prompt: String,
    pub duration: i64,
    pub resolution: String,
    pub aspect_ratio: String,
    pub width: i64,
    pub height: i64,
    pub generate_audio: bool,
    pub seed: i64,
    pub size: Option<String>,
    /// JSON object, as sent.
    pub metadata: Option<String>,
    pub webhook_url: Option<String>,
    /// USD per million video tokens when the job was submitted (decimal text).
    pub price: String,
    pub estimated_tokens: i64,
    pub estimated_units: i64,
    /// The balance right after the pre-deduction (for the submit answer of a replay).
    pub balance_after_units: i64,
    pub billed_units: Option<i64>,
    pub video_tokens: Option<i64>,
    pub billing_status: String,
    pub status: String,
    pub upstream_task_id: Option<String>,
    pub upstream_status: Option<String>,
    pub error: Option<String>,
    pub attempts: i64,
    pub next_run_ms: i64,
    pub deadline_ms: i64,
    pub claim: Option<String>,
    pub claimed_until_ms: i64,
    pub file_bytes: Option<i64>,
    pub file_present: bool,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
    /// A guest's job (console video playground): its cookie id and address; then `key_id`
    /// is the guest pool's reserved id.
    pub guest_id: Option<String>,
    pub guest_ip: Option<String>,
}

pub(crate) const VIDEO_JOB_COLUMNS: &str = "id, org_id, key_id, idempotency_key, request_hash, model, provider, upstream_model, \
    prompt, duration, resolution, aspect_ratio, width, height, generate_audio, seed, size, metadata, webhook_url, price, \
    estimated_tokens, estimated_units, balance_after_units, billed_units, video_tokens, billing_status, status, \
    upstream_task_id, upstream_status, error, attempts, next_run_ms, deadline_ms, claim, claimed_until_ms, file_bytes, \
    file_present, expires_at, created_at, updated_at, completed_at, guest_id, guest_ip";

/// A claimed job moved on, money untouched.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoProgress {
    pub status: &'static str,
    /// Set when known (never cleared).
    pub upstream_task_id: Option<String>,
    pub upstream_status: Option<String>,
    pub attempts: i64,
    pub next_run_ms: i64,
    /// Give the job back to the queue (false: keep working on it under the same claim).
    pub release: bool,
}

/// How a job ends.
#[derive(Clone, Debug, PartialEq)]
pub enum VideoEnd {
    /// The video is stored: bill `billed_units` for `video_tokens`.
    Completed { billed_units: i64, video_tokens: i64, file_bytes: i64, expires_at: i64 },
    /// Nothing to bill: the pre-deduction is refunded.
    Failed { error: String },
}

/// What ending a job did.
#[derive(Clone, Debug)]
pub struct VideoFinished {
    pub job: VideoJobRow,
    /// What the settling entry moved (billed − estimated; 0 when nothing was booked).
    pub delta_units: i64,
    /// The organization's balance after the settling entry, if one was booked.
    pub balance: Option<MovedBalance>,
}

#[async_trait]
pub trait VideoJobs: Send + Sync {
    /// Inserts the job (status `queued`, billing `pre_deducted`) with its pre-deduction, its
    /// request-log row and the key's spend, in one transaction; fills in
    /// `balance_after_units`. `Conflict("idempotency")` when the key already used the
    /// job's Idempotency-Key (nothing is written then).
    async fn insert_video_job(&self, job: &VideoJobRow) -> crate::storage::StoreResult<(VideoJobRow, MovedBalance)>;
    async fn video_job(&self, id: &str) -> crate::storage::StoreResult<Option<VideoJobRow>>;
    async fn video_job_by_idempotency(&self, key_id: &str, idempotency_key: &str) -> crate::storage::StoreResult<Option<VideoJobRow>>;
    /// Claims up to `limit` unfinished jobs due at `now_ms` and not claimed by anyone, for
    /// `claim` until `until_ms`.
    async fn claim_video_jobs(&self, claim: &str, now_ms: i64, until_ms: i64, limit: i64) -> crate::storage::StoreResult<Vec<VideoJobRow>>;
    /// Extends the lease; false when the claim is no longer held.
    async fn extend_video_claim(&self, id: &str, claim: &str, until_ms: i64) -> crate::storage::StoreResult<bool>;
    /// Moves an unfinished job held under `claim`; false when the claim is no longer held.
    async fn progress_video_job(&self, id: &str, claim: &str, p: &VideoProgress, now: i64) -> crate::storage::StoreResult<bool>;
    /// Ends a job held under `claim` that is still pre-deducted, with its one settling entry
    /// and, when it has a `webhook_url`, its webhook delivery (`storage::webhooks`); None when
    /// the claim is gone or the job was already ended.
    async fn finish_video_job(&self, id: &str, claim: &str, end: &VideoEnd, now: i64) -> crate::storage::StoreResult<Option<VideoFinished>>;
    /// Completed jobs whose file is stored and expired at `now`.
    async fn expired_video_files(&self, now: i64, limit: i64) -> crate::storage::StoreResult<Vec<String>>;
    async fn video_file_removed(&self, id: &str, now: i64) -> crate::storage::StoreResult<()>;
    /// Forgets the Idempotency-Keys of jobs created before `before`; returns how many.
    async fn forget_video_idempotency(&self, before: i64) -> crate::storage::StoreResult<u64>;
}

/// `$lock` is what the claim's inner select ends with (`FOR UPDATE SKIP LOCKED`, or nothing).
macro_rules! impl_video_jobs {
    ($store:ty, $db:ty, $lock:expr) => {
        /// Moves the organization's balance by `amount` and books the entry, inside the
        /// caller's transaction (the balance update first: it takes the row's lock).
        async fn book_video_entry(
            conn: &mut <$db as sqlx::Database>::Connection,
            org_id: &str,
            kind: &str,
            amount: i64,
            reference: &str,
            note: &str,
            now: i64,
        ) -> Result<crate::storage::MovedBalance, sqlx::Error> {
            let (balance, version): (i64, i64) = sqlx::query_as(
                "UPDATE organizations SET balance_units = balance_units + $1, balance_version = balance_version + 1
                 WHERE id = $2 RETURNING balance_units, balance_version",
            )
            .bind(amount)
            .bind(org_id)
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO ledger_entries (org_id, kind, amount_units, balance_after_units, reference, note, actor_user_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
            )
            .bind(org_id)
            .bind(kind)
            .bind(amount)
            .bind(balance)
            .bind(reference)
            .bind(note)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(crate::storage::MovedBalance { org_id: org_id.to_string(), balance, version })
        }

        #[async_trait::async_trait]
        impl crate::storage::VideoJobs for $store {
            async fn insert_video_job(
                &self,
                j: &crate::storage::VideoJobRow,
            ) -> crate::storage::StoreResult<(crate::storage::VideoJobRow, crate::storage::MovedBalance)> {
                use crate::storage::video::VIDEO_JOB_COLUMNS;
                let mut tx = self.pool.begin().await?;
                // the job first: a second submit with the same Idempotency-Key stops here
                let inserted = sqlx::query(&format!(
                    "INSERT INTO video_jobs ({VIDEO_JOB_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                     $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36,
                     $37, $38, $39, $40, $41, $42, $43)"
                ))
                .bind(&j.id)
                .bind(&j.org_id)
                .bind(&j.key_id)
                .bind(&j.idempotency_key)
                .bind(&j.request_hash)
                .bind(&j.model)
                .bind(&j.provider)
                .bind(&j.upstream_model)
                .bind(&j.prompt)
                .bind(j.duration)
                .bind(&j.resolution)
                .bind(&j.aspect_ratio)
                .bind(j.width)
                .bind(j.height)
                .bind(j.generate_audio)
                .bind(j.seed)
                .bind(&j.size)
                .bind(&j.metadata)
                .bind(&j.webhook_url)
                .bind(&j.price)
                .bind(j.estimated_tokens)
                .bind(j.estimated_units)
                .bind(0_i64)
                .bind(j.billed_units)
                .bind(j.video_tokens)
                .bind(&j.billing_status)
                .bind(&j.status)
                .bind(&j.upstream_task_id)
                .bind(&j.upstream_status)
                .bind(&j.error)
                .bind(j.attempts)
                .bind(j.next_run_ms)
                .bind(j.deadline_ms)
                .bind(&j.claim)
                .bind(j.claimed_until_ms)
                .bind(j.file_bytes)
                .bind(j.file_present)
                .bind(j.expires_at)
                .bind(j.created_at)
                .bind(j.updated_at)
                .bind(j.completed_at)
                .bind(&j.guest_id)
                .bind(&j.guest_ip)
                .execute(&mut *tx)
                .await;
                match inserted {
                    Err(e) if crate::storage::queries::is_unique_violation(&e) => {
                        return Err(crate::storage::StoreError::Conflict("idempotency"))
                    }
                    other => other?,
                };
                let moved = book_video_entry(
                    &mut tx,
                    &j.org_id,
                    "charge",
                    -j.estimated_units,
                    &format!("video:{}", j.id),
                    &format!("{} (pre-deducted estimate)", j.model),
                    j.created_at,
                )
                .await?;
                sqlx::query("UPDATE video_jobs SET balance_after_units = $1 WHERE id = $2")
                    .bind(moved.balance)
                    .bind(&j.id)
                    .execute(&mut *tx)
                    .await?;
                // the request log counts the job's spend for budgets, activity and the dashboard
                // (and a guest's, under no key, for the guest's daily limits)
                sqlx::query(
                    "INSERT INTO request_logs (id, org_id, key_id, created_at, protocol, model_requested, model_used, provider,
                       status, output_tokens, cost_units, usage_estimated, free, guest_id, guest_ip)
                     VALUES ($1, $2, $3, $4, 'video', $5, $5, $6, 202, $7, $8, TRUE, $9, $10, $11)",
                )
                .bind(&j.id)
                .bind(&j.org_id)
                .bind(j.guest_id.is_none().then_some(&j.key_id))
                .bind(j.created_at)
                .bind(&j.model)
                .bind(&j.provider)
                .bind(j.estimated_tokens)
                .bind(j.estimated_units)
                .bind(j.estimated_units == 0)
                .bind(&j.guest_id)
                .bind(&j.guest_ip)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE api_keys SET spend_units = spend_units + $1, last_used_at = $2 WHERE id = $3")
                    .bind(j.estimated_units)
                    .bind(j.created_at)
                    .bind(&j.key_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok((crate::storage::VideoJobRow { balance_after_units: moved.balance, ..j.clone() }, moved))
            }

            async fn video_job(&self, id: &str) -> crate::storage::StoreResult<Option<crate::storage::VideoJobRow>> {
                use crate::storage::video::VIDEO_JOB_COLUMNS;
                Ok(sqlx::query_as(&format!("SELECT {VIDEO_JOB_COLUMNS} FROM video_jobs WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn video_job_by_idempotency(&self, key_id: &str, idem: &str) -> crate::storage::StoreResult<Option<crate::storage::VideoJobRow>> {
                use crate::storage::video::VIDEO_JOB_COLUMNS;
                Ok(sqlx::query_as(&format!(
                    "SELECT {VIDEO_JOB_COLUMNS} FROM video_jobs WHERE key_id = $1 AND idempotency_key = $2"
                ))
                .bind(key_id)
                .bind(idem)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn claim_video_jobs(
                &self,
                claim: &str,
                now_ms: i64,
                until_ms: i64,
                limit: i64,
            ) -> crate::storage::StoreResult<Vec<crate::storage::VideoJobRow>> {
                use crate::storage::video::VIDEO_JOB_COLUMNS;
                let sql = format!(
                    "UPDATE video_jobs SET claim = $1, claimed_until_ms = $2
                     WHERE id IN (SELECT id FROM video_jobs
                                  WHERE status IN ('queued', 'submitting', 'running') AND next_run_ms <= $3 AND claimed_until_ms <= $3
                                  ORDER BY next_run_ms LIMIT $4 {})
                     RETURNING {VIDEO_JOB_COLUMNS}",
                    $lock
                );
                Ok(sqlx::query_as(&sql).bind(claim).bind(until_ms).bind(now_ms).bind(limit).fetch_all(&self.pool).await?)
            }

            async fn extend_video_claim(&self, id: &str, claim: &str, until_ms: i64) -> crate::storage::StoreResult<bool> {
                let n = sqlx::query("UPDATE video_jobs SET claimed_until_ms = $1 WHERE id = $2 AND claim = $3")
                    .bind(until_ms)
                    .bind(id)
                    .bind(claim)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(n == 1)
            }

            async fn progress_video_job(
                &self,
                id: &str,
                claim: &str,
                p: &crate::storage::VideoProgress,
                now: i64,
            ) -> crate::storage::StoreResult<bool> {
                let n = sqlx::query(
                    "UPDATE video_jobs SET status = $3, upstream_task_id = COALESCE($4, upstream_task_id),
                       upstream_status = COALESCE($5, upstream_status), attempts = $6, next_run_ms = $7,
                       claim = CASE WHEN $8 THEN NULL ELSE claim END,
                       claimed_until_ms = CASE WHEN $8 THEN 0 ELSE claimed_until_ms END, updated_at = $9
                     WHERE id = $1 AND claim = $2 AND status IN ('queued', 'submitting', 'running')",
                )
                .bind(id)
                .bind(claim)
                .bind(p.status)
                .bind(&p.upstream_task_id)
                .bind(&p.upstream_status)
                .bind(p.attempts)
                .bind(p.next_run_ms)
                .bind(p.release)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(n == 1)
            }

            async fn finish_video_job(
                &self,
                id: &str,
                claim: &str,
                end: &crate::storage::VideoEnd,
                now: i64,
            ) -> crate::storage::StoreResult<Option<crate::storage::VideoFinished>> {
                use crate::storage::video::VIDEO_JOB_COLUMNS;
                use crate::storage::VideoEnd;
                let (status, billing, billed, tokens, error, bytes, expires) = match end {
                    VideoEnd::Completed { billed_units, video_tokens, file_bytes, expires_at } => {
                        ("completed", "settled", *billed_units, Some(*video_tokens), None, Some(*file_bytes), Some(*expires_at))
                    }
                    VideoEnd::Failed { error } => ("failed", "refunded", 0, None, Some(error.clone()), None, None),
                };
                let mut tx = self.pool.begin().await?;
                // the guard: only a job still pre-deducted, and only under the caller's claim
                let job: Option<crate::storage::VideoJobRow> = sqlx::query_as(&format!(
                    "UPDATE video_jobs SET status = $3, billing_status = $4, billed_units = $5, video_tokens = $6, error = $7,
                       file_bytes = $8, file_present = $9, expires_at = $10, completed_at = $11, updated_at = $11,
                       claim = NULL, claimed_until_ms = 0
                     WHERE id = $1 AND claim = $2 AND billing_status = 'pre_deducted'
                     RETURNING {VIDEO_JOB_COLUMNS}"
                ))
                .bind(id)
                .bind(claim)
                .bind(status)
                .bind(billing)
                .bind(billed)
                .bind(tokens)
                .bind(&error)
                .bind(bytes)
                .bind(bytes.is_some())
                .bind(expires)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(job) = job else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                // its webhook delivery, in the same transaction: a job never ends without it
                insert_delivery(&mut tx, &job, now).await?;
                let delta = billed - job.estimated_units;
                let balance = if delta == 0 {
                    None
                } else {
                    // one settling entry: what is owed beyond the estimate, or what is given back
                    let (kind, note) = match (status, delta > 0) {
                        ("failed", _) => ("refund", format!("{} (job failed: pre-deduction refunded)", job.model)),
                        (_, true) => ("charge", format!("{} (settled: {} tokens above the estimate)", job.model, tokens.unwrap_or(0) - job.estimated_tokens)),
                        (_, false) => ("refund", format!("{} (settled: {} tokens below the estimate)", job.model, job.estimated_tokens - tokens.unwrap_or(0))),
                    };
                    Some(book_video_entry(&mut tx, &job.org_id, kind, -delta, &format!("video:{id}:settle"), &note, now).await?)
                };
                let latency_ms = (now - job.created_at).max(0).saturating_mul(1000);
                sqlx::query(
                    "UPDATE request_logs SET status = $1, error = $2, output_tokens = $3, cost_units = $4, usage_estimated = $5,
                       latency_ms = $6 WHERE id = $7",
                )
                .bind(if status == "completed" { 200_i64 } else { 502 })
                .bind(&error)
                .bind(tokens.unwrap_or(0))
                .bind(billed)
                .bind(false)
                .bind(latency_ms)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if delta != 0 {
                    sqlx::query("UPDATE api_keys SET spend_units = spend_units + $1 WHERE id = $2")
                        .bind(delta)
                        .bind(&job.key_id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(Some(crate::storage::VideoFinished { job, delta_units: delta, balance }))
            }

            async fn expired_video_files(&self, now: i64, limit: i64) -> crate::storage::StoreResult<Vec<String>> {
                Ok(sqlx::query_scalar(
                    "SELECT id FROM video_jobs WHERE file_present AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
                )
                .bind(now)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn video_file_removed(&self, id: &str, now: i64) -> crate::storage::StoreResult<()> {
                sqlx::query("UPDATE video_jobs SET file_present = FALSE, updated_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn forget_video_idempotency(&self, before: i64) -> crate::storage::StoreResult<u64> {
                Ok(sqlx::query("UPDATE video_jobs SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND created_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?
                    .rows_affected())
            }
        }
    };
}

pub(super) use impl_video_jobs;
