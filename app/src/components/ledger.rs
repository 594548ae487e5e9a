//! Ledger entries as a table (dashboard and balance pages).

use super::{DataTable, Empty, Money, Time};
use crate::types::LedgerEntryInfo;
use leptos::either::Either;
use leptos::prelude::*;

/// Rows carry `data-testid="ledger-row"` and `data-kind` (`top_up`, `charge`, …).
#[component]
pub fn LedgerTable(entries: Vec<LedgerEntryInfo>, #[prop(into)] caption: String) -> impl IntoView {
    if entries.is_empty() {
        return Either::Left(view! { <Empty testid="ledger-empty">"No ledger entries yet."</Empty> });
    }
    Either::Right(view! {
        <DataTable
            headers=vec!["Date", "Type", "Amount", "Balance after", "Details"]
            caption=caption
            testid="ledger"
        >
            {entries
                .into_iter()
                .map(|e| {
                    let details = match (e.note.is_empty(), e.reference.is_empty()) {
                        (false, false) => format!("{} ({})", e.note, e.reference),
                        (false, true) => e.note.clone(),
                        (true, false) => e.reference.clone(),
                        (true, true) => String::new(),
                    };
                    view! {
                        <tr data-testid="ledger-row" data-kind=e.kind.as_str()>
                            <td><Time at=Some(e.created_at)/></td>
                            <td><span class=format!("badge kind-{}", e.kind.as_str())>{e.kind.label()}</span></td>
                            <td class="num"><Money amount=e.amount/></td>
                            <td class="num"><Money amount=e.balance_after/></td>
                            <td class="details">{details}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </DataTable>
    })
}
