//! Guardrails as the console shows and changes them: the Guardrails page's policies, the keys
//! and catalog models people pick from, and the form as it is sent.

use super::{KeyStatus, Usd};
use serde::{Deserialize, Serialize};

/// An API key as a guardrail names it (assigned, or offered in the form).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GuardrailKey {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub status: KeyStatus,
    pub management: bool,
}

/// One guardrail of the organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GuardrailInfo {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// None: no budget.
    pub budget: Option<Usd>,
    /// `never` | `daily` | `weekly` | `monthly` (UTC).
    pub period: String,
    /// RFC 3339: when the current period ends (None: no budget, or it never resets).
    pub resets_at: Option<String>,
    /// Model ids and `provider/*` patterns; None: any model (an empty list allows none).
    pub allowed_models: Option<Vec<String>>,
    /// Provider ids; None: any provider.
    pub allowed_providers: Option<Vec<String>>,
    pub requests_per_minute: Option<i64>,
    pub tokens_per_minute: Option<i64>,
    /// Applies to the organization's traffic as a whole (its budget and rate limits are shared
    /// by every key).
    pub org_assigned: bool,
    /// The keys it applies to, each on its own.
    pub keys: Vec<GuardrailKey>,
    /// RFC 3339.
    pub updated_at: String,
}

/// A catalog model in the allowlist picker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelChoice {
    pub id: String,
    pub name: String,
}

/// One provider of the catalog and its models, for the picker (`provider/*` allows them all).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderChoice {
    pub provider: String,
    pub models: Vec<ModelChoice>,
}

impl ProviderChoice {
    /// The allowlist pattern for every model of the provider.
    pub fn pattern(&self) -> String {
        format!("{}/*", self.provider)
    }
}

/// The Guardrails page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GuardrailList {
    /// Oldest first.
    pub guardrails: Vec<GuardrailInfo>,
    /// The organization's keys that are not revoked (what a guardrail can be assigned to).
    pub keys: Vec<GuardrailKey>,
    /// The catalog by provider.
    pub catalog: Vec<ProviderChoice>,
    /// Owners and admins change guardrails; members see them.
    pub can_edit: bool,
}

/// The create and edit forms as sent (everything as typed; the server checks it). An empty
/// list of models or providers allows any; empty limits are no limit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GuardrailForm {
    pub name: String,
    pub description: String,
    /// USD, empty for no budget.
    pub limit_usd: String,
    /// `never` | `daily` | `weekly` | `monthly`; empty is never.
    pub reset_interval: String,
    pub allowed_models: Vec<String>,
    pub allowed_providers: Vec<String>,
    pub requests_per_minute: String,
    pub tokens_per_minute: String,
    /// Ids of the keys it applies to (of the keys offered; others keep their assignment).
    pub keys: Vec<String>,
    pub org_assigned: bool,
}

/// The fields of the forms, as the server's errors name them (an edit form's errors carry
/// the guardrail: [`guardrail_field`]).
pub const GUARDRAIL_FIELDS: &[&str] = &[
    "name",
    "description",
    "limit_usd",
    "reset_interval",
    "allowed_models",
    "allowed_providers",
    "requests_per_minute",
    "tokens_per_minute",
    "keys",
    "org_assigned",
];

/// The field an error about one guardrail's edit form names: `<field>:<guardrail id>`, so a
/// page listing many shows it next to the right form's field (also after a plain form post).
pub fn guardrail_field(field: &str, guardrail_id: &str) -> String {
    format!("{field}:{guardrail_id}")
}

/// A checked box as a form sends it (`on`), or absent.
pub fn checked(value: Option<&str>) -> bool {
    value.is_some_and(|v| !matches!(v.trim(), "" | "false" | "off" | "0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_name_the_guardrail() {
        assert_eq!(guardrail_field("limit_usd", "g1"), "limit_usd:g1");
    }

    #[test]
    fn boxes_are_checked_when_sent() {
        assert!(checked(Some("on")) && checked(Some("true")));
        assert!(!checked(None) && !checked(Some("")) && !checked(Some("off")));
    }
}
