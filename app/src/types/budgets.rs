//! Key budgets as the console shows and changes them: the Budgets page's rows, the create-key
//! form's options, and the reset periods people choose from.

use super::{KeyStatus, Usd};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The reset periods a person picks from (value, words). Budgets reset at 00:00 UTC: daily
/// every day, weekly on Mondays, monthly on the 1st; `never` counts every request ever made.
pub const RESET_CHOICES: &[(&str, &str)] =
    &[("never", "Never"), ("daily", "Daily"), ("weekly", "Weekly"), ("monthly", "Monthly")];

/// The create-key form as sent (everything as typed; the server checks it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewKeyForm {
    pub name: String,
    /// Empty, a date `YYYY-MM-DD` (end of that day, UTC) or RFC 3339.
    pub expires_at: String,
    /// USD, empty for no budget.
    pub budget: String,
    /// `never` | `daily` | `weekly` | `monthly`; empty is never.
    pub budget_reset: String,
    /// A management key: cannot call models, only the management API.
    pub management: bool,
}

/// One key's budget on the Budgets page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyBudgetInfo {
    pub key_id: String,
    pub name: String,
    pub prefix: String,
    pub status: KeyStatus,
    pub management: bool,
    /// None: no budget.
    pub budget: Option<Usd>,
    /// `never` | `daily` | `weekly` | `monthly`.
    pub period: String,
    /// RFC 3339: when the current period ends (None: never resets).
    pub resets_at: Option<String>,
    /// Spend in the current period (for `never`, everything the key ever spent).
    pub spend: Usd,
    /// Budget minus spend, never below zero (None without a budget).
    pub remaining: Option<Usd>,
}

impl KeyBudgetInfo {
    /// How much of the budget is used, in whole percent (may pass 100 by what requests
    /// already admitted cost beyond their reservation); None without a budget.
    pub fn used_percent(&self) -> Option<u32> {
        let budget = self.budget?.decimal();
        if budget <= Decimal::ZERO {
            return Some(100);
        }
        let pct = (self.spend.decimal() * Decimal::ONE_HUNDRED / budget).floor();
        Some(if pct < Decimal::ZERO { 0 } else { pct.to_u32().unwrap_or(u32::MAX) })
    }
}

/// The Budgets page: the current organization's keys that are not revoked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyBudgets {
    pub keys: Vec<KeyBudgetInfo>,
    /// Owners and admins may change budgets; members see them.
    pub can_edit: bool,
}

/// The field an error about one key's budget form names: `<field>:<key id>`, so that a page
/// listing many keys shows it next to the right key's field (also after a plain form post,
/// where only the error comes back).
pub fn key_field(field: &str, key_id: &str) -> String {
    format!("{field}:{key_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(budget: Option<&str>, spend: &str) -> KeyBudgetInfo {
        KeyBudgetInfo {
            key_id: "k".into(),
            name: "n".into(),
            prefix: "p".into(),
            status: KeyStatus::Active,
            management: false,
            budget: budget.map(|b| Usd::parse_positive(b).expect("valid")),
            period: "never".into(),
            resets_at: None,
            spend: if spend == "0" { Usd::ZERO } else { Usd::parse_positive(spend).expect("valid") },
            remaining: None,
        }
    }

    #[test]
    fn used_percent_is_whole_and_may_pass_100() {
        assert_eq!(row(None, "1").used_percent(), None);
        assert_eq!(row(Some("10"), "0").used_percent(), Some(0));
        assert_eq!(row(Some("10"), "2.59").used_percent(), Some(25));
        assert_eq!(row(Some("10"), "10").used_percent(), Some(100));
        assert_eq!(row(Some("0.0000000001"), "0.0000000003").used_percent(), Some(300));
    }

    #[test]
    fn key_fields_name_the_key() {
        assert_eq!(key_field("budget", "abc"), "budget:abc");
    }
}
