//! Requests on free models (catalog price zero) today, against the operator's daily limits.

use serde::{Deserialize, Serialize};

/// The signed-in person's free-model requests since 00:00 UTC (by every key they created, in
/// any organization) and everyone's together; a limit of 0 means none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeUsage {
    pub used_today: i64,
    pub limit_per_user: i64,
    pub used_global_today: i64,
    pub limit_global: i64,
}

impl FreeUsage {
    /// Share of the personal limit used, whole percent capped at 100; None without a limit.
    pub fn percent(&self) -> Option<u32> {
        (self.limit_per_user > 0).then(|| (self.used_today.max(0).saturating_mul(100) / self.limit_per_user).min(100) as u32)
    }
    /// `3 / 200 requests`, or `3 requests (no daily limit)`.
    pub fn words(&self) -> String {
        let unit = |n: i64| if n == 1 { "request" } else { "requests" };
        if self.limit_per_user > 0 {
            format!("{} / {} {}", self.used_today, self.limit_per_user, unit(self.limit_per_user))
        } else {
            format!("{} {} (no daily limit)", self.used_today, unit(self.used_today))
        }
    }
    /// Nothing is left for this person, or for everyone, today.
    pub fn exhausted(&self) -> bool {
        (self.limit_per_user > 0 && self.used_today >= self.limit_per_user)
            || (self.limit_global > 0 && self.used_global_today >= self.limit_global)
    }
}

#[cfg(test)]
mod tests {
    use super::FreeUsage;

    fn usage(used: i64, limit: i64) -> FreeUsage {
        FreeUsage { used_today: used, limit_per_user: limit, used_global_today: used, limit_global: 0 }
    }

    #[test]
    fn words_and_percent() {
        assert_eq!(usage(3, 200).words(), "3 / 200 requests");
        assert_eq!(usage(3, 200).percent(), Some(1));
        assert_eq!(usage(250, 200).percent(), Some(100));
        assert_eq!(usage(1, 0).words(), "1 request (no daily limit)");
        assert_eq!(usage(1, 0).percent(), None);
        assert!(usage(200, 200).exhausted() && !usage(199, 200).exhausted());
        let global = FreeUsage { used_today: 0, limit_per_user: 5, used_global_today: 9, limit_global: 9 };
        assert!(global.exhausted());
    }
}
