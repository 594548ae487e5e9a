//! Request logs and their charges, written in batches: one transaction per batch, each
//! request at most once (its id is the log's key and, as `request:<id>`, the charge's
//! ledger reference).

/// The columns of a request-log row, in the order the writer binds them.
pub const LOG_COLUMNS: &str = "id, org_id, key_id, created_at, protocol, model_requested, model_used, provider, status, error, \
     input_tokens, output_tokens, cached_tokens, cost_units, latency_ms, ttft_ms, streamed, usage_estimated, route_reason, free, guest_id, guest_ip";

macro_rules! impl_records {
    ($store:ty, $db:ty) => {
        const LOG_COLUMNS: &str = crate::storage::records::LOG_COLUMNS;

        /// Writes a batch inside the caller's transaction with a handful of statements,
        /// whatever its size: the log rows in multi-row inserts (those already written are
        /// skipped), then per organization one balance update and the charges in multi-row
        /// inserts, then per key one spend update. Returns the balances it moved.
        ///
        /// `Learn::Count` expects every row to be new and checks it by the inserts' counts;
        /// a row written before makes it answer `None` at once (the caller rolls back and
        /// asks again with `Learn::Returning`, which learns the new rows one by one). The
        /// count costs one message from SQLite's connection thread per insert, where
        /// `RETURNING` costs one per row, each a thread wake-up.
        async fn insert_batch(
            conn: &mut <$db as sqlx::Database>::Connection,
            batch: &[crate::storage::RequestRecord],
            learn: crate::storage::records::Learn,
        ) -> Result<Option<Vec<crate::storage::MovedBalance>>, sqlx::Error> {
            use crate::storage::records::Learn;
            use std::collections::{BTreeMap, HashSet};
            // None: all of them
            let mut inserted: Option<HashSet<String>> = match learn {
                Learn::Count => None,
                Learn::Returning => Some(HashSet::with_capacity(batch.len())),
            };
            for rows in crate::storage::records::in_cached_shapes(batch) {
                let mut q = sqlx::QueryBuilder::<$db>::new(format!("INSERT INTO request_logs ({LOG_COLUMNS}) "));
                q.push_values(rows, |mut b, r| {
                    b.push_bind(r.id.clone())
                        .push_bind(r.org_id.clone())
                        .push_bind(r.key_id.clone())
                        .push_bind(r.created_at)
                        .push_bind(r.protocol.clone())
                        .push_bind(r.model_requested.clone())
                        .push_bind(r.model_used.clone())
                        .push_bind(r.provider.clone())
                        .push_bind(r.status)
                        .push_bind(r.error.clone())
                        .push_bind(r.input_tokens)
                        .push_bind(r.output_tokens)
                        .push_bind(r.cached_tokens)
                        .push_bind(r.cost_units)
                        .push_bind(r.latency_ms)
                        .push_bind(r.ttft_ms)
                        .push_bind(r.streamed)
                        .push_bind(r.usage_estimated)
                        .push_bind(r.route_reason.clone())
                        .push_bind(r.free)
                        .push_bind(r.guest_id.clone())
                        .push_bind(r.guest_ip.clone());
                });
                q.push(" ON CONFLICT (id) DO NOTHING");
                match &mut inserted {
                    None => {
                        if q.build().execute(&mut *conn).await?.rows_affected() != rows.len() as u64 {
                            return Ok(None);
                        }
                    }
                    Some(ids) => {
                        q.push(" RETURNING id");
                        ids.extend(q.build_query_scalar::<String>().fetch_all(&mut *conn).await?);
                    }
                }
            }
            let is_new = |r: &crate::storage::RequestRecord| inserted.as_ref().is_none_or(|ids| ids.contains(&r.id));
            // charges of the rows written now, by organization, in batch order
            let mut by_org: BTreeMap<&str, Vec<&crate::storage::RequestRecord>> = BTreeMap::new();
            for r in batch.iter().filter(|r| r.cost_units > 0 && is_new(r)) {
                by_org.entry(r.org_id.as_str()).or_default().push(r);
            }
            let mut balances = Vec::new();
            for (org, rows) in &by_org {
                let total: i64 = rows.iter().map(|r| r.cost_units).sum();
                let (after, version): (i64, i64) = sqlx::query_as(
                    "UPDATE organizations SET balance_units = balance_units - $1, balance_version = balance_version + 1
                     WHERE id = $2 RETURNING balance_units, balance_version",
                )
                .bind(total)
                .bind(*org)
                .fetch_one(&mut *conn)
                .await?;
                // each entry's balance_after, as if booked one after the other
                let mut running = after + total;
                for chunk in crate::storage::records::in_cached_shapes(rows) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO ledger_entries (org_id, kind, amount_units, balance_after_units, reference, note, actor_user_id, created_at) ",
                    );
                    q.push_values(chunk.iter(), |mut b, r| {
                        running -= r.cost_units;
                        b.push_bind(r.org_id.clone())
                            .push_bind("charge")
                            .push_bind(-r.cost_units)
                            .push_bind(running)
                            .push_bind(format!("request:{}", r.id))
                            .push_bind(r.model_used.clone().unwrap_or_else(|| r.model_requested.clone()))
                            .push_bind(Option::<String>::None)
                            .push_bind(r.created_at);
                    });
                    q.build().execute(&mut *conn).await?;
                }
                balances.push(crate::storage::MovedBalance { org_id: org.to_string(), balance: after, version });
            }
            let mut by_key: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
            for r in batch.iter().filter(|r| r.cost_units > 0 && is_new(r)) {
                if let Some(k) = &r.key_id {
                    let e = by_key.entry(k.as_str()).or_default();
                    e.0 += r.cost_units;
                    e.1 = e.1.max(r.created_at);
                }
            }
            for (key, (units, last)) in by_key {
                sqlx::query("UPDATE api_keys SET spend_units = spend_units + $1, last_used_at = $2 WHERE id = $3")
                    .bind(units)
                    .bind(last)
                    .bind(key)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(Some(balances))
        }

        #[async_trait::async_trait]
        impl Records for $store {
            async fn record_batch(&self, batch: &[RequestRecord]) -> StoreResult<Vec<crate::storage::MovedBalance>> {
                if batch.is_empty() {
                    return Ok(Vec::new());
                }
                use crate::storage::records::Learn;
                let mut tx = self.pool.begin().await?;
                if let Some(balances) = insert_batch(&mut *tx, batch, Learn::Count).await? {
                    tx.commit().await?;
                    return Ok(balances);
                }
                // some were written before (a retry): again, learning which are new
                tx.rollback().await?;
                let mut tx = self.pool.begin().await?;
                let balances = insert_batch(&mut *tx, batch, Learn::Returning).await?.unwrap_or_default();
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

            async fn free_requests_since(&self, user_id: Option<&str>, since: i64) -> StoreResult<i64> {
                let q = match user_id {
                    Some(user) => sqlx::query_scalar(
                        "SELECT COUNT(*) FROM request_logs r JOIN api_keys k ON k.id = r.key_id
                         WHERE r.free AND r.status < 400 AND r.created_at >= $1 AND k.created_by = $2",
                    )
                    .bind(since)
                    .bind(user.to_string()),
                    None => sqlx::query_scalar("SELECT COUNT(*) FROM request_logs WHERE free AND status < 400 AND created_at >= $1").bind(since),
                };
                Ok(q.fetch_one(&self.pool).await?)
            }

            async fn guest_usage_since(&self, guest: crate::storage::GuestOf<'_>, cost: bool, since: i64) -> StoreResult<i64> {
                use crate::storage::GuestOf;
                let what = if cost { "CAST(COALESCE(SUM(cost_units), 0) AS BIGINT)" } else { "COUNT(*)" };
                let (column, value) = match guest {
                    GuestOf::Id(id) => ("guest_id", id),
                    GuestOf::Ip(ip) => ("guest_ip", ip),
                };
                let free = if cost { "" } else { " AND free AND status < 400" };
                // column and aggregate come from the constants above, never from input
                let sql = format!("SELECT {what} FROM request_logs WHERE {column} = $1 AND created_at >= $2{free}");
                Ok(sqlx::query_scalar(&sql).bind(value.to_string()).bind(since).fetch_one(&self.pool).await?)
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

/// How `insert_batch` learns which of a batch's log rows are new.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Learn {
    /// Every row is expected new; the inserts' counts confirm it.
    Count,
    /// Some were written before: each insert returns the ids it wrote.
    Returning,
}

/// The largest multi-row insert, in rows.
const SHAPE: usize = 64;

/// `rows` cut into inserts of 64, 16, 4 and 1 rows. A multi-row insert is a statement of its
/// own for each row count, prepared the first time it is seen and cached per connection: a
/// batch of any size then uses only these four, where one insert per batch size made a new
/// statement for most batches (the cache keeps 100 of 256 possible sizes).
pub fn in_cached_shapes<T>(mut rows: &[T]) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        let n = [SHAPE, SHAPE / 4, SHAPE / 16, 1].into_iter().find(|&n| n <= rows.len())?;
        let (chunk, rest) = rows.split_at(n);
        rows = rest;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_go_in_four_shapes_in_order() {
        let rows: Vec<usize> = (0..219).collect();
        let chunks: Vec<&[usize]> = super::in_cached_shapes(&rows).collect();
        let sizes: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
        assert_eq!(sizes, [64, 64, 64, 16, 4, 4, 1, 1, 1]);
        assert_eq!(chunks.concat(), rows);
        assert_eq!(super::in_cached_shapes(&[] as &[usize]).count(), 0);
    }
}
