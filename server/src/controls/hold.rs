//! A request's reservation, held from admission to settlement. Settling moves every counter
//! it reserved against to what the request really took (its cost, its tokens; a request
//! counted against a per-minute limit stays counted); a hold dropped without settling (the
//! request was refused further on, failed before any upstream answer, or its task panicked)
//! gives the whole reservation back.

use super::store::Counters;

/// What a counter counts, so settling knows what to move it to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Money units (budgets, the balance).
    Cost,
    /// Input plus output tokens (tokens per minute).
    Tokens,
    /// Requests (requests per minute): one taken is one used.
    Requests,
}

pub struct Hold {
    counters: Counters,
    /// Counter, what it counts, what was reserved on it.
    entries: Vec<(String, Unit, i64)>,
    open: bool,
}

impl Hold {
    pub(super) fn new(counters: Counters, entries: Vec<(String, Unit, i64)>) -> Hold {
        Hold { counters, entries, open: true }
    }

    /// The request cost `cost` and used `tokens`: every counter moves from its reservation to it.
    pub fn settle(mut self, cost: i64, tokens: i64) {
        self.counters.adjust_detached(self.entries.iter().map(|(name, unit, reserved)| {
            let actual = match unit {
                Unit::Cost => cost,
                Unit::Tokens => tokens,
                Unit::Requests => *reserved,
            };
            (name.as_str(), actual - reserved)
        }));
        self.open = false;
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        if self.open {
            self.counters.adjust_detached(self.entries.iter().map(|(n, _, r)| (n.as_str(), -r)));
        }
    }
}

impl std::fmt::Debug for Hold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hold").field("entries", &self.entries).finish()
    }
}
