//! The organization's request log as the console shows it: the activity page (filter, rows,
//! totals) and the dashboard's spend by day and recent requests.

use super::days::{format_day, parse_day};
use super::{ConsoleError, Usd};
use serde::{Deserialize, Serialize};

/// Rows per page of the activity log.
pub const ACTIVITY_PAGE: u32 = 50;

/// One request as logged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestLogInfo {
    pub id: String,
    /// RFC 3339.
    pub created_at: String,
    pub key_name: String,
    /// `openai` or `anthropic`: the protocol the client spoke.
    pub protocol: String,
    pub model_requested: String,
    pub model_used: Option<String>,
    pub provider: Option<String>,
    pub status: u16,
    pub error: Option<String>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cached_tokens: u64,
    pub cost: Usd,
    pub latency_ms: u64,
    pub ttft_ms: Option<u64>,
    pub streamed: bool,
    pub usage_estimated: bool,
    pub route_reason: Option<String>,
}

impl RequestLogInfo {
    pub fn ok(&self) -> bool {
        self.status < 400
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ActivityTotals {
    pub requests: u64,
    pub errors: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost: Usd,
}

/// A key to filter by (revoked ones too: their requests stay in the log).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyChoice {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub rows: Vec<RequestLogInfo>,
    /// Of every request the filter matches, not just this page.
    pub totals: ActivityTotals,
    pub page: u32,
    pub per_page: u32,
    pub keys: Vec<KeyChoice>,
}

/// The activity filter as the page's query string carries it (a GET form).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityFilter {
    pub key: String,
    pub model: String,
    /// `ok`, `error` or empty.
    pub status: String,
    /// First and last UTC day, `YYYY-MM-DD`, both included.
    pub from: String,
    pub to: String,
    pub page: u32,
}

/// The filter, read: what storage is asked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActivityQuery {
    pub key_id: Option<String>,
    pub model: Option<String>,
    pub status: Option<&'static str>,
    /// Unix seconds, `since` included, `until` excluded.
    pub since: i64,
    pub until: i64,
    pub page: u32,
}

impl ActivityFilter {
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> ActivityFilter {
        let text = |k: &str| get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        ActivityFilter {
            key: text("key"),
            model: text("model"),
            status: text("status"),
            from: text("from"),
            to: text("to"),
            page: text("page").parse::<u32>().ok().filter(|p| *p >= 1).unwrap_or(1),
        }
    }

    /// Reads the filter; every value that cannot be read is reported next to its field and
    /// left out of the query.
    pub fn read(&self) -> (ActivityQuery, Vec<(&'static str, String)>) {
        let mut errors = Vec::new();
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let status = match self.status.as_str() {
            "" => None,
            "ok" => Some("ok"),
            "error" => Some("error"),
            _ => {
                errors.push(("status", "choose ok or error".to_string()));
                None
            }
        };
        let mut day = |field: &'static str, s: &str| match s {
            "" => None,
            s => match parse_day(s) {
                Some(d) => Some(d),
                None => {
                    errors.push((field, "use a date like 2026-11-25".to_string()));
                    None
                }
            },
        };
        let from = day("from", &self.from);
        let mut to = day("to", &self.to);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(("to", "the last day must not be before the first day".to_string()));
                to = None;
            }
        }
        let q = ActivityQuery {
            key_id: some(&self.key),
            model: some(&self.model),
            status,
            since: from.map_or(0, |d| d * 86_400),
            until: to.map_or(i64::MAX, |d| (d + 1) * 86_400),
            page: self.page.max(1),
        };
        (q, errors)
    }

    /// The filter without the values that cannot be read, and why they cannot.
    pub fn cleaned(&self) -> (ActivityFilter, Vec<(&'static str, String)>) {
        let (_, errors) = self.read();
        let mut f = self.clone();
        for (field, _) in &errors {
            match *field {
                "status" => f.status.clear(),
                "from" => f.from.clear(),
                "to" => f.to.clear(),
                _ => {}
            }
        }
        (f, errors)
    }

    /// The same filter, strictly: the first unreadable value is the error.
    pub fn query(&self) -> Result<ActivityQuery, ConsoleError> {
        let (q, errors) = self.read();
        match errors.into_iter().next() {
            Some((field, message)) => Err(ConsoleError::invalid(field, message)),
            None => Ok(q),
        }
    }

    /// `/activity?…` for this filter at another page.
    pub fn href(&self, page: u32) -> String {
        let mut parts = vec![];
        for (k, v) in [("key", &self.key), ("model", &self.model), ("status", &self.status), ("from", &self.from), ("to", &self.to)] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", crate::pages::encode(v)));
            }
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            "/activity".into()
        } else {
            format!("/activity?{}", parts.join("&"))
        }
    }
}

/// Spend of one model on one UTC day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpendPoint {
    /// Days since 1970-01-01.
    pub day: i64,
    pub model: String,
    pub cost: Usd,
    pub requests: u64,
}

/// The dashboard's request side: spend by day and model, and the latest requests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardActivity {
    /// Today (UTC) as a day number; the chart ends here.
    pub today: i64,
    /// How many days the chart covers, today included.
    pub days: u32,
    pub spend: Vec<SpendPoint>,
    pub recent: Vec<RequestLogInfo>,
}

impl DashboardActivity {
    pub fn first_day(&self) -> String {
        format_day(self.today - i64::from(self.days) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(pairs: &[(&str, &str)]) -> ActivityFilter {
        ActivityFilter::from_query(|k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn reads_days_as_whole_utc_days() {
        let f = filter(&[("from", "2026-11-24"), ("to", "2026-11-25"), ("status", "error"), ("page", "3")]);
        let q = f.query().expect("valid");
        assert_eq!(q.since, 20_781 * 86_400);
        assert_eq!(q.until, 20_783 * 86_400);
        assert_eq!(q.status, Some("error"));
        assert_eq!(q.page, 3);
        assert_eq!(f.href(2), "/activity?status=error&from=2026-11-24&to=2026-11-25&page=2");
        let open = filter(&[]).query().expect("valid");
        assert_eq!((open.since, open.until, open.page), (0, i64::MAX, 1));
        assert_eq!(filter(&[("page", "0")]).href(1), "/activity");
    }

    #[test]
    fn unreadable_values_are_reported_by_field() {
        let f = filter(&[("from", "2026-11-31"), ("to", "yesterday"), ("status", "maybe"), ("model", "openai/gpt-5")]);
        let (q, errors) = f.read();
        assert_eq!(errors.iter().map(|e| e.0).collect::<Vec<_>>(), vec!["status", "from", "to"]);
        assert_eq!(q.model.as_deref(), Some("openai/gpt-5"));
        let backwards = filter(&[("from", "2026-11-25"), ("to", "2026-11-24")]);
        assert_eq!(backwards.query().err().and_then(|e| e.field().map(str::to_string)), Some("to".into()));
    }
}
