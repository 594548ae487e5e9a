//! PostgreSQL's batch writer (sqlx): one transaction per batch, multi-row inserts.

use crate::storage::{MovedBalance, PostgresStore, RequestRecord, StoreResult};
use super::Charges;
use std::collections::HashSet;

impl PostgresStore {
    /// [`crate::storage::Records::record_batch`]: counted inserts first; if a row was
    /// written before (a batch retried after a lost commit outcome), again with `RETURNING`.
    pub(crate) async fn write_batch(&self, batch: &[RequestRecord]) -> StoreResult<Vec<MovedBalance>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        if let Some(balances) = insert_batch(&mut tx, batch, Learn::Count).await? {
            tx.commit().await?;
            return Ok(balances);
        }
        // some were written before (a retry): again, learning which are new
        tx.rollback().await?;
        let mut tx = self.pool.begin().await?;
        let balances = insert_batch(&mut tx, batch, Learn::Returning).await?.unwrap_or_default();
        tx.commit().await?;
        Ok(balances)
    }
}

/// Writes a batch inside the caller's transaction with a handful of statements,
/// whatever its size: the log rows in multi-row inserts (those already written are
/// skipped), then per organization one balance update and the charges in multi-row
/// inserts, then per key one spend update. Returns the balances it moved.
///
/// `Learn::Count` expects every row to be new and checks it by the inserts' counts;
/// a row written before makes it answer `None` at once (the caller rolls back and
/// asks again with `Learn::Returning`, which learns the new rows one by one). The
/// count needs no row back per insert, where `RETURNING` sends one per row.
async fn insert_batch(
    conn: &mut sqlx::PgConnection,
    batch: &[RequestRecord],
    learn: Learn,
) -> Result<Option<Vec<MovedBalance>>, sqlx::Error> {
    // None: all of them
    let mut inserted: Option<HashSet<String>> = match learn {
        Learn::Count => None,
        Learn::Returning => Some(HashSet::with_capacity(batch.len())),
    };
    for rows in in_cached_shapes(batch) {
        let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new(format!("INSERT INTO request_logs ({}) ", super::LOG_COLUMNS));
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
    let charges = Charges::of(batch.iter().filter(|r| inserted.as_ref().is_none_or(|ids| ids.contains(&r.id))));
    let mut balances = Vec::new();
    for (org, rows) in &charges.by_org {
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
        for chunk in in_cached_shapes(rows) {
            let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new(
                "INSERT INTO ledger_entries (org_id, kind, amount_units, balance_after_units, reference, note, actor_user_id, created_at) ",
            );
            q.push_values(chunk.iter(), |mut b, r| {
                running -= r.cost_units;
                b.push_bind(r.org_id.clone())
                    .push_bind("charge")
                    .push_bind(-r.cost_units)
                    .push_bind(running)
                    .push_bind(crate::storage::request_charge_reference(&r.id))
                    .push_bind(r.model_used.clone().unwrap_or_else(|| r.model_requested.clone()))
                    .push_bind(Option::<String>::None)
                    .push_bind(r.created_at);
            });
            q.build().execute(&mut *conn).await?;
        }
        balances.push(MovedBalance { org_id: org.to_string(), balance: after, version });
    }
    for (key, (units, last)) in charges.by_key {
        sqlx::query("UPDATE api_keys SET spend_units = spend_units + $1, last_used_at = $2 WHERE id = $3")
            .bind(units)
            .bind(last)
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Some(balances))
}

/// How `insert_batch` learns which of a batch's log rows are new.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Learn {
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
fn in_cached_shapes<T>(mut rows: &[T]) -> impl Iterator<Item = &[T]> {
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
