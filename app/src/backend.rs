//! The port the console needs from the server (ssr only).
//!
//! The server implements [`Backend`] and provides it as Leptos context; server functions in
//! `api/` stay one-liners: get the [`Caller`], call one method. Every method checks who the
//! caller is and what they may touch; the console never talks to storage itself.

use crate::types::*;
use async_trait::async_trait;
use std::sync::Arc;

/// The client address as the server saw it (inserted as a request extension by the server).
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// Who is calling: the session (cookie) and where from.
#[derive(Clone)]
pub struct Caller {
    pub session: tower_sessions::Session,
    pub ip: String,
}

pub type Result<T> = std::result::Result<T, ConsoleError>;

#[async_trait]
pub trait Backend: Send + Sync + 'static {
    // --- session -------------------------------------------------------------------------
    /// The signed-in person, or None.
    async fn viewer(&self, caller: &Caller) -> Result<Option<Viewer>>;
    async fn sign_up(&self, caller: &Caller, email: String, password: String) -> Result<Viewer>;
    async fn sign_in(&self, caller: &Caller, email: String, password: String) -> Result<Viewer>;
    async fn sign_out(&self, caller: &Caller, csrf: String) -> Result<()>;
    /// Complete first-admin set-up with the one-time token printed at first start.
    async fn setup_admin(&self, caller: &Caller, token: String, email: String, password: String) -> Result<Viewer>;
    fn oauth_providers(&self) -> Vec<OAuthProviderInfo>;

    // --- organization -----------------------------------------------------------------------
    async fn switch_org(&self, caller: &Caller, csrf: String, org_id: String) -> Result<()>;
    async fn create_org(&self, caller: &Caller, csrf: String, name: String) -> Result<OrgSummary>;
    async fn org_details(&self, caller: &Caller) -> Result<OrgDetails>;
    async fn create_invite(&self, caller: &Caller, csrf: String, role: String) -> Result<InviteInfo>;
    async fn revoke_invite(&self, caller: &Caller, csrf: String, invite_id: String) -> Result<()>;
    async fn accept_invite(&self, caller: &Caller, csrf: String, token: String) -> Result<OrgSummary>;
    async fn set_member_role(&self, caller: &Caller, csrf: String, user_id: String, role: String) -> Result<()>;
    async fn remove_member(&self, caller: &Caller, csrf: String, user_id: String) -> Result<()>;

    // --- keys ---------------------------------------------------------------------------------
    async fn list_keys(&self, caller: &Caller) -> Result<Vec<ApiKeyInfo>>;
    /// The form's `expires_at`: empty, or a date `YYYY-MM-DD` (end of that day, UTC) or RFC
    /// 3339; `budget` USD or empty; `budget_reset` needs a budget.
    async fn create_key(&self, caller: &Caller, csrf: String, form: NewKeyForm) -> Result<CreatedKey>;
    /// action: `disable`, `enable` or `revoke`.
    async fn change_key(&self, caller: &Caller, csrf: String, key_id: String, action: String) -> Result<ApiKeyInfo>;

    // --- budgets (per key; changing them takes an owner or admin) ----------------------------
    /// The current organization's keys that are not revoked, with budget and spend this period.
    async fn key_budgets(&self, caller: &Caller) -> Result<KeyBudgets>;
    /// Sets a key's budget (USD; empty clears it) and reset period (`never`…`monthly`). A key
    /// of another organization is `NotFound`; `Invalid` names the field as [`key_field`].
    async fn set_key_budget(&self, caller: &Caller, csrf: String, key_id: String, budget: String, reset: String) -> Result<KeyBudgetInfo>;

    // --- guardrails, routing settings, audit log (changes take an owner or admin) ------------
    /// The organization's guardrails, the keys and catalog models to pick from.
    async fn guardrails(&self, caller: &Caller) -> Result<GuardrailList>;
    /// Creates a guardrail (`guardrail_id` None) or replaces one's settings, keys and
    /// organization assignment; nothing changes unless all of it is valid. Another
    /// organization's guardrail is `NotFound`; an edit's `Invalid` names [`guardrail_field`].
    async fn save_guardrail(&self, caller: &Caller, csrf: String, guardrail_id: Option<String>, form: GuardrailForm) -> Result<GuardrailInfo>;
    async fn delete_guardrail(&self, caller: &Caller, csrf: String, guardrail_id: String) -> Result<()>;
    async fn routing_settings(&self, caller: &Caller) -> Result<RoutingSettings>;
    /// `preference` as typed, 0 (cost) to 1 (quality).
    async fn set_routing_settings(&self, caller: &Caller, csrf: String, auto_routing: bool, preference: String) -> Result<RoutingSettings>;
    /// Newest first; `page` from 1.
    async fn audit_log(&self, caller: &Caller, page: u32) -> Result<AuditPage>;

    // --- money -------------------------------------------------------------------------------
    async fn dashboard(&self, caller: &Caller) -> Result<Dashboard>;
    async fn ledger(&self, caller: &Caller, page: u32) -> Result<LedgerPage>;
    async fn redeem_code(&self, caller: &Caller, csrf: String, code: String) -> Result<LedgerEntryInfo>;

    // --- models (open to signed-out visitors: nothing organization-specific) -------------
    async fn list_models(&self, caller: &Caller) -> Result<Vec<ModelInfo>>;
    /// A model that is not listed (unknown, disabled, provider off) is `NotFound`.
    async fn model_page(&self, caller: &Caller, id: String) -> Result<ModelPage>;
    /// The signed-in person's requests on free models today against the daily limits; None
    /// for a visitor.
    async fn free_usage(&self, caller: &Caller) -> Result<Option<FreeUsage>>;

    // --- activity (the current organization's request log) -------------------------------
    /// A key id of another organization is `NotFound`.
    async fn activity(&self, caller: &Caller, filter: ActivityFilter) -> Result<ActivityPage>;
    async fn dashboard_activity(&self, caller: &Caller) -> Result<DashboardActivity>;

    // --- video webhooks (the current organization's) ---------------------------------------
    /// The masked signing secret (made on first need) and one page of webhook deliveries,
    /// newest first, each with every attempt; `page` from 1.
    async fn webhooks(&self, caller: &Caller, page: u32) -> Result<WebhooksPage>;
    /// The whole signing secret, for every member of the organization.
    async fn webhook_secret(&self, caller: &Caller) -> Result<WebhookSecret>;
    /// A new signing secret (owners and admins); the old one stops signing at once.
    async fn rotate_webhook_secret(&self, caller: &Caller, csrf: String) -> Result<WebhookSecret>;

    // --- admin (instance administrators only) --------------------------------------------
    async fn admin_users(&self, caller: &Caller) -> Result<Vec<UserAdminInfo>>;
    async fn admin_codes(&self, caller: &Caller) -> Result<Vec<RedemptionCodeInfo>>;
    async fn admin_create_codes(&self, caller: &Caller, csrf: String, amount: String, count: String) -> Result<Vec<RedemptionCodeInfo>>;
    async fn admin_catalog(&self, caller: &Caller) -> Result<Vec<CatalogEntryAdmin>>;
    async fn admin_catalog_model(&self, caller: &Caller, id: String) -> Result<CatalogEntryAdmin>;
    /// Persists the change and applies it to the next request.
    async fn admin_update_model(&self, caller: &Caller, csrf: String, id: String, edit: CatalogEdit) -> Result<CatalogEntryAdmin>;
    async fn admin_reset_model(&self, caller: &Caller, csrf: String, id: String) -> Result<CatalogEntryAdmin>;
    async fn admin_providers(&self, caller: &Caller) -> Result<Vec<ProviderAdminInfo>>;
}

pub type SharedBackend = Arc<dyn Backend>;
