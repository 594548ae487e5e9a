//! `GET /api/v1/key` and `GET /api/v1/credits`, in OpenRouter's `{"data": {…}}` shapes with
//! money as decimal strings. `/api/v1/key` also lists the guardrails that apply to the key (on it
//! or its organization) and the tightest requests and tokens per minute among them.

use super::auth::ApiKey;
use crate::http::{api_error, Protocol};
use crate::state::AppState;
use app::types::Usd;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The calling key: name, prefix, spend, budget and what is left of it, its guardrails and
/// rate limits.
pub async fn get_key(State(state): State<AppState>, ApiKey(key): ApiKey) -> Response {
    // spend moves with every request: read it fresh, not from the authentication cache
    let spend_units = match state.db.key_by_id(&key.org_id, &key.id).await {
        Ok(Some(row)) => row.spend_units,
        Ok(None) => key.spend_units,
        Err(e) => {
            tracing::error!(error = %e, "key lookup failed");
            return api_error(Protocol::OpenAi, StatusCode::INTERNAL_SERVER_ERROR, "internal server error");
        }
    };
    let key = crate::accounts::AuthedKey { spend_units, ..key };
    let now = crate::clock::now();
    let period = key.budget_period;
    // the budget counts the spend of its current period (UTC)
    let period_spend = match period {
        crate::controls::Period::Never => Ok(key.spend_units),
        p => state.db.key_spend_since(&key.id, p.start(now)).await,
    };
    let period_spend = match period_spend {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "key spend lookup failed");
            return api_error(Protocol::OpenAi, StatusCode::INTERNAL_SERVER_ERROR, "internal server error");
        }
    };
    // the guardrails on the key or its organization: their ids and the tightest rate limits
    let policy = match state.controls.policies.get(&state.db, &key.org_id).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "policy lookup failed");
            return api_error(Protocol::OpenAi, StatusCode::INTERNAL_SERVER_ERROR, "internal server error");
        }
    };
    let mut guardrails: Vec<&str> = vec![];
    for (_, g) in policy.for_key(&key.id) {
        if !guardrails.contains(&g.id.as_str()) {
            guardrails.push(&g.id);
        }
    }
    let rpm = policy.for_key(&key.id).filter_map(|(_, g)| g.requests_per_minute).min();
    let tpm = policy.for_key(&key.id).filter_map(|(_, g)| g.tokens_per_minute).min();
    let limit = key.budget_units.map(Usd::from_units);
    let remaining = key.budget_units.map(|b| Usd::from_units((b - period_spend).max(0)));
    Json(json!({
        "data": {
            "label": key.prefix,
            "name": key.name,
            "usage": Usd::from_units(key.spend_units),
            "limit": limit,
            "limit_remaining": remaining,
            "limit_reset": period.as_reset(),
            "limit_resets_at": key.budget_units.and(period.next_reset(now)).map(crate::clock::rfc3339),
            "usage_this_period": Usd::from_units(period_spend),
            "expires_at": key.expires_at.map(crate::clock::rfc3339),
            "is_free_tier": false,
            "is_provisioning_key": key.management,
            // OpenRouter's shape for a request rate; tokens per minute are ours
            "rate_limit": rpm.map(|r| json!({"requests": r, "interval": "1m"})),
            "requests_per_minute": rpm,
            "tokens_per_minute": tpm,
            "guardrails": guardrails,
        }
    }))
    .into_response()
}

/// The organization's balance, what it was credited in total and what it spent.
pub async fn get_credits(State(state): State<AppState>, ApiKey(key): ApiKey) -> Response {
    match state.db.totals(&key.org_id).await {
        Ok(t) => Json(json!({
            "data": {
                "total_credits": Usd::from_units(t.credited_units),
                "total_usage": Usd::from_units(t.spent_units),
                "balance": Usd::from_units(t.balance_units),
                "currency": "USD",
            }
        }))
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "credits lookup failed");
            api_error(Protocol::OpenAi, StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
        }
    }
}
