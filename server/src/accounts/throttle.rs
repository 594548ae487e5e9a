//! Sign-in throttling: failures counted per account and per client address in a sliding
//! window; past the limit, sign-in answers 429 until the oldest failure leaves the window.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginThrottle {
    per_account: u32,
    per_ip: u32,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginThrottle {
    pub fn new(per_account: u32, per_ip: u32, window: Duration) -> Self {
        LoginThrottle { per_account, per_ip, window, failures: Mutex::new(HashMap::new()) }
    }

    /// Ok, or the seconds to wait.
    pub fn check(&self, account: &str, ip: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = 0u64;
        for (key, limit) in [(format!("a:{account}"), self.per_account), (format!("i:{ip}"), self.per_ip)] {
            if let Some(q) = map.get_mut(&key) {
                while q.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
                    q.pop_front();
                }
                if q.len() as u32 >= limit {
                    if let Some(oldest) = q.front() {
                        let left = self.window.saturating_sub(now.duration_since(*oldest));
                        wait = wait.max(left.as_secs().max(1));
                    }
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    pub fn record_failure(&self, account: &str, ip: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        for key in [format!("a:{account}"), format!("i:{ip}")] {
            map.entry(key).or_default().push_back(now);
        }
    }

    pub fn record_success(&self, account: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(&format!("a:{account}"));
    }
}

/// "try again in 3 minutes"
pub fn wait_words(secs: u64) -> String {
    if secs < 60 {
        format!("{secs} seconds")
    } else {
        let m = secs.div_ceil(60);
        if m == 1 { "1 minute".into() } else { format!("{m} minutes") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_limit_per_account_and_per_ip() {
        let t = LoginThrottle::new(3, 5, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(t.check("a@x.io", "1.1.1.1").is_ok());
            t.record_failure("a@x.io", "1.1.1.1");
        }
        assert!(t.check("a@x.io", "2.2.2.2").is_err(), "account limit holds from another address");
        assert!(t.check("b@x.io", "1.1.1.1").is_ok());
        t.record_failure("b@x.io", "1.1.1.1");
        t.record_failure("c@x.io", "1.1.1.1");
        assert!(t.check("d@x.io", "1.1.1.1").is_err(), "address limit holds for another account");
        t.record_success("a@x.io");
        assert!(t.check("a@x.io", "3.3.3.3").is_ok());
    }
}
