//! Storage: one trait per aggregate, implemented once in SQL for both SQLite and PostgreSQL.
//!
//! Handlers and services see only `Db` (`Arc<dyn Store>`); which database sits behind it is
//! decided at start from `DATABASE_URL`. The SQL is written once (`queries.rs`) and compiled
//! for each backend by a macro, since both accept `$n` parameters, `RETURNING` and
//! `ON CONFLICT`. Money is `i64` units of 10⁻¹⁰ USD; times are unix seconds.

mod catalog_overrides;
mod guardrails;
mod keys;
mod ledger;
mod postgres;
mod queries;
mod records;
pub(crate) use records::SqliteBatchWriter;
mod sqlite;
mod transient;
mod video;
mod webhooks;
mod video_history;

use async_trait::async_trait;
use std::sync::Arc;

pub use catalog_overrides::{CatalogOverrideRow, CatalogOverrides};
pub use guardrails::{GuardrailKeyRow, GuardrailRow, Guardrails, RoutingSettingsRow};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use video::{VideoEnd, VideoFinished, VideoJobRow, VideoJobs, VideoProgress};
pub use webhooks::{NewWebhookAttempt, VideoWebhooks, WebhookAttemptRow, WebhookDeliveryRow, WebhookNext, WebhookSecretRow};
pub use video_history::{VideoHistory, VideoHistoryRow, VideoOwner};

pub type Db = Arc<dyn Store>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// From the SQLite log writer's own connection (rusqlite).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: Option<String>,
    pub is_admin: bool,
    pub created_at: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub personal: bool,
    pub balance_units: i64,
    pub created_at: i64,
}

/// An organization together with the caller's role in it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MembershipOrgRow {
    pub id: String,
    pub name: String,
    pub personal: bool,
    pub role: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: String,
    pub email: String,
    pub role: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InviteRow {
    pub id: String,
    pub org_id: String,
    pub token_hash: String,
    pub role: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<i64>,
    pub revoked: bool,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: String,
    pub org_id: String,
    pub created_by: String,
    pub name: String,
    pub key_hash: String,
    pub prefix: String,
    pub status: String,
    pub management: bool,
    pub budget_units: Option<i64>,
    pub spend_units: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    /// `daily` | `weekly` | `monthly` (UTC), or None: the budget never resets.
    pub budget_reset: Option<String>,
}

#[derive(Clone, Debug)]
pub struct NewApiKey {
    pub id: String,
    pub org_id: String,
    pub created_by: String,
    pub name: String,
    pub key_hash: String,
    pub prefix: String,
    pub management: bool,
    pub budget_units: Option<i64>,
    pub budget_reset: Option<String>,
    pub expires_at: Option<i64>,
    pub now: i64,
}

/// A change to a key's settings: each `Some` field is set (to a value, or to null).
#[derive(Clone, Debug, Default)]
pub struct KeyChanges {
    pub name: Option<String>,
    pub disabled: Option<bool>,
    pub budget_units: Option<Option<i64>>,
    pub budget_reset: Option<Option<String>>,
    pub expires_at: Option<Option<i64>>,
}

/// One change made through the console or the management API.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub org_id: String,
    pub actor_user_id: Option<String>,
    pub actor_key_id: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, Default)]
pub struct NewAudit {
    pub org_id: String,
    pub actor_user_id: Option<String>,
    pub actor_key_id: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub now: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LedgerRow {
    pub id: i64,
    pub org_id: String,
    pub kind: String,
    pub amount_units: i64,
    pub balance_after_units: i64,
    pub reference: String,
    pub note: String,
    pub actor_user_id: Option<String>,
    pub created_at: i64,
}

/// The reference of a request's charge is this and the request id. The log writer books it
/// with the request's log row, and only when that row is new: the row's primary key makes
/// the charge unique, so the ledger's unique index on `reference` leaves these out
/// (migration 0012) and [`Ledger::append`] refuses them.
pub const REQUEST_CHARGE_PREFIX: &str = "request:";

/// The ledger reference of request `id`'s charge.
pub(crate) fn request_charge_reference(id: &str) -> String {
    format!("{REQUEST_CHARGE_PREFIX}{id}")
}

/// The predicate of the ledger's partial unique index `ledger_reference` (every reference but
/// a request charge's), written as the index has it: a query names it to use the index.
pub(crate) const UNIQUE_REFERENCE: &str = "substr(reference, 1, 8) <> 'request:'";

/// One entry to append. `reference` is the idempotency key: unique across the ledger (it may
/// not start with [`REQUEST_CHARGE_PREFIX`]).
#[derive(Clone, Debug)]
pub struct NewLedgerEntry {
    pub org_id: String,
    pub kind: &'static str,
    pub amount_units: i64,
    pub reference: String,
    pub note: String,
    pub actor_user_id: Option<String>,
    pub now: i64,
}

/// What an append did.
#[derive(Clone, Debug)]
pub enum Appended {
    /// Booked now.
    New(LedgerRow),
    /// The reference was booked before: nothing changed; here is the earlier entry.
    Duplicate(LedgerRow),
}

#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct LedgerTotals {
    pub balance_units: i64,
    pub credited_units: i64,
    pub spent_units: i64,
    pub sum_units: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RedemptionCodeRow {
    pub id: String,
    pub code_hash: String,
    pub hint: String,
    pub amount_units: i64,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub redeemed_by: Option<String>,
    pub redeemed_org: Option<String>,
    pub redeemed_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub enum Redeemed {
    Ok(LedgerRow),
    UnknownCode,
    AlreadyUsed,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub data: String,
    pub expiry_date: i64,
}

#[async_trait]
pub trait Users: Send + Sync {
    async fn user_count(&self) -> StoreResult<i64>;
    /// Creates the user, their personal organization and the owner membership, atomically.
    /// `Conflict("email")` when the email is taken.
    async fn create_user(&self, user: &UserRow, personal_org: &OrgRow) -> StoreResult<()>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>>;
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>>;
    async fn list_users(&self) -> StoreResult<Vec<UserRow>>;
    async fn set_password(&self, user_id: &str, hash: &str) -> StoreResult<()>;
    async fn oauth_user(&self, provider: &str, subject: &str) -> StoreResult<Option<String>>;
    async fn link_oauth(&self, provider: &str, subject: &str, user_id: &str, email: &str, now: i64) -> StoreResult<()>;
}

#[async_trait]
pub trait Orgs: Send + Sync {
    async fn org(&self, id: &str) -> StoreResult<Option<OrgRow>>;
    /// Creates an organization with `owner` as its owner.
    async fn create_org(&self, org: &OrgRow, owner: &str) -> StoreResult<()>;
    async fn personal_org(&self, user_id: &str) -> StoreResult<Option<OrgRow>>;
    async fn orgs_of_user(&self, user_id: &str) -> StoreResult<Vec<MembershipOrgRow>>;
    async fn role_in(&self, org_id: &str, user_id: &str) -> StoreResult<Option<String>>;
    async fn members(&self, org_id: &str) -> StoreResult<Vec<MemberRow>>;
    async fn add_member(&self, org_id: &str, user_id: &str, role: &str, now: i64) -> StoreResult<()>;
    async fn set_role(&self, org_id: &str, user_id: &str, role: &str) -> StoreResult<()>;
    async fn remove_member(&self, org_id: &str, user_id: &str) -> StoreResult<()>;
    async fn count_owners(&self, org_id: &str) -> StoreResult<i64>;
    async fn create_invite(&self, invite: &InviteRow) -> StoreResult<()>;
    async fn open_invites(&self, org_id: &str, now: i64) -> StoreResult<Vec<InviteRow>>;
    async fn invite_by_token(&self, token_hash: &str) -> StoreResult<Option<InviteRow>>;
    async fn revoke_invite(&self, org_id: &str, invite_id: &str) -> StoreResult<bool>;
    /// Marks the invite used and adds the membership in one transaction; false when the
    /// invite is no longer open (used, revoked or expired).
    async fn accept_invite(&self, invite_id: &str, user_id: &str, now: i64) -> StoreResult<bool>;
}

#[async_trait]
pub trait Keys: Send + Sync {
    async fn insert_key(&self, key: &NewApiKey) -> StoreResult<ApiKeyRow>;
    /// The request path's lookup: one indexed query on the keyed hash.
    async fn key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRow>>;
    async fn key_by_id(&self, org_id: &str, id: &str) -> StoreResult<Option<ApiKeyRow>>;
    /// The console playground's key of `user_id` in `org_id`, made on first use; it has no
    /// secret and no listing, route or lookup by hash or id finds it.
    async fn playground_key(&self, org_id: &str, user_id: &str, now: i64) -> StoreResult<ApiKeyRow>;
    async fn keys_of_org(&self, org_id: &str) -> StoreResult<Vec<ApiKeyRow>>;
    async fn set_key_status(&self, org_id: &str, id: &str, status: &str, now: i64) -> StoreResult<Option<ApiKeyRow>>;
    async fn touch_key(&self, id: &str, now: i64) -> StoreResult<()>;
    /// Applies `changes` to a key of `org_id` that is not revoked; None when there is none.
    async fn update_key(&self, org_id: &str, id: &str, changes: &KeyChanges, now: i64) -> StoreResult<Option<ApiKeyRow>>;
    /// What a key spent on requests made at or after `since` (unix seconds).
    async fn key_spend_since(&self, key_id: &str, since: i64) -> StoreResult<i64>;
    async fn audit(&self, entry: &NewAudit) -> StoreResult<()>;
    async fn audit_entries(&self, org_id: &str, offset: i64, limit: i64) -> StoreResult<Vec<AuditRow>>;
}

#[async_trait]
pub trait Ledger: Send + Sync {
    /// Appends one entry and moves the organization's cached balance with it, atomically;
    /// a reference booked before is a no-op that returns the earlier entry.
    async fn append(&self, entry: &NewLedgerEntry) -> StoreResult<Appended>;
    async fn entries(&self, org_id: &str, offset: i64, limit: i64) -> StoreResult<Vec<LedgerRow>>;
    async fn entry_count(&self, org_id: &str) -> StoreResult<i64>;
    /// Cached balance, credits, spend, and the ledger's own sum (equal to the balance).
    async fn totals(&self, org_id: &str) -> StoreResult<LedgerTotals>;
    /// The organization's balance and its version (counted up by every change), read together.
    async fn org_balance(&self, org_id: &str) -> StoreResult<Option<(i64, i64)>>;
    async fn insert_codes(&self, codes: &[RedemptionCodeRow]) -> StoreResult<()>;
    async fn list_codes(&self, limit: i64) -> StoreResult<Vec<RedemptionCodeRow>>;
    /// Marks the code used and books the credit in one transaction: exactly once.
    async fn redeem(&self, code_hash: &str, user_id: &str, org_id: &str, now: i64) -> StoreResult<Redeemed>;
}

#[async_trait]
pub trait Sessions: Send + Sync {
    /// Insert a new session; false if the id exists.
    async fn session_insert(&self, row: &SessionRow) -> StoreResult<bool>;
    async fn session_save(&self, row: &SessionRow) -> StoreResult<()>;
    async fn session_load(&self, id: &str, now: i64) -> StoreResult<Option<SessionRow>>;
    async fn session_delete(&self, id: &str) -> StoreResult<()>;
    async fn sessions_purge(&self, now: i64) -> StoreResult<u64>;
}

#[async_trait]
pub trait Settings: Send + Sync {
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()>;
    async fn delete_setting(&self, key: &str) -> StoreResult<()>;
    /// Deletes the setting only if it still has `value`; true for exactly one caller.
    async fn take_setting(&self, key: &str, value: &str) -> StoreResult<bool>;
}

/// One request as logged; with a cost, also the charge booked for it.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct RequestRecord {
    pub id: String,
    pub org_id: String,
    pub key_id: Option<String>,
    pub created_at: i64,
    pub protocol: String,
    pub model_requested: String,
    pub model_used: Option<String>,
    pub provider: Option<String>,
    pub status: i64,
    pub error: Option<String>,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cached_tokens: i64,
    pub cost_units: i64,
    pub latency_ms: i64,
    pub ttft_ms: Option<i64>,
    pub streamed: bool,
    pub usage_estimated: bool,
    pub route_reason: Option<String>,
    /// The model used was free (catalog price zero): counts against the free-model limits.
    pub free: bool,
    /// A guest's request (console playground): the guest's cookie id and address.
    pub guest_id: Option<String>,
    pub guest_ip: Option<String>,
}

/// Which guest a question is about: the one with this cookie id, or everyone at this address.
#[derive(Clone, Copy, Debug)]
pub enum GuestOf<'a> {
    Id(&'a str),
    Ip(&'a str),
}

/// Filter of the activity page; `status` is `ok` or `error`.
#[derive(Clone, Debug, Default)]
pub struct LogQuery {
    pub org_id: String,
    pub key_id: Option<String>,
    pub model: Option<String>,
    pub status: Option<String>,
    pub since: i64,
    pub until: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct LogTotals {
    pub requests: i64,
    pub errors: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cost_units: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DailySpend {
    /// Days since the unix epoch (UTC).
    pub day: i64,
    pub model: String,
    pub cost_units: i64,
    pub requests: i64,
}

/// An organization's balance after a write, with the version the write gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct MovedBalance {
    pub org_id: String,
    pub balance: i64,
    pub version: i64,
}

#[async_trait]
pub trait Records: Send + Sync {
    /// Writes the batch in one transaction: each log row once (by id), and for each new row
    /// with a cost its ledger charge and the key's spend. Returns the balances it moved.
    async fn record_batch(&self, batch: &[RequestRecord]) -> StoreResult<Vec<MovedBalance>>;
    async fn request_logs(&self, q: &LogQuery) -> StoreResult<Vec<RequestRecord>>;
    async fn log_totals(&self, q: &LogQuery) -> StoreResult<LogTotals>;
    async fn spend_by_day(&self, org_id: &str, since: i64) -> StoreResult<Vec<DailySpend>>;
    /// Requests on free models made at or after `since` and answered (status below 400; a
    /// refused or failed one gave its place back): by keys `user_id` created, or by everyone.
    async fn free_requests_since(&self, user_id: Option<&str>, since: i64) -> StoreResult<i64>;
    /// What one guest spent (`cost` true, in money units) or how many free-model requests it
    /// made (`cost` false) since `since`, by its cookie id or by its address.
    async fn guest_usage_since(&self, guest: GuestOf<'_>, cost: bool, since: i64) -> StoreResult<i64>;
    /// Requests, errors and mean latency per provider since `since`, across organizations.
    async fn provider_health(&self, since: i64) -> StoreResult<Vec<ProviderHealth>>;
}

#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct ProviderHealth {
    pub provider: String,
    pub requests: i64,
    pub errors: i64,
    pub avg_latency_ms: i64,
}

/// Everything the server needs from its database.
#[async_trait]
pub trait Store: Users + Orgs + Keys + Ledger + Sessions + Settings + Records + CatalogOverrides + Guardrails + VideoJobs + VideoHistory + VideoWebhooks + 'static {
    fn backend_name(&self) -> &'static str;
    async fn migrate(&self) -> StoreResult<()>;
    async fn ping(&self) -> StoreResult<()>;
    /// The request-log writer's own access to the database, to be used from the writer's
    /// thread only: its database work stays off the threads that serve requests.
    fn log_writer(&self) -> Box<dyn LogWriter>;
}

/// What the request-log writer needs from the database ([`Store::log_writer`]). The SQLite
/// one runs its statements synchronously: it blocks the thread that calls it.
#[async_trait]
pub trait LogWriter: Send {
    /// As [`Records::record_batch`].
    async fn record_batch(&mut self, batch: &[RequestRecord]) -> StoreResult<Vec<MovedBalance>>;
    /// As [`Ledger::org_balance`].
    async fn org_balance(&mut self, org_id: &str) -> StoreResult<Option<(i64, i64)>>;
}

/// Opens the database named by the URL (`sqlite://path` or `postgres://…`), without migrating.
pub async fn connect(url: &str) -> StoreResult<Db> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else {
        Err(StoreError::Other(format!(
            "DATABASE_URL must start with sqlite:// or postgres:// (got {})",
            url.split(':').next().unwrap_or("")
        )))
    }
}

