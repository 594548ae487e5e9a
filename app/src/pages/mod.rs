//! One file per page of the console.

pub mod activity;
pub mod admin_catalog;
pub mod admin_catalog_edit;
pub mod admin_codes;
pub mod admin_providers;
pub mod admin_users;
pub mod audit;
pub mod auth;
pub mod balance;
pub mod budget_row;
pub mod budgets;
pub mod dashboard;
pub mod guardrail_card;
pub mod guardrail_form;
pub mod guardrails;
pub mod invite;
pub mod keys;
pub mod layout;
pub mod model_detail;
pub mod models;
pub mod not_found;
pub mod organization;
pub mod playground;
#[cfg(feature = "hydrate")]
mod playground_fetch;
pub mod routing_settings;
pub mod setup;
pub mod sign_in;
pub mod sign_up;
pub mod webhooks;
mod video_form;
mod video_jobs;
pub mod video_playground;

/// Percent-encodes a text for a query-parameter value (keeps `/` readable).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_query_values() {
        assert_eq!(super::encode("/invite/a b?x=1&y"), "/invite/a%20b%3Fx%3D1%26y");
    }
}
