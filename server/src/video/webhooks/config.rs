//! Settings of video webhooks (`[video.webhooks]` in the TOML file; `GATEAI_WEBHOOK_*` and
//! `GATEAI_ALLOW_*_WEBHOOKS` in the environment; the README lists them).

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    /// Lift the address rule: a `webhook_url` may point to private, loopback, link-local…
    /// addresses (a gateway inside a private network; tests).
    pub allow_private: bool,
    /// Accept `http://` webhook URLs. For tests and local development only: deliveries then
    /// travel unencrypted.
    pub allow_http: bool,
    /// Wait before the second attempt; it doubles after every failed attempt…
    pub backoff_base_ms: u64,
    /// …up to this wait between two attempts.
    pub backoff_max_ms: u64,
    /// A delivery without a 2xx answer this long after its job finished is given up.
    pub give_up_secs: u64,
    /// One attempt (connect, TLS, until the answer's headers).
    pub timeout_secs: u64,
    /// Deliveries a process sends at once.
    pub concurrency: usize,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            allow_private: false,
            allow_http: false,
            backoff_base_ms: 10_000,
            backoff_max_ms: 3_600_000,
            give_up_secs: 86_400,
            timeout_secs: 10,
            concurrency: 8,
        }
    }
}

impl WebhookConfig {
    /// Environment variables over the file's values.
    pub fn apply_env(&mut self) -> anyhow::Result<()> {
        use super::super::config::parse;
        parse("GATEAI_ALLOW_PRIVATE_WEBHOOKS", &mut self.allow_private)?;
        parse("GATEAI_ALLOW_HTTP_WEBHOOKS", &mut self.allow_http)?;
        parse("GATEAI_WEBHOOK_BACKOFF_BASE_MS", &mut self.backoff_base_ms)?;
        parse("GATEAI_WEBHOOK_BACKOFF_MAX_MS", &mut self.backoff_max_ms)?;
        parse("GATEAI_WEBHOOK_GIVE_UP_SECS", &mut self.give_up_secs)?;
        parse("GATEAI_WEBHOOK_TIMEOUT_SECS", &mut self.timeout_secs)?;
        parse("GATEAI_WEBHOOK_CONCURRENCY", &mut self.concurrency)?;
        Ok(())
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.backoff_base_ms == 0 || self.backoff_max_ms < self.backoff_base_ms {
            anyhow::bail!("video.webhooks.backoff_base_ms must be positive and at most backoff_max_ms");
        }
        if self.give_up_secs == 0 || self.timeout_secs == 0 || self.concurrency == 0 {
            anyhow::bail!("video.webhooks give_up_secs, timeout_secs and concurrency must be positive");
        }
        Ok(())
    }

    /// How long a worker holds a delivery it claimed: one attempt (resolving the host, then
    /// the request, each within the timeout) and some room.
    pub fn lease_ms(&self) -> i64 {
        i64::try_from(self.timeout_secs.saturating_mul(2).saturating_add(5).saturating_mul(1000)).unwrap_or(i64::MAX)
    }

    /// The wait after `failed` failed attempts (1 = after the first): doubling from the base,
    /// capped, plus up to a fifth more at random (so deliveries that failed together spread).
    pub fn backoff_ms(&self, failed: i64, jitter: impl FnOnce(u64) -> u64) -> i64 {
        let doublings = u32::try_from(failed.saturating_sub(1).clamp(0, 40)).unwrap_or(40);
        let wait = self.backoff_base_ms.saturating_mul(1u64.checked_shl(doublings).unwrap_or(u64::MAX)).min(self.backoff_max_ms);
        let extra = jitter(wait / 5).min(wait / 5);
        i64::try_from(wait.saturating_add(extra)).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let c = WebhookConfig { backoff_base_ms: 100, backoff_max_ms: 1_000, ..WebhookConfig::default() };
        let none = |_| 0;
        let waits: Vec<i64> = (1..=6).map(|n| c.backoff_ms(n, none)).collect();
        assert_eq!(waits, vec![100, 200, 400, 800, 1_000, 1_000]);
        // the most jitter there is: a fifth of the wait, never more
        assert_eq!(c.backoff_ms(1, |m| m), 120);
        assert_eq!(c.backoff_ms(1, |_| u64::MAX), 120);
        assert_eq!(c.backoff_ms(i64::MAX, none), 1_000);
        // with the most jitter a wait is still shorter than the next one without any
        for n in 1..4 {
            assert!(c.backoff_ms(n, |m| m) < c.backoff_ms(n + 1, none));
        }
    }

    #[test]
    fn defaults_retry_for_a_day() {
        let c = WebhookConfig::default();
        assert!(c.validate().is_ok());
        assert_eq!((c.backoff_base_ms, c.backoff_max_ms, c.give_up_secs), (10_000, 3_600_000, 86_400));
        assert!(WebhookConfig { backoff_base_ms: 0, ..c.clone() }.validate().is_err());
        assert!(WebhookConfig { backoff_max_ms: 1, ..c }.validate().is_err());
    }
}
