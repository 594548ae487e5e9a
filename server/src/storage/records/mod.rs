//! Request logs and their charges, written in batches: one transaction per batch, each
//! request at most once (its id is the log's key and, as `request:<id>`, the charge's
//! ledger reference). Each backend writes a batch its own way: PostgreSQL through sqlx
//! (`postgres_batch`), SQLite through rusqlite on the log writer's thread (`sqlite_batch`).

use crate::storage::RequestRecord;
use std::collections::BTreeMap;

/// The columns of a request-log row, in the order the writers bind them (a macro, so that
/// SQLite's insert can be spelled at compile time with `concat!`).
macro_rules! log_columns {
    () => {
        "id, org_id, key_id, created_at, protocol, model_requested, model_used, provider, status, error, \
         input_tokens, output_tokens, cached_tokens, cost_units, latency_ms, ttft_ms, streamed, usage_estimated, route_reason, free, guest_id, guest_ip"
    };
}

mod postgres_batch;
mod sqlite_batch;

pub(crate) use sqlite_batch::SqliteBatchWriter;

/// [`log_columns!`] as a constant, for the statements built at run time.
pub const LOG_COLUMNS: &str = log_columns!();

/// The rows a log query selects (`LogQuery`'s filters, `$1`–`$6`): the activity page's list
/// and its totals count the same rows.
pub(super) const LOG_FILTER: &str = "org_id = $1 AND ($2 IS NULL OR key_id = $2) AND ($3 IS NULL OR model_used = $3 OR model_requested = $3)
       AND ($4 IS NULL OR (CASE WHEN status < 400 THEN 'ok' ELSE 'error' END) = $4)
       AND created_at >= $5 AND created_at < $6";

/// What the rows a batch wrote now charge, as both batch writers book it: per organization
/// the rows with a cost, in batch order (one balance update each, then a ledger entry per
/// row); per key the units spent and its latest request time.
struct Charges<'a> {
    by_org: BTreeMap<&'a str, Vec<&'a RequestRecord>>,
    by_key: BTreeMap<&'a str, (i64, i64)>,
}

impl<'a> Charges<'a> {
    fn of(written: impl IntoIterator<Item = &'a RequestRecord>) -> Charges<'a> {
        let mut c = Charges { by_org: BTreeMap::new(), by_key: BTreeMap::new() };
        for r in written.into_iter().filter(|r| r.cost_units > 0) {
            c.by_org.entry(r.org_id.as_str()).or_default().push(r);
            if let Some(k) = &r.key_id {
                let e = c.by_key.entry(k.as_str()).or_default();
                e.0 += r.cost_units;
                e.1 = e.1.max(r.created_at);
            }
        }
        c
    }
}

macro_rules! impl_records {
    ($store:ty, $db:ty) => {
        const LOG_COLUMNS: &str = crate::storage::records::LOG_COLUMNS;
        const LOG_FILTER: &str = crate::storage::records::LOG_FILTER;

        type LogQueryAs<'q, O> = sqlx::query::QueryAs<'q, $db, O, <$db as sqlx::Database>::Arguments<'q>>;

        /// Binds [`LOG_FILTER`]'s `$1`–`$6` from `q`.
        fn bind_log_filter<'q, O>(query: LogQueryAs<'q, O>, q: &'q LogQuery) -> LogQueryAs<'q, O> {
            query.bind(&q.org_id).bind(&q.key_id).bind(&q.model).bind(&q.status).bind(q.since).bind(q.until)
        }

        #[async_trait::async_trait]
        impl Records for $store {
            async fn record_batch(&self, batch: &[RequestRecord]) -> StoreResult<Vec<crate::storage::MovedBalance>> {
                self.write_batch(batch).await
            }

            async fn request_logs(&self, q: &LogQuery) -> StoreResult<Vec<RequestRecord>> {
                let sql = format!(
                    "SELECT {LOG_COLUMNS} FROM request_logs WHERE {LOG_FILTER}
                     ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8"
                );
                Ok(bind_log_filter(sqlx::query_as(&sql), q)
                    .bind(q.limit)
                    .bind(q.offset)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn log_totals(&self, q: &LogQuery) -> StoreResult<LogTotals> {
                let sql = format!(
                    "SELECT COUNT(*) AS requests,
                            CAST(COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0) AS BIGINT) AS errors,
                            CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT) AS input_tokens,
                            CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT) AS output_tokens,
                            CAST(COALESCE(SUM(cost_units), 0) AS BIGINT) AS cost_units
                     FROM request_logs WHERE {LOG_FILTER}"
                );
                Ok(bind_log_filter(sqlx::query_as(&sql), q).fetch_one(&self.pool).await?)
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
