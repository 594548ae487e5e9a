//! Logged requests as a table (activity page and dashboard).

use super::{format_usd, DataTable, Empty, Money, Time};
use crate::types::RequestLogInfo;
use leptos::either::Either;
use leptos::prelude::*;

fn tokens(n: u64) -> String {
    n.to_string()
}

fn ms(n: Option<u64>) -> String {
    n.map_or_else(|| "—".to_string(), |n| format!("{n} ms"))
}

/// Rows carry `data-testid="request-row"`, `data-status` (`ok`/`error`) and `data-model`.
/// `compact` leaves out the token and timing columns (dashboard).
#[component]
pub fn RequestTable(
    rows: Vec<RequestLogInfo>,
    #[prop(into)] caption: String,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    if rows.is_empty() {
        return Either::Left(view! { <Empty testid="requests-empty">"No requests yet."</Empty> });
    }
    let headers = if compact {
        vec!["Time", "Key", "Model", "Status", "Cost"]
    } else {
        vec![
            "Time", "Key", "Model asked → used", "Provider", "Status", "Tokens in / out / cached", "Cost", "Latency", "TTFT",
            "Streamed",
        ]
    };
    Either::Right(view! {
        <DataTable headers caption testid="requests">
            {rows.into_iter().map(|r| view! { <RequestRow r compact/> }).collect_view()}
        </DataTable>
    })
}

#[component]
fn RequestRow(r: RequestLogInfo, compact: bool) -> impl IntoView {
    let state = if r.ok() { "ok" } else { "error" };
    let used = r.model_used.clone().unwrap_or_default();
    let model = if used.is_empty() || used == r.model_requested {
        r.model_requested.clone()
    } else {
        format!("{} → {used}", r.model_requested)
    };
    let status = view! {
        <span class=format!("badge status-{state}") title=r.error.clone().unwrap_or_default()>{r.status}</span>
        {(!compact).then(|| r.error.clone().map(|e| view! { <span class="request-error">{e}</span> }))}
    };
    let key = if r.key_name.is_empty() { "—".to_string() } else { r.key_name.clone() };
    let head = view! {
        <td><Time at=Some(r.created_at.clone())/></td>
        <td>{key}</td>
        <td class="model-cell"><code>{model}</code></td>
    };
    let tail = if compact {
        Either::Left(view! {
            <td>{status}</td>
            <td class="num"><Money amount=r.cost/></td>
        })
    } else {
        let toks = format!("{} / {} / {}", tokens(r.input_tokens), tokens(r.output_tokens), tokens(r.cached_tokens));
        let estimated = r.usage_estimated.then_some(" (estimated)");
        Either::Right(view! {
            <td>{r.provider.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{status}</td>
            <td class="num">{toks}{estimated}</td>
            <td class="num" title=format!("{} USD", r.cost)>{format_usd(r.cost)}</td>
            <td class="num">{ms(Some(r.latency_ms))}</td>
            <td class="num">{ms(r.ttft_ms)}</td>
            <td>{if r.streamed { "yes" } else { "no" }}</td>
        })
    };
    view! {
        <tr data-testid="request-row" data-status=state data-model=used data-request-id=r.id.clone()>
            {head}
            {tail}
        </tr>
    }
}
