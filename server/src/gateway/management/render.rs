//! Keys in OpenRouter's shape, with money as exact JSON numbers (`25.5`, not a float's
//! approximation and not a string): written by hand, since `serde_json` would go through f64.

use crate::accounts::api_keys::status_of;
use crate::clock;
use crate::controls::admission::stored_period;
use crate::storage::ApiKeyRow;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde::Serialize;

/// What a key spent, in storage units: in total and since the start of the current UTC day,
/// week (Monday) and month.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    pub total: i64,
    pub daily: i64,
    pub weekly: i64,
    pub monthly: i64,
}

/// Storage units as an exact JSON number: `100`, `25.5`, `0.0000000001`.
pub fn number(units: i64) -> String {
    Decimal::from_i128_with_scale(i128::from(units), app::types::money::SCALE).normalize().to_string()
}

/// A JSON object written field by field.
pub struct Obj(String);

impl Obj {
    pub fn new() -> Self {
        Obj(String::from("{"))
    }
    fn raw(&mut self, key: &str, json: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push_str(&serde_json::to_string(key).unwrap_or_default());
        self.0.push(':');
        self.0.push_str(json);
    }
    pub fn value(&mut self, key: &str, v: impl Serialize) -> &mut Self {
        let json = serde_json::to_string(&v).unwrap_or_else(|_| "null".into());
        self.raw(key, &json);
        self
    }
    pub fn money(&mut self, key: &str, units: Option<i64>) -> &mut Self {
        self.raw(key, &units.map_or_else(|| "null".into(), number));
        self
    }
    pub fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

impl Default for Obj {
    fn default() -> Self {
        Obj::new()
    }
}

/// One key as OpenRouter's `/api/v1/keys` routes show it. `hash` is the key's id: the stored
/// keyed hash never leaves the server.
pub fn key(row: &ApiKeyRow, usage: Usage) -> String {
    let period = stored_period(row.budget_reset.as_deref());
    let used_in_period = match period.as_reset() {
        Some("daily") => usage.daily,
        Some("weekly") => usage.weekly,
        Some("monthly") => usage.monthly,
        _ => usage.total,
    };
    let remaining = row.budget_units.map(|b| (b - used_in_period).max(0));
    let mut o = Obj::new();
    o.value("hash", &row.id)
        .value("name", &row.name)
        .value("label", &row.prefix)
        .value("disabled", row.status == "disabled")
        .money("limit", row.budget_units)
        .money("limit_remaining", remaining)
        .value("limit_reset", period.as_reset())
        .value("include_byok_in_limit", false)
        .money("usage", Some(usage.total))
        .money("usage_daily", Some(usage.daily))
        .money("usage_weekly", Some(usage.weekly))
        .money("usage_monthly", Some(usage.monthly))
        .money("byok_usage", Some(0))
        .money("byok_usage_daily", Some(0))
        .money("byok_usage_weekly", Some(0))
        .money("byok_usage_monthly", Some(0))
        .value("created_at", clock::rfc3339(row.created_at))
        .value("updated_at", clock::rfc3339(row.updated_at))
        .value("expires_at", row.expires_at.map(clock::rfc3339))
        .value("creator_user_id", &row.created_by)
        .value("is_management_key", row.management)
        .value("status", status_of(row, clock::now()));
    o.finish()
}

/// A JSON body already written.
pub fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `{"data": <one>}`
pub fn data(one: String) -> String {
    format!("{{\"data\":{one}}}")
}

/// `{"data": [<many>]}`
pub fn data_list(many: &[String]) -> String {
    format!("{{\"data\":[{}]}}", many.join(","))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn money_is_an_exact_number() {
        assert_eq!(number(1_000_000_000_000), "100");
        assert_eq!(number(255_000_000_000), "25.5");
        assert_eq!(number(1), "0.0000000001");
        assert_eq!(number(0), "0");
        assert_eq!(number(1_234_567_890_123_456_789), "123456789.0123456789");
        let mut o = Obj::new();
        o.money("a", Some(1)).money("b", None).value("c", "x\"y");
        let v: serde_json::Value = serde_json::from_str(&data(o.finish())).unwrap();
        assert_eq!(v["data"]["a"], serde_json::json!(0.0000000001));
        assert_eq!(v["data"]["b"], serde_json::Value::Null);
        assert_eq!(v["data"]["c"], "x\"y");
    }
}
