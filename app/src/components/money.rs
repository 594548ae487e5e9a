//! Money as people read it, with the exact amount kept in an attribute.

use crate::types::Usd;
use leptos::prelude::*;

/// `$12.50`, `-$3.00`, or more decimals below a cent (`$0.0015`).
pub fn format_usd(amount: Usd) -> String {
    if amount.is_negative() {
        format!("-{}", amount.neg().display_short())
    } else {
        amount.display_short()
    }
}

/// An amount: short form shown, exact ten-decimal form in `title` and `data-amount`.
#[component]
pub fn Money(
    amount: Usd,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let exact = amount.to_string();
    view! {
        <span
            class="money"
            class:negative=amount.is_negative()
            title=format!("{exact} USD")
            data-amount=exact
            data-testid=testid
        >
            {format_usd(amount)}
        </span>
    }
}
