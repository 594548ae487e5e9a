//! The SQL, written once. `impl_store!` compiles it for a concrete sqlx backend; the
//! statements stick to what SQLite and PostgreSQL both accept. Users, organizations, sessions
//! and settings are here; keys (`keys.rs`), the ledger (`ledger.rs`), request logs
//! (`records.rs`), guardrails, catalog changes and video jobs have files of their own.

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
