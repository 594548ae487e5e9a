//! Spend counters with all-or-nothing reservations, the core of admission that holds under
//! concurrency.
//!
//! A counter holds what a limit has used: the spend already settled in its period plus the
//! worst case of every request admitted and not yet settled. A request reserves its worst
//! case against every applicable limit at once, under one lock: either all have room and all
//! move, or none moves and the first that has no room is named. After the call the
//! reservation is settled to the real cost (or released, if the request was never sent).
//!
//! Counter names carry the period they count (`key-budget:<id>@<period start>`), so a new
//! period is a new counter, seeded from the database the first time it is asked for.
//!
//! The balance is a counter too: its cap is the organization's balance as the ledger holds it,
//! and it uses the reservations in flight plus what was settled but is not yet written to the
//! ledger; the log writer moves both at once when a batch is committed.

use std::collections::HashMap;
use std::sync::Mutex;

/// One limit a request must fit under.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    pub counter: String,
    pub cap: Cap,
    /// Unix seconds after which the counter can be forgotten (its period is over).
    pub until: i64,
    /// What this request takes from it: a worst-case cost, tokens, or one request.
    pub amount: i64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cap {
    /// A budget: fixed by configuration.
    Fixed(i64),
    /// The balance: whatever the counter was last told the ledger holds.
    Stored,
}

/// Why a reservation was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal {
    /// `limits[index]` has no room: `available` is what it has left (may be negative).
    Full { index: usize, available: i64 },
    /// These counters are not known yet: seed them and ask again.
    Unseeded(Vec<usize>),
}

#[derive(Debug, Default)]
struct Slot {
    used: i64,
    cap: Option<i64>,
    /// The version of the balance `cap` came from (a late, older read is ignored).
    version: i64,
    until: i64,
}

#[derive(Default)]
pub struct LocalCounters {
    slots: Mutex<HashMap<String, Slot>>,
}

impl LocalCounters {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        // a panic while holding the lock cannot leave a slot half-moved (every change is one
        // assignment), so a poisoned map is still consistent
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Which of these limits' counters are not known yet (or, for a balance, have no cap).
    pub fn unseeded(&self, limits: &[Limit]) -> Vec<usize> {
        let slots = self.lock();
        limits
            .iter()
            .enumerate()
            .filter(|(_, l)| match slots.get(&l.counter) {
                None => true,
                Some(s) => l.cap == Cap::Stored && s.cap.is_none(),
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Starts a counter at `used` (what the database says was spent in its period) unless it
    /// is already known: a counter in use is never reset by a late seed.
    pub fn seed(&self, counter: &str, used: i64, until: i64) {
        self.lock().entry(counter.to_string()).or_insert(Slot { used, cap: None, version: -1, until });
    }

    /// Sets a balance counter's cap to what the ledger holds (unless it already holds a newer
    /// `version`), and takes `written` (settled spend now in that balance) off what it uses,
    /// in one step. A counter not known yet starts with nothing in use (it carried none of
    /// what was written).
    pub fn set_balance(&self, counter: &str, balance: i64, version: i64, written: i64) {
        let mut slots = self.lock();
        match slots.get_mut(counter) {
            Some(s) => {
                if version >= s.version {
                    s.cap = Some(balance);
                    s.version = version;
                }
                s.used -= written;
            }
            None => {
                slots.insert(counter.to_string(), Slot { used: 0, cap: Some(balance), version, until: i64::MAX });
            }
        }
    }

    /// The cap a balance counter holds, and what it uses.
    pub fn balance(&self, counter: &str) -> Option<(i64, i64)> {
        self.lock().get(counter).and_then(|s| s.cap.map(|c| (c, s.used)))
    }

    /// What a counter uses (settled plus reserved), if known.
    pub fn used(&self, counter: &str) -> Option<i64> {
        self.lock().get(counter).map(|s| s.used)
    }

    /// Reserves each limit's amount against it, all or none. An amount of zero still needs
    /// the limit to have room left (a spent budget refuses free requests too), except a
    /// balance at exactly zero, which admits a free request.
    pub fn reserve(&self, limits: &[Limit]) -> Result<(), Refusal> {
        let mut slots = self.lock();
        let mut missing = vec![];
        for (i, l) in limits.iter().enumerate() {
            match slots.get(&l.counter) {
                None => missing.push(i),
                Some(s) if l.cap == Cap::Stored && s.cap.is_none() => missing.push(i),
                Some(_) => {}
            }
        }
        if !missing.is_empty() {
            return Err(Refusal::Unseeded(missing));
        }
        for (i, l) in limits.iter().enumerate() {
            let s = &slots[&l.counter];
            let cap = match l.cap {
                Cap::Fixed(c) => c,
                Cap::Stored => s.cap.unwrap_or(0),
            };
            let available = cap - s.used;
            let fits = if l.amount == 0 { available > 0 || (l.cap == Cap::Stored && available == 0) } else { available >= l.amount };
            if !fits {
                return Err(Refusal::Full { index: i, available });
            }
        }
        for l in limits {
            if let Some(s) = slots.get_mut(&l.counter) {
                s.used += l.amount;
            }
        }
        Ok(())
    }

    /// Moves each counter by its own delta, under one lock.
    pub fn adjust_each<'a>(&self, moves: impl IntoIterator<Item = (&'a str, i64)>) {
        let mut slots = self.lock();
        for (c, d) in moves {
            if d != 0 {
                if let Some(s) = slots.get_mut(c) {
                    s.used += d;
                }
            }
        }
    }

    /// Forgets counters whose period ended before `now`.
    pub fn sweep(&self, now: i64) {
        self.lock().retain(|_, s| s.until >= now);
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn budget(name: &str, cap: i64) -> Limit {
        Limit { counter: name.into(), cap: Cap::Fixed(cap), until: i64::MAX, amount: 0 }
    }

    fn taking(limits: &[Limit], amount: i64) -> Vec<Limit> {
        limits.iter().map(|l| Limit { amount, ..l.clone() }).collect()
    }

    #[test]
    fn unknown_counters_must_be_seeded_first() {
        let c = LocalCounters::default();
        let limits = [budget("a", 10), budget("b", 10)];
        assert_eq!(c.reserve(&taking(&limits, 1)), Err(Refusal::Unseeded(vec![0, 1])));
        c.seed("a", 0, i64::MAX);
        assert_eq!(c.unseeded(&limits), vec![1]);
        c.seed("b", 4, i64::MAX);
        assert_eq!(c.reserve(&taking(&limits, 6)), Ok(()));
        assert_eq!(c.used("b"), Some(10));
    }

    #[test]
    fn all_or_nothing() {
        let c = LocalCounters::default();
        c.seed("a", 0, i64::MAX);
        c.seed("b", 8, i64::MAX);
        let limits = [budget("a", 100), budget("b", 10)];
        assert_eq!(c.reserve(&taking(&limits, 3)), Err(Refusal::Full { index: 1, available: 2 }));
        assert_eq!(c.used("a"), Some(0), "a refused reservation moves nothing");
        assert_eq!(c.reserve(&taking(&limits, 2)), Ok(()));
        assert_eq!((c.used("a"), c.used("b")), (Some(2), Some(10)));
    }

    #[test]
    fn a_late_seed_never_resets_a_counter() {
        let c = LocalCounters::default();
        c.seed("a", 5, i64::MAX);
        c.seed("a", 0, i64::MAX);
        assert_eq!(c.used("a"), Some(5));
    }

    #[test]
    fn settling_moves_to_the_actual_cost() {
        let c = LocalCounters::default();
        c.seed("a", 0, i64::MAX);
        let limits = [budget("a", 10)];
        c.reserve(&taking(&limits, 8)).unwrap();
        c.adjust_each([("a", 3 - 8)]);
        assert_eq!(c.used("a"), Some(3));
        c.reserve(&taking(&limits, 7)).unwrap();
        assert!(c.reserve(&taking(&limits, 1)).is_err());
    }

    #[test]
    fn a_spent_budget_refuses_free_requests() {
        let c = LocalCounters::default();
        c.seed("a", 10, i64::MAX);
        assert!(matches!(c.reserve(&taking(&[budget("a", 10)], 0)), Err(Refusal::Full { .. })));
    }

    #[test]
    fn balance_counters_take_their_cap_from_the_ledger() {
        let c = LocalCounters::default();
        let bal = [Limit { counter: "bal".into(), cap: Cap::Stored, until: i64::MAX, amount: 0 }];
        assert_eq!(c.reserve(&taking(&bal, 1)), Err(Refusal::Unseeded(vec![0])));
        c.set_balance("bal", 10, 0, 0);
        c.reserve(&taking(&bal, 6)).unwrap();
        assert_eq!(c.reserve(&taking(&bal, 5)), Err(Refusal::Full { index: 0, available: 4 }));
        // settled at 5, then the writer commits it: the balance drops, the use with it
        c.adjust_each([("bal", 5 - 6)]);
        c.set_balance("bal", 5, 0, 5);
        assert_eq!(c.balance("bal"), Some((5, 0)));
        // an empty balance still admits a free request, a debt does not
        c.set_balance("bal", 0, 0, 0);
        assert_eq!(c.reserve(&taking(&bal, 0)), Ok(()));
        c.set_balance("bal", -1, 0, 0);
        assert!(c.reserve(&taking(&bal, 0)).is_err());
    }

    #[test]
    fn an_older_balance_read_never_replaces_a_newer_one() {
        let c = LocalCounters::default();
        c.set_balance("bal", 100, 7, 0);
        c.set_balance("bal", 150, 6, 0);
        assert_eq!(c.balance("bal"), Some((100, 0)), "version 6 is older than 7");
        c.set_balance("bal", 90, 8, 0);
        assert_eq!(c.balance("bal"), Some((90, 0)));
    }

    #[test]
    fn each_limit_takes_its_own_amount() {
        let c = LocalCounters::default();
        c.seed("cost", 0, i64::MAX);
        c.seed("rpm", 0, i64::MAX);
        let limits = |cost| {
            vec![
                Limit { counter: "cost".into(), cap: Cap::Fixed(100), until: i64::MAX, amount: cost },
                Limit { counter: "rpm".into(), cap: Cap::Fixed(2), until: i64::MAX, amount: 1 },
            ]
        };
        c.reserve(&limits(40)).unwrap();
        c.reserve(&limits(40)).unwrap();
        assert_eq!((c.used("cost"), c.used("rpm")), (Some(80), Some(2)));
        assert_eq!(c.reserve(&limits(1)), Err(Refusal::Full { index: 1, available: 0 }));
        c.adjust_each([("cost", -30), ("rpm", 0)]);
        assert_eq!((c.used("cost"), c.used("rpm")), (Some(50), Some(2)));
    }

    #[test]
    fn sweep_forgets_past_periods() {
        let c = LocalCounters::default();
        c.seed("old", 1, 100);
        c.seed("new", 1, 300);
        c.sweep(200);
        assert_eq!((c.used("old"), c.used("new")), (None, Some(1)));
    }

    /// Many threads reserving and settling at once never push a counter past its cap.
    #[test]
    fn concurrent_reservations_never_exceed_the_cap() {
        let c = Arc::new(LocalCounters::default());
        c.seed("k", 0, i64::MAX);
        c.set_balance("bal", 1_000, 0, 0);
        let limits = Arc::new(vec![budget("k", 500), Limit { counter: "bal".into(), cap: Cap::Stored, until: i64::MAX, amount: 0 }]);
        let admitted = Arc::new(std::sync::atomic::AtomicI64::new(0));
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let (c, limits, admitted) = (c.clone(), limits.clone(), admitted.clone());
                std::thread::spawn(move || {
                    for i in 0..200 {
                        let worst = 7 + (i + t) % 5;
                        if c.reserve(&taking(&limits, worst)).is_ok() {
                            let actual = worst - (i % 3);
                            c.adjust_each([("k", actual - worst), ("bal", actual - worst)]);
                            admitted.fetch_add(actual, std::sync::atomic::Ordering::SeqCst);
                        }
                        let used = c.used("k").unwrap();
                        assert!(used <= 500, "counter at {used}");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let spent = admitted.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(c.used("k"), Some(spent));
        assert!(spent <= 500 && spent > 400, "spent {spent}");
    }
}
