//! The console's port (`app::backend::Backend`) implemented on the server's services.
//! Every method finds the caller from the session and checks membership and role before
//! touching anything; state-changing methods also check the session's CSRF token.

use crate::accounts::{orgs, setup, tokens, users, users::NewUserError};
use crate::billing::{ledger, redemption};
use crate::clock;
use crate::state::AppState;
use crate::storage::{Redeemed, StoreError, UserRow};
use app::backend::{Backend, Caller, Result};
use app::types::*;
use async_trait::async_trait;

use crate::accounts::login::{self, CSRF, ORG, UID};

mod activity;
mod audit;
mod budgets;
mod catalog_admin;
mod guardrails;
mod keys;
mod models;
mod routing;
mod webhooks;

const LEDGER_PAGE: u32 = 25;

pub struct ConsoleBackend {
    pub state: AppState,
}

/// The signed-in caller, resolved.
struct Ctx {
    user: UserRow,
    org: OrgSummary,
    csrf: String,
}

impl Ctx {
    fn role(&self) -> Role {
        self.org.role
    }
    fn require_manager(&self) -> Result<()> {
        if self.role().can_manage() {
            Ok(())
        } else {
            Err(ConsoleError::forbidden("only owners and admins of this organization can do that"))
        }
    }
    fn require_csrf(&self, given: &str) -> Result<()> {
        if tokens::same(&self.csrf, given.trim()) {
            Ok(())
        } else {
            Err(ConsoleError::forbidden("this form has expired; reload the page and try again"))
        }
    }
    fn require_instance_admin(&self) -> Result<()> {
        if self.user.is_admin {
            Ok(())
        } else {
            Err(ConsoleError::forbidden("only instance administrators can see this page"))
        }
    }
}

fn internal<E: std::fmt::Display>(e: E) -> ConsoleError {
    tracing::error!(error = %e, "console request failed");
    ConsoleError::Internal
}

async fn sget<T: serde::de::DeserializeOwned>(c: &Caller, key: &str) -> Result<Option<T>> {
    c.session.get::<T>(key).await.map_err(internal)
}

async fn sset<T: serde::Serialize + Send + Sync>(c: &Caller, key: &str, v: T) -> Result<()> {
    c.session.insert(key, v).await.map_err(internal)
}

impl ConsoleBackend {
    async fn ctx(&self, c: &Caller) -> Result<Option<Ctx>> {
        let Some(uid) = sget::<String>(c, UID).await? else { return Ok(None) };
        let Some(user) = self.state.db.user_by_id(&uid).await.map_err(internal)? else {
            c.session.flush().await.map_err(internal)?;
            return Ok(None);
        };
        let orgs = self.state.db.orgs_of_user(&user.id).await.map_err(internal)?;
        let wanted = sget::<String>(c, ORG).await?;
        let Some(o) = orgs::chosen(&orgs, wanted.as_deref()) else { return Err(internal("user without organization")) };
        let csrf = match sget::<String>(c, CSRF).await? {
            Some(t) => t,
            None => {
                let t = tokens::random_hex(16);
                sset(c, CSRF, t.clone()).await?;
                t
            }
        };
        Ok(Some(Ctx { org: orgs::summary(&o.id, &o.name, o.personal, &o.role), user, csrf }))
    }

    async fn require(&self, c: &Caller) -> Result<Ctx> {
        self.ctx(c).await?.ok_or(ConsoleError::Unauthorized)
    }

    async fn viewer_of(&self, ctx: Ctx) -> Result<Viewer> {
        let all = self.state.db.orgs_of_user(&ctx.user.id).await.map_err(internal)?;
        Ok(Viewer {
            user_id: ctx.user.id,
            email: ctx.user.email,
            is_admin: ctx.user.is_admin,
            org: ctx.org,
            orgs: all.iter().map(|o| orgs::summary(&o.id, &o.name, o.personal, &o.role)).collect(),
            csrf: ctx.csrf,
        })
    }

    /// Starts a fresh session for the user (new id: no fixation), with a new CSRF token.
    async fn start_session(&self, c: &Caller, user: &UserRow) -> Result<Viewer> {
        login::start_session(&c.session, &user.id).await.map_err(internal)?;
        let ctx = self.require(c).await?;
        self.viewer_of(ctx).await
    }

    async fn email_of(&self, user_id: &str) -> String {
        match self.state.db.user_by_id(user_id).await {
            Ok(Some(u)) => u.email,
            _ => String::new(),
        }
    }

    async fn key_infos(&self, rows: Vec<crate::storage::ApiKeyRow>) -> Vec<ApiKeyInfo> {
        let mut out = Vec::with_capacity(rows.len());
        let mut emails = std::collections::HashMap::new();
        for r in rows {
            if !emails.contains_key(&r.created_by) {
                let e = self.email_of(&r.created_by).await;
                emails.insert(r.created_by.clone(), e);
            }
            let email = emails.get(&r.created_by).cloned().unwrap_or_default();
            out.push(crate::accounts::api_keys::info(&r, email));
        }
        out
    }
}

fn new_user_error(e: NewUserError) -> ConsoleError {
    match e {
        NewUserError::Email(m) => ConsoleError::invalid("email", m),
        NewUserError::Password(m) => ConsoleError::invalid("password", m),
        NewUserError::Taken => ConsoleError::invalid("email", "an account with this email already exists; sign in instead"),
        NewUserError::Other(e) => internal(e),
    }
}

#[async_trait]
impl Backend for ConsoleBackend {
    async fn viewer(&self, c: &Caller) -> Result<Option<Viewer>> {
        match self.ctx(c).await? {
            Some(ctx) => Ok(Some(self.viewer_of(ctx).await?)),
            None => Ok(None),
        }
    }

    async fn sign_up(&self, c: &Caller, email: String, password: String) -> Result<Viewer> {
        let user = users::create_user(&self.state.db, &email, Some(&password), false).await.map_err(new_user_error)?;
        self.start_session(c, &user).await
    }

    async fn sign_in(&self, c: &Caller, email: String, password: String) -> Result<Viewer> {
        let email = crate::accounts::passwords::parse_email(&email).map_err(|m| ConsoleError::invalid("email", m))?;
        if password.is_empty() {
            return Err(ConsoleError::invalid("password", "enter your password"));
        }
        if let Err(wait) = self.state.throttle.check(&email, &c.ip) {
            return Err(ConsoleError::TooManyRequests(format!(
                "too many failed sign-in attempts; try again in {}",
                crate::accounts::throttle::wait_words(wait)
            )));
        }
        match users::check_credentials(&self.state.db, &email, &password).await.map_err(internal)? {
            Some(user) => {
                self.state.throttle.record_success(&email);
                self.start_session(c, &user).await
            }
            None => {
                self.state.throttle.record_failure(&email, &c.ip);
                Err(ConsoleError::invalid("password", "wrong email or password"))
            }
        }
    }

    async fn sign_out(&self, c: &Caller, csrf: String) -> Result<()> {
        if let Some(ctx) = self.ctx(c).await? {
            ctx.require_csrf(&csrf)?;
        }
        c.session.flush().await.map_err(internal)
    }

    async fn setup_admin(&self, c: &Caller, token: String, email: String, password: String) -> Result<Viewer> {
        let user = setup::complete(&self.state.db, &self.state.hasher, &token, &email, &password).await.map_err(|e| match e {
            setup::SetupError::BadToken => ConsoleError::invalid("token", e.to_string()),
            setup::SetupError::User(u) => new_user_error(u),
            setup::SetupError::Other(e) => internal(e),
        })?;
        self.start_session(c, &user).await
    }

    fn oauth_providers(&self) -> Vec<OAuthProviderInfo> {
        self.state.oauth.list()
    }

    async fn switch_org(&self, c: &Caller, csrf: String, org_id: String) -> Result<()> {
        let ctx = self.require(c).await?;
        ctx.require_csrf(&csrf)?;
        if orgs::role_of(&self.state.db, &org_id, &ctx.user.id).await.map_err(internal)?.is_none() {
            return Err(ConsoleError::not_found("no such organization"));
        }
        sset(c, ORG, org_id).await
    }

    async fn create_org(&self, c: &Caller, csrf: String, name: String) -> Result<OrgSummary> {
        let ctx = self.require(c).await?;
        ctx.require_csrf(&csrf)?;
        let name = orgs::check_org_name(&name).map_err(|m| ConsoleError::invalid("name", m))?;
        let org = orgs::create_org(&self.state.db, &ctx.user.id, &name).await.map_err(internal)?;
        sset(c, ORG, org.id.clone()).await?;
        Ok(orgs::summary(&org.id, &org.name, false, "owner"))
    }

    async fn org_details(&self, c: &Caller) -> Result<OrgDetails> {
        let ctx = self.require(c).await?;
        let db = &self.state.db;
        let members = db.members(&ctx.org.id).await.map_err(internal)?;
        let invites = if ctx.role().can_manage() { db.open_invites(&ctx.org.id, clock::now()).await.map_err(internal)? } else { vec![] };
        Ok(OrgDetails {
            members: members
                .into_iter()
                .map(|m| MemberInfo {
                    role: Role::parse(&m.role).unwrap_or(Role::Member),
                    user_id: m.user_id,
                    email: m.email,
                    joined_at: clock::rfc3339(m.created_at),
                })
                .collect(),
            invites: invites
                .into_iter()
                .map(|i| InviteInfo {
                    id: i.id,
                    role: Role::parse(&i.role).unwrap_or(Role::Member),
                    link: String::new(),
                    created_at: clock::rfc3339(i.created_at),
                    expires_at: clock::rfc3339(i.expires_at),
                })
                .collect(),
            org: ctx.org,
        })
    }

    async fn create_invite(&self, c: &Caller, csrf: String, role: String) -> Result<InviteInfo> {
        let ctx = self.require(c).await?;
        ctx.require_csrf(&csrf)?;
        ctx.require_manager()?;
        if ctx.org.personal {
            return Err(ConsoleError::invalid("role", "a personal organization has one member; create an organization to invite people"));
        }
        let role = match Role::parse(role.trim()) {
            Some(r @ (Role::Admin | Role::Member)) => r,
            _ => return Err(ConsoleError::invalid("role", "choose admin or member")),
        };
        let (row, token) = orgs::create_invite(&self.state.db, &self.state.hasher, &ctx.org.id, &ctx.user.id, role)
            .await
            .map_err(internal)?;
        Ok(InviteInfo {
            id: row.id,
            role,
            link: format!("{}/invite/{token}", self.state.config.public_url()),
            created_at: clock::rfc3339(row.created_at),
            expires_at: clock::rfc3339(row.expires_at),
        })
    }

    async fn revoke_invite(&self, c: &Caller, csrf: String, invite_id: String) -> Result<()> {
        let ctx = self.require(c).await?;
        ctx.require_csrf(&csrf)?;
        ctx.require_manager()?;
        if self.state.db.revoke_invite(&ctx.org.id, &invite_id).await.map_err(internal)? {
            Ok(())
        } else {
            Err(ConsoleError::not_found("no such open invite"))
        }
    }

    async fn accept_invite(&self, c: &Caller, csrf: String, token: String) -> Result<OrgSummary> {
        let ctx = self.require(c).await?;
        ctx.require_csrf(&csrf)?;
        let db = &self.state.db;
        let hash = orgs::invite_hash(&self.state.hasher, &token);
        let bad = || ConsoleError::invalid("token", "this invite link is not valid any more (used, revoked or expired)");
        let invite = db.invite_by_token(&hash).await.map_err(internal)?.ok_or_else(bad)?;
        if orgs::role_of(db, &invite.org_id, &ctx.user.id).await.map_err(internal)?.is_some() {
            return Err(ConsoleError::Conflict("you are already a member of this organization".into()));
        }
        match db.accept_invite(&invite.id, &ctx.user.id, clock::now()).await {
            Ok(true) => {}
            Ok(false) => return Err(bad()),
            Err(StoreError::Conflict(_)) => return Err(ConsoleError::Conflict("you are already a member of this organization".into())),
            Err(e) => return Err(internal(e)),
        }
        let org = db.org(&invite.org_id).await.map_err(internal)?.ok_or_else(bad)?;
        sset(c, ORG, org.id.clone()).await?;
        Ok(orgs::summary(&org.id, &org.name, org.personal, &invite.role))
    }

    async fn set_member_role(&self, c: &Caller, csrf: String, user_id: String, role: String) -> Result<()> {
        let ctx = self.require(c).await?;
        ctx.require_csrf(&csrf)?;
        ctx.require_manager()?;
        let db = &self.state.db;
        let new_role = Role::parse(role.trim()).ok_or_else(|| ConsoleError::invalid("role", "choose owner, admin or member"))?;
        let current = orgs::role_of(db, &ctx.org.id, &user_id).await.map_err(internal)?.ok_or_else(|| ConsoleError::not_found("no such member"))?;
        // Only owners hand out or take away ownership.
        if (new_role == Role::Owner || current == Role::Owner) && ctx.role() != Role::Owner {
            return Err(ConsoleError::forbidden("only an owner can change who owns the organization"));
        }
        if current == Role::Owner && new_role != Role::Owner && db.count_owners(&ctx.org.id).await.map_err(internal)? <= 1 {
            return Err(ConsoleError::invalid("role", "the organization needs at least one owner"));
        }
        db.set_role(&ctx.org.id, &user_id, new_role.as_str()).await.map_err(internal)
    }

    async fn remove_member(&self, c: &Caller, csrf: String, user_id: String) -> Result<()> {
        let ctx = self.require(c).await?;
        ctx.require_csrf(&csrf)?;
        let db = &self.state.db;
        let target = orgs::role_of(db, &ctx.org.id, &user_id).await.map_err(internal)?.ok_or_else(|| ConsoleError::not_found("no such member"))?;
        let leaving_self = user_id == ctx.user.id;
        if !leaving_self {
            ctx.require_manager()?;
            if target == Role::Owner && ctx.role() != Role::Owner {
                return Err(ConsoleError::forbidden("only an owner can remove an owner"));
            }
        }
        if ctx.org.personal {
            return Err(ConsoleError::invalid("member", "you cannot leave your personal organization"));
        }
        if target == Role::Owner && db.count_owners(&ctx.org.id).await.map_err(internal)? <= 1 {
            return Err(ConsoleError::invalid("member", "the organization needs at least one owner"));
        }
        db.remove_member(&ctx.org.id, &user_id).await.map_err(internal)?;
        if leaving_self {
            c.session.remove::<String>(ORG).await.map_err(internal)?;
        }
        Ok(())
    }

    async fn list_keys(&self, c: &Caller) -> Result<Vec<ApiKeyInfo>> {
        let ctx = self.require(c).await?;
        let rows = self.state.db.keys_of_org(&ctx.org.id).await.map_err(internal)?;
        Ok(self.key_infos(rows).await)
    }

    async fn create_key(&self, c: &Caller, csrf: String, form: NewKeyForm) -> Result<CreatedKey> {
        keys::create(self, c, &csrf, form).await
    }

    async fn change_key(&self, c: &Caller, csrf: String, key_id: String, action: String) -> Result<ApiKeyInfo> {
        let ctx = self.require(c).await?;
        ctx.require_csrf(&csrf)?;
        let db = &self.state.db;
        let not_found = || ConsoleError::not_found("no such key in this organization");
        let key = db.key_by_id(&ctx.org.id, key_id.trim()).await.map_err(internal)?.ok_or_else(not_found)?;
        if key.created_by != ctx.user.id && !ctx.role().can_manage() {
            return Err(ConsoleError::forbidden("members can change only the keys they created"));
        }
        if key.status == "revoked" {
            return Err(ConsoleError::Conflict("this key is revoked; revoked keys cannot be changed".into()));
        }
        let status = match action.trim() {
            "disable" => "disabled",
            "enable" => "active",
            "revoke" => "revoked",
            _ => return Err(ConsoleError::invalid("action", "the action must be disable, enable or revoke")),
        };
        let row = self.state.keys.set_status(&ctx.org.id, &key.id, status).await.map_err(internal)?.ok_or_else(not_found)?;
        let email = self.email_of(&row.created_by).await;
        Ok(crate::accounts::api_keys::info(&row, email))
    }

    async fn key_budgets(&self, c: &Caller) -> Result<KeyBudgets> {
        budgets::list(self, c).await
    }

    async fn set_key_budget(&self, c: &Caller, csrf: String, key_id: String, budget: String, reset: String) -> Result<KeyBudgetInfo> {
        budgets::set(self, c, &csrf, &key_id, &budget, &reset).await
    }

    async fn guardrails(&self, c: &Caller) -> Result<GuardrailList> {
        guardrails::list(self, c).await
    }

    async fn save_guardrail(&self, c: &Caller, csrf: String, guardrail_id: Option<String>, form: GuardrailForm) -> Result<GuardrailInfo> {
        guardrails::save(self, c, &csrf, guardrail_id.as_deref(), &form).await
    }

    async fn delete_guardrail(&self, c: &Caller, csrf: String, guardrail_id: String) -> Result<()> {
        guardrails::delete(self, c, &csrf, &guardrail_id).await
    }

    async fn routing_settings(&self, c: &Caller) -> Result<RoutingSettings> {
        routing::get(self, c).await
    }

    async fn set_routing_settings(&self, c: &Caller, csrf: String, auto_routing: bool, preference: String) -> Result<RoutingSettings> {
        routing::set(self, c, &csrf, auto_routing, &preference).await
    }

    async fn audit_log(&self, c: &Caller, page: u32) -> Result<AuditPage> {
        audit::page(self, c, page).await
    }

    async fn dashboard(&self, c: &Caller) -> Result<Dashboard> {
        let ctx = self.require(c).await?;
        let db = &self.state.db;
        let t = db.totals(&ctx.org.id).await.map_err(internal)?;
        let recent = db.entries(&ctx.org.id, 0, 5).await.map_err(internal)?;
        let keys = db.keys_of_org(&ctx.org.id).await.map_err(internal)?;
        let now = clock::now();
        Ok(Dashboard {
            balance: Usd::from_units(t.balance_units),
            total_credited: Usd::from_units(t.credited_units),
            total_spent: Usd::from_units(t.spent_units),
            active_keys: keys.iter().filter(|k| crate::accounts::api_keys::status_of(k, now) == KeyStatus::Active).count() as u32,
            recent: recent.iter().map(ledger::info).collect(),
        })
    }

    async fn ledger(&self, c: &Caller, page: u32) -> Result<LedgerPage> {
        let ctx = self.require(c).await?;
        let page = page.max(1);
        let db = &self.state.db;
        let total = db.entry_count(&ctx.org.id).await.map_err(internal)?;
        let rows = db
            .entries(&ctx.org.id, i64::from(page - 1) * i64::from(LEDGER_PAGE), i64::from(LEDGER_PAGE))
            .await
            .map_err(internal)?;
        Ok(LedgerPage { entries: rows.iter().map(ledger::info).collect(), page, per_page: LEDGER_PAGE, total: total.max(0) as u64 })
    }

    async fn redeem_code(&self, c: &Caller, csrf: String, code: String) -> Result<LedgerEntryInfo> {
        let ctx = self.require(c).await?;
        ctx.require_csrf(&csrf)?;
        if code.trim().is_empty() {
            return Err(ConsoleError::invalid("code", "enter the code"));
        }
        let hash = redemption::hash(&self.state.hasher, &code);
        match self.state.db.redeem(&hash, &ctx.user.id, &ctx.org.id, clock::now()).await.map_err(internal)? {
            Redeemed::Ok(row) => Ok(ledger::info(&row)),
            Redeemed::UnknownCode => Err(ConsoleError::invalid("code", "this code does not exist; check for typos")),
            Redeemed::AlreadyUsed => Err(ConsoleError::invalid("code", "this code has already been used")),
        }
    }

    async fn list_models(&self, _c: &Caller) -> Result<Vec<ModelInfo>> {
        Ok(models::list(self))
    }

    async fn model_page(&self, _c: &Caller, id: String) -> Result<ModelPage> {
        models::page(self, &id)
    }

    async fn free_usage(&self, c: &Caller) -> Result<Option<FreeUsage>> {
        models::free_usage(self, c).await
    }

    async fn activity(&self, c: &Caller, filter: ActivityFilter) -> Result<ActivityPage> {
        activity::activity(self, c, filter).await
    }

    async fn dashboard_activity(&self, c: &Caller) -> Result<DashboardActivity> {
        activity::dashboard(self, c).await
    }

    async fn webhooks(&self, c: &Caller, page: u32) -> Result<WebhooksPage> {
        webhooks::page(self, c, page).await
    }

    async fn webhook_secret(&self, c: &Caller) -> Result<WebhookSecret> {
        webhooks::reveal(self, c).await
    }

    async fn rotate_webhook_secret(&self, c: &Caller, csrf: String) -> Result<WebhookSecret> {
        webhooks::rotate(self, c, &csrf).await
    }

    async fn admin_catalog(&self, c: &Caller) -> Result<Vec<CatalogEntryAdmin>> {
        catalog_admin::list(self, c).await
    }

    async fn admin_catalog_model(&self, c: &Caller, id: String) -> Result<CatalogEntryAdmin> {
        catalog_admin::one(self, c, &id).await
    }

    async fn admin_update_model(&self, c: &Caller, csrf: String, id: String, edit: CatalogEdit) -> Result<CatalogEntryAdmin> {
        catalog_admin::update(self, c, &csrf, &id, &edit).await
    }

    async fn admin_reset_model(&self, c: &Caller, csrf: String, id: String) -> Result<CatalogEntryAdmin> {
        catalog_admin::reset(self, c, &csrf, &id).await
    }

    async fn admin_providers(&self, c: &Caller) -> Result<Vec<ProviderAdminInfo>> {
        catalog_admin::providers(self, c).await
    }

    async fn admin_users(&self, c: &Caller) -> Result<Vec<UserAdminInfo>> {
        let ctx = self.require(c).await?;
        ctx.require_instance_admin()?;
        let db = &self.state.db;
        let users = db.list_users().await.map_err(internal)?;
        let mut out = Vec::with_capacity(users.len());
        for u in users {
            let balance = db.personal_org(&u.id).await.map_err(internal)?.map(|o| o.balance_units).unwrap_or(0);
            out.push(UserAdminInfo {
                id: u.id,
                email: u.email,
                is_admin: u.is_admin,
                created_at: clock::rfc3339(u.created_at),
                personal_balance: Usd::from_units(balance),
            });
        }
        Ok(out)
    }

    async fn admin_codes(&self, c: &Caller) -> Result<Vec<RedemptionCodeInfo>> {
        let ctx = self.require(c).await?;
        ctx.require_instance_admin()?;
        let db = &self.state.db;
        let rows = db.list_codes(200).await.map_err(internal)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let by = match &r.redeemed_by {
                Some(u) => Some(self.email_of(u).await),
                None => None,
            };
            out.push(RedemptionCodeInfo {
                id: r.id,
                code: r.hint,
                amount: Usd::from_units(r.amount_units),
                created_at: clock::rfc3339(r.created_at),
                redeemed_at: r.redeemed_at.map(clock::rfc3339),
                redeemed_by: by,
            });
        }
        Ok(out)
    }

    async fn admin_create_codes(&self, c: &Caller, csrf: String, amount: String, count: String) -> Result<Vec<RedemptionCodeInfo>> {
        let ctx = self.require(c).await?;
        ctx.require_csrf(&csrf)?;
        ctx.require_instance_admin()?;
        let amount = Usd::parse_positive(&amount).map_err(|e| ConsoleError::invalid("amount", e.to_string()))?;
        let count: u32 = match count.trim() {
            "" => 1,
            s => s.parse().map_err(|_| ConsoleError::invalid("count", "the count must be a whole number"))?,
        };
        if count == 0 || count > redemption::MAX_COUNT {
            return Err(ConsoleError::invalid("count", format!("make between 1 and {} codes at a time", redemption::MAX_COUNT)));
        }
        redemption::create(&self.state.db, &self.state.hasher, amount, count, Some(ctx.user.id.clone())).await.map_err(internal)
    }
}
