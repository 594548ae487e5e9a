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

/// One counter a hold reserved on.
#[derive(Debug)]
pub(super) struct Entry {
    pub counter: String,
    pub unit: Unit,
    pub reserved: i64,
    /// The balance: it carries the settled charge until the log writer books it.
    pub balance: bool,
}

pub struct Hold {
    counters: Counters,
    entries: Vec<Entry>,
    open: bool,
}

impl Hold {
    pub(super) fn new(counters: Counters, entries: Vec<Entry>) -> Hold {
        Hold { counters, entries, open: true }
    }

    /// The request cost `cost` and used `tokens`: every counter moves from its reservation to
    /// it. Of this process's share (Redis leases) the reservation goes; a balance keeps the
    /// charge in it until the charge is written.
    pub fn settle(mut self, cost: i64, tokens: i64) {
        self.counters.adjust_detached(self.entries.iter().map(|e| {
            let actual = match e.unit {
                Unit::Cost => cost,
                Unit::Tokens => tokens,
                Unit::Requests => e.reserved,
            };
            let share = if e.balance { actual - e.reserved } else { -e.reserved };
            (e.counter.as_str(), actual - e.reserved, share)
        }));
        self.open = false;
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        if self.open {
            self.counters.adjust_detached(self.entries.iter().map(|e| (e.counter.as_str(), -e.reserved, -e.reserved)));
        }
    }
}

impl std::fmt::Debug for Hold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hold").field("entries", &self.entries).finish()
    }
}
