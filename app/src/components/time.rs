//! Timestamps, shown the same on server and browser (UTC, no local time zone: the server and
//! the browser must render the same text for hydration).

use leptos::prelude::*;

/// `2026-11-25T21:01:07.123Z` → `2026-11-25 21:01 UTC`; a bare date stays as it is.
pub fn short_time(rfc3339: &str) -> String {
    let s = rfc3339.trim();
    match (s.get(0..10), s.get(11..16)) {
        (Some(date), Some(hm)) if s.as_bytes().get(10).is_some_and(|b| *b == b'T' || *b == b' ') => {
            format!("{date} {hm} UTC")
        }
        _ => s.to_string(),
    }
}

/// A `<time>` element for an RFC 3339 timestamp, or a dash when there is none.
#[component]
pub fn Time(#[prop(into)] at: Option<String>, #[prop(optional)] empty: Option<&'static str>) -> impl IntoView {
    match at {
        Some(at) => {
            let words = short_time(&at);
            leptos::either::Either::Left(view! { <time datetime=at>{words}</time> })
        }
        None => leptos::either::Either::Right(view! { <span class="muted">{empty.unwrap_or("—")}</span> }),
    }
}

#[cfg(test)]
mod tests {
    use super::short_time;

    #[test]
    fn shortens_rfc3339() {
        assert_eq!(short_time("2026-11-25T21:01:07.123Z"), "2026-11-25 21:01 UTC");
        assert_eq!(short_time("2026-11-25"), "2026-11-25");
    }
}
