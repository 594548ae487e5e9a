//! Tables that scroll sideways on narrow screens instead of breaking the layout.

use leptos::prelude::*;

/// A table with column headers; `children` are the `<tr>` rows.
#[component]
pub fn DataTable(
    /// Column headers.
    headers: Vec<&'static str>,
    /// What the table lists, read by screen readers.
    #[prop(into)]
    caption: String,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid=testid>
                <caption class="sr-only">{caption}</caption>
                <thead>
                    <tr>
                        {headers.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// What an empty list says.
#[component]
pub fn Empty(#[prop(optional)] testid: Option<&'static str>, children: Children) -> impl IntoView {
    view! { <p class="empty" data-testid=testid.unwrap_or("empty")>{children()}</p> }
}
