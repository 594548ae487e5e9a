//! Reading the management API's request bodies: every field checked, with a message that says
//! what to send instead. A field that is absent leaves things as they are; `null` clears.

use crate::controls::Period;
use crate::gateway::error::GatewayError;
use crate::storage::KeyChanges;
use app::types::Usd;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::str::FromStr;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Largest spending limit accepted, in USD (in storage units it must fit an i64).
const MAX_LIMIT_USD: i64 = 100_000_000;
/// Longest key name, as in the console.
const MAX_NAME_CHARS: usize = 80;

/// A refused field: 400 with the field as `param`.
#[derive(Debug, PartialEq)]
pub struct BadInput {
    pub param: &'static str,
    pub message: String,
}

impl BadInput {
    fn new(param: &'static str, message: impl Into<String>) -> Self {
        BadInput { param, message: message.into() }
    }
    pub fn error(self) -> GatewayError {
        GatewayError::BadRequest { message: self.message, param: Some(self.param.to_string()) }
    }
}

/// What `POST /api/v1/keys` asks for.
#[derive(Debug)]
pub struct NewKey {
    pub name: String,
    pub limit: Option<Usd>,
    pub limit_reset: Period,
    pub expires_at: Option<i64>,
}

pub fn parse_create(body: &Map<String, Value>, now: i64) -> Result<NewKey, BadInput> {
    let name = match body.get("name") {
        None | Some(Value::Null) => return Err(BadInput::new("name", "name is required: give the key a name")),
        Some(v) => name(v)?,
    };
    Ok(NewKey {
        name,
        limit: body.get("limit").map(limit).transpose()?.flatten(),
        limit_reset: body.get("limit_reset").map(limit_reset).transpose()?.unwrap_or(Period::Never),
        expires_at: body.get("expires_at").map(|v| expires_at(v, now)).transpose()?.flatten(),
    })
}

/// What `PATCH /api/v1/keys/{hash}` changes (`expires_at` too, beyond OpenRouter's fields).
pub fn parse_update(body: &Map<String, Value>, now: i64) -> Result<KeyChanges, BadInput> {
    let disabled = match body.get("disabled") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(BadInput::new("disabled", "disabled must be true or false")),
    };
    Ok(KeyChanges {
        name: body.get("name").map(name).transpose()?,
        disabled,
        budget_units: body.get("limit").map(limit).transpose()?.map(|l| l.and_then(Usd::to_units)),
        budget_reset: body
            .get("limit_reset")
            .map(limit_reset)
            .transpose()?
            .map(|p| p.as_reset().map(String::from)),
        expires_at: body.get("expires_at").map(|v| expires_at(v, now)).transpose()?,
    })
}

/// True when the change would change nothing.
pub fn is_empty(c: &KeyChanges) -> bool {
    c.name.is_none() && c.disabled.is_none() && c.budget_units.is_none() && c.budget_reset.is_none() && c.expires_at.is_none()
}

fn name(v: &Value) -> Result<String, BadInput> {
    let Some(s) = v.as_str() else { return Err(BadInput::new("name", "name must be a string")) };
    let s = s.trim();
    if s.is_empty() {
        return Err(BadInput::new("name", "name must not be empty: give the key a name"));
    }
    if s.chars().count() > MAX_NAME_CHARS {
        return Err(BadInput::new("name", format!("name must be at most {MAX_NAME_CHARS} characters")));
    }
    if s.chars().any(char::is_control) {
        return Err(BadInput::new("name", "name must not contain control characters"));
    }
    Ok(s.to_string())
}

/// A spending limit in USD: a number (or a decimal string), zero to one billion, at most ten
/// decimals; `null` for none.
fn limit(v: &Value) -> Result<Option<Usd>, BadInput> {
    let bad = |m: &str| BadInput::new("limit", m.to_string());
    let too_large = || BadInput::new("limit", format!("limit is too large: at most {MAX_LIMIT_USD} USD"));
    let d = match v {
        Value::Null => return Ok(None),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Decimal::from(i)
            } else if let Some(u) = n.as_u64() {
                Decimal::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if !f.is_finite() || f.abs() > MAX_LIMIT_USD as f64 * 10.0 {
                    return Err(too_large());
                }
                // the shortest text that reads back as this number: what the client wrote
                Decimal::from_str(&f.to_string()).map_err(|_| bad("limit must be a number of USD, like 25.5"))?
            }
        }
        Value::String(s) => {
            let s = s.trim();
            let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
            let d = if plain { Decimal::from_str(s).ok() } else { None };
            d.ok_or_else(|| bad("limit must be a number of USD, like 25.5"))?
        }
        _ => return Err(bad("limit must be a number of USD, like 25.5, or null for no limit")),
    };
    if d.is_sign_negative() && !d.is_zero() {
        return Err(bad("limit must not be negative"));
    }
    if d > Decimal::from(MAX_LIMIT_USD) {
        return Err(too_large());
    }
    if d.normalize().scale() > app::types::money::SCALE {
        return Err(bad("limit has more than 10 decimal places"));
    }
    let usd = Usd::new(d.normalize());
    if usd.to_units().is_none() {
        return Err(too_large());
    }
    Ok(Some(usd))
}

fn limit_reset(v: &Value) -> Result<Period, BadInput> {
    let bad = || BadInput::new("limit_reset", "limit_reset must be \"daily\", \"weekly\", \"monthly\" or null");
    match v {
        Value::Null => Ok(Period::Never),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "daily" => Ok(Period::Daily),
            "weekly" => Ok(Period::Weekly),
            "monthly" => Ok(Period::Monthly),
            "never" => Ok(Period::Never),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

/// An RFC 3339 time in UTC, in the future; `null` for never.
fn expires_at(v: &Value, now: i64) -> Result<Option<i64>, BadInput> {
    let bad = |m: &str| BadInput::new("expires_at", m.to_string());
    let s = match v {
        Value::Null => return Ok(None),
        Value::String(s) => s.trim(),
        _ => return Err(bad("expires_at must be an RFC 3339 time in UTC, like 2027-12-31T23:59:59Z, or null")),
    };
    let t = OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|_| bad("expires_at must be an RFC 3339 time in UTC, like 2027-12-31T23:59:59Z"))?;
    if !t.offset().is_utc() {
        return Err(bad("expires_at must be in UTC (ending in Z), like 2027-12-31T23:59:59Z"));
    }
    let ts = t.unix_timestamp();
    if ts <= now {
        return Err(bad("expires_at must be in the future"));
    }
    Ok(Some(ts))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn limits_are_read_exactly() {
        let k = parse_create(&obj(json!({"name": "a", "limit": 12.34})), NOW).unwrap();
        assert_eq!(k.limit.map(|l| l.to_string()), Some("12.3400000000".into()));
        let k = parse_create(&obj(json!({"name": "a", "limit": 0.1})), NOW).unwrap();
        assert_eq!(k.limit.and_then(Usd::to_units), Some(1_000_000_000));
        let k = parse_create(&obj(json!({"name": "a", "limit": "0.0000000001"})), NOW).unwrap();
        assert_eq!(k.limit.and_then(Usd::to_units), Some(1));
        let k = parse_create(&obj(json!({"name": "a", "limit": 100_000_000})), NOW).unwrap();
        assert!(k.limit.is_some());
        let k = parse_create(&obj(json!({"name": "a", "limit": null})), NOW).unwrap();
        assert!(k.limit.is_none());
    }

    #[test]
    fn bad_fields_are_refused_by_name() {
        let rows = [
            (json!({}), "name"),
            (json!({"name": "  "}), "name"),
            (json!({"name": 5}), "name"),
            (json!({"name": "x".repeat(81)}), "name"),
            (json!({"name": "a", "limit": -1}), "limit"),
            (json!({"name": "a", "limit": 100_000_001}), "limit"),
            (json!({"name": "a", "limit": 1e9}), "limit"),
            (json!({"name": "a", "limit": 1e300}), "limit"),
            (json!({"name": "a", "limit": "lots"}), "limit"),
            (json!({"name": "a", "limit": "1e3"}), "limit"),
            (json!({"name": "a", "limit": true}), "limit"),
            (json!({"name": "a", "limit": 0.00000000001}), "limit"),
            (json!({"name": "a", "limit_reset": "hourly"}), "limit_reset"),
            (json!({"name": "a", "limit_reset": 7}), "limit_reset"),
            (json!({"name": "a", "expires_at": "tomorrow"}), "expires_at"),
            (json!({"name": "a", "expires_at": "2027-12-31T23:59:59+02:00"}), "expires_at"),
            (json!({"name": "a", "expires_at": "2020-01-01T00:00:00Z"}), "expires_at"),
        ];
        for (body, param) in rows {
            let e = parse_create(&obj(body.clone()), NOW).unwrap_err();
            assert_eq!(e.param, param, "{body}");
        }
        let e = parse_update(&obj(json!({"disabled": "yes"})), NOW).unwrap_err();
        assert_eq!(e.param, "disabled");
    }

    #[test]
    fn update_tells_absent_from_null() {
        let c = parse_update(&obj(json!({"limit": null, "limit_reset": "weekly"})), NOW).unwrap();
        assert_eq!(c.budget_units, Some(None));
        assert_eq!(c.budget_reset, Some(Some("weekly".into())));
        assert!(c.name.is_none() && c.disabled.is_none() && c.expires_at.is_none());
        let c = parse_update(&obj(json!({"limit_reset": null})), NOW).unwrap();
        assert_eq!(c.budget_reset, Some(None));
        assert!(is_empty(&parse_update(&obj(json!({"include_byok_in_limit": true})), NOW).unwrap()));
    }
}
