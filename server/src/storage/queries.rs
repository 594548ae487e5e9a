//! The SQL, written once. `impl_store!` compiles it for a concrete sqlx backend; the
//! statements stick to what SQLite and PostgreSQL both accept.

/// True when the error is a unique-constraint violation.
pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

macro_rules! impl_store {
    ($store:ty, $db:ty) => {
        use crate::storage::queries::is_unique_violation;
        use crate::storage::*;

        const USER_COLUMNS: &str = "id, email, password_hash, is_admin, created_at";
        const INVITE_COLUMNS: &str =
            "id, org_id, token_hash, role, created_by, created_at, expires_at, accepted_by, accepted_at, revoked";

        /// An organization and its first owner, inside the caller's transaction.
        async fn insert_org_with_owner(
            conn: &mut <$db as sqlx::Database>::Connection,
            org: &OrgRow,
            owner: &str,
        ) -> Result<(), sqlx::Error> {
            sqlx::query("INSERT INTO organizations (id, name, personal, balance_units, created_at) VALUES ($1, $2, $3, 0, $4)")
                .bind(&org.id)
                .bind(&org.name)
                .bind(org.personal)
                .bind(org.created_at)
                .execute(&mut *conn)
                .await?;
            sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)")
                .bind(&org.id)
                .bind(owner)
                .bind(org.created_at)
                .execute(&mut *conn)
                .await?;
            Ok(())
        }

        #[async_trait::async_trait]
        impl Users for $store {
            async fn user_count(&self) -> StoreResult<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?)
            }

            async fn create_user(&self, user: &UserRow, org: &OrgRow) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                let inserted = sqlx::query(
                    "INSERT INTO users (id, email, password_hash, is_admin, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&user.id)
                .bind(&user.email)
                .bind(&user.password_hash)
                .bind(user.is_admin)
                .bind(user.created_at)
                .execute(&mut *tx)
                .await;
                match inserted {
                    Err(e) if is_unique_violation(&e) => return Err(StoreError::Conflict("email")),
                    other => other?,
                };
                insert_org_with_owner(&mut tx, org, &user.id).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
                Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
                    .bind(email)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>> {
                Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn list_users(&self) -> StoreResult<Vec<UserRow>> {
                Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY created_at, email"))
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn set_password(&self, user_id: &str, hash: &str) -> StoreResult<()> {
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(hash)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn oauth_user(&self, provider: &str, subject: &str) -> StoreResult<Option<String>> {
                Ok(sqlx::query_scalar("SELECT user_id FROM oauth_identities WHERE provider = $1 AND subject = $2")
                    .bind(provider)
                    .bind(subject)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn link_oauth(&self, provider: &str, subject: &str, user_id: &str, email: &str, now: i64) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO oauth_identities (provider, subject, user_id, email, created_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (provider, subject) DO NOTHING",
                )
                .bind(provider)
                .bind(subject)
                .bind(user_id)
                .bind(email)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl Orgs for $store {
            async fn org(&self, id: &str) -> StoreResult<Option<OrgRow>> {
                Ok(sqlx::query_as("SELECT id, name, personal, balance_units, created_at FROM organizations WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn create_org(&self, org: &OrgRow, owner: &str) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                insert_org_with_owner(&mut tx, org, owner).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn personal_org(&self, user_id: &str) -> StoreResult<Option<OrgRow>> {
                Ok(sqlx::query_as(
                    "SELECT o.id, o.name, o.personal, o.balance_units, o.created_at FROM organizations o
                     JOIN memberships m ON m.org_id = o.id
                     WHERE m.user_id = $1 AND o.personal AND m.role = 'owner' ORDER BY o.created_at LIMIT 1",
                )
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn orgs_of_user(&self, user_id: &str) -> StoreResult<Vec<MembershipOrgRow>> {
                Ok(sqlx::query_as(
                    "SELECT o.id, o.name, o.personal, m.role FROM organizations o
                     JOIN memberships m ON m.org_id = o.id
                     WHERE m.user_id = $1 ORDER BY o.personal DESC, o.name, o.id",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn role_in(&self, org_id: &str, user_id: &str) -> StoreResult<Option<String>> {
                Ok(sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
                    .bind(org_id)
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn members(&self, org_id: &str) -> StoreResult<Vec<MemberRow>> {
                Ok(sqlx::query_as(
                    "SELECT m.user_id, u.email, m.role, m.created_at FROM memberships m
                     JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY m.created_at, u.email",
                )
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn add_member(&self, org_id: &str, user_id: &str, role: &str, now: i64) -> StoreResult<()> {
                let r = sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(org_id)
                    .bind(user_id)
                    .bind(role)
                    .bind(now)
                    .execute(&self.pool)
                    .await;
                match r {
                    Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict("membership")),
                    other => other.map(|_| ()).map_err(Into::into),
                }
            }

            async fn set_role(&self, org_id: &str, user_id: &str, role: &str) -> StoreResult<()> {
                let r = sqlx::query("UPDATE memberships SET role = $1 WHERE org_id = $2 AND user_id = $3")
                    .bind(role)
                    .bind(org_id)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                if r.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn remove_member(&self, org_id: &str, user_id: &str) -> StoreResult<()> {
                let r = sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
                    .bind(org_id)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                if r.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn count_owners(&self, org_id: &str) -> StoreResult<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'owner'")
                    .bind(org_id)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn create_invite(&self, i: &InviteRow) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO invites (id, org_id, token_hash, role, created_by, created_at, expires_at, revoked)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE)",
                )
                .bind(&i.id)
                .bind(&i.org_id)
                .bind(&i.token_hash)
                .bind(&i.role)
                .bind(&i.created_by)
                .bind(i.created_at)
                .bind(i.expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn open_invites(&self, org_id: &str, now: i64) -> StoreResult<Vec<InviteRow>> {
                Ok(sqlx::query_as(&format!(
                    "SELECT {INVITE_COLUMNS} FROM invites
                     WHERE org_id = $1 AND NOT revoked AND accepted_at IS NULL AND expires_at > $2 ORDER BY created_at DESC"
                ))
                .bind(org_id)
                .bind(now)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn invite_by_token(&self, token_hash: &str) -> StoreResult<Option<InviteRow>> {
                Ok(sqlx::query_as(&format!("SELECT {INVITE_COLUMNS} FROM invites WHERE token_hash = $1"))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn revoke_invite(&self, org_id: &str, invite_id: &str) -> StoreResult<bool> {
                let r = sqlx::query("UPDATE invites SET revoked = TRUE WHERE id = $1 AND org_id = $2 AND accepted_at IS NULL AND NOT revoked")
                    .bind(invite_id)
                    .bind(org_id)
                    .execute(&self.pool)
                    .await?;
                Ok(r.rows_affected() == 1)
            }

            async fn accept_invite(&self, invite_id: &str, user_id: &str, now: i64) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let invite: Option<(String, String)> = sqlx::query_as(
                    "UPDATE invites SET accepted_by = $1, accepted_at = $2
                     WHERE id = $3 AND accepted_at IS NULL AND NOT revoked AND expires_at > $2
                     RETURNING org_id, role",
                )
                .bind(user_id)
                .bind(now)
                .bind(invite_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((org_id, role)) = invite else { return Ok(false) };
                let r = sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(&org_id)
                    .bind(user_id)
                    .bind(&role)
                    .bind(now)
                    .execute(&mut *tx)
                    .await;
                match r {
                    Err(e) if is_unique_violation(&e) => return Err(StoreError::Conflict("membership")),
                    other => other?,
                };
                tx.commit().await?;
                Ok(true)
            }
        }

        const KEY_COLUMNS: &str = "id, org_id, created_by, name, key_hash, prefix, status, management, budget_units, spend_units, created_at, updated_at, last_used_at, expires_at, budget_reset";

        #[async_trait::async_trait]
        impl Keys for $store {
            async fn insert_key(&self, k: &NewApiKey) -> StoreResult<ApiKeyRow> {
                let sql = format!(
                    "INSERT INTO api_keys (id, org_id, created_by, name, key_hash, prefix, status, management, budget_units, spend_units, created_at, updated_at, expires_at, budget_reset)
                     VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, 0, $9, $9, $10, $11) RETURNING {KEY_COLUMNS}"
                );
                Ok(sqlx::query_as(&sql)
                    .bind(&k.id)
                    .bind(&k.org_id)
                    .bind(&k.created_by)
                    .bind(&k.name)
                    .bind(&k.key_hash)
                    .bind(&k.prefix)
                    .bind(k.management)
                    .bind(k.budget_units)
                    .bind(k.now)
                    .bind(k.expires_at)
                    .bind(&k.budget_reset)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRow>> {
                let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash = $1");
                Ok(sqlx::query_as(&sql).bind(key_hash).fetch_optional(&self.pool).await?)
            }

            async fn key_by_id(&self, org_id: &str, id: &str) -> StoreResult<Option<ApiKeyRow>> {
                let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1 AND org_id = $2");
                Ok(sqlx::query_as(&sql).bind(id).bind(org_id).fetch_optional(&self.pool).await?)
            }

            async fn keys_of_org(&self, org_id: &str) -> StoreResult<Vec<ApiKeyRow>> {
                let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE org_id = $1 ORDER BY created_at DESC, id");
                Ok(sqlx::query_as(&sql).bind(org_id).fetch_all(&self.pool).await?)
            }

            async fn set_key_status(&self, org_id: &str, id: &str, status: &str, now: i64) -> StoreResult<Option<ApiKeyRow>> {
                // a revoked key stays revoked
                let sql = format!(
                    "UPDATE api_keys SET status = $1, updated_at = $2 WHERE id = $3 AND org_id = $4 AND status <> 'revoked'
                     RETURNING {KEY_COLUMNS}"
                );
                Ok(sqlx::query_as(&sql).bind(status).bind(now).bind(id).bind(org_id).fetch_optional(&self.pool).await?)
            }

            async fn touch_key(&self, id: &str, now: i64) -> StoreResult<()> {
                sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn update_key(&self, org_id: &str, id: &str, c: &KeyChanges, now: i64) -> StoreResult<Option<ApiKeyRow>> {
                // each column keeps its value unless its flag says it changes
                let sql = format!(
                    "UPDATE api_keys SET
                        name = CASE WHEN $1 THEN $2 ELSE name END,
                        status = CASE WHEN $3 THEN $4 ELSE status END,
                        budget_units = CASE WHEN $5 THEN $6 ELSE budget_units END,
                        budget_reset = CASE WHEN $7 THEN $8 ELSE budget_reset END,
                        expires_at = CASE WHEN $9 THEN $10 ELSE expires_at END,
                        updated_at = $11
                     WHERE id = $12 AND org_id = $13 AND status <> 'revoked'
                     RETURNING {KEY_COLUMNS}"
                );
                Ok(sqlx::query_as(&sql)
                    .bind(c.name.is_some())
                    .bind(c.name.clone().unwrap_or_default())
                    .bind(c.disabled.is_some())
                    .bind(if c.disabled == Some(true) { "disabled" } else { "active" })
                    .bind(c.budget_units.is_some())
                    .bind(c.budget_units.flatten())
                    .bind(c.budget_reset.is_some())
                    .bind(c.budget_reset.clone().flatten())
                    .bind(c.expires_at.is_some())
                    .bind(c.expires_at.flatten())
                    .bind(now)
                    .bind(id)
                    .bind(org_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn key_spend_since(&self, key_id: &str, since: i64) -> StoreResult<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(cost_units), 0) AS BIGINT) FROM request_logs WHERE key_id = $1 AND created_at >= $2",
                )
                .bind(key_id)
                .bind(since)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn audit(&self, e: &NewAudit) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO audit_log (org_id, actor_user_id, actor_key_id, action, target, detail, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&e.org_id)
                .bind(&e.actor_user_id)
                .bind(&e.actor_key_id)
                .bind(&e.action)
                .bind(&e.target)
                .bind(&e.detail)
                .bind(e.now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn audit_entries(&self, org_id: &str, offset: i64, limit: i64) -> StoreResult<Vec<AuditRow>> {
                Ok(sqlx::query_as(
                    "SELECT id, org_id, actor_user_id, actor_key_id, action, target, detail, created_at
                     FROM audit_log WHERE org_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
                )
                .bind(org_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await?)
            }
        }

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
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (reference) DO NOTHING RETURNING {LEDGER_COLUMNS}"
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
                        let sql = format!("SELECT {LEDGER_COLUMNS} FROM ledger_entries WHERE reference = $1");
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

        #[async_trait::async_trait]
        impl Sessions for $store {
            async fn session_insert(&self, r: &SessionRow) -> StoreResult<bool> {
                let res = sqlx::query("INSERT INTO sessions (id, data, expiry_date) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
                    .bind(&r.id)
                    .bind(&r.data)
                    .bind(r.expiry_date)
                    .execute(&self.pool)
                    .await?;
                Ok(res.rows_affected() == 1)
            }

            async fn session_save(&self, r: &SessionRow) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO sessions (id, data, expiry_date) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date",
                )
                .bind(&r.id)
                .bind(&r.data)
                .bind(r.expiry_date)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session_load(&self, id: &str, now: i64) -> StoreResult<Option<SessionRow>> {
                Ok(sqlx::query_as("SELECT id, data, expiry_date FROM sessions WHERE id = $1 AND expiry_date > $2")
                    .bind(id)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn session_delete(&self, id: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(&self.pool).await?;
                Ok(())
            }

            async fn sessions_purge(&self, now: i64) -> StoreResult<u64> {
                Ok(sqlx::query("DELETE FROM sessions WHERE expiry_date <= $1").bind(now).execute(&self.pool).await?.rows_affected())
            }
        }

        #[async_trait::async_trait]
        impl Settings for $store {
            async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
                Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&self.pool).await?)
            }

            async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                    .bind(key)
                    .bind(value)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_setting(&self, key: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM settings WHERE key = $1").bind(key).execute(&self.pool).await?;
                Ok(())
            }

            async fn take_setting(&self, key: &str, value: &str) -> StoreResult<bool> {
                let r = sqlx::query("DELETE FROM settings WHERE key = $1 AND value = $2")
                    .bind(key)
                    .bind(value)
                    .execute(&self.pool)
                    .await?;
                Ok(r.rows_affected() == 1)
            }
        }
    };
}

pub(super) use impl_store;
