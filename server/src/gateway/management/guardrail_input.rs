//! Reading the bodies and query strings of the guardrail and routing-settings routes. Only the
//! JSON types are checked here (a wrong type on a known field is a 400 naming the field); the
//! values themselves (ranges, models and providers of the catalog) are checked by
//! `controls::changes`, the one place the console goes through too. Unknown fields are
//! ignored, as OpenRouter does.

use super::input::BadInput;
use crate::controls::changes::{GuardrailFields, MAX_LIMIT_USD};
use crate::controls::Period;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::str::FromStr;

/// Items per page of a list when the caller does not say, and at most.
pub const PAGE: usize = 100;

fn bad(param: &'static str, message: impl Into<String>) -> BadInput {
    BadInput { param, message: message.into() }
}

/// The fields of `POST /api/v1/guardrails` and `PATCH /api/v1/guardrails/{id}`: absent leaves
/// a field as it is, `null` clears it.
pub fn guardrail_fields(body: &Map<String, Value>) -> Result<GuardrailFields, BadInput> {
    Ok(GuardrailFields {
        name: match body.get("name") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(bad("name", "name must be a string")),
        },
        description: body.get("description").map(|v| text_or_null(v, "description")).transpose()?,
        limit_units: body.get("limit_usd").map(limit_usd).transpose()?,
        reset_interval: body.get("reset_interval").map(reset_interval).transpose()?,
        allowed_models: body.get("allowed_models").map(|v| list_or_null(v, "allowed_models")).transpose()?,
        allowed_providers: body.get("allowed_providers").map(|v| list_or_null(v, "allowed_providers")).transpose()?,
        requests_per_minute: body.get("requests_per_minute").map(|v| per_minute(v, "requests_per_minute")).transpose()?,
        tokens_per_minute: body.get("tokens_per_minute").map(|v| per_minute(v, "tokens_per_minute")).transpose()?,
    })
}

fn text_or_null(v: &Value, param: &'static str) -> Result<Option<String>, BadInput> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(bad(param, format!("{param} must be a string or null"))),
    }
}

/// A budget in USD (a number or a decimal string, at most ten decimals) in money units; `null`
/// for none. Values far out of range are pinned just outside it, so the range check of
/// `controls::changes` refuses them with its own message.
fn limit_usd(v: &Value) -> Result<Option<i64>, BadInput> {
    let not_a_number = || bad("limit_usd", "limit_usd must be a number of USD, like 25.5, or null for no budget");
    let d = match v {
        Value::Null => return Ok(None),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Decimal::from(i),
            (_, Some(u)) => Decimal::from(u),
            _ => {
                let f = n.as_f64().filter(|f| f.is_finite()).ok_or_else(not_a_number)?;
                if f.abs() > (MAX_LIMIT_USD as f64) * 10.0 {
                    Decimal::from(MAX_LIMIT_USD + 1) * if f < 0.0 { Decimal::NEGATIVE_ONE } else { Decimal::ONE }
                } else {
                    // the shortest text that reads back as this number: what the client wrote
                    Decimal::from_str(&f.to_string()).map_err(|_| not_a_number())?
                }
            }
        },
        Value::String(s) => {
            let s = s.trim();
            let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
            plain.then(|| Decimal::from_str(s).ok()).flatten().ok_or_else(not_a_number)?
        }
        _ => return Err(not_a_number()),
    };
    if d.normalize().scale() > app::types::money::SCALE {
        return Err(bad("limit_usd", "limit_usd has more than 10 decimal places"));
    }
    let pinned = d.clamp(Decimal::NEGATIVE_ONE, Decimal::from(MAX_LIMIT_USD + 1));
    Ok(app::types::Usd::new(pinned).to_units())
}

fn reset_interval(v: &Value) -> Result<Period, BadInput> {
    let wrong = || bad("reset_interval", "reset_interval must be \"daily\", \"weekly\", \"monthly\" or null");
    match v {
        Value::Null => Ok(Period::Never),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "daily" => Ok(Period::Daily),
            "weekly" => Ok(Period::Weekly),
            "monthly" => Ok(Period::Monthly),
            "never" => Ok(Period::Never),
            _ => Err(wrong()),
        },
        _ => Err(wrong()),
    }
}

fn list_or_null(v: &Value, param: &'static str) -> Result<Option<Vec<String>>, BadInput> {
    let wrong = || bad(param, format!("{param} must be an array of strings, or null for any"));
    match v {
        Value::Null => Ok(None),
        Value::Array(items) => items.iter().map(|i| i.as_str().map(String::from).ok_or_else(wrong)).collect::<Result<_, _>>().map(Some),
        _ => Err(wrong()),
    }
}

/// A whole number of requests or tokens per minute; `null` for no limit. The range is checked
/// by `controls::changes` (a number past i64 is pinned to the largest, which it refuses).
fn per_minute(v: &Value, param: &'static str) -> Result<Option<i64>, BadInput> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Some(n.as_i64().unwrap_or(i64::MAX))),
        _ => Err(bad(param, format!("{param} must be a whole number, or null for no limit"))),
    }
}

/// `{"key_hashes": ["…"]}`: the keys to assign or unassign, by id.
pub fn key_hashes(body: &Map<String, Value>) -> Result<Vec<String>, BadInput> {
    let wrong = || bad("key_hashes", "key_hashes must be an array of key hashes (ids), as GET /api/v1/keys shows them");
    match body.get("key_hashes") {
        Some(Value::Array(items)) => items.iter().map(|i| i.as_str().map(|s| s.trim().to_string()).ok_or_else(wrong)).collect(),
        _ => Err(wrong()),
    }
}

/// `PATCH /api/v1/settings/routing`: `auto_routing` (bool) and/or `preference` (a number; its
/// range is checked by `controls::changes`).
pub fn routing_patch(body: &Map<String, Value>) -> Result<(Option<bool>, Option<f64>), BadInput> {
    let auto = match body.get("auto_routing") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(bad("auto_routing", "auto_routing must be true or false")),
    };
    let preference = match body.get("preference") {
        None => None,
        Some(Value::Number(n)) => n.as_f64(),
        Some(_) => {
            return Err(bad("preference", "preference must be a number from 0 (cheapest) to 1 (best quality)"));
        }
    };
    Ok((auto, preference))
}

/// `offset` (0 or more) and `limit` (1 to 100, default 100) of a list.
pub fn page(q: &HashMap<String, String>) -> Result<(usize, usize), BadInput> {
    let number = |name: &'static str, default: usize| match q.get(name).map(|s| s.trim()) {
        None | Some("") => Ok(default),
        Some(s) => s.parse::<usize>().map_err(|_| bad(name, format!("{name} must be a whole number, 0 or more"))),
    };
    let offset = number("offset", 0)?;
    let limit = number("limit", PAGE)?;
    if !(1..=PAGE).contains(&limit) {
        return Err(bad("limit", format!("limit must be from 1 to {PAGE}")));
    }
    Ok((offset, limit))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn fields_are_read_by_type_and_null_clears() {
        let f = guardrail_fields(&obj(json!({
            "name": "ci", "description": null, "limit_usd": "2.5", "reset_interval": "weekly",
            "allowed_models": ["openai/*"], "allowed_providers": null, "requests_per_minute": 10,
            "tokens_per_minute": null, "enforce_zdr": true
        })))
        .unwrap();
        assert_eq!(f.name.as_deref(), Some("ci"));
        assert_eq!(f.description, Some(None));
        assert_eq!(f.limit_units, Some(Some(25_000_000_000)));
        assert_eq!(f.reset_interval, Some(Period::Weekly));
        assert_eq!(f.allowed_models, Some(Some(vec!["openai/*".to_string()])));
        assert_eq!(f.allowed_providers, Some(None));
        assert_eq!((f.requests_per_minute, f.tokens_per_minute), (Some(Some(10)), Some(None)));
        assert!(guardrail_fields(&obj(json!({"unknown": 1}))).unwrap().is_empty());
        assert_eq!(guardrail_fields(&obj(json!({"limit_usd": 0.1}))).unwrap().limit_units, Some(Some(1_000_000_000)));
        assert_eq!(guardrail_fields(&obj(json!({"limit_usd": null}))).unwrap().limit_units, Some(None));
    }

    #[test]
    fn out_of_range_values_reach_the_range_check_outside_the_range() {
        let units = |v: Value| guardrail_fields(&obj(json!({"limit_usd": v}))).unwrap().limit_units.unwrap().unwrap();
        let max = MAX_LIMIT_USD * 10_i64.pow(app::types::money::SCALE);
        assert!(units(json!(1e300)) > max);
        assert!(units(json!("99999999999999999999999")) > max);
        assert!(units(json!(-1e300)) < 0);
        assert!(units(json!(-0.5)) < 0);
        let rpm = guardrail_fields(&obj(json!({"requests_per_minute": u64::MAX}))).unwrap().requests_per_minute;
        assert_eq!(rpm, Some(Some(i64::MAX)));
    }

    #[test]
    fn wrong_types_are_refused_by_name() {
        let rows = [
            (json!({"name": 5}), "name"),
            (json!({"description": []}), "description"),
            (json!({"limit_usd": "lots"}), "limit_usd"),
            (json!({"limit_usd": true}), "limit_usd"),
            (json!({"limit_usd": 0.00000000001}), "limit_usd"),
            (json!({"reset_interval": "hourly"}), "reset_interval"),
            (json!({"allowed_models": "openai/*"}), "allowed_models"),
            (json!({"allowed_providers": [1]}), "allowed_providers"),
            (json!({"requests_per_minute": 1.5}), "requests_per_minute"),
            (json!({"tokens_per_minute": "10"}), "tokens_per_minute"),
        ];
        for (body, param) in rows {
            assert_eq!(guardrail_fields(&obj(body.clone())).unwrap_err().param, param, "{body}");
        }
        assert_eq!(key_hashes(&obj(json!({}))).unwrap_err().param, "key_hashes");
        assert_eq!(key_hashes(&obj(json!({"key_hashes": [1]}))).unwrap_err().param, "key_hashes");
        assert_eq!(routing_patch(&obj(json!({"preference": "high"}))).unwrap_err().param, "preference");
        assert_eq!(routing_patch(&obj(json!({"auto_routing": "off"}))).unwrap_err().param, "auto_routing");
        assert_eq!(routing_patch(&obj(json!({"preference": 0.25}))).unwrap(), (None, Some(0.25)));
    }

    #[test]
    fn pages_default_and_refuse_nonsense() {
        let q = |s: &[(&str, &str)]| s.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<HashMap<_, _>>();
        assert_eq!(page(&q(&[])).unwrap(), (0, PAGE));
        assert_eq!(page(&q(&[("offset", "2"), ("limit", "5")])).unwrap(), (2, 5));
        for bad in [("offset", "-1"), ("limit", "0"), ("limit", "101"), ("limit", "x")] {
            assert_eq!(page(&q(&[bad])).unwrap_err().param, bad.0);
        }
    }
}
