//! "Free models today: 3 / 200 requests" with a bar: the signed-in person's requests on free
//! models (catalog price zero) since 00:00 UTC against the operator's daily limit. Shown on
//! the dashboard and the model marketplace; nothing for visitors.

use crate::api::models::free_usage;
use crate::types::FreeUsage;
use leptos::prelude::*;

/// Loads the counters and shows [`FreeUsageCard`] (nothing while loading, for a visitor or
/// on an error: the pages work without it). `epoch` reloads it (the session's epoch).
#[component]
pub fn FreeUsageSection(#[prop(into)] epoch: Signal<u32>) -> impl IntoView {
    let usage = Resource::new(move || epoch.get(), |_| free_usage());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move { usage.await.ok().flatten().map(|u| view! { <FreeUsageCard usage=u/> }) })}
        </Transition>
    }
}

#[component]
pub fn FreeUsageCard(usage: FreeUsage) -> impl IntoView {
    let words = usage.words();
    let percent = usage.percent();
    let exhausted = usage.exhausted();
    let global = (usage.limit_global > 0).then(|| {
        format!("Everyone on this gateway: {} / {} today.", usage.used_global_today, usage.limit_global)
    });
    view! {
        <section
            class="card free-usage"
            aria-labelledby="free-usage-heading"
            data-testid="free-usage"
            data-used=usage.used_today.to_string()
            data-limit=usage.limit_per_user.to_string()
        >
            <div class="free-usage-line">
                <h2 id="free-usage-heading">"Free models today"</h2>
                <span class="free-usage-figure" data-testid="free-usage-words">{words}</span>
            </div>
            {percent.map(|pct| view! {
                <progress
                    class="free-usage-bar"
                    class:over=exhausted
                    max="100"
                    value=pct
                    aria-label="Free-model requests used today"
                ></progress>
            })}
            <p class="muted small">
                {if exhausted {
                    "The daily free-model limit is reached: free models answer again after 00:00 UTC; paid models still work."
                } else {
                    "Requests on free models by your keys and the playground since 00:00 UTC."
                }}
                " "
                {global}
            </p>
        </section>
    }
}
