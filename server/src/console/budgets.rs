//! The Budgets page: every key of the current organization that is not revoked, with its
//! budget, reset period and spend in the current period; owners and admins change them.
//! Each change is written to the audit log; the next request already counts against it.

use super::{internal, ConsoleBackend};
use crate::clock;
use crate::controls::admission::stored_period;
use crate::controls::Period;
use crate::storage::{ApiKeyRow, KeyChanges, NewAudit};
use app::backend::{Caller, Result};
use app::types::money::MoneyError;
use app::types::*;
use rust_decimal::Decimal;

/// A budget as typed: the amount (empty: none) and the reset period (empty: never). Errors
/// name `budget_field` or `reset_field`.
pub(super) fn parse_budget(budget: &str, reset: &str, budget_field: &str, reset_field: &str) -> Result<(Option<Usd>, Period)> {
    let amount = match budget.trim() {
        "" => None,
        typed => Some(Usd::parse_positive(typed).map_err(|e| ConsoleError::invalid(budget_field, budget_words(&e)))?),
    };
    let period = Period::parse(reset)
        .ok_or_else(|| ConsoleError::invalid(reset_field, "choose never, daily, weekly or monthly"))?;
    if amount.is_none() && period != Period::Never {
        return Err(ConsoleError::invalid(reset_field, "a reset needs a budget: enter a budget, or choose never"));
    }
    Ok((amount, period))
}

fn budget_words(e: &MoneyError) -> &'static str {
    match e {
        MoneyError::NotANumber => "enter the budget in USD as a plain number, like 12.50",
        MoneyError::NotPositive => "the budget must be more than zero (leave it empty for no budget)",
        MoneyError::TooPrecise => "the budget can have at most 10 decimal places",
        MoneyError::TooLarge => "the budget can be at most 100000000 USD",
    }
}

/// `none`, or `5 USD daily` / `5 USD never resets`: for the audit log.
pub(super) fn describe(units: Option<i64>, reset: Option<&str>) -> String {
    match units {
        None => "none".into(),
        Some(u) => {
            let amount = Decimal::from_i128_with_scale(i128::from(u), app::types::money::SCALE).normalize();
            format!("{amount} USD {}", reset.unwrap_or("never resets"))
        }
    }
}

async fn info(b: &ConsoleBackend, row: &ApiKeyRow, now: i64) -> Result<KeyBudgetInfo> {
    let period = stored_period(row.budget_reset.as_deref());
    let spent = b.state.db.key_spend_since(&row.id, period.start(now)).await.map_err(internal)?;
    let spend = Usd::from_units(spent);
    Ok(KeyBudgetInfo {
        key_id: row.id.clone(),
        name: row.name.clone(),
        prefix: row.prefix.clone(),
        status: crate::accounts::api_keys::status_of(row, now),
        management: row.management,
        budget: row.budget_units.map(Usd::from_units),
        period: period.as_str().to_string(),
        resets_at: period.next_reset(now).map(clock::rfc3339),
        spend,
        remaining: row.budget_units.map(|b| Usd::from_units(b.saturating_sub(spent).max(0))),
    })
}

pub(super) async fn list(b: &ConsoleBackend, c: &Caller) -> Result<KeyBudgets> {
    let ctx = b.require(c).await?;
    let now = clock::now();
    let rows = b.state.db.keys_of_org(&ctx.org.id).await.map_err(internal)?;
    let mut keys = Vec::with_capacity(rows.len());
    for row in rows.iter().filter(|r| r.status != "revoked") {
        keys.push(info(b, row, now).await?);
    }
    Ok(KeyBudgets { keys, can_edit: ctx.role().can_manage() })
}

pub(super) async fn set(b: &ConsoleBackend, c: &Caller, csrf: &str, key_id: &str, budget: &str, reset: &str) -> Result<KeyBudgetInfo> {
    let ctx = b.require(c).await?;
    ctx.require_csrf(csrf)?;
    if !ctx.role().can_manage() {
        return Err(ConsoleError::forbidden("only owners and admins of this organization can change budgets"));
    }
    let not_found = || ConsoleError::not_found("no such key in this organization");
    let key_id = key_id.trim();
    let key = b.state.db.key_by_id(&ctx.org.id, key_id).await.map_err(internal)?.ok_or_else(not_found)?;
    if key.status == "revoked" {
        return Err(ConsoleError::Conflict("this key is revoked; revoked keys cannot be changed".into()));
    }
    let (budget_field, reset_field) = (key_field("budget", &key.id), key_field("reset", &key.id));
    let (amount, period) = parse_budget(budget, reset, &budget_field, &reset_field)?;
    if key.management && amount.is_some() {
        return Err(ConsoleError::invalid(&budget_field, "a management key cannot call models, so it takes no budget"));
    }
    let units = match amount {
        Some(a) => Some(a.to_units().ok_or_else(|| ConsoleError::invalid(&budget_field, budget_words(&MoneyError::TooLarge)))?),
        None => None,
    };
    let reset = period.as_reset().map(String::from);
    if units == key.budget_units && reset == key.budget_reset {
        return info(b, &key, clock::now()).await;
    }
    let changes = KeyChanges { budget_units: Some(units), budget_reset: Some(reset), ..Default::default() };
    let row = b.state.keys.update(&ctx.org.id, &key.id, &changes).await.map_err(internal)?.ok_or_else(not_found)?;
    let entry = NewAudit {
        org_id: ctx.org.id.clone(),
        actor_user_id: Some(ctx.user.id.clone()),
        action: "key.budget".into(),
        target: row.id.clone(),
        detail: format!(
            "budget {} → {}",
            describe(key.budget_units, key.budget_reset.as_deref()),
            describe(row.budget_units, row.budget_reset.as_deref())
        ),
        now: clock::now(),
        ..Default::default()
    };
    // the change has happened: a failure to record it is logged, not answered
    if let Err(e) = b.state.db.audit(&entry).await {
        tracing::error!(error = %e, key = %row.id, "could not write the audit entry");
    }
    info(b, &row, clock::now()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse_with_their_period() {
        let (a, p) = parse_budget(" 5.5 ", "daily", "b", "r").expect("valid");
        assert_eq!((a.and_then(|a| a.to_units()), p), (Some(55_000_000_000), Period::Daily));
        assert_eq!(parse_budget("", "", "b", "r").expect("none"), (None, Period::Never));
        assert_eq!(parse_budget("", "never", "b", "r").expect("none"), (None, Period::Never));
    }

    #[test]
    fn bad_budgets_name_their_field() {
        let field = |budget: &str, reset: &str| parse_budget(budget, reset, "b", "r").err().and_then(|e| e.field().map(String::from));
        assert_eq!(field("-1", "never").as_deref(), Some("b"));
        assert_eq!(field("ten", "never").as_deref(), Some("b"));
        assert_eq!(field("0.00000000001", "never").as_deref(), Some("b"));
        assert_eq!(field("100000001", "never").as_deref(), Some("b"));
        assert_eq!(field("5", "hourly").as_deref(), Some("r"));
        assert_eq!(field("", "daily").as_deref(), Some("r"));
    }

    #[test]
    fn audit_words() {
        assert_eq!(describe(None, None), "none");
        assert_eq!(describe(Some(50_000_000_000), Some("daily")), "5 USD daily");
        assert_eq!(describe(Some(1), None), "0.0000000001 USD never resets");
    }
}
