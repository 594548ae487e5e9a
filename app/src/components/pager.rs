//! The "← Newer · Page n · Older →" links under a server-paged list (plain links: they work
//! before the page is interactive and without JavaScript).

use leptos::either::Either;
use leptos::prelude::*;

/// Links to the newer and older pages of a list; `prev`/`next` are `None` at either end.
#[component]
pub fn Pager(label: &'static str, prev: Option<String>, next: Option<String>, info: String) -> impl IntoView {
    let link = |href: Option<String>, rel: &'static str, testid: &'static str, text: &'static str| match href {
        Some(href) => Either::Left(view! { <a class="button secondary small" href=href rel=rel data-testid=testid>{text}</a> }),
        None => Either::Right(view! { <span class="button secondary small disabled" aria-disabled="true">{text}</span> }),
    };
    view! {
        <nav class="pagination" aria-label=label data-testid="pagination">
            {link(prev, "prev", "prev-page", "← Newer")}
            <span class="page-info" data-testid="page-info">{info}</span>
            {link(next, "next", "next-page", "Older →")}
        </nav>
    }
}
