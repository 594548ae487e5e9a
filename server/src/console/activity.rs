//! The current organization's request log: the activity page and the dashboard's spend chart
//! and latest requests. Every query is bound to the caller's organization.

use super::{internal, ConsoleBackend};
use crate::clock;
use crate::storage::{ApiKeyRow, LogQuery, RequestRecord};
use app::backend::{Caller, Result};
use app::types::*;
use std::collections::HashMap;

/// Days the dashboard's chart covers, today included.
const CHART_DAYS: u32 = 30;
const RECENT: i64 = 10;
/// Deep pages are refused rather than scanned.
const MAX_PAGE: u32 = 10_000;

/// How requests made in the console's chat playground name their key.
const PLAYGROUND_KEY: &str = "Console playground";

fn key_names(keys: &[ApiKeyRow]) -> HashMap<String, String> {
    keys.iter().map(|k| (k.id.clone(), k.name.clone())).collect()
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(super) fn record_info(r: RequestRecord, names: &HashMap<String, String>) -> RequestLogInfo {
    RequestLogInfo {
        // the only keys no listing has are the console playground's own
        key_name: r.key_id.as_ref().map(|k| names.get(k).cloned().unwrap_or_else(|| PLAYGROUND_KEY.into())).unwrap_or_default(),
        created_at: clock::rfc3339(r.created_at),
        status: u16::try_from(r.status).unwrap_or(0),
        input_tokens: count(r.input_tokens),
        output_tokens: count(r.output_tokens),
        cached_tokens: count(r.cached_tokens),
        cost: Usd::from_units(r.cost_units),
        latency_ms: count(r.latency_ms),
        ttft_ms: r.ttft_ms.map(count),
        id: r.id,
        protocol: r.protocol,
        model_requested: r.model_requested,
        model_used: r.model_used,
        provider: r.provider,
        error: r.error,
        streamed: r.streamed,
        usage_estimated: r.usage_estimated,
        route_reason: r.route_reason,
    }
}

pub(super) async fn activity(b: &ConsoleBackend, c: &Caller, filter: ActivityFilter) -> Result<ActivityPage> {
    let ctx = b.require(c).await?;
    let q = filter.query()?;
    if q.page > MAX_PAGE {
        return Err(ConsoleError::invalid("page", format!("pages go up to {MAX_PAGE}; narrow the filter instead")));
    }
    let db = &b.state.db;
    let keys = db.keys_of_org(&ctx.org.id).await.map_err(internal)?;
    if let Some(k) = &q.key_id {
        if !keys.iter().any(|r| &r.id == k) {
            return Err(ConsoleError::not_found("no such key in this organization"));
        }
    }
    let per_page = ACTIVITY_PAGE;
    let lq = LogQuery {
        org_id: ctx.org.id.clone(),
        key_id: q.key_id.clone(),
        model: q.model.clone(),
        status: q.status.map(str::to_string),
        since: q.since,
        until: q.until,
        limit: i64::from(per_page),
        offset: i64::from(q.page - 1) * i64::from(per_page),
    };
    let rows = db.request_logs(&lq).await.map_err(internal)?;
    let t = db.log_totals(&lq).await.map_err(internal)?;
    let names = key_names(&keys);
    Ok(ActivityPage {
        rows: rows.into_iter().map(|r| record_info(r, &names)).collect(),
        totals: ActivityTotals {
            requests: count(t.requests),
            errors: count(t.errors),
            input_tokens: count(t.input_tokens),
            output_tokens: count(t.output_tokens),
            cost: Usd::from_units(t.cost_units),
        },
        page: q.page,
        per_page,
        keys: keys.into_iter().map(|k| KeyChoice { id: k.id, name: k.name }).collect(),
    })
}

pub(super) async fn dashboard(b: &ConsoleBackend, c: &Caller) -> Result<DashboardActivity> {
    let ctx = b.require(c).await?;
    let db = &b.state.db;
    let today = clock::now().div_euclid(86_400);
    let first = today - i64::from(CHART_DAYS) + 1;
    let spend = db.spend_by_day(&ctx.org.id, first * 86_400).await.map_err(internal)?;
    let recent = db
        .request_logs(&LogQuery { org_id: ctx.org.id.clone(), since: 0, until: i64::MAX, limit: RECENT, ..Default::default() })
        .await
        .map_err(internal)?;
    let names = key_names(&db.keys_of_org(&ctx.org.id).await.map_err(internal)?);
    Ok(DashboardActivity {
        today,
        days: CHART_DAYS,
        spend: spend
            .into_iter()
            .map(|s| SpendPoint { day: s.day, model: s.model, cost: Usd::from_units(s.cost_units), requests: count(s.requests) })
            .collect(),
        recent: recent.into_iter().map(|r| record_info(r, &names)).collect(),
    })
}
