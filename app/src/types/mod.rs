//! Types shared by the console (wasm) and the server.

pub mod activity;
pub mod audit;
pub mod budgets;
pub mod catalog;
pub mod days;
pub mod error;
pub mod free_usage;
pub mod guardrails;
pub mod money;
pub mod routing;
pub mod webhooks;
pub mod video;

pub use activity::{
    ActivityFilter, ActivityPage, ActivityQuery, ActivityTotals, DashboardActivity, KeyChoice, RequestLogInfo, SpendPoint,
    ACTIVITY_PAGE,
};
pub use budgets::{key_field, KeyBudgetInfo, KeyBudgets, NewKeyForm, RESET_CHOICES};
pub use catalog::{
    format_price, format_tokens, CatalogChange, CatalogEdit, CatalogEntryAdmin, ModelChanges, ModelFilter, ModelInfo,
    ModelKind, ModelPage, ProviderAdminInfo,
};
pub use audit::{AuditEntryInfo, AuditPage, AUDIT_PAGE};
pub use error::ConsoleError;
pub use free_usage::FreeUsage;
pub use guardrails::{
    checked, guardrail_field, GuardrailForm, GuardrailInfo, GuardrailKey, GuardrailList, ModelChoice, ProviderChoice, GUARDRAIL_FIELDS,
};
pub use routing::{preference_text, preference_words, RoutingSettings};
pub use money::Usd;
pub use webhooks::{WebhookAttemptInfo, WebhookDeliveryInfo, WebhookSecret, WebhooksPage, WEBHOOK_PAGE};
pub use video::{VideoHistory, VideoJobInfo, VIDEO_HISTORY_PAGE};

use serde::{Deserialize, Serialize};

/// A member's role in an organization, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
    /// Owners and admins manage keys of others, members, invites and settings.
    pub fn can_manage(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

/// The signed-in person as the console sees them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: String,
    pub email: String,
    pub is_admin: bool,
    /// The organization the console currently works in.
    pub org: OrgSummary,
    /// Every organization the person belongs to (for the switcher).
    pub orgs: Vec<OrgSummary>,
    /// Token that every state-changing console request must carry.
    pub csrf: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgSummary {
    pub id: String,
    pub name: String,
    pub personal: bool,
    pub role: Role,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    Active,
    Disabled,
    Revoked,
    Expired,
}

impl KeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "active",
            KeyStatus::Disabled => "disabled",
            KeyStatus::Revoked => "revoked",
            KeyStatus::Expired => "expired",
        }
    }
}

/// An API key as listed (never the secret itself).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub id: String,
    pub name: String,
    /// Display prefix, e.g. `sk-or-v1-3f9a…b21c`.
    pub prefix: String,
    pub status: KeyStatus,
    /// RFC 3339 timestamps.
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    pub budget: Option<Usd>,
    /// When the budget starts again: `daily` | `weekly` | `monthly`, None = never.
    pub budget_reset: Option<String>,
    pub spend: Usd,
    pub created_by: String,
    /// A management key: cannot call models, only the management API.
    pub management: bool,
}

/// Returned once, when a key is created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedKey {
    pub info: ApiKeyInfo,
    pub secret: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    TopUp,
    Redemption,
    AdminGrant,
    Charge,
    Refund,
    Adjustment,
}

impl LedgerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::TopUp => "top_up",
            LedgerKind::Redemption => "redemption",
            LedgerKind::AdminGrant => "admin_grant",
            LedgerKind::Charge => "charge",
            LedgerKind::Refund => "refund",
            LedgerKind::Adjustment => "adjustment",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "top_up" => LedgerKind::TopUp,
            "redemption" => LedgerKind::Redemption,
            "admin_grant" => LedgerKind::AdminGrant,
            "charge" => LedgerKind::Charge,
            "refund" => LedgerKind::Refund,
            "adjustment" => LedgerKind::Adjustment,
            _ => return None,
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            LedgerKind::TopUp => "Top-up",
            LedgerKind::Redemption => "Redemption",
            LedgerKind::AdminGrant => "Admin grant",
            LedgerKind::Charge => "Charge",
            LedgerKind::Refund => "Refund",
            LedgerKind::Adjustment => "Adjustment",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntryInfo {
    pub id: String,
    pub kind: LedgerKind,
    pub amount: Usd,
    /// Balance right after this entry.
    pub balance_after: Usd,
    pub reference: String,
    pub note: String,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntryInfo>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub balance: Usd,
    pub total_credited: Usd,
    pub total_spent: Usd,
    pub active_keys: u32,
    pub recent: Vec<LedgerEntryInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub user_id: String,
    pub email: String,
    pub role: Role,
    pub joined_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InviteInfo {
    pub id: String,
    pub role: Role,
    /// Full link to give to the person invited (shown to admins only).
    pub link: String,
    pub created_at: String,
    pub expires_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgDetails {
    pub org: OrgSummary,
    pub members: Vec<MemberInfo>,
    pub invites: Vec<InviteInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserAdminInfo {
    pub id: String,
    pub email: String,
    pub is_admin: bool,
    pub created_at: String,
    pub personal_balance: Usd,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RedemptionCodeInfo {
    pub id: String,
    /// The code itself: shown to admins in full only in the answer to its creation.
    pub code: String,
    pub amount: Usd,
    pub created_at: String,
    pub redeemed_at: Option<String>,
    pub redeemed_by: Option<String>,
}

/// OAuth providers the sign-in page offers (configured ones only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OAuthProviderInfo {
    pub id: String,
    pub label: String,
}
