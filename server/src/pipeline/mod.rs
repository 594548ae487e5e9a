//! A chat request, one way through:
//! summary → route → checks and admission → upstream (with retries and fallbacks) →
//! translate back → bill and log (off the request path).

pub mod prepare;
mod record;
mod stream;
pub mod summary;

use crate::accounts::AuthedKey;
use crate::catalog::{ModelEntry, Prices};
use crate::gateway::error::GatewayError;
use crate::http::Protocol;
use crate::providers::{Provider, ProviderProtocol, UpstreamFailure, UpstreamResponse};
use crate::state::AppState;
use crate::translate::{self, Dialect};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use prepare::Prepared;
use rand::Rng;
use record::Draft;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One inbound chat request, authenticated and parsed.
pub struct Call {
    pub client: Protocol,
    pub body: Arc<Value>,
    pub key: AuthedKey,
    pub request_id: String,
    pub started: Instant,
    /// Anthropic headers forwarded to Anthropic upstreams.
    pub anthropic_version: Option<String>,
    pub anthropic_beta: Option<String>,
    /// A guest of the console playground (then `key` is the guest pool's).
    pub guest: Option<crate::controls::Guest>,
}

pub async fn run(state: &AppState, call: Call) -> Response {
    let mut draft = Draft::new(&call.request_id, &call.key.org_id, &call.key.id, call.client, call.started);
    if let Some(g) = &call.guest {
        draft.guest(g);
    }
    match route_and_send(state, &call, &mut draft).await {
        Ok(Delivered::Done(resp)) => {
            state.recorder.record(draft.finish()).await;
            resp
        }
        Ok(Delivered::Streaming(resp)) => resp,
        Err(e) => {
            draft.failed(&e);
            state.recorder.record(draft.finish()).await;
            e.render(call.client)
        }
    }
}

enum Delivered {
    /// Answered in full; the draft is ready to record.
    Done(Response),
    /// A stream is running; its task records when it ends.
    Streaming(Response),
}

async fn route_and_send(state: &AppState, call: &Call, draft: &mut Draft) -> Result<Delivered, GatewayError> {
    macro_rules! fail {
        ($e:expr) => {
            return Err($e)
        };
    }
    if call.key.management {
        fail!(GatewayError::ManagementKeyOnCompletions);
    }
    let valid = match call.client {
        Protocol::OpenAi => translate::request::openai_validate(&call.body),
        Protocol::Anthropic => translate::request::anthropic_validate(&call.body, true),
    };
    let summary = match summary::summarize(call.client, &call.body) {
        Ok(s) => s,
        Err(e) => fail!(e),
    };
    draft.asked(&summary.model, summary.stream);
    if let Err(e) = valid {
        fail!(GatewayError::BadRequest { message: e.message, param: e.param });
    }
    let policy = match state.controls.policies.get(&state.db, &call.key.org_id).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "policy lookup failed");
            fail!(GatewayError::Internal)
        }
    };
    let allowed = |m: &ModelEntry| policy.allows(&call.key.id, m);
    let rules = crate::routing::Rules {
        allowed: policy.restricts(&call.key.id).then_some(&allowed as &(dyn Fn(&ModelEntry) -> bool + Sync)),
        auto_routing: policy.auto_routing,
        preference: policy.preference,
    };
    let route = match crate::routing::choose(&state.catalog.current(), &state.providers, &summary.model, &summary.fallbacks, &summary.needs, &rules) {
        Ok(r) => r,
        Err(e) => fail!(e),
    };
    let first = route.models[0].clone();
    if first.prices().is_none() {
        fail!(GatewayError::BillingNotFound(first.id.clone()))
    }
    let cfg = &state.config.gateway;
    // the dearest model the request may end on, at its whole output
    let mut demand = crate::controls::Demand { free: first.is_free(), ..Default::default() };
    for m in &route.models {
        let Some(p) = m.prices() else { continue };
        let out = max_output(m, &summary, cfg);
        demand.cost = demand.cost.max(crate::billing::pricing::worst_case_units(&p, summary.needs.input_tokens, out));
        demand.tokens = demand.tokens.max(summary.needs.input_tokens.saturating_add(out).min(i64::MAX as u64) as i64);
    }
    match state.controls.admit_as(&state.db, &state.recorder, &call.key, call.guest.as_ref(), &policy, demand).await {
        Ok(hold) => draft.hold(hold),
        Err(e) => {
            draft.used(&first, route.reason.as_deref());
            fail!(e);
        }
    }

    let mut last = GatewayError::NoProviderHandler;
    for model in &route.models {
        let Some(prices) = model.prices() else { continue };
        let Some(provider) = state.providers.get(&model.provider) else { continue };
        let prepared = match prepare::prepare(call.client, &call.body, model, provider.protocol, cfg) {
            Ok(p) => p,
            Err(e) => fail!(e),
        };
        draft.used(model, route.reason.as_deref());
        match send_with_retries(state, call, provider, &prepared).await {
            Ok(resp) => {
                let ctx = Answer { model: model.clone(), prices, prepared, reason: route.reason.clone(), summary: summary.clone() };
                return if summary.stream {
                    Ok(Delivered::Streaming(stream::deliver(state, call, resp, ctx, draft.take())))
                } else {
                    match respond(call, resp, &ctx, draft, cfg.idle_timeout_secs).await {
                        Ok(r) => Ok(Delivered::Done(r)),
                        Err(e) => {
                            last = e;
                            continue;
                        }
                    }
                };
            }
            Err(f) => {
                tracing::warn!(request_id = %call.request_id, model = %model.id, failure = ?f, "upstream attempt failed");
                last = map_failure(f);
            }
        }
    }
    fail!(last)
}

/// The output tokens a request may produce on `model`: what it asks for, or the default,
/// within the model's own maximum (the same numbers `prepare` sends upstream).
fn max_output(model: &ModelEntry, summary: &summary::Summary, cfg: &crate::config::GatewayConfig) -> u64 {
    let (cap, default) = prepare::output_limits(model, cfg);
    let asked = summary.needs.max_output.unwrap_or(default);
    cap.map_or(asked, |c| asked.min(c))
}

/// What the answer of a successful call needs.
struct Answer {
    model: Arc<ModelEntry>,
    prices: Prices,
    prepared: Prepared,
    reason: Option<String>,
    summary: summary::Summary,
}

fn map_failure(f: UpstreamFailure) -> GatewayError {
    match f {
        UpstreamFailure::Connect => GatewayError::BadGateway,
        UpstreamFailure::Timeout => GatewayError::Timeout,
        UpstreamFailure::Status { status, message, .. } => match status {
            401 | 403 => GatewayError::UpstreamUnavailable,
            408 | 409 | 429 | 500..=599 => GatewayError::UpstreamUnavailable,
            _ => GatewayError::UpstreamError { raw: message },
        },
    }
}

/// Retries one model on connect errors, timeouts, 408/409/429 and 5xx with exponential
/// backoff and jitter, honouring `retry-after` up to 10 s (longer waits move on instead).
async fn send_with_retries(
    state: &AppState,
    call: &Call,
    provider: &Provider,
    prepared: &Prepared,
) -> Result<UpstreamResponse, UpstreamFailure> {
    let cfg = &state.config.gateway;
    let mut headers: Vec<(&str, String)> = vec![];
    if provider.protocol == ProviderProtocol::Anthropic {
        headers.push(("anthropic-version", call.anthropic_version.clone().unwrap_or_else(|| "2023-06-01".into())));
        if call.client == Protocol::Anthropic {
            if let Some(b) = &call.anthropic_beta {
                headers.push(("anthropic-beta", b.clone()));
            }
        }
    }
    let mut attempt = 0u32;
    loop {
        match provider.post_json(prepared.path, prepared.body.clone(), &headers).await {
            Ok(r) => return Ok(r),
            Err(f) if f.retryable() && attempt < cfg.retries => {
                let base = cfg.retry_base_ms.saturating_mul(1 << attempt.min(6));
                let jitter = rand::thread_rng().gen_range(0..=cfg.retry_base_ms.max(1));
                let mut wait = Duration::from_millis(base + jitter).min(Duration::from_secs(5));
                if let UpstreamFailure::Status { retry_after: Some(ra), .. } = &f {
                    if *ra > Duration::from_secs(10) {
                        return Err(f);
                    }
                    wait = wait.max(*ra);
                }
                attempt += 1;
                tokio::time::sleep(wait).await;
            }
            Err(f) => return Err(f),
        }
    }
}

/// Headers every answer carries: which model answered, from which provider, and why.
pub fn answer_headers(headers: &mut HeaderMap, model: &ModelEntry, reason: Option<&str>) {
    if let Ok(v) = HeaderValue::from_str(&model.id) {
        headers.insert("x-gateai-model", v);
    }
    if let Ok(v) = HeaderValue::from_str(&model.provider) {
        headers.insert("x-gateai-provider", v);
    }
    if let Some(v) = reason.and_then(|r| HeaderValue::from_str(r).ok()) {
        headers.insert("x-gateai-route-reason", v);
    }
}

/// A non-streamed answer: read, translate or rename, bill.
async fn respond(call: &Call, resp: UpstreamResponse, a: &Answer, draft: &mut Draft, idle_secs: u64) -> Result<Response, GatewayError> {
    let bytes = match tokio::time::timeout(Duration::from_secs(idle_secs), resp.response.bytes()).await {
        Err(_) => return Err(GatewayError::Timeout),
        Ok(Err(_)) => return Err(GatewayError::BadGateway),
        Ok(Ok(b)) => b,
    };
    let upstream: Value = serde_json::from_slice(&bytes).map_err(|_| GatewayError::UpstreamError { raw: None })?;
    let id = &a.model.id;
    let (body, usage) = match (call.client, a.prepared.upstream) {
        (Protocol::OpenAi, Dialect::OpenAi) => {
            let u = translate::response::openai_usage(&upstream);
            let mut b = upstream;
            translate::response::set_model(&mut b, id);
            (b, u)
        }
        (Protocol::Anthropic, Dialect::Anthropic) => {
            let u = translate::response::anthropic_usage(&upstream);
            let mut b = upstream;
            translate::response::set_model(&mut b, id);
            (b, u)
        }
        (Protocol::OpenAi, Dialect::Anthropic) => {
            (translate::response::anthropic_to_openai_response(&upstream, id), translate::response::anthropic_usage(&upstream))
        }
        (Protocol::Anthropic, Dialect::OpenAi) => (
            translate::response::openai_to_anthropic_response(&upstream, id, &a.prepared.names),
            translate::response::openai_usage(&upstream),
        ),
    };
    let (usage, estimated) = match usage {
        Some(u) => (u, false),
        None => (estimate_usage(call, &body), true),
    };
    let cost = crate::billing::pricing::cost_units(&a.prices, &usage).ok_or(GatewayError::BillingConfig)?;
    draft.first_token();
    draft.usage(&usage, cost, estimated);
    let mut r = (StatusCode::OK, axum::Json(body)).into_response();
    answer_headers(r.headers_mut(), &a.model, a.reason.as_deref());
    Ok(r)
}

/// When the upstream reports no usage: the request and the answer counted with a tokenizer.
fn estimate_usage(call: &Call, answer: &Value) -> translate::usage::Usage {
    let input = match call.client {
        Protocol::OpenAi => translate::estimate::openai_request_tokens(&call.body),
        Protocol::Anthropic => translate::estimate::anthropic_request_tokens(&call.body),
    };
    let text = answer.to_string();
    translate::usage::Usage { input, output: translate::estimate::count_text(&text), ..Default::default() }
}
