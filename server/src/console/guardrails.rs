//! The Guardrails page: the organization's guardrails with the keys they apply to, created,
//! edited and deleted by owners and admins through `controls::changes` (checked against the
//! catalog and the ranges, audited, in force from the next request). A form is read whole
//! and checked before anything changes, so bad input changes nothing.

use super::{internal, ConsoleBackend, Ctx};
use crate::clock;
use crate::controls::changes::{check, Actor, ChangeError, Changes, GuardrailFields};
use crate::controls::policy::Guardrail;
use crate::controls::Period;
use crate::storage::ApiKeyRow;
use app::backend::{Caller, Result};
use app::types::money::SCALE;
use app::types::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// The changes service for the caller's organization, acting as the signed-in person.
pub(super) fn changes<'a>(b: &'a ConsoleBackend, ctx: &'a Ctx) -> Changes<'a> {
    Changes {
        db: &b.state.db,
        policies: &b.state.controls.policies,
        catalog: b.state.catalog.current(),
        org_id: &ctx.org.id,
        actor: Actor::User(ctx.user.id.clone()),
    }
}

/// A form field as an error names it: plain on the create form, `<field>:<id>` on an edit form.
fn field_name(field: &str, guardrail_id: Option<&str>) -> String {
    // the service's `key_hashes` is the form's `keys`
    let field = if field == "key_hashes" { "keys" } else { field };
    match guardrail_id {
        Some(id) => guardrail_field(field, id),
        None => field.to_string(),
    }
}

fn refused(e: ChangeError, guardrail_id: Option<&str>) -> ConsoleError {
    match e {
        ChangeError::Invalid { field, message } => ConsoleError::invalid(&field_name(field, guardrail_id), message),
        ChangeError::NotFound => ConsoleError::not_found("no such guardrail in this organization"),
        ChangeError::Store(e) => internal(e),
    }
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty() && !frac.is_empty() && whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
}

/// A budget as typed, in money units (empty: none). Whether it is in range is the changes
/// service's to say: a number too large for the units is passed on as the largest one.
pub(super) fn parse_limit(text: &str) -> std::result::Result<Option<i64>, &'static str> {
    let s = text.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if !is_decimal(s) {
        return Err("enter the budget in USD as a plain number, like 12.50 (empty for no budget)");
    }
    let saturated = if s.starts_with('-') { i64::MIN } else { i64::MAX };
    let Ok(d) = Decimal::from_str(s) else { return Ok(Some(saturated)) };
    if d.normalize().scale() > SCALE {
        return Err("the budget can have at most 10 decimal places");
    }
    let units = d.checked_mul(Decimal::from(10_i64.pow(SCALE))).and_then(|u| u.to_i64());
    Ok(Some(units.unwrap_or(saturated)))
}

/// A per-minute limit as typed (empty: none); out of range is the changes service's to say.
pub(super) fn parse_per_minute(text: &str) -> std::result::Result<Option<i64>, ()> {
    let s = text.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let (negative, digits) = s.strip_prefix('-').map_or((false, s), |d| (true, d));
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    let n = digits.parse::<i64>().unwrap_or(i64::MAX);
    Ok(Some(if negative { -n } else { n }))
}

fn list_of(entries: &[String]) -> Option<Vec<String>> {
    let list: Vec<String> = entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()).map(String::from).collect();
    (!list.is_empty()).then_some(list)
}

/// Every field of the form, as a change that sets them all.
fn fields_of(form: &GuardrailForm, id: Option<&str>) -> Result<GuardrailFields> {
    let invalid = |field: &str, message: String| ConsoleError::invalid(&field_name(field, id), message);
    let limit = parse_limit(&form.limit_usd).map_err(|m| invalid("limit_usd", m.into()))?;
    let reset = Period::parse(&form.reset_interval)
        .ok_or_else(|| invalid("reset_interval", "choose never, daily, weekly or monthly".into()))?;
    if limit.is_none() && reset != Period::Never {
        return Err(invalid("reset_interval", "a reset needs a budget: enter a budget, or choose never".into()));
    }
    let per_minute = |field: &'static str, text: &str, what: &str| {
        parse_per_minute(text).map_err(|()| invalid(field, format!("{field} must be a whole number of {what} (empty for no limit)")))
    };
    Ok(GuardrailFields {
        name: Some(form.name.clone()),
        description: Some(Some(form.description.clone())),
        limit_units: Some(limit),
        reset_interval: Some(reset),
        allowed_models: Some(list_of(&form.allowed_models)),
        allowed_providers: Some(list_of(&form.allowed_providers)),
        requests_per_minute: Some(per_minute("requests_per_minute", &form.requests_per_minute, "requests")?),
        tokens_per_minute: Some(per_minute("tokens_per_minute", &form.tokens_per_minute, "tokens")?),
    })
}

/// Whether the (checked) change would leave the guardrail as it is.
fn changes_nothing(g: &Guardrail, f: &GuardrailFields) -> bool {
    f.name.as_ref().is_none_or(|n| *n == g.name)
        && f.description.as_ref().is_none_or(|d| d.clone().filter(|d| !d.is_empty()) == g.description)
        && f.limit_units.is_none_or(|l| l == g.limit_units)
        && f.reset_interval.is_none_or(|r| r == g.reset)
        && f.allowed_models.as_ref().is_none_or(|m| *m == g.allowed_models)
        && f.allowed_providers.as_ref().is_none_or(|p| *p == g.allowed_providers)
        && f.requests_per_minute.is_none_or(|r| r == g.requests_per_minute)
        && f.tokens_per_minute.is_none_or(|t| t == g.tokens_per_minute)
}

fn key_of(row: &ApiKeyRow, now: i64) -> GuardrailKey {
    GuardrailKey {
        id: row.id.clone(),
        name: row.name.clone(),
        prefix: row.prefix.clone(),
        status: crate::accounts::api_keys::status_of(row, now),
        management: row.management,
    }
}

fn info(g: &Guardrail, keys: &[ApiKeyRow], now: i64) -> GuardrailInfo {
    GuardrailInfo {
        id: g.id.clone(),
        name: g.name.clone(),
        description: g.description.clone(),
        budget: g.limit_units.map(Usd::from_units),
        period: g.reset.as_str().to_string(),
        resets_at: g.limit_units.and(g.reset.next_reset(now)).map(clock::rfc3339),
        allowed_models: g.allowed_models.clone(),
        allowed_providers: g.allowed_providers.clone(),
        requests_per_minute: g.requests_per_minute,
        tokens_per_minute: g.tokens_per_minute,
        org_assigned: g.org_assigned,
        keys: g.keys.iter().filter_map(|id| keys.iter().find(|k| k.id == *id)).map(|k| key_of(k, now)).collect(),
        updated_at: clock::rfc3339(g.updated_at),
    }
}

/// The catalog's models by provider (providers in alphabetical order, models as listed).
fn catalog_choices(b: &ConsoleBackend) -> Vec<ProviderChoice> {
    let catalog = b.state.catalog.current();
    let mut by_provider: BTreeMap<String, Vec<ModelChoice>> = BTreeMap::new();
    for m in catalog.all() {
        by_provider
            .entry(m.provider.to_ascii_lowercase())
            .or_default()
            .push(ModelChoice { id: m.id.clone(), name: m.display_name().to_string() });
    }
    by_provider.into_iter().map(|(provider, models)| ProviderChoice { provider, models }).collect()
}

pub(super) async fn list(b: &ConsoleBackend, c: &Caller) -> Result<GuardrailList> {
    let ctx = b.require(c).await?;
    let now = clock::now();
    let guardrails = changes(b, &ctx).list().await.map_err(|e| refused(e, None))?;
    let keys = b.state.db.keys_of_org(&ctx.org.id).await.map_err(internal)?;
    Ok(GuardrailList {
        guardrails: guardrails.iter().map(|g| info(g, &keys, now)).collect(),
        keys: keys.iter().filter(|k| k.status != "revoked").map(|k| key_of(k, now)).collect(),
        catalog: catalog_choices(b),
        can_edit: ctx.role().can_manage(),
    })
}

fn require_editor(ctx: &Ctx, csrf: &str) -> Result<()> {
    ctx.require_csrf(csrf)?;
    if ctx.role().can_manage() {
        Ok(())
    } else {
        Err(ConsoleError::forbidden("only owners and admins of this organization can change guardrails"))
    }
}

pub(super) async fn save(b: &ConsoleBackend, c: &Caller, csrf: &str, id: Option<&str>, form: &GuardrailForm) -> Result<GuardrailInfo> {
    let ctx = b.require(c).await?;
    require_editor(&ctx, csrf)?;
    let id = id.map(str::trim);
    let service = changes(b, &ctx);
    let current = match id {
        Some(id) => Some(service.get(id).await.map_err(|e| refused(e, Some(id)))?),
        None => None,
    };

    // everything is checked before anything changes
    let mut fields = fields_of(form, id)?;
    check(&mut fields, &service.catalog).map_err(|e| refused(e, id))?;
    let keys = b.state.db.keys_of_org(&ctx.org.id).await.map_err(internal)?;
    let offered: BTreeSet<&str> = keys.iter().filter(|k| k.status != "revoked").map(|k| k.id.as_str()).collect();
    let wanted: BTreeSet<&str> = form.keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()).collect();
    if let Some(k) = wanted.iter().find(|k| !offered.contains(*k)) {
        return Err(ConsoleError::invalid(
            &field_name("keys", id),
            format!("no key \"{k}\" in this organization (revoked keys cannot be assigned)"),
        ));
    }

    let guardrail = match current {
        None => service.create(fields).await.map_err(|e| refused(e, None))?,
        Some(g) if changes_nothing(&g, &fields) => g,
        Some(g) => service.update(&g.id, fields).await.map_err(|e| refused(e, id))?,
    };
    let gid = guardrail.id.clone();
    let had: BTreeSet<&str> = guardrail.keys.iter().map(String::as_str).collect();
    // keys not offered (revoked) keep their assignment
    let assign: Vec<String> = wanted.difference(&had).map(|k| k.to_string()).collect();
    let unassign: Vec<String> = had.intersection(&offered).filter(|k| !wanted.contains(*k)).map(|k| k.to_string()).collect();
    if !assign.is_empty() {
        service.assign_keys(&gid, &assign).await.map_err(|e| refused(e, id))?;
    }
    if !unassign.is_empty() {
        service.unassign_keys(&gid, &unassign).await.map_err(|e| refused(e, id))?;
    }
    if form.org_assigned != guardrail.org_assigned {
        service.assign_org(&gid, form.org_assigned).await.map_err(|e| refused(e, id))?;
    }
    let saved = service.get(&gid).await.map_err(|e| refused(e, id))?;
    Ok(info(&saved, &keys, clock::now()))
}

pub(super) async fn delete(b: &ConsoleBackend, c: &Caller, csrf: &str, id: &str) -> Result<()> {
    let ctx = b.require(c).await?;
    require_editor(&ctx, csrf)?;
    changes(b, &ctx).delete(id.trim()).await.map_err(|e| refused(e, Some(id.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_read_exactly_and_out_of_range_saturates() {
        assert_eq!(parse_limit(""), Ok(None));
        assert_eq!(parse_limit(" 2.5 "), Ok(Some(25_000_000_000)));
        assert_eq!(parse_limit("0.0000000001"), Ok(Some(1)));
        assert_eq!(parse_limit("0"), Ok(Some(0)));
        assert_eq!(parse_limit("-1"), Ok(Some(-10_000_000_000)));
        assert_eq!(parse_limit("1000000000000"), Ok(Some(i64::MAX)));
        assert_eq!(parse_limit("99999999999999999999999999999999999"), Ok(Some(i64::MAX)));
        assert_eq!(parse_limit("-99999999999999999999999999999999999"), Ok(Some(i64::MIN)));
        for bad in ["ten", "1e3", "1,5", ".5", "5.", "--1", "$5"] {
            assert!(parse_limit(bad).is_err(), "{bad}");
        }
        assert!(parse_limit("0.00000000001").is_err());
    }

    #[test]
    fn per_minute_limits_are_whole_numbers() {
        assert_eq!(parse_per_minute(""), Ok(None));
        assert_eq!(parse_per_minute("60"), Ok(Some(60)));
        assert_eq!(parse_per_minute("0"), Ok(Some(0)));
        assert_eq!(parse_per_minute("-3"), Ok(Some(-3)));
        assert_eq!(parse_per_minute("99999999999999999999"), Ok(Some(i64::MAX)));
        for bad in ["1.5", "ten", "-", "1 000"] {
            assert!(parse_per_minute(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn edit_form_errors_name_the_guardrail() {
        assert_eq!(field_name("limit_usd", Some("g")), "limit_usd:g");
        assert_eq!(field_name("key_hashes", Some("g")), "keys:g");
        assert_eq!(field_name("name", None), "name");
    }
}
