//! The ledger: append-only entries that move an organization's balance in the same
//! transaction, totals, versioned balance reads, and redemption codes booked exactly once.
//! Uses the names `impl_store!` brings into the backend's module.

macro_rules! impl_ledger {
    ($store:ty) => {
        const LEDGER_COLUMNS: &str = "id, org_id, kind, amount_units, balance_after_units, reference, note, actor_user_id, created_at";

        #[async_trait::async_trait]
        impl Ledger for $store {
            async fn org_balance(&self, org_id: &str) -> StoreResult<Option<(i64, i64)>> {
                Ok(sqlx::query_as("SELECT balance_units, balance_version FROM organizations WHERE id = $1")
                    .bind(org_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn append(&self, e: &NewLedgerEntry) -> StoreResult<Appended> {
                if e.reference.starts_with(crate::storage::REQUEST_CHARGE_PREFIX) {
                    // the unique index leaves these out: only the log writer books them, with their log row
                    return Err(StoreError::Other(format!("{:?}: request charges are booked by the log writer", e.reference)));
                }
                let mut tx = self.pool.begin().await?;
                // The balance update comes first: it takes the row's write lock, so entries of
                // one organization are booked one after the other with a true balance_after.
                let balance: Option<i64> = sqlx::query_scalar(
                    "UPDATE organizations SET balance_units = balance_units + $1, balance_version = balance_version + 1 WHERE id = $2 RETURNING balance_units",
                )
                .bind(e.amount_units)
                .bind(&e.org_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(balance) = balance else { return Err(StoreError::NotFound) };
                let sql = format!(
                    "INSERT INTO ledger_entries (org_id, kind, amount_units, balance_after_units, reference, note, actor_user_id, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (reference) WHERE {UNIQUE_REFERENCE} DO NOTHING RETURNING {LEDGER_COLUMNS}",
                    UNIQUE_REFERENCE = crate::storage::UNIQUE_REFERENCE
                );
                let row: Option<LedgerRow> = sqlx::query_as(&sql)
                    .bind(&e.org_id)
                    .bind(e.kind)
                    .bind(e.amount_units)
                    .bind(balance)
                    .bind(&e.reference)
                    .bind(&e.note)
                    .bind(&e.actor_user_id)
                    .bind(e.now)
                    .fetch_optional(&mut *tx)
                    .await?;
                match row {
                    Some(row) => {
                        tx.commit().await?;
                        Ok(Appended::New(row))
                    }
                    None => {
                        tx.rollback().await?;
                        // the predicate lets the partial unique index answer
                        let sql = format!(
                            "SELECT {LEDGER_COLUMNS} FROM ledger_entries WHERE reference = $1 AND {UNIQUE_REFERENCE}",
                            UNIQUE_REFERENCE = crate::storage::UNIQUE_REFERENCE
                        );
                        let earlier = sqlx::query_as(&sql).bind(&e.reference).fetch_one(&self.pool).await?;
                        Ok(Appended::Duplicate(earlier))
                    }
                }
            }

            async fn entries(&self, org_id: &str, offset: i64, limit: i64) -> StoreResult<Vec<LedgerRow>> {
                let sql = format!("SELECT {LEDGER_COLUMNS} FROM ledger_entries WHERE org_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3");
                Ok(sqlx::query_as(&sql).bind(org_id).bind(limit).bind(offset).fetch_all(&self.pool).await?)
            }

            async fn entry_count(&self, org_id: &str) -> StoreResult<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries WHERE org_id = $1")
                    .bind(org_id)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn totals(&self, org_id: &str) -> StoreResult<LedgerTotals> {
                let row: Option<LedgerTotals> = sqlx::query_as(
                    "SELECT o.balance_units AS balance_units,
                       CAST(COALESCE((SELECT SUM(amount_units) FROM ledger_entries WHERE org_id = o.id AND amount_units > 0 AND kind <> 'refund'), 0) AS BIGINT) AS credited_units,
                       CAST(COALESCE((SELECT -SUM(amount_units) FROM ledger_entries WHERE org_id = o.id AND kind IN ('charge', 'refund')), 0) AS BIGINT) AS spent_units,
                       CAST(COALESCE((SELECT SUM(amount_units) FROM ledger_entries WHERE org_id = o.id), 0) AS BIGINT) AS sum_units
                     FROM organizations o WHERE o.id = $1",
                )
                .bind(org_id)
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or(StoreError::NotFound)
            }

            async fn insert_codes(&self, codes: &[RedemptionCodeRow]) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                for c in codes {
                    sqlx::query(
                        "INSERT INTO redemption_codes (id, code_hash, hint, amount_units, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&c.id)
                    .bind(&c.code_hash)
                    .bind(&c.hint)
                    .bind(c.amount_units)
                    .bind(&c.created_by)
                    .bind(c.created_at)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn list_codes(&self, limit: i64) -> StoreResult<Vec<RedemptionCodeRow>> {
                Ok(sqlx::query_as(
                    "SELECT id, code_hash, hint, amount_units, created_by, created_at, redeemed_by, redeemed_org, redeemed_at
                     FROM redemption_codes ORDER BY created_at DESC, id LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn redeem(&self, code_hash: &str, user_id: &str, org_id: &str, now: i64) -> StoreResult<Redeemed> {
                let mut tx = self.pool.begin().await?;
                // Claim the code: only one transaction can move redeemed_at from NULL.
                let claimed: Option<(String, i64)> = sqlx::query_as(
                    "UPDATE redemption_codes SET redeemed_by = $1, redeemed_org = $2, redeemed_at = $3
                     WHERE code_hash = $4 AND redeemed_at IS NULL RETURNING id, amount_units",
                )
                .bind(user_id)
                .bind(org_id)
                .bind(now)
                .bind(code_hash)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((code_id, amount)) = claimed else {
                    tx.rollback().await?;
                    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM redemption_codes WHERE code_hash = $1")
                        .bind(code_hash)
                        .fetch_optional(&self.pool)
                        .await?;
                    return Ok(if exists.is_some() { Redeemed::AlreadyUsed } else { Redeemed::UnknownCode });
                };
                let balance: i64 = sqlx::query_scalar(
                    "UPDATE organizations SET balance_units = balance_units + $1, balance_version = balance_version + 1 WHERE id = $2 RETURNING balance_units",
                )
                .bind(amount)
                .bind(org_id)
                .fetch_one(&mut *tx)
                .await?;
                let sql = format!(
                    "INSERT INTO ledger_entries (org_id, kind, amount_units, balance_after_units, reference, note, actor_user_id, created_at)
                     VALUES ($1, 'redemption', $2, $3, $4, $5, $6, $7) RETURNING {LEDGER_COLUMNS}"
                );
                let row: LedgerRow = sqlx::query_as(&sql)
                    .bind(org_id)
                    .bind(amount)
                    .bind(balance)
                    .bind(format!("redemption:{code_id}"))
                    .bind("redemption code")
                    .bind(user_id)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Redeemed::Ok(row))
            }
        }
    };
}

pub(super) use impl_ledger;
