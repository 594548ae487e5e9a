//! Request logs and their charges, written in batches: one transaction per batch, each
//! request at most once (its id is the log's key and, as `request:<id>`, the charge's
//! ledger reference).

macro_rules! impl_records {
    ($store:ty, $db:ty) => {
        const LOG_COLUMNS: &str = "id, org_id, key_id, created_at, protocol, model_requested, model_used, provider, status, error, \
             input_tokens, output_tokens, cached_tokens, cost_units, latency_ms, ttft_ms, streamed, usage_estimated, route_reason";

        /// Inserts one record and books its charge inside the caller's transaction; returns
        /// the organization's new balance when a charge was booked.
        async fn insert_record(
            conn: &mut <$db as sqlx::Database>::Connection,
            r: &crate::storage::RequestRecord,
        ) -> Result<Option<i64>, sqlx::Error> {
            let sql = format!(
                "INSERT INTO request_logs ({LOG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                 ON CONFLICT (id) DO NOTHING"
            );
            let inserted = sqlx::query(&sql)
                .bind(&r.id)
                .bind(&r.org_id)
                .bind(&r.key_id)
                .bind(r.created_at)
                .bind(&r.protocol)
                .bind(&r.model_requested)
                .bind(&r.model_used)
                .bind(&r.provider)
                .bind(r.status)
                .bind(&r.error)
                .bind(r.input_tokens)
                .bind(r.output_tokens)
                .bind(r.cached_tokens)
                .bind(r.cost_units)
                .bind(r.latency_ms)
                .bind(r.ttft_ms)
                .bind(r.streamed)
                .bind(r.usage_estimated)
                .bind(&r.route_reason)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if inserted == 0 || r.cost_units == 0 {
                return Ok(None);
            }
            let balance: i64 = sqlx::query_scalar(
                "UPDATE organizations SET balance_units = balance_units - $1 WHERE id = $2 RETURNING balance_units",
            )
            .bind(r.cost_units)
            .bind(&r.org_id)
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO ledger_entries (org_id, kind, amount_units, balance_after_units, reference, note, actor_user_id, created_at)
                 VALUES ($1, 'charge', $2, $3, $4, $5, NULL, $6)",
            )
            .bind(&r.org_id)
            .bind(-r.cost_units)
            .bind(balance)
            .bind(format!("request:{}", r.id))
            .bind(r.model_used.as_deref().unwrap_or(&r.model_requested))
            .bind(r.created_at)
            .execute(&mut *conn)
            .await?;
            if let Some(key) = &r.key_id {
                sqlx::query("UPDATE api_keys SET spend_units = spend_units + $1, last_used_at = $2 WHERE id = $3")
                    .bind(r.cost_units)
                    .bind(r.created_at)
                    .bind(key)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(Some(balance))
        }

        #[async_trait::async_trait]
        impl Records for $store {
            async fn record_batch(&self, batch: &[RequestRecord]) -> StoreResult<Vec<(String, i64)>> {
                let mut balances = Vec::new();
                let mut tx = self.pool.begin().await?;
                for r in batch {
                    if let Some(b) = insert_record(&mut *tx, r).await? {
                        balances.push((r.org_id.clone(), b));
                    }
                }
                tx.commit().await?;
                Ok(balances)
            }

            async fn request_logs(&self, q: &LogQuery) -> StoreResult<Vec<RequestRecord>> {
                let sql = format!(
                    "SELECT {LOG_COLUMNS} FROM request_logs
                     WHERE org_id = $1 AND ($2 IS NULL OR key_id = $2) AND ($3 IS NULL OR model_used = $3 OR model_requested = $3)
                       AND ($4 IS NULL OR (CASE WHEN status < 400 THEN 'ok' ELSE 'error' END) = $4)
                       AND created_at >= $5 AND created_at < $6
                     ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8"
                );
                Ok(sqlx::query_as(&sql)
                    .bind(&q.org_id)
                    .bind(&q.key_id)
                    .bind(&q.model)
                    .bind(&q.status)
                    .bind(q.since)
                    .bind(q.until)
                    .bind(q.limit)
                    .bind(q.offset)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn log_totals(&self, q: &LogQuery) -> StoreResult<LogTotals> {
                let row: LogTotals = sqlx::query_as(
                    "SELECT COUNT(*) AS requests,
                            CAST(COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0) AS BIGINT) AS errors,
                            CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT) AS input_tokens,
                            CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT) AS output_tokens,
                            CAST(COALESCE(SUM(cost_units), 0) AS BIGINT) AS cost_units
                     FROM request_logs
                     WHERE org_id = $1 AND ($2 IS NULL OR key_id = $2) AND ($3 IS NULL OR model_used = $3 OR model_requested = $3)
                       AND ($4 IS NULL OR (CASE WHEN status < 400 THEN 'ok' ELSE 'error' END) = $4)
                       AND created_at >= $5 AND created_at < $6",
                )
                .bind(&q.org_id)
                .bind(&q.key_id)
                .bind(&q.model)
                .bind(&q.status)
                .bind(q.since)
                .bind(q.until)
                .fetch_one(&self.pool)
                .await?;
                Ok(row)
            }

            async fn spend_by_day(&self, org_id: &str, since: i64) -> StoreResult<Vec<DailySpend>> {
                Ok(sqlx::query_as(
                    "SELECT CAST(created_at / 86400 AS BIGINT) AS day, COALESCE(model_used, model_requested) AS model,
                            CAST(SUM(cost_units) AS BIGINT) AS cost_units, COUNT(*) AS requests
                     FROM request_logs WHERE org_id = $1 AND created_at >= $2
                     GROUP BY CAST(created_at / 86400 AS BIGINT), COALESCE(model_used, model_requested)
                     ORDER BY day, model",
                )
                .bind(org_id)
                .bind(since)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn provider_health(&self, since: i64) -> StoreResult<Vec<ProviderHealth>> {
                Ok(sqlx::query_as(
                    "SELECT provider, COUNT(*) AS requests,
                            CAST(COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0) AS BIGINT) AS errors,
                            CAST(COALESCE(AVG(latency_ms), 0) AS BIGINT) AS avg_latency_ms
                     FROM request_logs WHERE created_at >= $1 AND provider IS NOT NULL
                     GROUP BY provider ORDER BY provider",
                )
                .bind(since)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(super) use impl_records;
