//! Settings → Routing: how `model: "auto"` is answered for the organization.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoutingSettings {
    /// On by default. Off: `model: "auto"` is refused with 400.
    pub auto_routing: bool,
    /// What auto routing favours: 0 the cheapest capable model … 1 the best quality.
    pub preference: f64,
    /// RFC 3339 of the last change (None: never changed, the defaults).
    pub updated_at: Option<String>,
    /// Owners and admins change them; members see them.
    pub can_edit: bool,
}

/// The preference as the form shows it: `0`, `0.25`, `1` (at most two decimals).
pub fn preference_text(p: f64) -> String {
    let s = format!("{p:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" { "0".to_string() } else { s.to_string() }
}

/// The preference in words.
pub fn preference_words(p: f64) -> &'static str {
    if p <= 0.2 {
        "cheapest capable model"
    } else if p < 0.8 {
        "a balance of cost and quality"
    } else {
        "best quality"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preference_reads_back() {
        assert_eq!(preference_text(0.0), "0");
        assert_eq!(preference_text(1.0), "1");
        assert_eq!(preference_text(0.25), "0.25");
        assert_eq!(preference_text(0.5), "0.5");
        assert_eq!(preference_words(0.0), "cheapest capable model");
        assert_eq!(preference_words(1.0), "best quality");
    }
}
