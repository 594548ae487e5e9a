//! The title block of a page (also sets the document title).

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PageHeader(
    title: &'static str,
    #[prop(optional)] description: Option<&'static str>,
) -> impl IntoView {
    view! {
        <Title text=title/>
        <header class="page-header">
            <h1>{title}</h1>
            {description.map(|d| view! { <p class="lead">{d}</p> })}
        </header>
    }
}
